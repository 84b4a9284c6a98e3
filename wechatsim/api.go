package wechatsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// apiError is a WeChat API error answer.
type apiError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

var errMessages = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40008: "invalid message type",
	40013: "invalid appid",
	40016: "invalid button size",
	40017: "invalid button type",
	40018: "invalid button name size",
	40019: "invalid button key size",
	40023: "invalid sub button size",
	40037: "invalid template_id",
	40054: "invalid sub button url domain",
	40097: "invalid args",
	40125: "invalid appsecret",
	41001: "access_token missing",
	42001: "access_token expired",
	43004: "require subscribe",
	43101: "user refuse to accept the msg",
	44002: "empty post data",
	44003: "empty news data",
	44004: "empty content",
	45008: "article size out of limit",
	45009: "reach max api daily quota limit",
	45015: "response out of time limit or subscription is canceled",
	45047: "out of response count limit",
	46003: "menu no exist",
	47001: "data format error",
	47003: "argument invalid!",
	48001: "api unauthorized",
}

func errOf(code int) *apiError {
	msg, ok := errMessages[code]
	if !ok {
		msg = "simulated error"
	}
	return &apiError{ErrCode: code, ErrMsg: msg}
}

func errMsgf(code int, format string, args ...any) *apiError {
	e := errOf(code)
	e.ErrMsg += " " + fmt.Sprintf(format, args...)
	return e
}

// okResp is the {"errcode":0,"errmsg":"ok"} answer.
var okResp = &apiError{ErrCode: 0, ErrMsg: "ok"}

const (
	pathToken       = "/cgi-bin/token"
	pathStableToken = "/cgi-bin/stable_token"
	pathTemplate    = "/cgi-bin/message/template/send"
	pathCustom      = "/cgi-bin/message/custom/send"
	pathMenuCreate  = "/cgi-bin/menu/create"
	pathMenuGet     = "/cgi-bin/menu/get"
	pathUserInfo    = "/cgi-bin/user/info"
	pathQuotaGet    = "/cgi-bin/openapi/quota/get"
)

type apiFunc func(s *Sim, r *http.Request, body []byte) any

var apiRoutes = map[string]apiFunc{
	pathToken:       (*Sim).apiToken,
	pathStableToken: (*Sim).apiStableToken,
	pathTemplate:    (*Sim).apiTemplateSend,
	pathCustom:      (*Sim).apiCustomSend,
	pathMenuCreate:  (*Sim).apiMenuCreate,
	pathMenuGet:     (*Sim).apiMenuGet,
	pathUserInfo:    (*Sim).apiUserInfo,
	pathQuotaGet:    (*Sim).apiQuotaGet,
}

// serveAPI handles every /cgi-bin/ path: faults, token check, the call's
// effect, then the answer.
func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == pathMediaGet {
		s.serveMedia(w, r)
		return
	}
	fn, ok := apiRoutes[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil {
			return
		}
		body = b
	}
	fx := s.applyFaults(path)
	if fx.latency > 0 {
		t := time.NewTimer(fx.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fx.errcode != 0 {
		writeJSON(w, errOf(fx.errcode))
		return
	}
	if path != pathToken && path != pathStableToken {
		s.mu.Lock()
		e := s.checkTokenLocked(r.URL.Query().Get("access_token"))
		if e == nil {
			s.pathCalls[path]++
		}
		s.mu.Unlock()
		if e != nil {
			writeJSON(w, e)
			return
		}
	}
	resp := fn(s, r, body)
	if fx.hang {
		// The effect happened; now never answer until the client gives up.
		<-r.Context().Done()
		return
	}
	writeJSON(w, resp)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// --- tokens ----------------------------------------------------------------

type tokenResp struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (s *Sim) checkCredentials(grant, appid, secret string) *apiError {
	if grant != "client_credential" {
		return errOf(40002)
	}
	if appid != s.cfg.AppID {
		return errOf(40013)
	}
	if secret != s.cfg.AppSecret {
		return errOf(40125)
	}
	return nil
}

// apiToken: every call issues a new token; the previous one stays valid for
// at most 5 more minutes (as on the real platform).
func (s *Sim) apiToken(r *http.Request, _ []byte) any {
	q := r.URL.Query()
	if e := s.checkCredentials(q.Get("grant_type"), q.Get("appid"), q.Get("secret")); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if old, ok := s.tokens[s.lastToken]; ok && old.exp.After(now.Add(5*time.Minute)) {
		old.exp = now.Add(5 * time.Minute)
	}
	tok, _ := s.issueTokenLocked()
	s.lastToken = tok
	return tokenResp{AccessToken: tok, ExpiresIn: int64(s.cfg.TokenTTL / time.Second)}
}

// apiStableToken: returns the same token until it expires, unless
// force_refresh, which revokes the previous stable token.
func (s *Sim) apiStableToken(_ *http.Request, body []byte) any {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errOf(47001)
	}
	if e := s.checkCredentials(req.GrantType, req.AppID, req.Secret); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if cur, ok := s.tokens[s.stableToken]; ok && !req.ForceRefresh && !cur.revoked && cur.exp.After(now) {
		s.tokenFetches++
		return tokenResp{AccessToken: s.stableToken, ExpiresIn: int64(cur.exp.Sub(now) / time.Second)}
	}
	if cur, ok := s.tokens[s.stableToken]; ok {
		cur.revoked = true
	}
	tok, _ := s.issueTokenLocked()
	s.stableToken = tok
	return tokenResp{AccessToken: tok, ExpiresIn: int64(s.cfg.TokenTTL / time.Second)}
}

// --- template messages -----------------------------------------------------

type templateSendResp struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	MsgID   int64  `json:"msgid"`
}

