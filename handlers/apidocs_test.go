package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// docBase is the address docs/api.md writes its examples against.
const docBase = "http://127.0.0.1:8080"

// TestAPIDocExamples runs every curl example of docs/api.md against the
// real API on SQLite with a real admin token. Each ```sh block runs on a
// fresh database whose fixtures give the ids the examples name (deputy 42,
// suggestion 7, campaign 9, meeting 7 …) and the files they upload, so an
// example does not depend on what the blocks before it changed; the
// commands of one block run in order (pause, then resume, then cancel).
// Each must hit a registered route and answer 2xx; every write route needs
// an example, and each write example must leave exactly one audit entry.
func TestAPIDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := curlBlocks(t, string(doc))
	total := 0
	for _, b := range blocks {
		total += len(b.cmds)
	}
	if total < 30 {
		t.Fatalf("found %d curl examples in docs/api.md; the parser is likely broken", total)
	}
	routes := http.NewServeMux()
	for _, r := range handlers.APIRoutes() {
		routes.HandleFunc(r.Method+" "+r.Pattern, func(http.ResponseWriter, *http.Request) {})
	}
	ran, covered := 0, map[string]bool{}
	var audited []string
	for _, b := range blocks {
		t.Run(b.heading, func(t *testing.T) {
			w := newAdminWorld(t, storagetest.Open(t, storage.SQLite), "")
			// The menu sync example needs a WeChat client; this one accepts.
			w.useSettings(nil, func(context.Context, []byte) (string, error) { return `{"errcode":0,"errmsg":"ok"}`, nil })
			files := apiDocFixtures(t, w)
			env := map[string]string{"TOKEN": w.tokens[model.RoleAdmin]}
			for _, cmd := range b.cmds {
				req := curlRequest(t, cmd, w.srv.URL, env, files)
				_, pattern := routes.Handler(req)
				if pattern == "" {
					t.Fatalf("%s %s is not an API route\n%s", req.Method, req.URL.Path, b.src)
				}
				covered[pattern] = true
				entries := auditCount(t, w.db)
				res := w.do(t, http.DefaultClient, req)
				if res.status < 200 || res.status > 299 {
					t.Fatalf("%s %s: %d %s\n%s", req.Method, req.URL.RequestURI(), res.status, res.body, b.src)
				}
				if req.Method != http.MethodGet && !readsOnly[pattern] {
					if n := auditCount(t, w.db) - entries; n != 1 {
						audited = append(audited, fmt.Sprintf("%s wrote %d audit entries, want 1", pattern, n))
					}
				}
				if strings.HasPrefix(res.header.Get("Content-Type"), "application/json") && !json.Valid([]byte(res.body)) {
					t.Fatalf("%s %s: the answer is not JSON: %s", req.Method, req.URL.Path, res.body)
				}
				ran++
			}
		})
	}
	t.Logf("%d of the %d curl examples of docs/api.md ran and answered 2xx", ran, total)
	for _, r := range handlers.APIRoutes() {
		switch {
		case covered[r.Method+" "+r.Pattern]:
		case r.Method != http.MethodGet:
			// Every write route runs here, so its audit entry is counted.
			t.Errorf("no example in docs/api.md for %s %s: add one (it runs here, and its audit entries are counted)", r.Method, r.Pattern)
		default:
			t.Logf("no example in docs/api.md for %s %s", r.Method, r.Pattern)
		}
	}
	for _, a := range audited {
		t.Error(a)
	}
}

// readsOnly are the API's POST routes that change nothing (a count, a
// preview): they leave no audit entry.
var readsOnly = map[string]bool{
	"POST /api/v1/audience/count":               true, // how many an audience names
	"POST /api/v1/deputies/import/preview":      true, // what an import would change
	"POST /api/v1/meetings/{id}/sitin/proposal": true, // a proposal of whom to invite
}

