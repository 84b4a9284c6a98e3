package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// suggestionWorld is a database with deputies, a suggestions service and a
// clock the test moves by hand.
type suggestionWorld struct {
	db      *storage.DB
	svc     *core.Suggestions
	now     time.Time
	deputy  map[string]int64
	staffer string
}

func newSuggestionWorld(t *testing.T, db *storage.DB, names ...string) *suggestionWorld {
	t.Helper()
	w := &suggestionWorld{db: db, svc: core.NewSuggestions(db), now: time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC),
		deputy: map[string]int64{}, staffer: "选工委张三"}
	clock := func() time.Time { return w.now }
	db.SetClock(clock)
	w.svc.Now = clock
	t.Cleanup(func() { checkKeptCounts(t, db, t.Name()) })
	for _, name := range names {
		d := model.Deputy{Name: name, Level: model.LevelProvincial, Delegation: "济南市代表团"}
		if err := db.CreateDeputy(context.Background(), &d); err != nil {
			t.Fatal(err)
		}
		w.deputy[name] = d.ID
	}
	return w
}

func (w *suggestionWorld) advance(d time.Duration) { w.now = w.now.Add(d) }

func (w *suggestionWorld) create(t *testing.T, number, unit, session, lead string, seconders ...string) model.Suggestion {
	t.Helper()
	s := model.Suggestion{Number: number, Title: "关于加强农村饮水安全保障的建议", Session: session,
		LeadDeputyID: w.deputy[lead], HostUnit: unit}
	var ids []int64
	for _, n := range seconders {
		ids = append(ids, w.deputy[n])
	}
	if err := w.svc.Create(context.Background(), &s, ids); err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *suggestionWorld) step(t *testing.T, id int64, kind, category, note string) {
	t.Helper()
	st := model.SuggestionStep{SuggestionID: id, Kind: kind, Actor: w.staffer, ReplyCategory: category, Note: note}
	if err := w.svc.RecordStep(context.Background(), &st); err != nil {
		t.Fatalf("step %s: %v", kind, err)
	}
}

func fieldsOf(err error) []string {
	var verr core.ValidationError
	if !errors.As(err, &verr) {
		return nil
	}
	var out []string
	for _, e := range verr {
		out = append(out, e.Label)
	}
	return out
}

func TestCreateSuggestionRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newSuggestionWorld(t, db, "王芳", "李强", "张伟")

		bad := model.Suggestion{Number: " ", Title: "", HostUnit: " ", LeadDeputyID: 9999}
		err := w.svc.Create(ctx, &bad, []int64{w.deputy["李强"], 8888})
		want := []string{"建议编号", "标题", "主办单位", "领衔代表", "附议代表"}
		if fmt.Sprint(fieldsOf(err)) != fmt.Sprint(want) {
			t.Fatalf("an invalid suggestion gives %v, want errors on %v", err, want)
		}
		if _, total, _ := db.ListSuggestions(ctx, model.SuggestionFilter{}); total != 0 {
			t.Fatalf("an invalid suggestion wrote %d rows", total)
		}

		s := model.Suggestion{Number: "１２３", Title: " 关于加强农村饮水安全保障的建议 ", Session: "十四届人大三次会议",
			LeadDeputyID: w.deputy["王芳"], HostUnit: "省水利厅", CoUnits: "省财政厅，省卫生健康委, 省农业农村厅"}
		if err := w.svc.Create(ctx, &s, []int64{w.deputy["李强"], w.deputy["王芳"], w.deputy["张伟"], w.deputy["李强"]}); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.GetByNumber(ctx, "第123号")
		if err != nil {
			t.Fatal(err)
		}
		if got.Number != "第0123号" || got.Title != "关于加强农村饮水安全保障的建议" || got.CoUnits != "省财政厅、省卫生健康委、省农业农村厅" ||
			got.Status != model.SuggestionAssigned {
			t.Fatalf("stored %+v", got)
		}
		var roles []string
		for _, d := range got.Deputies {
			roles = append(roles, d.Name+":"+d.Role)
		}
		if fmt.Sprint(roles) != "[王芳:lead 李强:second 张伟:second]" {
			t.Fatalf("deputies %v", roles)
		}

		dup := model.Suggestion{Number: "第0123号", Title: "另一件", LeadDeputyID: w.deputy["李强"], HostUnit: "省教育厅"}
		if err := w.svc.Create(ctx, &dup, nil); !strings.Contains(fmt.Sprint(err), "已存在") {
			t.Fatalf("a duplicate number gives %v", err)
		}
	})
}

