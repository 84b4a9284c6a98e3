package core

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// PublicOpinions are the opinions the public leave at a liaison station's
// page (群众意见): any follower of the account, deputy or not, gets a
// receipt number; staff route each to the station's deputies (who see it
// under 群众意见 in the chat and answer it), to a handling unit, or close
// it with a reason; the sender is told when it is handled.
type PublicOpinions struct {
	*env
	// DailyLimit bounds the opinions one follower may leave at one station
	// per day (China time); 0 means DefaultPublicOpinionDailyLimit.
	DailyLimit int
}

// Limits of public intake.
const (
	DefaultPublicOpinionDailyLimit = 5
	maxPublicOpinionRunes          = 2000
	maxPublicName                  = 20
	maxRouteText                   = 200
)

func (s *PublicOpinions) dailyLimit() int {
	if s.DailyLimit > 0 {
		return s.DailyLimit
	}
	return DefaultPublicOpinionDailyLimit
}

// PublicOpinionInput is what a follower typed on a station's page.
type PublicOpinionInput struct {
	Category, Body, Name, Phone string
	Anonymous                   bool
}

var publicPhone = regexp.MustCompile(`^[0-9+\- ]{7,20}$`)

// Submit stores an opinion the follower by leaves at the station, with a
// receipt number. Every field must be valid UTF-8; the text is 1 to 2,000
// characters; an anonymous opinion keeps no name or phone. One follower
// may leave DailyLimit opinions a day at one station; beyond it nothing is
// stored and the refusal says when to come back.
func (s *PublicOpinions) Submit(ctx context.Context, by Actor, stationID int64, in PublicOpinionInput) (model.PublicOpinion, error) {
	if by.OpenID == "" || by.IsStaff() {
		return model.PublicOpinion{}, Forbidden("请在微信中关注公众号后，从联络站的二维码进入留下意见")
	}
	var errs ValidationError
	for _, c := range []struct{ key, label, v string }{{"category", "类别", in.Category}, {"body", "意见内容", in.Body},
		{"name", "姓名", in.Name}, {"phone", "联系电话", in.Phone}} {
		if !utf8.ValidString(c.v) {
			errs = append(errs, &FieldError{Key: c.key, Label: c.label, Msg: "含有无法识别的字符（乱码），请删去后重新提交"})
		}
	}
	if len(errs) > 0 {
		return model.PublicOpinion{}, errs
	}
	o := model.PublicOpinion{StationID: stationID, OpenID: by.OpenID, Category: strings.TrimSpace(in.Category),
		Body: strings.TrimSpace(strings.ReplaceAll(in.Body, "\x00", "")), Anonymous: in.Anonymous}
	if !model.IsPublicOpinionCategory(o.Category) {
		errs = append(errs, &FieldError{Key: "category", Label: "类别", Value: o.Category, Msg: "请选择意见类别"})
	}
	switch n := utf8.RuneCountInString(o.Body); {
	case n == 0:
		errs = append(errs, &FieldError{Key: "body", Label: "意见内容", Msg: "不能为空"})
	case n > maxPublicOpinionRunes:
		errs = append(errs, &FieldError{Key: "body", Label: "意见内容",
			Msg: fmt.Sprintf("最多 %d 字，现有 %d 字，请精简后提交", maxPublicOpinionRunes, n)})
	}
	if !o.Anonymous {
		o.Name, o.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
		if utf8.RuneCountInString(o.Name) > maxPublicName {
			errs = append(errs, &FieldError{Key: "name", Label: "姓名", Msg: fmt.Sprintf("最多 %d 个字", maxPublicName)})
		}
		if o.Phone != "" && !publicPhone.MatchString(o.Phone) {
			errs = append(errs, &FieldError{Key: "phone", Label: "联系电话", Msg: "请填写手机号或座机号（数字），也可以不填"})
		}
	}
	if len(errs) > 0 {
		return model.PublicOpinion{}, errs
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		// One opinion at a time per station: the count and the insert
		// below then see each other, and the daily limit holds.
		if err := s.db.LockStation(ctx, stationID); err != nil {
			return withNotFoundText(err, "联络站不存在或已撤销。")
		}
		st, err := s.db.GetStation(ctx, stationID)
		if err != nil {
			return withNotFoundText(err, "联络站不存在或已撤销。")
		}
		n, err := s.db.CountPublicOpinionsSince(ctx, o.OpenID, st.ID, startOfDay(s.now(), s.loc))
		if err != nil {
			return err
		}
		if limit := s.dailyLimit(); n >= limit {
			return Conflict("您今天已在“%s”留下 %d 条意见，达到每日上限。请明天再提交；如有急事，请在接待日到联络站当面反映。", st.Name, limit)
		}
		if err := s.db.CreatePublicOpinion(ctx, &o); err != nil {
			return err
		}
		o.StationName = st.Name
		return s.audit(ctx, by, "public_opinion.submit", o.Object(), fmt.Sprintf("“%s”收到群众意见 %s（%s）", st.Name, o.Receipt,
			o.CategoryLabel()))
	})
	if err != nil {
		return model.PublicOpinion{}, err
	}
	return o, nil
}

