package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/deputies/{id}", viewers, deputyShow) }

// How many rows each section of a deputy's page lists.
const (
	recentDeliveries  = 20
	recentInvitations = 30
	recentRatings     = 30
	recentOpinions    = 30
	opinionSnippet    = 30 // characters of an opinion's text
)

type deputyView struct {
	Deputy      model.Deputy
	Invitations []deputyInvitationRow
	Suggestions []deputySuggestionRow
	Ratings     []deputyRatingRow
	Opinions    []deputyOpinionRow
	Deliveries  []model.DeputyDelivery
	// BindLock is set while binding the deputy by phone digits is locked.
	BindLock *model.BindLock
}

type deputyInvitationRow struct {
	model.Invitation
	KindLabel, StatusLabel string
}

type deputySuggestionRow struct {
	model.DeputySuggestion
	StatusLabel, RoleLabel string
}

type deputyRatingRow struct {
	model.DeputyRating
	Contact, Attitude, Result string
}

type deputyOpinionRow struct {
	model.Opinion
	CategoryLabel, StatusLabel, Snippet string
}

var suggestionRoleLabels = map[string]string{model.RoleLead: "领衔", model.RoleSecond: "附议"}

func deputyShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.registry.Get(r.Context(), id)
	if err != nil {
		return err
	}
	v := deputyView{Deputy: forViewer(me, d)[0]}
	if err := s.deputySections(r, id, &v); err != nil {
		return err
	}
	if l, err := s.d.Services.Binding.LockOf(r.Context(), core.StaffActor(me, core.ViaConsole), id); err == nil {
		v.BindLock = &l
	} else if !errors.Is(err, model.ErrNotFound) && !errors.Is(err, model.ErrForbidden) {
		return err
	}
	s.render(w, r, http.StatusOK, "deputy", page{Title: d.Name, Nav: "deputies", Me: me, Data: v})
	return nil
}

// deputySections reads the deputy's record of work: invitations,
// suggestions, ratings given, opinions and pushes.
func (s *server) deputySections(r *http.Request, id int64, v *deputyView) error {
	ctx := r.Context()
	invs, err := s.d.DB.InvitationsOfDeputy(ctx, id, recentInvitations)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		v.Invitations = append(v.Invitations, deputyInvitationRow{Invitation: inv,
			KindLabel: model.MeetingKindLabel(inv.Meeting.Kind), StatusLabel: model.RSVPLabel(inv.Status)})
	}
	sgs, err := s.d.DB.SuggestionsOfDeputy(ctx, id)
	if err != nil {
		return err
	}
	for _, sg := range sgs {
		v.Suggestions = append(v.Suggestions, deputySuggestionRow{DeputySuggestion: sg,
			StatusLabel: core.SuggestionStatusLabel(sg.Status), RoleLabel: orDefault(suggestionRoleLabels[sg.Role], sg.Role)})
	}
	rts, err := s.d.DB.RatingsOfDeputy(ctx, id, recentRatings)
	if err != nil {
		return err
	}
	for _, rt := range rts {
		v.Ratings = append(v.Ratings, deputyRatingRow{DeputyRating: rt, Contact: core.ContactLabel(rt.Contact),
			Attitude: core.SatisfactionLabel(rt.Attitude), Result: core.SatisfactionLabel(rt.Result)})
	}
	ops, err := s.d.DB.OpinionsOfDeputy(ctx, id, recentOpinions)
	if err != nil {
		return err
	}
	for _, o := range ops {
		v.Opinions = append(v.Opinions, deputyOpinionRow{Opinion: o, CategoryLabel: core.OpinionCategoryLabel(o.Category),
			StatusLabel: core.OpinionStatusLabel(o.Status), Snippet: snippet(o.Body, opinionSnippet)})
	}
	v.Deliveries, err = s.d.DB.RecentDeliveriesOf(ctx, id, recentDeliveries)
	return err
}
