// Package api is the JSON API, /api/v1/…, authenticated by an account's
// bearer token. Every handler decodes a JSON body or a query, calls one
// core method with the token's account as the actor, and writes JSON; the
// routes are listed in one place, routes(). docs/api.md documents each.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// Deps is what the API needs.
type Deps struct {
	Services *core.Services
	Log      *slog.Logger
	// PublicURL is the service's address; its origin is trusted.
	PublicURL string
	// Settings gives the settings routes the configuration file's values,
	// WeChat's menu endpoint and the outbox; nil: none of them.
	Settings SettingsSource
}

// handlerFunc serves one action for the token's account. A returned error
// becomes a JSON error in one place (writeError).
type handlerFunc func(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error

// route is one API action.
type route struct {
	method, pattern string
	roles           []string
	handle          handlerFunc
}

// routes lists every API route of this package, by section.
func routes() []route {
	return []route{
		// Deputies, binding codes, accounts, tokens, login and the audit log.
		{"GET", "/api/v1/deputies", core.Viewers, deputiesList},
		{"POST", "/api/v1/deputies", core.Editors, deputyCreate},
		{"GET", "/api/v1/deputies/export", core.Editors, deputiesExport},
		{"POST", "/api/v1/deputies/import", core.Editors, deputiesImport},
		{"POST", "/api/v1/deputies/import/preview", core.Editors, deputiesImportPreview},
		{"GET", "/api/v1/deputies/{id}", core.Viewers, deputyGet},
		{"PUT", "/api/v1/deputies/{id}", core.Editors, deputyUpdate},
		{"POST", "/api/v1/deputies/{id}/terminate", core.Editors, deputyTerminate},
		{"POST", "/api/v1/deputies/{id}/bind-code", core.Editors, deputyBindCode},
		{"POST", "/api/v1/deputies/{id}/unbind", core.Editors, deputyUnbind},
		{"GET", "/api/v1/me", core.Everyone, me},
		{"GET", "/api/v1/accounts", core.Admins, accountsList},
		{"POST", "/api/v1/accounts", core.Admins, accountCreate},
		{"POST", "/api/v1/accounts/{id}/disable", core.Admins, accountDisable},
		{"POST", "/api/v1/accounts/{id}/password", core.Admins, accountResetPassword},
		{"POST", "/api/v1/accounts/{id}/wechat/unbind", core.Admins, accountWeChatUnbind},
		// Tokens are the calling account's own; read-only accounts change
		// nothing through the API.
		{"GET", "/api/v1/audit", core.Admins, auditList},
		{"GET", "/api/v1/tokens", core.Everyone, tokensList},
		{"POST", "/api/v1/tokens", core.StepRecorders, tokenCreate},
		{"DELETE", "/api/v1/tokens/{id}", core.StepRecorders, tokenRevoke},
		// The calling account's own WeChat, where unit and committee staff are told.
		{"GET", "/api/v1/me/wechat", core.StepRecorders, meWeChat},
		{"POST", "/api/v1/me/wechat/bind-code", core.StepRecorders, meWeChatBindCode},
		{"POST", "/api/v1/me/wechat/unbind", core.StepRecorders, meWeChatUnbind},

		// Campaigns, notices, settings, series and the dashboard.
		{"GET", "/api/v1/dashboard", core.Everyone, dashboard},
		{"GET", "/api/v1/campaigns", core.Viewers, campaignsList},
		{"POST", "/api/v1/campaigns", core.Editors, campaignCreate},
		{"GET", "/api/v1/campaigns/{id}", core.Viewers, campaignGet},
		{"GET", "/api/v1/campaigns/{id}/progress", core.Viewers, campaignProgress},
		{"GET", "/api/v1/campaigns/{id}/deliveries", core.Viewers, campaignDeliveries},
		{"GET", "/api/v1/campaigns/{id}/deliveries/export", core.Editors, campaignDeliveriesExport},
		{"POST", "/api/v1/campaigns/{id}/pause", core.Editors, campaignControl("pause")},
		{"POST", "/api/v1/campaigns/{id}/resume", core.Editors, campaignControl("resume")},
		{"POST", "/api/v1/campaigns/{id}/cancel", core.Editors, campaignControl("cancel")},
		{"POST", "/api/v1/audience/count", core.Editors, audienceCount},
		{"GET", "/api/v1/settings", core.Admins, settingsGet},
		{"PUT", "/api/v1/settings/templates", core.Admins, settingsPutTemplates},
		{"GET", "/api/v1/series", core.Editors, seriesList},
		{"POST", "/api/v1/series", core.Editors, seriesCreate},
		{"POST", "/api/v1/series/{id}/activate", core.Editors, seriesSetActive(true)},
		{"POST", "/api/v1/series/{id}/deactivate", core.Editors, seriesSetActive(false)},
		{"PUT", "/api/v1/settings/menu", core.Admins, settingsPutMenu},
		{"DELETE", "/api/v1/settings/menu", core.Admins, settingsResetMenu},
		{"POST", "/api/v1/settings/menu/sync", core.Admins, settingsSyncMenu},
		{"PUT", "/api/v1/settings/delivery", core.Admins, settingsPutDelivery},
		{"DELETE", "/api/v1/settings/delivery", core.Admins, settingsResetDelivery},

		// Meetings, sit-in (列席) and performance records (履职).
		{"GET", "/api/v1/meetings", core.Viewers, meetingsList},
		{"POST", "/api/v1/meetings", core.Editors, meetingCreate},
		{"GET", "/api/v1/meetings/{id}", core.Viewers, meetingGet},
		{"POST", "/api/v1/meetings/{id}/invite", core.Editors, meetingInvite},
		{"POST", "/api/v1/meetings/{id}/remind", core.Editors, meetingRemind},
		{"POST", "/api/v1/meetings/{id}/attendance", core.Editors, meetingAttendance},
		{"GET", "/api/v1/meetings/{id}/export", core.Editors, meetingExport},
		{"POST", "/api/v1/meetings/{id}/signup", core.Editors, meetingSignupOpen},
		{"GET", "/api/v1/meetings/{id}/signups", core.Viewers, meetingSignups},
		{"POST", "/api/v1/meetings/{id}/sitin/proposal", core.Editors, sitInProposal},
		{"GET", "/api/v1/sitin/coverage", core.Viewers, sitInCoverage},
		{"GET", "/api/v1/deputies/{id}/record", core.Viewers, deputyRecord},
		{"GET", "/api/v1/records/review", core.Editors, recordReviewQueue},
		{"POST", "/api/v1/records/{id}/review", core.Editors, recordReview},
		{"GET", "/api/v1/records/delegation", core.Viewers, delegationRecord},
		{"GET", "/api/v1/records/report/export", core.Editors, recordReportExport},
		{"GET", "/api/v1/records/rules", core.Viewers, recordRulesGet},
		{"PUT", "/api/v1/records/rules", core.Admins, recordRulesPut},

		// Suggestions, supervision (督办), rates and reports.
		{"GET", "/api/v1/suggestions", core.Everyone, suggestionsList},
		{"POST", "/api/v1/suggestions", core.Editors, suggestionCreate},
		{"POST", "/api/v1/suggestions/import", core.Editors, suggestionsImport},
		{"GET", "/api/v1/suggestions/rates", core.Everyone, suggestionRates},
		{"GET", "/api/v1/suggestions/{id}", core.Everyone, suggestionGet},
		{"POST", "/api/v1/suggestions/{id}/steps", core.StepRecorders, suggestionStep},
		{"POST", "/api/v1/suggestions/{id}/review", core.Editors, suggestionReview},
		{"POST", "/api/v1/suggestions/{id}/extensions", core.StepRecorders, extensionRequest},
		{"POST", "/api/v1/suggestions/{id}/promise", core.Editors, promiseSet},
		{"POST", "/api/v1/extensions/{id}/decide", core.Editors, extensionDecide},
		{"GET", "/api/v1/supervision", core.Everyone, supervisionOverview},
		{"GET", "/api/v1/supervision/rates", core.Everyone, supervisionRates},
		{"GET", "/api/v1/reports", core.Viewers, report},
		{"GET", "/api/v1/reports/export", core.Editors, reportExport},

		// Opinions, solicitations, adoption, surveys, study materials and 双联系.
		{"GET", "/api/v1/opinions", core.Viewers, opinionsList},
		{"GET", "/api/v1/opinions/{id}", core.Viewers, opinionGet},
		{"POST", "/api/v1/opinions/{id}/assign", core.Editors, opinionAssign},
		{"POST", "/api/v1/opinions/{id}/reply", core.Editors, opinionReply},
		{"POST", "/api/v1/opinions/{id}/close", core.Editors, opinionClose},
		{"POST", "/api/v1/opinions/{id}/adopt", core.Editors, opinionAdopt},
		{"GET", "/api/v1/surveys", core.Viewers, surveysList},
		{"POST", "/api/v1/surveys", core.Editors, surveyCreate},
		{"GET", "/api/v1/surveys/{id}/results", core.Viewers, surveyResults},
		{"GET", "/api/v1/solicitations", core.Viewers, solicitationsList},
		{"POST", "/api/v1/solicitations", core.Editors, solicitationCreate},
		{"GET", "/api/v1/solicitations/{id}", core.Viewers, solicitationGet},
		{"PUT", "/api/v1/solicitations/{id}/articles", core.Editors, solicitationArticlesPut},
		{"GET", "/api/v1/solicitations/{id}/export", core.Editors, solicitationExport},

		// Files (attachments of materials, suggestions, opinions), study
		// materials and courses.
		{"POST", "/api/v1/files", core.Editors, fileUpload},
		{"GET", "/api/v1/files/{id}", core.Everyone, fileGet},
		{"GET", "/api/v1/materials", core.Viewers, materialsList},
		{"POST", "/api/v1/materials", core.Editors, materialCreate},
		{"GET", "/api/v1/materials/categories", core.Everyone, materialCategories},
		{"PUT", "/api/v1/materials/categories", core.Editors, materialCategoriesPut},
		{"GET", "/api/v1/materials/{id}", core.Viewers, materialGet},
		{"PUT", "/api/v1/materials/{id}", core.Editors, materialUpdate},
		{"POST", "/api/v1/materials/{id}/publish", core.Editors, materialPublish},
		{"POST", "/api/v1/materials/{id}/archive", core.Editors, materialArchive},
		{"GET", "/api/v1/materials/{id}/stats", core.Viewers, materialStats},
		{"GET", "/api/v1/courses", core.Viewers, coursesList},
		{"POST", "/api/v1/courses", core.Editors, courseCreate},
		{"GET", "/api/v1/courses/settings", core.Viewers, courseSettingsGet},
		{"PUT", "/api/v1/courses/settings", core.Editors, courseSettingsPut},
		{"GET", "/api/v1/courses/{id}", core.Viewers, courseGet},
		{"PUT", "/api/v1/courses/{id}", core.Editors, courseUpdate},
		{"POST", "/api/v1/courses/{id}/publish", core.Editors, coursePublish},
		{"POST", "/api/v1/courses/{id}/archive", core.Editors, courseArchive},
		{"GET", "/api/v1/courses/{id}/progress", core.Viewers, courseProgress},
		{"GET", "/api/v1/courses/{id}/progress/export", core.Editors, courseProgressExport},
		{"POST", "/api/v1/courses/{id}/remind", core.Editors, courseRemind},
		// 双联系: committee members and provincial leaders.
		{"GET", "/api/v1/liaison/members", core.Viewers, liaisonMembers},
		{"POST", "/api/v1/liaison/members", core.Editors, liaisonMemberCreate},
		{"GET", "/api/v1/liaison/members/{id}", core.Viewers, liaisonMemberGet},
		{"PUT", "/api/v1/liaison/members/{id}/links", core.Editors, liaisonLinks},
		{"PUT", "/api/v1/liaison/members/{id}/deputy", core.Editors, liaisonMemberDeputy},
		{"POST", "/api/v1/liaison/members/{id}/bind-code", core.Editors, liaisonBindCode},
		{"GET", "/api/v1/liaison/members/{id}/contacts", core.Viewers, liaisonContacts},
		{"POST", "/api/v1/liaison/members/{id}/contacts", core.Editors, liaisonContactCreate},
		{"GET", "/api/v1/liaison/leaders", core.Viewers, liaisonLeaders},
		{"POST", "/api/v1/liaison/leaders", core.Editors, liaisonLeaderCreate},
		{"GET", "/api/v1/liaison/leaders/{id}/activities", core.Viewers, leaderActivities},
		{"POST", "/api/v1/liaison/leaders/{id}/activities", core.Editors, leaderActivityCreate},
		{"GET", "/api/v1/liaison/requirement", core.Viewers, liaisonRequirement},
		// Liaison stations (代表联络站) and the public's opinions (群众意见).
		{"GET", "/api/v1/stations", core.Viewers, stationsList},
		{"POST", "/api/v1/stations", core.Editors, stationCreate},
		{"POST", "/api/v1/stations/import", core.Editors, stationImport},
		{"GET", "/api/v1/stations/{id}", core.Viewers, stationGet},
		{"PUT", "/api/v1/stations/{id}", core.Editors, stationUpdate},
		{"GET", "/api/v1/stations/{id}/qr.png", core.Viewers, stationQR},
		{"POST", "/api/v1/stations/{id}/receptions", core.Editors, stationReception},
		{"GET", "/api/v1/public-opinions", core.Viewers, publicOpinionsList},
		{"GET", "/api/v1/public-opinions/counts", core.Viewers, publicOpinionCounts},
		{"GET", "/api/v1/public-opinions/counts/export", core.Editors, publicOpinionCountsExport},
		{"GET", "/api/v1/public-opinions/{id}", core.Viewers, publicOpinionGet},
		{"POST", "/api/v1/public-opinions/{id}/route", core.Editors, publicOpinionRoute},
		// The inbox (留言): messages followers leave in the chat.
		{"GET", "/api/v1/messages", core.Viewers, messagesList},
		{"GET", "/api/v1/messages/export", core.Editors, messagesExport},
		{"GET", "/api/v1/messages/{id}", core.Viewers, messageGet},
		{"POST", "/api/v1/messages/{id}/reply", core.Editors, messageReplyPost},
		{"POST", "/api/v1/messages/{id}/assign", core.Editors, messageAssign},
		{"POST", "/api/v1/messages/{id}/close", core.Editors, messageClose},
	}
}

// Routes describes the API routes of this package, for tests and docs.
func Routes() []httpkit.RouteInfo {
	var out []httpkit.RouteInfo
	for _, rt := range routes() {
		out = append(out, httpkit.RouteInfo{Method: rt.method, Pattern: rt.pattern, Roles: slices.Clone(rt.roles)})
	}
	return out
}

type server struct {
	d    Deps
	core *core.Services
}

// Handler returns the JSON API, /api/v1/….
func Handler(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{d: d, core: d.Services}
	mux := http.NewServeMux()
	for _, rt := range routes() {
		mux.Handle(rt.method+" "+rt.pattern, s.endpoint(rt))
	}
	mux.Handle("/api/v1/", s.endpoint(route{roles: core.Everyone, handle: func(*server, http.ResponseWriter, *http.Request, core.Actor) error {
		return model.ErrNotFound
	}}))
	return httpkit.WithRequestID(httpkit.APIHeaders(httpkit.CrossOrigin(d.PublicURL, d.Log, mux, func(w http.ResponseWriter, r *http.Request) {
		httpkit.WriteJSON(w, http.StatusForbidden, errorBody{Error: "跨站请求被拒绝"})
	})))
}

// errorBody is every API error: a Chinese message, the fields at fault
// for 422, and the request id for 500.
type errorBody struct {
	Error     string       `json:"error"`
	Fields    []fieldError `json:"fields,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"` // the JSON property, e.g. phone
	Label   string `json:"label"` // its Chinese name, e.g. 手机号
	Message string `json:"message"`
}

// endpoint wraps an API route: it authenticates the bearer token (the
// scheme is case-insensitive, RFC 6750), checks the account's role and
// maps a returned error to JSON.
func (s *server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := httpkit.BearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="deputybot"`)
			httpkit.WriteJSON(w, http.StatusUnauthorized, errorBody{Error: "需要 API 令牌：请求头 Authorization: Bearer dbt_…"})
			return
		}
		me, err := s.core.Staff.AuthenticateToken(r.Context(), token)
		if errors.Is(err, core.ErrBadToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="deputybot", error="invalid_token"`)
			httpkit.WriteJSON(w, http.StatusUnauthorized, errorBody{Error: err.Error()})
			return
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !slices.Contains(rt.roles, me.Role) {
			httpkit.WriteJSON(w, http.StatusForbidden, errorBody{Error: "当前账号（" + core.RoleLabel(me.Role) + "）无权执行此操作"})
			return
		}
		by := core.StaffActor(me, core.ViaAPI)
		if err := rt.handle(s, w, r.WithContext(httpkit.WithAccount(r.Context(), me)), by); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// badRequest is a request the API cannot read: 400 with its message.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// status is a refusal with its own HTTP status and Chinese message (503
// when WeChat is not wired, 502 when WeChat refused).
type status struct {
	code int
	msg  string
}

func (e *status) Error() string { return e.msg }

func (s *server) settings() SettingsSource {
	if s.d.Settings == nil {
		return httpkit.NoSettings{}
	}
	return s.d.Settings
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// tooLarge is a body over the limit: 413.
type tooLarge string

func (e tooLarge) Error() string { return string(e) }

// writeError is the one mapping of errors to API responses: field errors
// → 422 with each field's key, core's refusals with their status and
// Chinese sentence, anything else → 500 with a request id (the cause is
// logged, never sent).
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var bad badRequest
	var big tooLarge
	var st *status
	switch {
	case errors.As(err, &st):
		httpkit.WriteJSON(w, st.code, errorBody{Error: st.msg})
		return
	case errors.As(err, &bad):
		httpkit.WriteJSON(w, http.StatusBadRequest, errorBody{Error: string(bad)})
		return
	case errors.As(err, &big):
		httpkit.WriteJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: string(big)})
		return
	}
	status := httpkit.Status(err)
	msg := core.Message(err)
	switch status {
	case http.StatusUnprocessableEntity:
		verr, _ := core.Fields(err)
		body := errorBody{Error: "数据有误，请按 fields 修改后重试"}
		for _, e := range verr {
			body.Fields = append(body.Fields, fieldError{Field: e.Key, Label: e.Label, Message: e.Msg})
		}
		httpkit.WriteJSON(w, status, body)
	case http.StatusNotFound:
		httpkit.WriteJSON(w, status, errorBody{Error: orDefault(msg, "不存在")})
	case http.StatusForbidden:
		httpkit.WriteJSON(w, status, errorBody{Error: orDefault(msg, "无权执行此操作")})
	case http.StatusConflict:
		httpkit.WriteJSON(w, status, errorBody{Error: orDefault(msg, "与现有数据冲突")})
	default:
		id := httpkit.RequestID(r.Context())
		s.d.Log.Error("api: request failed", "path", r.URL.Path, "err", err, "request_id", id)
		httpkit.WriteJSON(w, http.StatusInternalServerError, errorBody{Error: "服务器内部错误", RequestID: id})
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 1 << 20

// decodeJSON reads one JSON object into v, refusing unknown properties so
// a misspelt field is an error and not silently ignored.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return tooLarge("请求体过大（最多 1 MB）")
		}
		return badRequest("请求体不是有效的 JSON：" + jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("请求体只能包含一个 JSON 对象")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("第 %d 字节处语法错误", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("字段 %s 应为 %s", typ.Field, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "未知字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.EOF):
		return "请求体为空"
	}
	return "格式错误"
}