func TestRecordStepTransitions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newSuggestionWorld(t, db, "王芳")
		s := w.create(t, "第0001号", "省水利厅", "", "王芳")
		tests := []struct {
			name       string
			kind       string
			category   string
			note       string
			wantStatus string // after the step
			wantErr    string // part of the refusal; empty when accepted
		}{
			{"concluding before the reply is refused", model.StepConcluded, "", "", model.SuggestionAssigned, "尚未答复，不能办结"},
			{"sending back before the reply is refused", model.StepRehandling, "", "理由", model.SuggestionAssigned, "尚未答复"},
			{"an unknown kind is refused", "approved", "", "", model.SuggestionAssigned, "应为 已联系"},
			{"contacting starts handling", "已联系", "", "电话沟通", model.SuggestionHandling, ""},
			{"a reply without a category is refused", model.StepReplied, "", "答复全文", model.SuggestionHandling, "答复类别"},
			{"a reply without text is refused", model.StepReplied, "A", "", model.SuggestionHandling, "答复内容"},
			{"a reply is recorded", model.StepReplied, "b类", "已列入明年计划", model.SuggestionReplied, ""},
			{"a second reply is refused", model.StepReplied, "A", "再答复", model.SuggestionReplied, "不能重复答复"},
			{"contacting after the reply is refused", model.StepContacted, "", "", model.SuggestionReplied, "已答复"},
			{"a note without text is refused", model.StepNote, "", " ", model.SuggestionReplied, "备注"},
			{"a note is recorded", model.StepNote, "", "已电话回访", model.SuggestionReplied, ""},
			{"concluding after the reply", model.StepConcluded, "", "", model.SuggestionConcluded, ""},
			{"concluding twice is refused", model.StepConcluded, "", "", model.SuggestionConcluded, "已办结"},
			{"sending back without a reason is refused", model.StepRehandling, "", "", model.SuggestionConcluded, "重新办理理由"},
			{"sending back for re-handling", model.StepRehandling, "", "回头看：未落实", model.SuggestionRehandling, ""},
			{"concluding during re-handling is refused", model.StepConcluded, "", "", model.SuggestionRehandling, "须重新答复"},
			{"a new reply after re-handling", model.StepReplied, "A", "已解决", model.SuggestionReplied, ""},
		}
		for _, tt := range tests {
			w.advance(time.Hour)
			before, _ := w.db.SuggestionSteps(ctx, s.ID)
			st := model.SuggestionStep{SuggestionID: s.ID, Kind: tt.kind, Actor: w.staffer, ReplyCategory: tt.category, Note: tt.note}
			err := w.svc.RecordStep(ctx, &st)
			got, _ := w.svc.Get(ctx, s.ID)
			after, _ := w.db.SuggestionSteps(ctx, s.ID)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s: %v", tt.name, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("%s: got error %v, want one saying %q", tt.name, err, tt.wantErr)
			case tt.wantErr != "" && len(after) != len(before):
				t.Errorf("%s: a refused step was recorded", tt.name)
			case tt.wantErr == "" && (len(after) != len(before)+1 || !after[len(after)-1].At.Equal(w.now)):
				t.Errorf("%s: history %+v", tt.name, after)
			}
			if got.Status != tt.wantStatus {
				t.Errorf("%s: status %s, want %s", tt.name, got.Status, tt.wantStatus)
			}
		}
		got, _ := w.svc.Get(ctx, s.ID)
		if got.ReplyCategory != "A" || got.ReplyText != "已解决" || got.RehandleReason != "回头看：未落实" {
			t.Errorf("after re-handling and a new reply: %+v", got)
		}
		missing := model.SuggestionStep{SuggestionID: s.ID + 100, Kind: model.StepNote, Actor: w.staffer, Note: "x"}
		if err := w.svc.RecordStep(ctx, &missing); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("a step on a missing suggestion gives %v", err)
		}
		noActor := model.SuggestionStep{SuggestionID: s.ID, Kind: model.StepNote, Note: "x"}
		if err := w.svc.RecordStep(ctx, &noActor); fmt.Sprint(fieldsOf(err)) != "[记录人]" {
			t.Errorf("a step without an actor gives %v", err)
		}
	})
}

func TestRateRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newSuggestionWorld(t, db, "王芳", "李强", "张伟")
		s := w.create(t, "第0001号", "省水利厅", "", "王芳", "李强")
		wang, li, zhang := w.deputy["王芳"], w.deputy["李强"], w.deputy["张伟"]
		satisfied := core.Rating{Contact: "当面沟通", Attitude: "满意", Result: "基本满意"}

		if _, err := w.svc.Rate(ctx, s.ID, wang, satisfied); !errors.Is(err, core.ErrNotRateable) {
			t.Fatalf("rating before the reply gives %v, want ErrNotRateable", err)
		}
		w.step(t, s.ID, model.StepReplied, "A", "已解决")
		if _, err := w.svc.Rate(ctx, s.ID, zhang, satisfied); !errors.Is(err, core.ErrNotOnSuggestion) {
			t.Fatalf("a deputy not on the suggestion gives %v, want ErrNotOnSuggestion", err)
		}
		if _, err := w.svc.Rate(ctx, s.ID+100, wang, satisfied); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing suggestion gives %v", err)
		}

		refused := []struct {
			name   string
			rating core.Rating
			fields []string
		}{
			{"a dissatisfied result without a reason", core.Rating{Contact: "电话沟通", Attitude: "满意", Result: "不满意"}, []string{"不满意理由"}},
			{"a dissatisfied attitude without a reason", core.Rating{Contact: "phone", Attitude: "dissatisfied", Result: "satisfied", Reason: " "}, []string{"不满意理由"}},
			{"unknown answers", core.Rating{Contact: "微信", Attitude: "还行", Result: ""}, []string{"沟通方式", "办理态度", "办理结果"}},
		}
		for _, tt := range refused {
			_, err := w.svc.Rate(ctx, s.ID, wang, tt.rating)
			if fmt.Sprint(fieldsOf(err)) != fmt.Sprint(tt.fields) {
				t.Errorf("%s: got %v, want errors on %v", tt.name, err, tt.fields)
			}
		}
		if _, err := w.svc.GetRating(ctx, s.ID, wang); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("refused ratings stored something: %v", err)
		}

		first := w.now
		r, err := w.svc.Rate(ctx, s.ID, wang, satisfied)
		if err != nil {
			t.Fatal(err)
		}
		if r.Contact != model.ContactFace || r.Attitude != model.RatingSatisfied || r.Result != model.RatingBasic ||
			!r.RatedAt.Equal(first) || r.RevisedAt != nil {
			t.Fatalf("first rating %+v", r)
		}
		if got, _ := w.svc.Get(ctx, s.ID); got.Status != model.SuggestionReplied {
			t.Fatalf("a satisfied rating changed the status to %s", got.Status)
		}

		w.advance(6 * 24 * time.Hour)
		r, err = w.svc.Rate(ctx, s.ID, wang, core.Rating{Contact: "电话", Attitude: "基本满意", Result: "不满意", Reason: "水管仍未通到村"})
		if err != nil {
			t.Fatalf("revising within 7 days: %v", err)
		}
		if !r.RatedAt.Equal(first) || r.RevisedAt == nil || !r.RevisedAt.Equal(w.now) || r.Result != model.RatingDissatisfied {
			t.Fatalf("revised rating %+v", r)
		}
		got, _ := w.svc.Get(ctx, s.ID)
		steps, _ := w.db.SuggestionSteps(ctx, s.ID)
		last := steps[len(steps)-1]
		if got.Status != model.SuggestionRehandling || got.RehandleReason != "水管仍未通到村" ||
			last.Kind != model.StepRehandling || last.Actor != "王芳" || last.Note != "水管仍未通到村" || !last.At.Equal(w.now) {
			t.Fatalf("a dissatisfied result leaves %+v, last step %+v", got, last)
		}

		w.advance(2 * 24 * time.Hour)
		if _, err := w.svc.Rate(ctx, s.ID, wang, satisfied); !errors.Is(err, core.ErrRatingClosed) {
			t.Fatalf("revising after 8 days gives %v, want ErrRatingClosed", err)
		}
		if _, err := w.svc.Rate(ctx, s.ID, li, core.Rating{Contact: "未联系", Attitude: "不满意", Result: "满意", Reason: "未联系本人"}); err != nil {
			t.Fatalf("a seconder rating during re-handling: %v", err)
		}
		if again, _ := w.db.SuggestionSteps(ctx, s.ID); len(again) != len(steps) {
			t.Fatalf("a dissatisfied attitude alone sent the suggestion back again")
		}

		rated := func(deputy int64) bool {
			t.Helper()
			list, err := w.svc.OfDeputy(ctx, deputy)
			if err != nil || len(list) != 1 || list[0].Number != "第0001号" {
				t.Fatalf("OfDeputy: %+v, %v", list, err)
			}
			return list[0].Rated
		}
		if !rated(wang) || !rated(li) {
			t.Fatalf("both deputies rated, but 我的建议 says otherwise")
		}
		w.advance(24 * time.Hour)
		w.step(t, s.ID, model.StepReplied, "A", "已通水")
		if rated(wang) || rated(li) {
			t.Fatalf("after a new reply 我的建议 still shows the old ratings as current")
		}
		w.advance(time.Hour)
		r, err = w.svc.Rate(ctx, s.ID, wang, core.Rating{Contact: "1", Attitude: "1", Result: "1"})
		if err != nil {
			t.Fatalf("rating the new reply, 10 days after the first rating: %v", err)
		}
		if !r.RatedAt.Equal(w.now) || r.RevisedAt != nil || r.Contact != model.ContactFace || !rated(wang) {
			t.Fatalf("the new reply's rating %+v", r)
		}
	})
}