func (s *PublicOpinions) get(ctx context.Context, id int64) (model.PublicOpinion, error) {
	o, err := s.db.GetPublicOpinion(ctx, id)
	return o, withNotFoundText(err, "群众意见不存在或已被删除。")
}

// List returns one page of public opinions, newest first, and how many
// match.
func (s *PublicOpinions) List(ctx context.Context, by Actor, f model.PublicOpinionFilter) ([]model.PublicOpinion, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !contains(model.PublicOpinionStatuses, f.Status) {
		return nil, 0, &FieldError{Key: "status", Label: "状态", Value: f.Status, Msg: "应为 new、deputies、unit、replied 或 closed"}
	}
	return s.db.ListPublicOpinions(ctx, f)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Get returns an opinion with the deputies it went to and their replies.
func (s *PublicOpinions) Get(ctx context.Context, by Actor, id int64) (model.PublicOpinionThread, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.PublicOpinionThread{}, err
	}
	return s.thread(ctx, id)
}

func (s *PublicOpinions) thread(ctx context.Context, id int64) (model.PublicOpinionThread, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return model.PublicOpinionThread{}, err
	}
	t := model.PublicOpinionThread{Opinion: o}
	if t.Deputies, err = s.db.PublicOpinionDeputies(ctx, id); err != nil {
		return t, err
	}
	t.Replies, err = s.db.PublicOpinionReplies(ctx, id)
	return t, err
}

// Route actions.
const (
	RouteToDeputies = "deputies"
	RouteToUnit     = "unit"
	RouteClose      = "close"
)

// RouteInput is where staff send a public opinion: to the station's
// deputies, to a handling unit (Unit), or closed with a reason.
type RouteInput struct {
	Action, Unit, Reason string
}

// Route sends a public opinion on. To the station's deputies in office:
// each is told and sees it under 群众意见 in the chat. To a handling unit
// or closed: the opinion is handled and the sender is told. A closed
// opinion is not routed again.
func (s *PublicOpinions) Route(ctx context.Context, by Actor, id int64, in RouteInput) (model.PublicOpinion, error) {
	if err := by.Require(Editors...); err != nil {
		return model.PublicOpinion{}, err
	}
	var out model.PublicOpinion
	err := s.tx(ctx, func(ctx context.Context) error {
		o, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if o.Status == model.PublicOpinionClosed {
			return Conflict("群众意见 %s 已办结，不能再转交。", o.Receipt)
		}
		o.RoutedBy = by.handle()
		var summary string
		switch in.Action {
		case RouteToDeputies:
			ds, err := s.db.StationDeputies(ctx, o.StationID)
			if err != nil {
				return err
			}
			var ids []int64
			for _, d := range ds {
				if d.Status == model.StatusActive {
					ids = append(ids, d.ID)
				}
			}
			if len(ids) == 0 {
				return Conflict("“%s”还没有联系代表：请先在联络站页面添加联系代表，或转交办理单位。", o.StationName)
			}
			if err := s.db.SetPublicOpinionDeputies(ctx, o.ID, ids); err != nil {
				return err
			}
			o.Status = model.PublicOpinionDeputies
			if err := s.db.RoutePublicOpinion(ctx, o, false); err != nil {
				return err
			}
			n := model.Notice{Kind: model.KindGeneral, Title: "联络站群众意见 " + o.Receipt,
				Body: fmt.Sprintf("“%s”收到一条群众意见（%s），请您阅处：\n%s\n\n在公众号回复“群众意见”查看并答复。",
					o.StationName, o.CategoryLabel(), o.Body)}
			if err := s.db.Enqueue(ctx, fmt.Sprintf("po-%d-deputies", o.ID), model.Push{Notice: n, DeputyIDs: ids}); err != nil {
				return err
			}
			summary = fmt.Sprintf("群众意见 %s 转交“%s”联系代表 %d 位", o.Receipt, o.StationName, len(ids))
		case RouteToUnit:
			if err := s.toUnit(ctx, &o, in.Unit); err != nil {
				return err
			}
			summary = fmt.Sprintf("群众意见 %s 转交%s办理", o.Receipt, o.Unit)
		case RouteClose:
			reason := strings.TrimSpace(in.Reason)
			switch {
			case reason == "" || !utf8.ValidString(reason):
				return &FieldError{Key: "reason", Label: "办结说明", Msg: "请填写办结说明（会告知提出意见的群众）"}
			case utf8.RuneCountInString(reason) > maxRouteText:
				return &FieldError{Key: "reason", Label: "办结说明", Msg: fmt.Sprintf("最多 %d 个字", maxRouteText)}
			}
			o.Status, o.CloseReason = model.PublicOpinionClosed, reason
			if err := s.db.RoutePublicOpinion(ctx, o, true); err != nil {
				return err
			}
			if err := s.tell(ctx, o, "close", fmt.Sprintf("您在“%s”提出的意见（编号 %s）已办结：%s", o.StationName, o.Receipt, reason)); err != nil {
				return err
			}
			summary = fmt.Sprintf("群众意见 %s 办结", o.Receipt)
		default:
			return &FieldError{Key: "action", Label: "处理方式", Value: in.Action, Msg: "应为 deputies（转交联络站代表）、unit（转交办理单位）或 close（办结）"}
		}
		if err := s.audit(ctx, by, "public_opinion.route", o.Object(), summary); err != nil {
			return err
		}
		out, err = s.get(ctx, id)
		return err
	})
	return out, err
}

