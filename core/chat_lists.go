package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"deputybot/model"
	"deputybot/storage"
)

// ListKind is the list a read command in the chat asks for.
type ListKind int

const (
	ListMeetings    ListKind = iota + 1 // 我的会议: upcoming invitations
	ListSuggestions                     // 我的建议: the suggestions one is on, and one's drafts
	ListStudy                           // 学习: the latest materials and one's open courses
)

// ListRequest is one chat message's read command: whose (the sender's
// openid), which list, sent when.
type ListRequest struct {
	OpenID string
	Kind   ListKind
	At     time.Time
}

// ChatLists is what a read command answers with. DeputyID is the sender's
// deputy, 0 when the sender is no deputy in office or is in a conversation
// (a flow under way may read the word as its own): then the lists are
// empty, and the message is the full path's to answer.
type ChatLists struct {
	DeputyID    int64
	Materials   []model.DeputyMaterial
	Courses     []model.CourseProgress
	Suggestions model.DeputySuggestions
	Meetings    []model.Invitation
}

// Chat is what the chat's read commands read.
type Chat struct{ *env }

// Lists reads, for the read commands of concurrent chat messages, each
// sender's deputy and the list asked for: a deputy's own, the deputy
// acting for themself through WeChat. The deputies and each kind's lists
// are read at the same time, by the senders' openids, so that a batch
// waits for one round trip; latest is how many materials 学习 lists. The
// lists equal those the single reads give (ForDeputy, OpenForDeputy,
// MineWithDrafts, Upcoming).
func (s *Chat) Lists(ctx context.Context, reqs []ListRequest, latest int) ([]ChatLists, error) {
	out := make([]ChatLists, len(reqs))
	if len(reqs) == 0 {
		return out, nil
	}
	all := make([]string, len(reqs))
	var kinds [ListStudy + 1][]string
	since := reqs[0].At
	for i, q := range reqs {
		if q.Kind < ListMeetings || q.Kind > ListStudy {
			return nil, fmt.Errorf("core: chat lists: no list of kind %d", q.Kind)
		}
		all[i] = q.OpenID
		kinds[q.Kind] = append(kinds[q.Kind], q.OpenID)
		if q.Kind == ListMeetings && q.At.Before(since) {
			since = q.At
		}
	}
	var (
		deputies    []model.ChatDeputy
		materials   map[int64][]model.DeputyMaterial
		courses     map[int64][]model.CourseProgress
		suggestions map[int64]model.DeputySuggestions
		meetings    map[int64][]model.Invitation
	)
	reads := []func() error{func() (err error) { deputies, err = s.db.GetChatDeputies(ctx, all); return err }}
	if o := kinds[ListStudy]; o != nil {
		now := s.now()
		reads = append(reads,
			func() (err error) { materials, err = s.db.LatestMaterialsOf(ctx, o, latest); return err },
			func() (err error) { courses, err = s.db.CoursesOf(ctx, o, now); return err })
	}
	if o := kinds[ListSuggestions]; o != nil {
		reads = append(reads, func() (err error) { suggestions, err = s.db.SuggestionListsOf(ctx, o); return err })
	}
	if o := kinds[ListMeetings]; o != nil {
		reads = append(reads, func() (err error) { meetings, err = s.db.UpcomingInvitationsOf(ctx, o, since); return err })
	}
	if err := s.readAtOnce(ctx, reads); err != nil {
		return nil, err
	}
	for i, q := range reqs {
		cd := deputies[i]
		id := cd.DeputyID
		if cd.InConversation || id == 0 || cd.Ended {
			continue
		}
		l := ChatLists{DeputyID: id}
		switch q.Kind {
		case ListStudy:
			l.Materials, l.Courses = orEmpty(materials[id]), orEmpty(courses[id])
		case ListSuggestions:
			l.Suggestions = suggestions[id]
		case ListMeetings:
			l.Meetings = []model.Invitation{}
			for _, inv := range meetings[id] {
				if !inv.Meeting.StartsAt.Before(q.At) {
					l.Meetings = append(l.Meetings, inv)
				}
			}
		}
		out[i] = l
	}
	return out, nil
}

func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// readAtOnce runs reads that do not depend on one another, each on a
// connection of its own, and returns their errors once all have returned:
// a round trip to the server each, they wait for the slowest rather than
// their sum. SQLite has no round trip to save (its reads are the process's
// own work, and going wide only adds to it), and a transaction's
// statements are one connection's: there they run one after the other.
func (s *Chat) readAtOnce(ctx context.Context, reads []func() error) error {
	if len(reads) == 1 || !s.readsGoWide() || storage.InTransaction(ctx) {
		for _, read := range reads {
			if err := read(); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() { errs[i] = read() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// readsGoWide reports whether reads that do not depend on one another gain
// from running at once, on connections of their own: on a database server
// (MySQL), where each is a round trip; not on SQLite, where each is the
// process's own work and larger batches cost less.
func (s *Chat) readsGoWide() bool { return s.db.Dialect() == storage.MySQL }
