package core

import (
	"context"
	"slices"
	"time"

	"deputybot/model"
)

// recentOpinionCount is how many opinions the dashboard lists.
const recentOpinionCount = 5

// BindLockDays is how far back the dashboard lists binding locks; the
// deputy's page shows a lock for as long as it stays.
const BindLockDays = 30

// Dashboard is the console's home page in figures. The deputy figures,
// today's deliveries, open RSVPs, recent opinions and binding locks are
// for roles that see deputy data (SeesDeputies); suggestions and rates
// are of the latest session, a unit account's own unit only.
type Dashboard struct {
	SeesDeputies    bool
	Total, Bound    int
	DeliveriesToday map[string]int // by delivery status
	OpenRSVPs       int            // invitations unanswered whose RSVP deadline is ahead
	RecentOpinions  []model.Opinion
	BindLocks       []model.BindLock
	BindPaused      bool

	Session       string // the latest session, "" when none is named
	Unit          string // the unit a unit account is limited to
	Limited       bool
	Rates         Rates
	SuggestionsBy map[string]int // by status
}

// HasSuggestions reports whether any suggestion is counted (an empty
// chart is not drawn).
func (d Dashboard) HasSuggestions() bool {
	for _, n := range d.SuggestionsBy {
		if n > 0 {
			return true
		}
	}
	return false
}

// DashboardAs gathers the dashboard's figures as by may see them.
func (r *Reports) DashboardAs(ctx context.Context, by Actor) (Dashboard, error) {
	var d Dashboard
	if err := by.Require(Everyone...); err != nil {
		return d, err
	}
	now := r.env.now().In(r.Loc)
	if d.SeesDeputies = slices.Contains(Viewers, by.Role()); d.SeesDeputies {
		var err error
		if d.Total, d.Bound, err = r.db.CountDeputies(ctx); err != nil {
			return d, err
		}
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, r.Loc)
		if d.DeliveriesToday, err = r.db.CountDeliveriesSince(ctx, midnight); err != nil {
			return d, err
		}
		if d.OpenRSVPs, err = r.db.CountOpenRSVPs(ctx, now); err != nil {
			return d, err
		}
		if d.RecentOpinions, _, err = r.db.ListOpinions(ctx, model.OpinionFilter{Limit: recentOpinionCount}); err != nil {
			return d, err
		}
		st, err := (&Binding{r.env}).Locks(ctx, by, now.AddDate(0, 0, -BindLockDays))
		if err != nil {
			return d, err
		}
		d.BindLocks, d.BindPaused = st.Locked, st.Paused
	}
	sessions, err := r.db.SuggestionSessions(ctx)
	if err != nil {
		return d, err
	}
	if len(sessions) > 0 {
		d.Session = sessions[0]
	}
	f := model.SuggestionRatesFilter{Session: d.Session}
	d.Unit, d.Limited = UnitScope(by)
	if d.Limited {
		if d.Unit == "" {
			return d, nil
		}
		f.HostUnit = d.Unit
	}
	total, _, err := r.db.SuggestionRates(ctx, f)
	if err != nil {
		return d, err
	}
	d.Rates = ratesOf("", total)
	d.SuggestionsBy, err = r.db.SuggestionStatusCounts(ctx, model.SuggestionFilter{Session: d.Session, HostUnit: f.HostUnit})
	return d, err
}
