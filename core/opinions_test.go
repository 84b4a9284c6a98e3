package core

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// opinionsAt returns the opinions service over a fresh database, with one
// deputy, and both clocks reading *now.
func opinionsAt(t *testing.T, db *storage.DB, now *time.Time) (*Opinions, int64) {
	t.Helper()
	clock := func() time.Time { return *now }
	db.SetClock(clock)
	d := model.Deputy{Name: "赵敏", Level: model.LevelProvincial}
	if err := db.CreateDeputy(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	s := NewOpinions(db)
	s.SetClock(clock)
	return s, d.ID
}

// fieldOf returns the field of the first FieldError in err, or "".
func fieldOf(err error) string {
	var v ValidationError
	if errors.As(err, &v) && len(v) > 0 {
		return v[0].Label
	}
	return ""
}

func TestOpinionCategoryLabelsAndParsing(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"legislative", model.OpinionLegislative, true},
		{"监督建议", model.OpinionSupervision, true},
		{"３", model.OpinionSocial, true},
		{" 4 ", model.OpinionOther, true},
		{"法规草案意见", model.OpinionSolicitation, true},
		{"5", "", false},
		{"投诉", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseOpinionCategory(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseOpinionCategory(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	var labels []string
	for _, c := range OpinionCategoryChoices {
		labels = append(labels, c.Label)
		if OpinionCategoryLabel(c.Value) != c.Label {
			t.Errorf("label of %s is %s, want %s", c.Value, OpinionCategoryLabel(c.Value), c.Label)
		}
	}
	if strings.Join(labels, "/") != "立法建议/监督建议/社情民意/其他" {
		t.Errorf("chat choices %v", labels)
	}
	if OpinionCategoryLabel(model.OpinionSolicitation) != "法规草案意见" || OpinionStatusLabel(model.OpinionClosed) != "已办结" {
		t.Error("solicitation or status label")
	}
}

func TestSubmitOpinion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
		s, dep := opinionsAt(t, db, &now)
		draft := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", Articles: 40, ClosesAt: now.AddDate(0, 0, 14)}
		closed := model.Solicitation{Title: "已截止的草案", OpensAt: now.AddDate(0, -1, 0), ClosesAt: now.Add(-time.Second)}
		later := model.Solicitation{Title: "未开始的草案", OpensAt: now.Add(time.Hour), ClosesAt: now.AddDate(0, 1, 0)}
		for _, sol := range []*model.Solicitation{&draft, &closed, &later} {
			if err := s.CreateSolicitation(ctx, sol); err != nil {
				t.Fatal(err)
			}
		}

		tests := []struct {
			name      string
			in        model.Opinion
			field     string // the field at fault, or
			sentinel  error  // the error expected, or neither: stored
			wantCat   string
			wantArtic string
		}{
			{"a social opinion", model.Opinion{Category: model.OpinionSocial, Body: "  建议增加社区养老服务点  "}, "", nil, model.OpinionSocial, ""},
			{"a category by its chat number", model.Opinion{Category: "2", Body: "监督食品安全"}, "", nil, model.OpinionSupervision, ""},
			{"5,000 characters are accepted", model.Opinion{Category: "other", Body: strings.Repeat("议", 5000)}, "", nil, model.OpinionOther, ""},
			{"on an open draft, article by number", model.Opinion{SolicitationID: draft.ID, Article: "１２", Body: "建议细化"}, "", nil, model.OpinionSolicitation, "第十二条"},
			{"on an open draft, the whole of it", model.Opinion{SolicitationID: draft.ID, Article: "整体", Body: "总体赞成"}, "", nil, model.OpinionSolicitation, ""},
			{"article zero", model.Opinion{SolicitationID: draft.ID, Article: "0", Body: "x"}, "条款", nil, "", ""},
			{"on an open draft, article in words", model.Opinion{Category: model.OpinionSolicitation, SolicitationID: draft.ID, Article: "第十二条", Body: "建议细化"}, "", nil, model.OpinionSolicitation, "第十二条"},
			{"an empty body", model.Opinion{Category: "other", Body: " \n "}, "意见内容", nil, "", ""},
			{"5,001 characters", model.Opinion{Category: "other", Body: strings.Repeat("议", 5001)}, "意见内容", nil, "", ""},
			{"an unknown category", model.Opinion{Category: "投诉", Body: "x"}, "意见类别", nil, "", ""},
			{"no category at all", model.Opinion{Body: "x"}, "意见类别", nil, "", ""},
			{"a solicitation opinion without a draft", model.Opinion{Category: model.OpinionSolicitation, Body: "x"}, "法规草案", nil, "", ""},
			{"a draft with another category", model.Opinion{Category: model.OpinionLegislative, SolicitationID: draft.ID, Body: "x"}, "意见类别", nil, "", ""},
			{"an article without a draft", model.Opinion{Category: "other", Article: "第三条", Body: "x"}, "条款", nil, "", ""},
			{"an article beyond the draft", model.Opinion{SolicitationID: draft.ID, Article: "41", Body: "x"}, "条款", nil, "", ""},
			{"a missing draft", model.Opinion{SolicitationID: 9999, Body: "x"}, "法规草案", nil, "", ""},
			{"an unknown channel", model.Opinion{Category: "other", Body: "x", Channel: "sms"}, "渠道", nil, "", ""},
			{"a closed draft", model.Opinion{SolicitationID: closed.ID, Body: "x"}, "", ErrSolicitationClosed, "", ""},
			{"a draft not open yet", model.Opinion{SolicitationID: later.ID, Body: "x"}, "", ErrSolicitationClosed, "", ""},
		}
		stored := 0
		for _, tt := range tests {
			receipt, err := s.Submit(ctx, dep, tt.in)
			switch {
			case tt.field != "":
				if fieldOf(err) != tt.field || receipt != "" {
					t.Errorf("%s: %q, %v; want a problem with %s", tt.name, receipt, err, tt.field)
				}
			case tt.sentinel != nil:
				if !errors.Is(err, tt.sentinel) || receipt != "" {
					t.Errorf("%s: %q, %v; want %v", tt.name, receipt, err, tt.sentinel)
				}
			default:
				stored++
				if err != nil || !regexp.MustCompile(`^YJ2026-\d{5}$`).MatchString(receipt) {
					t.Errorf("%s: receipt %q, %v", tt.name, receipt, err)
					continue
				}
				got, _ := s.ByReceipt(ctx, strings.ToLower(receipt))
				if got.Category != tt.wantCat || got.Article != tt.wantArtic || got.Body != strings.TrimSpace(tt.in.Body) ||
					got.Channel != model.OpinionViaWeChat || got.DeputyID != dep {
					t.Errorf("%s: stored %+v", tt.name, got)
				}
			}
		}
		if _, total, _ := s.List(ctx, model.OpinionFilter{}); total != stored {
			t.Errorf("%d opinions stored, want %d: refused ones must change nothing", total, stored)
		}
		open, _ := s.OpenSolicitations(ctx)
		if len(open) != 1 || open[0].ID != draft.ID || open[0].Opinions != 3 {
			t.Errorf("open solicitations %+v", open)
		}
	})
}

