package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// apiErrorBody is every API error: a Chinese message, the fields at fault
// for 422, and the request id for 500.
type apiErrorBody struct {
	Error     string          `json:"error"`
	Fields    []apiFieldError `json:"fields,omitempty"`
	Rows      []apiRowError   `json:"rows,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field"` // the JSON property, e.g. phone
	Label   string `json:"label"` // its Chinese name, e.g. 手机号
	Message string `json:"message"`
}

type apiRowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// endpoint wraps an API route: it authenticates the bearer token, checks
// the account's role and maps a returned error to JSON.
func (s *server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The same reading as the api package's: the scheme is case-insensitive.
		token, ok := httpkit.BearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="deputybot"`)
			writeJSON(w, http.StatusUnauthorized, apiErrorBody{Error: "需要 API 令牌：请求头 Authorization: Bearer dbt_…"})
			return
		}
		me, err := s.staff.AuthenticateToken(r.Context(), token)
		if errors.Is(err, core.ErrBadToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="deputybot", error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, apiErrorBody{Error: err.Error()})
			return
		} else if err != nil {
			s.apiError(w, r, err)
			return
		}
		if !slices.Contains(rt.roles, me.Role) {
			writeJSON(w, http.StatusForbidden, apiErrorBody{Error: "当前账号（" + core.RoleLabel(me.Role) + "）无权执行此操作"})
			return
		}
		if err := rt.handle(s, w, r.WithContext(withAccount(r.Context(), me)), me); err != nil {
			s.apiError(w, r, err)
		}
	})
}

// apiError is the one mapping of errors to API responses: validation →
// 422 with the fields, not found → 404, conflict → 409, a handler's
// httpError as it says, anything else → 500 with a request id (the cause
// is logged, never sent).
func (s *server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr), errors.As(err, &ferr):
		if ferr != nil && verr == nil {
			verr = core.ValidationError{ferr}
		}
		body := apiErrorBody{Error: "数据有误，请按 fields 修改后重试"}
		for _, e := range verr {
			key := e.Key
			if key == "" {
				key = fieldKeys[e.Label]
			}
			body.Fields = append(body.Fields, apiFieldError{Field: key, Label: e.Label, Message: e.Msg})
		}
		writeJSON(w, http.StatusUnprocessableEntity, body)
	case errors.As(err, &he):
		writeJSON(w, he.status, apiErrorBody{Error: he.msg})
	case errors.Is(err, model.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiErrorBody{Error: "不存在"})
	case errors.Is(err, model.ErrConflict):
		writeJSON(w, http.StatusConflict, apiErrorBody{Error: "与现有数据冲突"})
	default:
		id := requestID(r.Context())
		s.d.Log.Error("api: request failed", "path", r.URL.Path, "err", err, "request_id", id)
		writeJSON(w, http.StatusInternalServerError, apiErrorBody{Error: "服务器内部错误", RequestID: id})
	}
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
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &httpError{http.StatusRequestEntityTooLarge, "请求体过大（最多 1 MB）"}
		}
		return badRequest("请求体不是有效的 JSON：%s", jsonProblem(err))
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
