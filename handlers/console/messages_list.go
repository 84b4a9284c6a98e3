package console

import (
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// messagesPageSize is the length of a page of the inbox.
const messagesPageSize = 50

// messageQuery is the inbox's filters as the list page's form sends them.
type messageQuery struct {
	Status, Sender, Assignee string // Assignee: "", "me" or an account id
}

func messageQueryOf(q url.Values) messageQuery {
	v := messageQuery{Status: q.Get("status"), Sender: q.Get("sender"), Assignee: q.Get("assignee")}
	if !model.IsMessageStatus(v.Status) {
		v.Status = ""
	}
	if v.Sender != model.SenderDeputy && v.Sender != model.SenderPublic {
		v.Sender = ""
	}
	if _, err := strconv.ParseInt(v.Assignee, 10, 64); err != nil && v.Assignee != "me" {
		v.Assignee = ""
	}
	return v
}

// filter is the query as core reads it, for the account by.
func (q messageQuery) filter(by core.Actor) model.MessageFilter {
	f := model.MessageFilter{Status: q.Status, Sender: q.Sender}
	if q.Assignee == "me" {
		f.AssigneeID = by.Account.ID
	} else if id, err := strconv.ParseInt(q.Assignee, 10, 64); err == nil {
		f.AssigneeID = id
	}
	return f
}

// values is the query as a URL query, page left out.
func (q messageQuery) values() url.Values {
	u := url.Values{}
	for k, v := range map[string]string{"status": q.Status, "sender": q.Sender, "assignee": q.Assignee} {
		if v != "" {
			u.Set(k, v)
		}
	}
	return u
}

// messageTab is one status with its count, a link of the list.
type messageTab struct {
	Value, Label string
	Count        int
	On           bool
	Link         string
}

type messageLine struct {
	ID                           int64
	Receipt, Sender, SenderLabel string
	DeputyID                     int64
	Kind, Snippet                string
	Status, StatusLabel          string
	Assignee                     string
	Replies                      int
	CreatedAt                    string
}

func (s *server) messageLineOf(m model.Message) messageLine {
	return messageLine{ID: m.ID, Receipt: m.Receipt, Sender: m.SenderName(), SenderLabel: model.SenderLabel(m.Sender()),
		DeputyID: m.DeputyID, Kind: model.MessageKindLabel(m.Kind), Snippet: snippet(m.Body, 60), Status: m.Status,
		StatusLabel: m.StatusLabel(), Assignee: m.AssigneeName, Replies: m.Replies, CreatedAt: s.fmtTime(m.CreatedAt)}
}

// snippet is the first n characters of text, on one line.
func snippet(text string, n int) string {
	r := []rune(text)
	for i, c := range r {
		if c == '\n' || c == '\r' {
			r[i] = ' '
		}
	}
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "……"
}

type messagesView struct {
	Query     messageQuery
	Tabs      []messageTab
	Senders   []option
	Messages  []messageLine
	Pager     pager
	ExportURL string
}

// messagesList is the inbox: tabs by status with their counts, filters
// by sender and assignee, newest first.
func messagesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := messageQueryOf(r.URL.Query())
	pg := pageParam(r.URL.Query())
	f := q.filter(by)
	f.Limit, f.Offset = messagesPageSize, (pg-1)*messagesPageSize
	ms, total, err := s.core.Messages.List(r.Context(), by, f)
	if err != nil {
		return err
	}
	counts, err := s.core.Messages.Counts(r.Context(), by)
	if err != nil {
		return err
	}
	link := func(status string) string {
		u := q.values()
		u.Del("status")
		if status != "" {
			u.Set("status", status)
		}
		if len(u) == 0 {
			return "/admin/messages"
		}
		return "/admin/messages?" + u.Encode()
	}
	all := 0
	for _, n := range counts {
		all += n
	}
	v := messagesView{Query: q, Senders: []option{{model.SenderDeputy, "代表"}, {model.SenderPublic, "群众"}},
		Tabs: []messageTab{{Label: "全部", Count: all, On: q.Status == "", Link: link("")}}}
	for _, st := range model.MessageStatuses {
		v.Tabs = append(v.Tabs, messageTab{Value: st, Label: model.MessageStatusLabel(st), Count: counts[st], On: q.Status == st, Link: link(st)})
	}
	v.Pager = newPager(total, pg, messagesPageSize, func(p int) string {
		u := q.values()
		u.Set("page", strconv.Itoa(p))
		return "/admin/messages?" + u.Encode()
	})
	if u := q.values(); len(u) > 0 {
		v.ExportURL = "/admin/messages/export?" + u.Encode()
	} else {
		v.ExportURL = "/admin/messages/export"
	}
	for _, m := range ms {
		v.Messages = append(v.Messages, s.messageLineOf(m))
	}
	s.render(w, r, http.StatusOK, "messages", page{Title: "群众和代表留言", Nav: "messages", Me: by.Account, Data: v})
	return nil
}

// messagesExport downloads the inbox (its filters, every page) as Excel.
func messagesExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Messages.Export(r.Context(), by, messageQueryOf(r.URL.Query()).filter(by))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