func TestRatesFractions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newSuggestionWorld(t, db, "王芳", "李强", "张伟")
		wang, li, zhang := w.deputy["王芳"], w.deputy["李强"], w.deputy["张伟"]
		rate := func(id, deputy int64, result, reason string) {
			t.Helper()
			if _, err := w.svc.Rate(ctx, id, deputy, core.Rating{Contact: "电话沟通", Attitude: "满意", Result: result, Reason: reason}); err != nil {
				t.Fatal(err)
			}
		}
		const session = "十四届人大三次会议"
		// 省水利厅: a concluded one rated 满意 and 基本满意; a replied one
		// rated 不满意 (so sent back); an assigned one.
		a := w.create(t, "1", "省水利厅", session, "王芳", "李强")
		w.step(t, a.ID, model.StepReplied, "A", "答复")
		w.step(t, a.ID, model.StepConcluded, "", "")
		rate(a.ID, wang, "满意", "")
		rate(a.ID, li, "基本满意", "")
		b := w.create(t, "2", "省水利厅", session, "张伟")
		w.step(t, b.ID, model.StepReplied, "C", "答复")
		rate(b.ID, zhang, "不满意", "没有解决")
		w.create(t, "3", "省水利厅", session, "王芳")
		// 省教育厅: handling, not replied.
		c := w.create(t, "4", "省教育厅", session, "李强")
		w.step(t, c.ID, model.StepContacted, "", "")
		// Another session.
		d := w.create(t, "5", "省教育厅", "十四届人大二次会议", "李强")
		w.step(t, d.ID, model.StepReplied, "A", "答复")

		overall, units, err := w.svc.Rates(ctx, model.SuggestionRatesFilter{Session: session})
		if err != nil {
			t.Fatal(err)
		}
		if overall.Total != 4 || overall.Replied != 2 || overall.Concluded != 1 || overall.Rated != 3 || overall.Satisfied != 2 ||
			overall.Basic != 1 || overall.Dissatisfied != 1 || overall.Rehandling != 1 {
			t.Errorf("overall counts %+v", overall.SuggestionCounts)
		}
		tests := []struct {
			name                string
			got                 core.Rates
			unit                string
			reply, conclude, ok float64
		}{
			{"overall", overall, "", 2.0 / 4, 1.0 / 4, 2.0 / 3},
			{"省教育厅", units[0], "省教育厅", 0, 0, 0},
			{"省水利厅", units[1], "省水利厅", 2.0 / 3, 1.0 / 3, 2.0 / 3},
		}
		if len(units) != 2 {
			t.Fatalf("per unit %+v", units)
		}
		for _, tt := range tests {
			if tt.got.HostUnit != tt.unit || tt.got.ReplyRate != tt.reply || tt.got.ConclusionRate != tt.conclude ||
				tt.got.SatisfactionRate != tt.ok {
				t.Errorf("%s: 答复率 %v 办结率 %v 满意率 %v (unit %q), want %v %v %v", tt.name, tt.got.ReplyRate,
					tt.got.ConclusionRate, tt.got.SatisfactionRate, tt.got.HostUnit, tt.reply, tt.conclude, tt.ok)
			}
		}
		all, _, err := w.svc.Rates(ctx, model.SuggestionRatesFilter{})
		if err != nil || all.Total != 5 || all.ReplyRate != 3.0/5 {
			t.Errorf("all sessions: %+v, %v", all, err)
		}
	})
}