// tell queues a push telling the opinion's sender what became of it: a
// customer-service message inside the 48-hour window, else a template
// message whose page shows the text. what names the step, so each step
// tells once.
func (s *PublicOpinions) tell(ctx context.Context, o model.PublicOpinion, what, text string) error {
	n := model.Notice{Kind: model.KindMessageReply, Title: "群众意见办理结果 " + o.Receipt, Body: text,
		Fields: map[string]string{"receipt": o.Receipt, "note": "群众意见办理结果"}}
	source := fmt.Sprintf("po-%d-%s-%d", o.ID, what, s.now().UnixNano())
	_, _, err := s.db.EnqueueMemberNotice(ctx, source, &n, 0, o.OpenID)
	return err
}

// ForDeputy returns the public opinions routed to the acting deputy,
// newest first, at most limit: what 群众意见 lists in the chat.
func (s *PublicOpinions) ForDeputy(ctx context.Context, by Actor, limit int) ([]model.PublicOpinion, error) {
	if by.Deputy.ID == 0 {
		return nil, Forbidden("只有联络站的联系代表可以查看转交的群众意见")
	}
	os, _, err := s.db.ListPublicOpinions(ctx, model.PublicOpinionFilter{DeputyID: by.Deputy.ID, Limit: limit})
	return os, err
}

// DeputyReply records the acting deputy's answer to a public opinion
// routed to them: it is marked replied (handled) and the answer goes to
// the sender. A closed opinion takes no answer.
func (s *PublicOpinions) DeputyReply(ctx context.Context, by Actor, id int64, text string) (model.PublicOpinionReply, error) {
	if by.Deputy.ID == 0 {
		return model.PublicOpinionReply{}, Forbidden("只有联络站的联系代表可以答复群众意见")
	}
	text, err := checkMessageText("text", "答复内容", text)
	if err != nil {
		return model.PublicOpinionReply{}, err
	}
	r := model.PublicOpinionReply{OpinionID: id, DeputyID: sql.NullInt64{Int64: by.Deputy.ID, Valid: true},
		Author: "代表 " + by.Deputy.Name, Body: text}
	err = s.tx(ctx, func(ctx context.Context) error {
		t, err := s.thread(ctx, id)
		if err != nil {
			return err
		}
		mine := false
		for _, d := range t.Deputies {
			mine = mine || d.ID == by.Deputy.ID
		}
		if !mine {
			return Forbidden("这条群众意见没有转交给您。")
		}
		o := t.Opinion
		if o.Status == model.PublicOpinionClosed {
			return Conflict("群众意见 %s 已办结，不能再答复。", o.Receipt)
		}
		if err := s.db.AddPublicOpinionReply(ctx, &r); err != nil {
			return err
		}
		if err := s.tell(ctx, o, fmt.Sprintf("reply%d", r.ID), fmt.Sprintf("您在“%s”提出的意见（编号 %s），%s代表答复：\n%s",
			o.StationName, o.Receipt, by.Deputy.Name, text)); err != nil {
			return err
		}
		return s.audit(ctx, by, "public_opinion.reply", o.Object(), fmt.Sprintf("答复群众意见 %s", o.Receipt))
	})
	return r, err
}

// Counts returns how many public opinions each station received in each
// month of year (China time), and how many of them are handled.
func (s *PublicOpinions) Counts(ctx context.Context, by Actor, year int) ([]model.StationMonthCount, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, &FieldError{Key: "year", Label: "年份", Msg: "请填写 2000 到 2100 之间的年份"}
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.loc)
	os, err := s.db.PublicOpinionTimes(ctx, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	var out []model.StationMonthCount
	idx := map[string]int{}
	for _, o := range os {
		month := o.CreatedAt.In(s.loc).Format("2006-01")
		key := fmt.Sprintf("%d/%s", o.StationID, month)
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, model.StationMonthCount{StationID: o.StationID, StationName: o.StationName, Month: month})
		}
		out[i].Received++
		if o.HandledAt.Valid {
			out[i].Handled++
		}
	}
	return out, nil
}

