package handlers

import (
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/storage"
)

func init() { consoleRoute(http.MethodGet, "/admin/opinions/{id}", viewers, opinionShow) }

// opinionView is an opinion's page: the text as paragraphs, the staff's
// reply, and the reply and close forms.
type opinionView struct {
	O             core.Opinion
	CategoryLabel string
	StatusLabel   string
	Channel       string
	Body, Reply   []string
	CanAnswer     bool
	Form          string // the reply as typed
	Errors        fieldErrors
	Assign        opinionAssignView
}

var channelLabels = map[string]string{storage.OpinionViaWeChat: "微信", storage.OpinionViaConsole: "管理后台",
	storage.OpinionViaAPI: "API"}

func (s *server) opinionOfPath(r *http.Request) (core.Opinion, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return core.Opinion{}, err
	}
	return s.opinions().Get(r.Context(), id)
}

func opinionViewOf(me core.Account, o core.Opinion) opinionView {
	return opinionView{O: o, CategoryLabel: core.OpinionCategoryLabel(o.Category), StatusLabel: core.OpinionStatusLabel(o.Status),
		Channel: orDefault(channelLabels[o.Channel], o.Channel), Body: textLines(o.Body), Reply: textLines(o.StaffReply),
		CanAnswer: slices.Contains(editors, me.Role)}
}

func opinionShow(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
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
