package h5

import (
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

// The activity sign-up page (活动报名), /h5/activities: the activities
// open for sign-up with the deputy's standing, and a button to sign up or
// withdraw, through the same core actions as 活动报名 in the chat.

type h5Activity struct {
	ID                                    int64
	Title, Kind, Starts, Place, Deadline  string
	Capacity, Left, Position              int
	Status, StatusLabel, Action, Withdraw string
}

type h5ActivitiesPage struct {
	Title, Tab  string
	Done, Error string
	Activities  []h5Activity
}

// activitiesPage serves GET /h5/activities for the menu session; ?done=
// and ?err= carry the outcome of a post back to the list.
func (h *server) activitiesPage(w http.ResponseWriter, r *http.Request) {
	by, ok := h.sessionOrLogin(w, r)
	if !ok {
		return
	}
	h.renderActivities(w, r, http.StatusOK, by, h5ActivitiesPage{Done: signupDone[r.URL.Query().Get("done")]})
}

// signupDone are the outcomes a post redirects with, as the page says them.
var signupDone = map[string]string{
	"confirmed": "报名成功，已为您登记参加。",
	"waiting":   "名额已满，您已进入候补名单，有名额空出时按顺序递补并通知您。",
	"withdrawn": "已退出报名。",
}

func (h *server) renderActivities(w http.ResponseWriter, r *http.Request, status int, by core.Actor, page h5ActivitiesPage) {
	acts, err := h.d.Services.Meetings.OpenActivities(r.Context(), by)
	if err != nil {
		h.internal(w, "activities", err)
		return
	}
	page.Title, page.Tab = "活动报名", "activities"
	for _, a := range acts {
		m := a.Meeting
		base := "/h5/activities/" + strconv.FormatInt(m.ID, 10)
		page.Activities = append(page.Activities, h5Activity{ID: m.ID, Title: m.Title, Kind: m.KindLabel(),
			Starts: h.fmtTime(m.StartsAt), Place: m.Place, Deadline: h.fmtTime(a.Summary.Window.Deadline),
			Capacity: a.Summary.Window.Capacity, Left: a.Summary.Left(), Position: a.Position, Status: a.Mine.Status,
			StatusLabel: model.SignupLabel(a.Mine.Status), Action: base + "/signup", Withdraw: base + "/withdraw"})
	}
	h.render(w, status, "activities", page)
}

// activityPost serves POST /h5/activities/{id}/{signup|withdraw}.
func (h *server) activityPost(w http.ResponseWriter, r *http.Request) {
	by, ok := h.session(r)
	if !ok {
		h.problem(w, http.StatusForbidden, h5SessionExpired)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	verb := r.PathValue("verb")
	if err != nil || id <= 0 || (verb != "signup" && verb != "withdraw") {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	var res model.SignupResult
	if verb == "signup" {
		res, err = h.d.Services.Meetings.SignUp(r.Context(), by, id)
	} else {
		res, err = h.d.Services.Meetings.WithdrawSignup(r.Context(), by, id)
	}
	if msg := core.Message(err); msg != "" {
		h.renderActivities(w, r, http.StatusConflict, by, h5ActivitiesPage{Error: msg})
		return
	}
	if err != nil {
		h.internal(w, "activity "+verb, err)
		return
	}
	h.d.Log.Info("h5: sign-up recorded", "ref", id, "deputy", by.Deputy.ID, "verb", verb)
	http.Redirect(w, r, "/h5/activities?done="+res.Signup.Status, http.StatusSeeOther)
}