func TestSuggestionChoicesAndLabels(t *testing.T) {
	parsers := []struct {
		name  string
		parse func(string) (string, bool)
		in    string
		want  string
		ok    bool
	}{
		{"contact label", core.ParseContact, "当面沟通", model.ContactFace, true},
		{"contact short form", core.ParseContact, " 电话。", model.ContactPhone, true},
		{"contact value", core.ParseContact, "WRITTEN", model.ContactWritten, true},
		{"contact number", core.ParseContact, "４", model.ContactNone, true},
		{"contact out of range", core.ParseContact, "5", "", false},
		{"contact unknown", core.ParseContact, "微信", "", false},
		{"satisfied", core.ParseSatisfaction, "满意", model.RatingSatisfied, true},
		{"basically satisfied", core.ParseSatisfaction, "基本满意", model.RatingBasic, true},
		{"dissatisfied", core.ParseSatisfaction, "不满意！", model.RatingDissatisfied, true},
		{"dissatisfied variant", core.ParseSatisfaction, "不太满意", model.RatingDissatisfied, true},
		{"satisfaction unknown", core.ParseSatisfaction, "一般", "", false},
		{"category", core.ParseReplyCategory, "b类", "B", true},
		{"category unknown", core.ParseReplyCategory, "E", "", false},
	}
	for _, tt := range parsers {
		if got, ok := tt.parse(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("%s: parse(%q) = %q, %v; want %q, %v", tt.name, tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for in, want := range map[string]string{"123": "第0123号", "第12号": "第0012号", "0123号": "第0123号", "建议A-7": "建议A-7"} {
		if got := core.NormalizeSuggestionNumber(in); got != want {
			t.Errorf("NormalizeSuggestionNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if got := core.SplitUnits("省财政厅、 省教育厅，省民政厅;;"); fmt.Sprint(got) != "[省财政厅 省教育厅 省民政厅]" {
		t.Errorf("SplitUnits gives %q", got)
	}
	labels := [][2]string{
		{core.SuggestionStatusLabel(model.SuggestionAssigned), "已交办"},
		{core.SuggestionStatusLabel(model.SuggestionHandling), "办理中"},
		{core.SuggestionStatusLabel(model.SuggestionReplied), "已答复"},
		{core.SuggestionStatusLabel(model.SuggestionConcluded), "已办结"},
		{core.SuggestionStatusLabel(model.SuggestionRehandling), "重新办理"},
		{core.ContactLabel(model.ContactNone), "未联系"},
		{core.SatisfactionLabel(model.RatingBasic), "基本满意"},
		{core.StepKindLabel(model.StepAssigned), "交办"},
		{core.ReplyCategoryLabel("C"), "C类"},
	}
	for _, l := range labels {
		if l[0] != l[1] {
			t.Errorf("label %q, want %q", l[0], l[1])
		}
	}
}