// auditCount is how many entries the audit log holds.
func auditCount(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// curlBlock is a ```sh block with curl commands, under the route heading
// (### …) it documents.
type curlBlock struct {
	heading string
	src     string     // the block, for failure messages
	cmds    [][]string // the words after curl of each command
}

var shBlockRE = regexp.MustCompile("(?ms)^```sh\n(.*?)^```")

// curlBlocks returns the ```sh blocks of doc that run curl, in order.
func curlBlocks(t *testing.T, doc string) []curlBlock {
	t.Helper()
	var out []curlBlock
	for _, b := range shBlockRE.FindAllStringSubmatchIndex(doc, -1) {
		src := doc[b[2]:b[3]]
		if !strings.Contains(src, "curl") {
			continue
		}
		heading := "intro"
		if h := strings.LastIndex(doc[:b[0]], "\n### "); h >= 0 {
			heading = strings.TrimSpace(doc[h+5 : h+5+strings.Index(doc[h+5:], "\n")])
		}
		cb := curlBlock{heading: heading, src: src}
		for _, cmd := range shellWords(t, src) {
			if len(cmd) > 0 && cmd[0] == "curl" {
				cb.cmds = append(cb.cmds, cmd[1:])
			}
		}
		out = append(out, cb)
	}
	return out
}

// shellWords splits src into commands (one a line, with \-newline
// continuations) of words, with sh's single and double quoting. Variables
// are kept as "$NAME" to be expanded per example; # starts a comment.
func shellWords(t *testing.T, src string) [][]string {
	t.Helper()
	var cmds [][]string
	var cmd []string
	var word strings.Builder
	inWord := false
	end := func() {
		if inWord {
			cmd = append(cmd, word.String())
			word.Reset()
			inWord = false
		}
	}
	rs := []rune(src)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs):
			i++
			if rs[i] != '\n' {
				word.WriteString(literal(rs[i]))
				inWord = true
			}
		case c == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j == len(rs) {
				t.Fatalf("unclosed ' in\n%s", src)
			}
			// Single quotes keep $ literally: mark it so expansion skips it.
			word.WriteString(strings.ReplaceAll(string(rs[i+1:j]), "$", "\x00"))
			inWord, i = true, j
		case c == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune(`"\$`+"`", rs[j+1]) {
					j++
					word.WriteString(literal(rs[j]))
					continue
				}
				word.WriteRune(rs[j])
			}
			if j == len(rs) {
				t.Fatalf("unclosed \" in\n%s", src)
			}
			inWord, i = true, j
		case c == '#' && !inWord:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			i--
		case c == '\n':
			end()
			if len(cmd) > 0 {
				cmds = append(cmds, cmd)
				cmd = nil
			}
		case c == ' ' || c == '\t':
			end()
		default:
			word.WriteRune(c)
			inWord = true
		}
	}
	end()
	if len(cmd) > 0 {
		cmds = append(cmds, cmd)
	}
	return cmds
}

// literal returns an escaped character, with a $ marked so that expand
// leaves it alone.
func literal(r rune) string {
	if r == '$' {
		return "\x00"
	}
	return string(r)
}

var shellVarRE = regexp.MustCompile(`\$\{?([A-Z_][A-Z0-9_]*)\}?`)

// expand replaces $NAME with env's value; an unknown variable fails.
func expand(t *testing.T, s string, env map[string]string) string {
	t.Helper()
	s = shellVarRE.ReplaceAllStringFunc(s, func(v string) string {
		name := shellVarRE.FindStringSubmatch(v)[1]
		val, ok := env[name]
		if !ok {
			t.Fatalf("the example uses $%s, which the test does not know", name)
		}
		return val
	})
	return strings.ReplaceAll(s, "\x00", "$")
}

