package handlers

import (
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/opinions/{id}", viewers, opinionShow) }

// opinionView is an opinion's page: the text as paragraphs, the staff's
// reply, and the reply and close forms.
type opinionView struct {
	O             model.Opinion
	CategoryLabel string
	StatusLabel   string
	Channel       string
	Body, Reply   []string
	CanAnswer     bool
	Form          string // the reply as typed
	Errors        fieldErrors
	Assign        opinionAssignView
}

var channelLabels = map[string]string{model.OpinionViaWeChat: "微信", model.OpinionViaConsole: "管理后台",
	model.OpinionViaAPI: "API"}

func (s *server) opinionOfPath(r *http.Request) (model.Opinion, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return model.Opinion{}, err
	}
	return s.opinions().Get(r.Context(), id)
}

func opinionViewOf(me model.Account, o model.Opinion) opinionView {
	return opinionView{O: o, CategoryLabel: core.OpinionCategoryLabel(o.Category), StatusLabel: core.OpinionStatusLabel(o.Status),
		Channel: orDefault(channelLabels[o.Channel], o.Channel), Body: textLines(o.Body), Reply: textLines(o.StaffReply),
		CanAnswer: slices.Contains(editors, me.Role)}
}

func opinionShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	v := opinionViewOf(me, o)
	if v.Assign, err = s.opinionAssignViewOf(r.Context(), o.ID); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "opinion", page{Title: "意见 " + o.Receipt, Nav: "opinions", Me: me, Data: v})
	return nil
}
