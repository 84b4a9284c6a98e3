package h5

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// The liaison station's public page, /h5/stations/{id}, opened from the
// station's QR code: any follower of the account, deputy or not, leaves an
// opinion (群众意见) there and gets a receipt number. The follower is
// identified by WeChat web authorisation like the menu pages, and kept in
// a cookie of their own (h5_follower: the openid, signed, for
// h5SessionTTL), since they need not be a deputy.

const h5FollowerCookie = "h5_follower"

// stationPagePath matches the pages a follower (not only a deputy) may
// come back to from WeChat's authorisation.
var stationPagePath = regexp.MustCompile(`^/h5/stations/[0-9]+$`)

func followerSubject(issued, openid string) string { return "f" + issued + "|" + openid }

// follower returns the follower of a valid follower cookie, acting as the
// public.
func (h *server) follower(r *http.Request) (core.Actor, bool) {
	c, err := r.Cookie(h5FollowerCookie)
	if err != nil {
		return core.Actor{}, false
	}
	parts := strings.SplitN(c.Value, "~", 3)
	if len(parts) != 3 || parts[1] == "" {
		return core.Actor{}, false
	}
	at, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return core.Actor{}, false
	}
	if age := h.d.Now().Sub(time.Unix(at, 0)); age < -time.Minute || age > h5SessionTTL {
		return core.Actor{}, false
	}
	if _, err := h.d.Signer.Verify(followerSubject(parts[0], parts[1]), parts[2]); err != nil {
		return core.Actor{}, false
	}
	return core.PublicActor(parts[1], core.ViaH5), true
}

func (h *server) setFollower(w http.ResponseWriter, openid string) {
	issued := strconv.FormatInt(h.d.Now().Unix(), 10)
	http.SetCookie(w, &http.Cookie{Name: h5FollowerCookie, Value: issued + "~" + openid + "~" + h.d.Signer.Token(followerSubject(issued, openid), 0),
		Path: "/h5/", MaxAge: int(h5SessionTTL / time.Second), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

type h5StationPage struct {
	Title, Tab string
	Station    model.Station
	Deputies   []string
	Categories []h5Option
	Action     string
	Form       url.Values
	Anonymous  bool
	Errors     map[string]string
	Alert      string
	Receipt    *model.PublicOpinion
	Mine       []h5PublicOpinion
}

// h5PublicOpinion is one of the follower's own opinions, as they see it.
type h5PublicOpinion struct {
	Receipt, Category, Status, Submitted, Outcome string
	Paras                                         []string
	Replies                                       []h5MessageReply
}

// mineShown is how many of their own opinions the page shows a follower.
const mineShown = 5

type h5Option struct {
	Value, Label string
	Selected     bool
}

// stationPage serves GET /h5/stations/{id}; ?done={opinion} shows the
// receipt of the follower's own opinion just left.
func (h *server) stationPage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	by, ok := h.follower(r)
	if !ok {
		h.login(w, r, r.URL.Path)
		return
	}
	page := h5StationPage{Form: url.Values{}}
	if done, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil && done > 0 {
		if o, err := h.d.Services.PublicOpinions.OfSender(r.Context(), by, done); err == nil && o.StationID == id {
			page.Receipt = &o
		}
	}
	h.renderStation(w, r, http.StatusOK, id, page)
}

func (h *server) renderStation(w http.ResponseWriter, r *http.Request, status int, id int64, page h5StationPage) {
	st, ds, err := h.d.Services.Stations.Public(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	if err != nil {
		h.internal(w, "station", err)
		return
	}
	page.Title, page.Station = st.Name, st
	page.Action = "/h5/stations/" + strconv.FormatInt(id, 10) + "/opinions"
	for _, d := range ds {
		page.Deputies = append(page.Deputies, d.Name)
	}
	if by, ok := h.follower(r); ok {
		mine, err := h.d.Services.PublicOpinions.MineAt(r.Context(), by, id, mineShown)
		if err != nil {
			h.internal(w, "own opinions", err)
			return
		}
		for _, t := range mine {
			o := t.Opinion
			v := h5PublicOpinion{Receipt: o.Receipt, Category: o.CategoryLabel(), Status: o.StatusLabel(),
				Submitted: h.fmtTime(o.CreatedAt), Paras: paragraphs(o.Body)}
			switch o.Status {
			case model.PublicOpinionUnit:
				v.Outcome = "已转交" + o.Unit + "办理"
			case model.PublicOpinionClosed:
				v.Outcome = "办结说明：" + o.CloseReason
			}
			for _, rp := range t.Replies {
				v.Replies = append(v.Replies, h5MessageReply{At: h.fmtTime(rp.CreatedAt), Paras: paragraphs(rp.Author + "答复：" + rp.Body)})
			}
			page.Mine = append(page.Mine, v)
		}
	}
	for _, c := range model.PublicOpinionCategories {
		page.Categories = append(page.Categories, h5Option{Value: c, Label: model.PublicOpinionCategoryLabel(c),
			Selected: page.Form.Get("category") == c})
	}
	h.render(w, status, "station", page)
}

// stationOpinion serves POST /h5/stations/{id}/opinions: the opinion is
// stored with a receipt, or the form comes back with what to change.
func (h *server) stationOpinion(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	by, ok := h.follower(r)
	if !ok {
		h.problem(w, http.StatusForbidden, h5SessionExpired)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	in := core.PublicOpinionInput{Category: f.Get("category"), Body: f.Get("body"), Name: f.Get("name"), Phone: f.Get("phone"),
		Anonymous: f.Get("anonymous") != ""}
	o, err := h.d.Services.PublicOpinions.Submit(r.Context(), by, id, in)
	if err != nil {
		page := h5StationPage{Form: f, Anonymous: in.Anonymous, Errors: map[string]string{}}
		status := http.StatusUnprocessableEntity
		if fe, ok := core.Fields(err); ok {
			for _, e := range fe {
				page.Errors[e.Key] = e.Msg
			}
			page.Alert = "未能提交，请按提示修改后重试。"
		} else if msg := core.Message(err); msg != "" {
			if errors.Is(err, model.ErrNotFound) {
				h.problem(w, http.StatusNotFound, h5NotFound)
				return
			}
			page.Alert, status = msg, http.StatusConflict
		} else {
			h.internal(w, "public opinion", err)
			return
		}
		h.d.Log.Info("h5: public opinion refused", "station", id, "status", status)
		h.renderStation(w, r, status, id, page)
		return
	}
	h.d.Log.Info("h5: public opinion recorded", "station", id, "opinion", o.ID)
	http.Redirect(w, r, "/h5/stations/"+strconv.FormatInt(id, 10)+"?done="+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
}