// ExportCounts writes Counts to a workbook: one row per station and month.
// The export is audited before the file is handed out.
func (s *PublicOpinions) ExportCounts(ctx context.Context, by Actor, year int) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	rows, err := s.Counts(ctx, by, year)
	if err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err = s.tx(ctx, func(ctx context.Context) error {
		sh, err := newSheetWriter("群众意见统计", []sheetColumn{{"联络站", 30}, {"月份", 10}, {"收到", 8}, {"已办理", 8}})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := sh.add(excelize.RowOpts{}, r.StationName, r.Month, fmt.Sprint(r.Received), fmt.Sprint(r.Handled)); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		b, err := sh.bytes()
		if err != nil {
			return err
		}
		out = ExportFile{Name: fmt.Sprintf("联络站群众意见统计-%d.xlsx", year), Data: b}
		return s.audit(ctx, by, "public_opinion.export", "public_opinions", fmt.Sprintf("导出 %d 年联络站群众意见统计（%d 行）", year, len(rows)))
	})
	return out, err
}

// OfSender returns an opinion to the follower who left it; anyone else is
// refused (the page showing a receipt shows only one's own).
func (s *PublicOpinions) OfSender(ctx context.Context, by Actor, id int64) (model.PublicOpinion, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return o, err
	}
	if by.OpenID == "" || by.OpenID != o.OpenID {
		return model.PublicOpinion{}, Forbidden("这条意见不是您提交的，无法查看。")
	}
	return o, nil
}

// toUnit sends o to a handling unit: it is handled, and its sender told.
func (s *PublicOpinions) toUnit(ctx context.Context, o *model.PublicOpinion, unit string) error {
	unit = strings.TrimSpace(unit)
	switch {
	case unit == "" || !utf8.ValidString(unit):
		return &FieldError{Key: "unit", Label: "办理单位", Msg: "请填写办理单位"}
	case utf8.RuneCountInString(unit) > 100:
		return &FieldError{Key: "unit", Label: "办理单位", Msg: "最多 100 个字"}
	}
	o.Status, o.Unit = model.PublicOpinionUnit, unit
	if err := s.db.RoutePublicOpinion(ctx, *o, true); err != nil {
		return err
	}
	return s.tell(ctx, *o, "unit", fmt.Sprintf("您在“%s”提出的意见（编号 %s）已转交%s办理，感谢您的反映。",
		o.StationName, o.Receipt, unit))
}

// DeputyForward passes a public opinion routed to the acting deputy on to
// a handling unit (转交): it is handled and the sender told, as when staff
// send it to a unit. A closed opinion is not passed on.
func (s *PublicOpinions) DeputyForward(ctx context.Context, by Actor, id int64, unit string) (model.PublicOpinion, error) {
	if by.Deputy.ID == 0 {
		return model.PublicOpinion{}, Forbidden("只有联络站的联系代表可以转交群众意见")
	}
	var out model.PublicOpinion
	err := s.tx(ctx, func(ctx context.Context) error {
		t, err := s.thread(ctx, id)
		if err != nil {
			return err
		}
		mine := false
		for _, d := range t.Deputies {
			mine = mine || d.ID == by.Deputy.ID
		}
		if !mine {
			return Forbidden("这条群众意见没有转交给您。")
		}
		o := t.Opinion
		if o.Status == model.PublicOpinionClosed {
			return Conflict("群众意见 %s 已办结，不能再转交。", o.Receipt)
		}
		o.RoutedBy = by.Name()
		if err := s.toUnit(ctx, &o, unit); err != nil {
			return err
		}
		out = o
		return s.audit(ctx, by, "public_opinion.forward", o.Object(), fmt.Sprintf("代表将群众意见 %s 转交%s办理", o.Receipt, o.Unit))
	})
	return out, err
}

// MineAt returns the latest opinions (at most limit) the follower by left
// at the station, newest first, each with its answers: what the
// station's page shows them, so they can see what became of each.
func (s *PublicOpinions) MineAt(ctx context.Context, by Actor, stationID int64, limit int) ([]model.PublicOpinionThread, error) {
	if by.OpenID == "" || by.IsStaff() {
		return nil, Forbidden("请在微信中打开联络站页面查看自己的意见")
	}
	os, err := s.db.PublicOpinionsOf(ctx, by.OpenID, stationID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]model.PublicOpinionThread, len(os))
	for i, o := range os {
		out[i].Opinion = o
		if out[i].Replies, err = s.db.PublicOpinionReplies(ctx, o.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