// curlRequest builds the HTTP request curl would send for args (the words
// after curl), to base instead of docBase. files holds the content of each
// file an -F sends.
func curlRequest(t *testing.T, args []string, base string, env map[string]string, files map[string][]byte) *http.Request {
	t.Helper()
	var (
		method, target string
		get            bool
		data           []string
		header         = http.Header{}
		form           [][2]string
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() string {
			i++
			if i == len(args) {
				t.Fatalf("%s needs a value", a)
			}
			return expand(t, args[i], env)
		}
		switch a {
		case "-H", "--header":
			k, v, ok := strings.Cut(val(), ":")
			if !ok {
				t.Fatalf("bad header %q", args[i])
			}
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-d", "--data", "--data-raw", "--data-binary":
			v := val()
			if a != "--data-binary" { // curl -d drops newlines
				v = strings.ReplaceAll(strings.ReplaceAll(v, "\r", ""), "\n", "")
			}
			data = append(data, v)
		case "--data-urlencode":
			v := val()
			if name, content, ok := strings.Cut(v, "="); ok {
				data = append(data, name+"="+url.QueryEscape(content))
			} else {
				data = append(data, url.QueryEscape(v))
			}
		case "-F", "--form":
			k, v, ok := strings.Cut(val(), "=")
			if !ok {
				t.Fatalf("bad form field %q", args[i])
			}
			form = append(form, [2]string{k, v})
		case "-G", "--get":
			get = true
		case "-X", "--request":
			method = val()
		case "-o", "--output":
			val()
		case "-s", "--silent", "-S", "--show-error", "-f", "--fail", "-i", "--include":
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("curl option %s is not understood by this test", a)
			}
			if target != "" {
				t.Fatalf("two URLs: %s and %s", target, a)
			}
			target = expand(t, a, env)
		}
	}
	if !strings.HasPrefix(target, docBase+"/api/v1/") {
		t.Fatalf("the URL %q is not under %s/api/v1/", target, docBase)
	}
	target = base + strings.TrimPrefix(target, docBase)
	var body io.Reader
	switch {
	case len(form) > 0:
		if len(data) > 0 {
			t.Fatal("-F and -d together")
		}
		ct, b := curlMultipart(t, form, files)
		header.Set("Content-Type", ct)
		body, method = b, methodOr(method, http.MethodPost)
	case len(data) > 0 && get:
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + strings.Join(data, "&")
	case len(data) > 0:
		body, method = strings.NewReader(strings.Join(data, "&")), methodOr(method, http.MethodPost)
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/x-www-form-urlencoded") // as curl sends -d
		}
	}
	req, err := http.NewRequest(methodOr(method, http.MethodGet), target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	return req
}