func TestTwoConcurrentOpinionsGetDistinctReceipts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		now := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
		s, dep := opinionsAt(t, db, &now)
		var receipts [2]string
		var errs [2]error
		var wg sync.WaitGroup
		for i := range receipts {
			wg.Go(func() {
				receipts[i], errs[i] = s.Submit(context.Background(), dep, model.Opinion{Category: "social", Body: "同时提交"})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || receipts[0] == receipts[1] {
			t.Fatalf("receipts %v, errors %v", receipts, errs)
		}
		for _, want := range []string{"YJ2026-00001", "YJ2026-00002"} {
			if receipts[0] != want && receipts[1] != want {
				t.Errorf("receipts %v lack %s", receipts, want)
			}
		}
	})
}

// opinionStaff answers opinions in these tests.
var opinionStaff = StaffActor(model.Account{ID: 7, Username: "staff", Name: "工作人员", Role: model.RoleStaff}, ViaConsole)

func TestReplyToOpinion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
		s, dep := opinionsAt(t, db, &now)
		receipt, err := s.Submit(ctx, dep, model.Opinion{Category: "legislative", Body: "建议制定条例"})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := s.ByReceipt(ctx, receipt)
		tests := []struct {
			name, reply, field string
			err                error
		}{
			{"an empty reply", "  ", "答复内容", nil},
			{"a reply too long", strings.Repeat("答", 5001), "答复内容", nil},
			{"a missing opinion", "已收悉", "", model.ErrNotFound},
		}
		for _, tt := range tests {
			id := o.ID
			if tt.err != nil {
				id = 9999
			}
			_, err := s.ReplyAs(ctx, opinionStaff, id, tt.reply)
			if (tt.field != "" && fieldOf(err) != tt.field) || (tt.err != nil && !errors.Is(err, tt.err)) {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
		if _, err := s.ReplyAs(ctx, opinionStaff, o.ID, " 已转有关部门研究 "); err != nil {
			t.Fatal(err)
		}
		mine, _ := db.OpinionsOfDeputy(ctx, dep, 5)
		if len(mine) != 1 || mine[0].Status != model.OpinionAnswered || mine[0].StaffReply != "已转有关部门研究" {
			t.Fatalf("after reply %+v", mine)
		}
		if _, err := s.CloseAs(ctx, opinionStaff, o.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, o.ID); got.Status != model.OpinionClosed {
			t.Fatalf("after close %+v", got)
		}
	})
}

func TestCreateSolicitationValidation(t *testing.T) {
	now := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
	s := NewOpinions(nil) // refused before storage is reached
	s.SetClock(func() time.Time { return now })
	tests := []struct {
		name  string
		in    model.Solicitation
		field string
	}{
		{"no title", model.Solicitation{ClosesAt: now.AddDate(0, 0, 1)}, "标题"},
		{"a link that is not a web address", model.Solicitation{Title: "草案", Link: "ftp://x", ClosesAt: now.AddDate(0, 0, 1)}, "草案链接"},
		{"closing before it opens", model.Solicitation{Title: "草案", OpensAt: now, ClosesAt: now}, "截止时间"},
		{"a negative article count", model.Solicitation{Title: "草案", Articles: -1, ClosesAt: now.AddDate(0, 0, 1)}, "条数"},
	}
	for _, tt := range tests {
		if err := s.CreateSolicitation(context.Background(), &tt.in); fieldOf(err) != tt.field {
			t.Errorf("%s: %v, want a problem with %s", tt.name, err, tt.field)
		}
	}
}