const dedupeWindow = 10 * time.Minute

// parseTemplateData decodes {"key":{"value":"..."},...} keeping key order.
func parseTemplateData(raw json.RawMessage) ([]string, map[string]string, error) {
	fields := map[string]string{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, fields, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("data must be an object")
	}
	var order []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := kt.(string)
		var v struct {
			Value string `json:"value"`
		}
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, dup := fields[key]; !dup {
			order = append(order, key)
		}
		fields[key] = v.Value
	}
	return order, fields, nil
}

func (s *Sim) apiTemplateSend(_ *http.Request, body []byte) any {
	var req struct {
		ToUser      string          `json:"touser"`
		TemplateID  string          `json:"template_id"`
		URL         string          `json:"url"`
		Data        json.RawMessage `json:"data"`
		ClientMsgID string          `json:"client_msg_id"`
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errOf(44002)
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errOf(47001)
	}
	order, fields, err := parseTemplateData(req.Data)
	if err != nil {
		return errOf(47001)
	}
	if req.TemplateID == "" {
		return errOf(40037)
	}
	for _, k := range order {
		v := fields[k]
		switch {
		case v == "":
			return errMsgf(47003, "data.%s.value is empty", k)
		case utf8.RuneCountInString(v) > 20:
			return errMsgf(47003, "data.%s.value exceed length", k)
		case strings.ContainsAny(v, "\r\n"):
			return errMsgf(47003, "data.%s.value invalid", k)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[req.ToUser]
	if req.ToUser == "" || !ok {
		return errOf(40003)
	}
	if !u.following {
		return errOf(43004)
	}
	if s.templates != nil && !s.templates[req.TemplateID] {
		return errOf(40037)
	}
	now := s.now()
	s.pruneDedupeLocked(now)
	key := dedupeKey{req.ToUser, req.ClientMsgID}
	if req.ClientMsgID != "" {
		if e, ok := s.dedupe[key]; ok && now.Sub(e.at) < dedupeWindow {
			return templateSendResp{ErrMsg: "ok", MsgID: e.msgID}
		}
	}
	day := now.In(chinaTZ).Format("2006-01-02")
	if day != s.quotaDay {
		s.quotaDay, s.quotaUsed = day, 0
	}
	if s.quotaUsed >= s.quotaLimit {
		return errOf(45009)
	}
	s.quotaUsed++
	s.templateSends++
	s.nextTplMsg++
	msgID := s.nextTplMsg
	if req.ClientMsgID != "" {
		s.dedupe[key] = dedupeEntry{msgID: msgID, at: now}
		s.dedupeQueue = append(s.dedupeQueue, dedupeQueued{key: key, at: now})
	}
	status := u.jobStatus
	if status == "" {
		status = JobSuccess
	}
	info := s.tplInfo[req.TemplateID]
	s.recordLocked(Message{OpenID: req.ToUser, Time: now, Kind: KindTemplate, MsgType: "template",
		TemplateID: req.TemplateID, URL: req.URL, Fields: fields, FieldOrder: order,
		TemplateTitle: info.Title, FieldLabels: info.Keywords, MsgID: msgID, Status: status})
	if s.jobReports && s.callbackURL != "" && s.startBgLocked() {
		go s.reportJobFinish(req.ToUser, msgID, status, now)
	}
	return templateSendResp{ErrMsg: "ok", MsgID: msgID}
}

// pruneDedupeLocked drops dedupe entries older than the window; amortised
// O(1) per call since entries are queued in arrival order.
func (s *Sim) pruneDedupeLocked(now time.Time) {
	n := 0
	for n < len(s.dedupeQueue) && now.Sub(s.dedupeQueue[n].at) >= dedupeWindow {
		q := s.dedupeQueue[n]
		if e, ok := s.dedupe[q.key]; ok && e.at.Equal(q.at) {
			delete(s.dedupe, q.key)
		}
		n++
	}
	if n > 0 {
		s.dedupeQueue = s.dedupeQueue[n:]
	}
}

var chinaTZ = time.FixedZone("CST", 8*3600)

// reportJobFinish posts the TEMPLATESENDJOBFINISH event to the callback.
func (s *Sim) reportJobFinish(openid string, msgID int64, status string, at time.Time) {
	defer s.endBg()
	select {
	case s.sem <- struct{}{}:
	case <-s.bgCtx.Done():
		return
	}
	defer func() { <-s.sem }()
	inner := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"+
		"<MsgID>%d</MsgID><Status><![CDATA[%s]]></Status></xml>",
		cdataEscape(s.cfg.OriginalID), cdataEscape(openid), at.Unix(), msgID, cdataEscape(status))
	s.mu.Lock()
	cb := s.callbackURL
	s.mu.Unlock()
	req, err := s.buildCallback(cb, openid, []byte(inner))
	ok := false
	if err == nil {
		ctx, cancel := context.WithTimeout(s.bgCtx, s.cfg.ReplyTimeout)
		status, _, err := s.post(ctx, req)
		cancel()
		ok = err == nil && status == http.StatusOK
	}
	s.mu.Lock()
	if ok {
		s.jobDelivered++
	} else {
		s.jobFailed++
	}
	s.mu.Unlock()
}

// --- customer-service messages ---------------------------------------------

func (s *Sim) apiCustomSend(_ *http.Request, body []byte) any {
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    *struct {
			Content string `json:"content"`
		} `json:"text"`
		News *struct {
			Articles []Article `json:"articles"`
		} `json:"news"`
		MsgMenu *struct {
			HeadContent string     `json:"head_content"`
			List        []MenuItem `json:"list"`
			TailContent string     `json:"tail_content"`
		} `json:"msgmenu"`
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errOf(44002)
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errOf(47001)
	}
	m := Message{OpenID: req.ToUser, Kind: KindCustom, MsgType: req.MsgType}
	switch req.MsgType {
	case "text":
		if req.Text == nil || req.Text.Content == "" {
			return errOf(44004)
		}
		m.Text = req.Text.Content
	case "news":
		if req.News == nil || len(req.News.Articles) == 0 {
			return errOf(44003)
		}
		if len(req.News.Articles) > 1 {
			return errOf(45008)
		}
		m.Articles = req.News.Articles
	case "msgmenu":
		if req.MsgMenu == nil || len(req.MsgMenu.List) == 0 {
			return errOf(47001)
		}
		m.Text, m.Tail, m.MenuItems = req.MsgMenu.HeadContent, req.MsgMenu.TailContent, req.MsgMenu.List
	case "image", "voice", "video", "music", "mpnews", "mpnewsarticle", "wxcard", "miniprogrampage":
		// Accepted but recorded without content.
	default:
		return errOf(40008)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[req.ToUser]
	if req.ToUser == "" || !ok {
		return errOf(40003)
	}
	now := s.now()
	if !u.following || u.last.IsZero() || now.Sub(u.last) > 48*time.Hour {
		return errOf(45015)
	}
	switch {
	case !u.evtAt.IsZero() && now.Sub(u.evtAt) <= time.Minute && u.evtLeft > 0:
		u.evtLeft--
	case !u.msgAt.IsZero() && now.Sub(u.msgAt) <= 48*time.Hour && u.msgLeft > 0:
		u.msgLeft--
	default:
		return errOf(45047)
	}
	m.Time = now
	s.recordLocked(m)
	return okResp
}

// --- menu ------------------------------------------------------------------

// Button is one custom-menu button (top level or sub button).
type Button struct {
	Type      string   `json:"type,omitempty"`
	Name      string   `json:"name"`
	Key       string   `json:"key,omitempty"`
	URL       string   `json:"url,omitempty"`
	AppID     string   `json:"appid,omitempty"`
	PagePath  string   `json:"pagepath,omitempty"`
	MediaID   string   `json:"media_id,omitempty"`
	ArticleID string   `json:"article_id,omitempty"`
	SubButton []Button `json:"sub_button"`
}

func validateButton(b Button, sub bool) *apiError {
	// Name limits: 16 bytes for top-level buttons, 60 bytes for sub buttons.
	if limit := map[bool]int{false: 16, true: 60}[sub]; b.Name == "" || len(b.Name) > limit {
		return errOf(40018)
	}
	if len(b.SubButton) > 0 {
		if sub {
			return errOf(40023)
		}
		if len(b.SubButton) > 5 {
			return errOf(40023)
		}
		for _, c := range b.SubButton {
			if e := validateButton(c, true); e != nil {
				return e
			}
		}
		return nil
	}
	switch b.Type {
	case "click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
		"pic_weixin", "location_select":
		if b.Key == "" || len(b.Key) > 128 {
			return errOf(40019)
		}
	case "view":
		if !strings.HasPrefix(b.URL, "http://") && !strings.HasPrefix(b.URL, "https://") {
			return errOf(40054)
		}
	case "miniprogram", "media_id", "view_limited", "article_id", "article_view_limited":
	default:
		return errOf(40017)
	}
	return nil
}

func (s *Sim) apiMenuCreate(_ *http.Request, body []byte) any {
	var req struct {
		Button []Button `json:"button"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errOf(47001)
	}
	if len(req.Button) == 0 || len(req.Button) > 3 {
		return errOf(40016)
	}
	for _, b := range req.Button {
		if e := validateButton(b, false); e != nil {
			return e
		}
	}
	s.mu.Lock()
	s.menu = req.Button
	s.mu.Unlock()
	return okResp
}

// Menu returns the stored custom menu (nil when none was created).
func (s *Sim) Menu() []Button {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.menu
}

func normalizeButtons(bs []Button) []Button {
	out := make([]Button, len(bs))
	for i, b := range bs {
		b.SubButton = normalizeButtons(b.SubButton)
		out[i] = b
	}
	return out
}

func (s *Sim) apiMenuGet(_ *http.Request, _ []byte) any {
	m := s.Menu()
	if m == nil {
		return errOf(46003)
	}
	type menu struct {
		Button []Button `json:"button"`
	}
	return struct {
		Menu menu `json:"menu"`
	}{menu{normalizeButtons(m)}}
}

// --- users and quota -------------------------------------------------------

func (s *Sim) apiUserInfo(r *http.Request, _ []byte) any {
	openid := r.URL.Query().Get("openid")
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[openid]
	if !ok {
		return errOf(40003)
	}
	if !u.following {
		return map[string]any{"subscribe": 0, "openid": u.openid}
	}
	return map[string]any{
		"subscribe": 1, "openid": u.openid, "nickname": u.nickname, "sex": 0,
		"language": "zh_CN", "city": "", "province": "", "country": "", "headimgurl": "",
		"subscribe_time": u.subscribeTime.Unix(), "remark": "", "groupid": 0,
		"tagid_list": []int{}, "subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0, "qr_scene_str": "",
	}
}

func (s *Sim) apiQuotaGet(_ *http.Request, body []byte) any {
	var req struct {
		CgiPath string `json:"cgi_path"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.CgiPath == "" {
		return errOf(40097)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	used := s.pathCalls[req.CgiPath]
	limit := 100000
	if req.CgiPath == pathTemplate {
		if s.quotaDay != s.now().In(chinaTZ).Format("2006-01-02") {
			s.quotaDay, s.quotaUsed = s.now().In(chinaTZ).Format("2006-01-02"), 0
		}
		used, limit = s.quotaUsed, s.quotaLimit
	}
	type quota struct {
		DailyLimit int `json:"daily_limit"`
		Used       int `json:"used"`
		Remain     int `json:"remain"`
	}
	return struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Quota   quota  `json:"quota"`
	}{0, "ok", quota{limit, used, max(limit-used, 0)}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