// methodOr returns s, or def when s is empty.
func methodOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// curlMultipart encodes -F fields; a value @name sends files[name] as a
// file called name.
func curlMultipart(t *testing.T, form [][2]string, files map[string][]byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range form {
		name, ok := strings.CutPrefix(f[1], "@")
		if !ok {
			if err := mw.WriteField(f[0], f[1]); err != nil {
				t.Fatal(err)
			}
			continue
		}
		content, known := files[name]
		if !known {
			t.Fatalf("the example uploads %s, for which the test has no fixture", name)
		}
		fw, err := mw.CreateFormFile(f[0], name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

// apiDocFixtures fills the database so the ids the examples use exist:
// deputies 1–50 (42–44 invited to meeting 7), suggestions 1–7, opinions
// 1–3 (4 on solicitation 1), surveys 1–2, campaigns 1–9 (9 sending), meetings 1–7 (6 started yesterday, 42–44 invited to 6 and 7), self-report
// 1 (pending). It returns
// the files the examples upload, by name.
func apiDocFixtures(t *testing.T, w *adminWorld) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	db := w.db
	now := w.clock.Now()
	ds := make([]model.Deputy, 50)
	for i := range ds {
		ds[i] = model.Deputy{Name: fmt.Sprintf("代表%02d", i+1), Delegation: "济南市代表团", Level: model.LevelProvincial,
			Grassroots: i%2 == 0, Phone: fmt.Sprintf("1390000%04d", i+1), Tags: []string{"教育"}}
		if i >= 30 {
			ds[i].Delegation = "青岛市代表团"
		}
		if i%3 != 0 {
			ds[i].OpenID, ds[i].BoundAt = fmt.Sprintf("o-doc-%02d", i+1), &now
		}
	}
	if _, err := db.UpsertDeputies(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if ds[0].ID != 1 || ds[49].ID != 50 {
		t.Fatalf("deputy ids %d…%d, want 1…50", ds[0].ID, ds[49].ID)
	}
	for i := 1; i <= 7; i++ {
		w.suggestion(t, fmt.Sprintf("第%04d号", i), fmt.Sprintf("关于改善农村公路的建议（%d）", i), "省交通运输厅",
			"十四届人大三次会议", int64(i), int64(i+10))
	}
	// Suggestion 8, submitted by deputy 12 for review (the review examples).
	mine := model.Suggestion{Title: "关于增加农村公交班次的建议", Summary: "建议增加农村公交班次，方便群众出行。",
		Category: "交通运输", LeadDeputyID: 12}
	if err := db.CreateSuggestionDraft(ctx, &mine, nil, nil); err != nil || mine.ID != 8 {
		t.Fatalf("suggestion 8: %d %v", mine.ID, err)
	}
	if _, err := db.ReviewSuggestion(ctx, storage.ReviewChange{ID: 8, From: []string{model.SuggestionDraft},
		To: model.SuggestionSubmitted, Submitted: true, Step: model.SuggestionStep{Kind: model.StepSubmitted}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		w.opinion(t, int64(i), "social", "建议增加农村公交班次。")
	}
	// The admin's own WeChat and account 1's are bound (the unbind examples).
	if err := db.BindStaffWeChat(ctx, w.accounts[model.RoleAdmin].ID, "o-doc-admin"); err != nil {
		t.Fatal(err)
	}
	if err := db.BindStaffWeChat(ctx, 1, "o-doc-spare"); err != nil {
		t.Fatal(err)
	}
	// Message 1 of deputy 12 and message 2 of a member of the public (the inbox examples).
	for _, m := range []*model.Message{{OpenID: "o-doc-12", DeputyID: 12, Body: "请问今年的代表学习班什么时候报名？"},
		{OpenID: "o-doc-citizen", Body: "村口的路灯坏了两个月了，希望尽快修好。"}} {
		if err := db.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Opinion 4, of deputy 4, on article 3 of a draft regulation (the adopt example).
	draft := model.Solicitation{Title: "《山东省数据条例（草案）》征求意见", Articles: 60, OpensAt: now, ClosesAt: now.AddDate(0, 1, 0)}
	if err := db.CreateSolicitation(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOpinion(ctx, &model.Opinion{DeputyID: 4, Category: model.OpinionSolicitation,
		SolicitationID: draft.ID, Article: "第3条", Body: "建议明确数据分类分级标准。"}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		s := model.Survey{Title: fmt.Sprintf("代表履职需求调查（%d）", i), OpensAt: now, ClosesAt: now.AddDate(0, 1, 0),
			Questions: []model.SurveyQuestion{{Kind: "single", Text: "您最关心哪个领域？", Options: []string{"教育", "医疗", "交通"}},
				{Kind: "scale", Text: "对履职服务的满意程度"}}}
		if err := db.CreateSurvey(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	var campaign model.Campaign
	for campaign.ID < 9 {
		n := model.Notice{Kind: "general_notice", Title: "全省代表学习班通知", Body: "定于3月10日在济南举办……"}
		campaign = model.Campaign{Audience: model.Audience{Delegations: []string{"济南市代表团"}}}
		if err := db.CreateCampaign(ctx, &n, &campaign); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := db.ClaimCampaign(ctx, campaign.ID); !ok || err != nil {
		t.Fatalf("claim campaign 9: %v %v", ok, err)
	}
	if _, _, err := db.ExpandBatch(ctx, campaign, "c9", false, 0, 1000); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkExpanded(ctx, campaign.ID); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 7; i++ {
		m := model.Meeting{Kind: "inspection", Title: fmt.Sprintf("年末集中视察（%d）", i), Place: "济南",
			StartsAt: now.Add(8 * 24 * time.Hour), RSVPDeadline: now.Add(6 * 24 * time.Hour)}
		if i == 6 { // started yesterday: its attendance can be taken
			m.StartsAt, m.RSVPDeadline = now.Add(-24*time.Hour), now.Add(-48*time.Hour)
		}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if i >= 6 {
			if _, err := db.Invite(ctx, m.ID, []int64{42, 43, 44}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Self-report 1 of deputy 42, awaiting review.
	entry := model.RecordEntry{DeputyID: 42, Category: model.EntryResearch, HappenedOn: now.AddDate(0, 0, -7),
		Place: "济南市历城区", Description: "走访农村公路养护情况。"}
	if err := db.CreateRecordEntry(ctx, &entry); err != nil || entry.ID != 1 {
		t.Fatalf("record entry %d: %v", entry.ID, err)
	}
	// Station 1 with deputies 1 and 2, and public opinions 1 and 2 left there.
	station := model.Station{Name: "历下区代表联络站", Address: "济南市历下区泺源大街 1 号", Delegation: "济南市代表团"}
	if err := db.CreateStation(ctx, &station); err != nil || station.ID != 1 {
		t.Fatalf("station %d: %v", station.ID, err)
	}
	if err := db.SetStationDeputies(ctx, 1, []int64{1, 2}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"建议在泺源大街增设过街天桥。", "小区门口的路灯坏了。"} {
		if err := db.CreatePublicOpinion(ctx, &model.PublicOpinion{StationID: 1, OpenID: "o-doc-citizen", Category: "traffic",
			Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	// File 1, a PDF (the download example); the upload example sends another.
	if err := db.CreateFile(ctx, &model.File{Name: "学习材料.pdf", Size: int64(len(samplePDF)), SHA256: "fixture",
		ContentType: model.FilePDF}, samplePDF); err != nil {
		t.Fatal(err)
	}
	// Materials 1 and 2 published (1 with file 1 attached), 3 a draft.
	for i, title := range []string{"宪法学习辅导", "代表法解读", "监督法解读"} {
		m := model.Material{Title: title, Body: "正文", Category: "法律法规", Status: model.MaterialPublished}
		if i == 0 {
			m.Attachments = []model.File{{ID: 1}}
		}
		if i == 2 {
			m.Status = model.MaterialDraft
		}
		if err := db.CreateMaterial(ctx, &m); err != nil || m.ID != int64(i+1) {
			t.Fatalf("material %d: %v", m.ID, err)
		}
	}
	// Course 1 published, of materials 1 and 2, with the Jinan deputies
	// enrolled (deputy 1 has studied both); course 2 a draft for Qingdao.
	for i, aud := range []string{"济南市代表团", "青岛市代表团"} {
		c := model.Course{Title: fmt.Sprintf("代表履职学习班（%d）", i+1), Required: 2, Deadline: now.AddDate(0, 1, 0),
			Audience: model.Audience{Delegations: []string{aud}}, Status: model.CourseDraft,
			Materials: []model.CourseMaterial{{MaterialID: 1}, {MaterialID: 2}}}
		if i == 0 {
			c.Status = model.CoursePublished
		}
		if err := db.CreateCourse(ctx, &c); err != nil || c.ID != int64(i+1) {
			t.Fatalf("course %d: %v", c.ID, err)
		}
	}
	var jinan []int64
	for id := int64(1); id <= 30; id++ {
		jinan = append(jinan, id)
	}
	if _, err := db.EnrolInCourse(ctx, 1, jinan); err != nil {
		t.Fatal(err)
	}
	for _, m := range []int64{1, 2} {
		if _, err := db.MarkStudied(ctx, m, 1); err != nil {
			t.Fatal(err)
		}
	}
	return map[string][]byte{
		"预算法解读.pdf": core.SamplePDF("Budget law"),
		"联络站.xlsx": xlsxOf(t, [][]any{{"名称", "地址", "代表团", "联系代表", "联系人", "联系电话"},
			{"市中区代表联络站", "济南市市中区经七路 1 号", "济南市代表团", "代表03、代表04", "李明", "0531-7654321"}}),
		"代表名册.xlsx": xlsxOf(t, [][]any{{"姓名", "代表团", "手机号"}, {"赵敏", "烟台市代表团", "13800000021"}, {"钱进", "烟台市代表团", "12"}}),
		"建议.xlsx": xlsxOf(t, [][]any{
			{"建议编号", "标题", "内容摘要", "届次", "领衔代表", "附议代表", "主办单位", "协办单位", "办理期限"},
			{"第0200号", "关于加强乡村教师队伍建设的建议", "……", "十四届人大三次会议", "代表12", "代表15、代表31", "省教育厅", "省财政厅", "2026-06-30"},
		}),
	}
}

// samplePDF is the content of the fixtures' file 1.
var samplePDF = core.SamplePDF("Study material")

// xlsxOf returns a workbook with rows on its first sheet.
func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
