package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"deputybot/model"
)

// SeedDemoWorld gives a simulator's first start something real behind
// every chat command and console page, beside the demo deputies (it is
// called right after DemoDeputies are stored): a meeting whose RSVPs are
// open, an activity open for sign-up, a suggestion answered and awaiting
// its deputies' rating, an open survey, an open draft-regulation
// solicitation, a liaison station with a citizen's opinion routed to its
// deputies, a follower's message, and a notice to every deputy whose
// sending finishes with its ledger (each demo deputy not yet bound is
// recorded as 未发送). The first five demo deputies, which the start page
// offers for binding, lead and second the suggestion and staff the station.
func (s *Services) SeedDemoWorld(ctx context.Context, by Actor) error {
	db := s.env.db
	var ids []int64
	for _, d := range DemoDeputies() {
		got, err := db.GetDeputyByPhone(ctx, d.Phone)
		if err != nil {
			return fmt.Errorf("demo world: deputy %s: %w", d.Phone, err)
		}
		ids = append(ids, got.ID)
	}
	now := s.Now()
	local := now.In(s.Location())
	day := func(days, hour int) time.Time {
		return time.Date(local.Year(), local.Month(), local.Day()+days, hour, 0, 0, 0, s.Location())
	}

	m := model.Meeting{Kind: "session", Title: "省十四届人大常委会第二十次会议", StartsAt: day(7, 9),
		RSVPDeadline: day(5, 18), Place: "省人大常委会机关第一会议室", Organiser: "省人大常委会办公厅",
		Contact: "代表工作室 0531-12345678"}
	if err := db.CreateMeeting(ctx, &m); err != nil {
		return fmt.Errorf("demo world: meeting: %w", err)
	}
	if _, err := s.Meetings.Invite(ctx, by, m.ID, model.Audience{All: true}); err != nil {
		return fmt.Errorf("demo world: invite: %w", err)
	}

	// An activity deputies sign up for (活动报名), not invited to.
	act := model.Meeting{Kind: model.MeetingResearch, Title: "乡村振兴专题调研", StartsAt: day(12, 9),
		RSVPDeadline: day(10, 18), Place: "潍坊市寿光市", Organiser: "省人大常委会农业农村工作委员会",
		Contact: "农业农村工作委员会 0531-12345679"}
	if err := db.CreateMeeting(ctx, &act); err != nil {
		return fmt.Errorf("demo world: activity: %w", err)
	}
	if _, err := s.Meetings.OpenSignup(ctx, by, act.ID, SignupInput{Capacity: "15",
		Deadline: day(10, 18).Format("2006-01-02 15:04")}); err != nil {
		return fmt.Errorf("demo world: sign-up: %w", err)
	}

	sg := model.Suggestion{Number: "第0001号", Title: "关于加强农村饮水安全保障的建议", Session: "十四届人大三次会议",
		LeadDeputyID: ids[0], HostUnit: "省水利厅", Summary: "建议加快农村供水工程建设，提高集中供水率。"}
	if err := s.Suggestions.Create(ctx, &sg, ids[1:5]); err != nil {
		return fmt.Errorf("demo world: suggestion: %w", err)
	}
	if err := s.Suggestions.RecordStep(ctx, &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied,
		ReplyCategory: "A", Actor: "省水利厅", Note: "已将相关工程列入年度计划，年内完工。"}); err != nil {
		return fmt.Errorf("demo world: reply: %w", err)
	}

	// A suggestion a deputy wrote and submitted, its co-signer agreed,
	// waiting for staff review (代表提交的建议 in the console).
	if err := s.seedDeputySuggestion(ctx, ids[1], ids[6]); err != nil {
		return fmt.Errorf("demo world: deputy's suggestion: %w", err)
	}

	sv := model.Survey{Title: "代表履职服务满意度调查", Intro: "请根据实际情况作答，约需 1 分钟。",
		OpensAt: now, ClosesAt: day(14, 18),
		Questions: []model.SurveyQuestion{
			{Kind: model.QuestionSingle, Text: "您今年参加过几次代表培训？", Options: []string{"没有", "1 次", "2 次及以上"}},
			{Kind: model.QuestionMulti, Text: "您希望学习哪些内容？", Options: []string{"宪法法律", "预算审查", "调查研究", "建议撰写"}},
			{Kind: model.QuestionScale, Text: "您对本年度履职服务的评价（1–5 分）"},
			{Kind: model.QuestionText, Text: "其他意见和建议", Optional: true},
		}}
	if err := s.Surveys.Create(ctx, &sv); err != nil {
		return fmt.Errorf("demo world: survey: %w", err)
	}

	sol := model.Solicitation{Title: "《山东省数据条例（草案）》征求代表意见", Summary: "草案共 3 条，请代表提出修改意见。",
		OpensAt: now, ClosesAt: day(10, 18), Draft: []model.SolicitationArticle{
			{Number: 1, Body: "为了促进数据依法有序流动，保障数据安全，根据有关法律、行政法规，结合本省实际，制定本条例。"},
			{Number: 2, Body: "本省行政区域内数据资源管理、数据要素市场培育、数据安全管理等活动，适用本条例。"},
			{Number: 3, Body: "县级以上人民政府应当加强对数据工作的领导，建立健全数据工作协调机制。"},
		}}
	if err := s.Opinions.CreateSolicitation(ctx, &sol); err != nil {
		return fmt.Errorf("demo world: solicitation: %w", err)
	}

	// A liaison station with the start page's deputies whose names are
	// unique, a citizen's opinion left there and routed to them (群众意见),
	// and a follower's message (留言) for staff to answer.
	var names []string
	for _, d := range DemoDeputies()[:5] {
		if same, err := db.FindDeputiesByName(ctx, d.Name); err == nil && len(same) == 1 {
			names = append(names, d.Name)
		}
	}
	st, err := s.Stations.Create(ctx, by, StationInput{Name: "历下区代表联络站", Address: "济南市历下区泺源大街 1 号",
		Delegation: "济南市代表团", ContactName: "王主任", ContactPhone: "0531-86660000", Deputies: strings.Join(names, "、")})
	if err != nil {
		return fmt.Errorf("demo world: station: %w", err)
	}
	citizen := PublicActor("o-demo-citizen", ViaH5)
	po, err := s.PublicOpinions.Submit(ctx, citizen, st.ID, PublicOpinionInput{Category: "traffic",
		Body: "建议在泺源大街增设过街天桥，方便老人和孩子过马路。", Name: "刘先生"})
	if err != nil {
		return fmt.Errorf("demo world: public opinion: %w", err)
	}
	if len(names) > 0 {
		if _, err := s.PublicOpinions.Route(ctx, by, po.ID, RouteInput{Action: RouteToDeputies}); err != nil {
			return fmt.Errorf("demo world: route the public opinion: %w", err)
		}
	}
	if _, err := s.Messages.Record(ctx, PublicActor("o-demo-citizen", ViaWeChat),
		MessageInput{Text: "请问代表联络站周末是否开放接待？"}); err != nil {
		return fmt.Errorf("demo world: message: %w", err)
	}

	n := model.Notice{Kind: model.KindGeneral, Title: "关于做好年度履职登记的通知",
		Body:   "请各位代表于月底前在服务号回复“履职登记”，登记本年度参加的调研、视察等活动。",
		Fields: map[string]string{"time": local.Format("2006-01-02"), "note": "回复“履职登记”"}}
	c := model.Campaign{Audience: model.Audience{All: true}, SendAt: now}
	if err := db.CreateCampaign(ctx, &n, &c); err != nil {
		return fmt.Errorf("demo world: campaign: %w", err)
	}
	return nil
}

// seedDeputySuggestion submits a suggestion of author with cosigner, who
// agrees, as they would in the chat.
func (s *Services) seedDeputySuggestion(ctx context.Context, author, cosigner int64) error {
	a, err := s.env.db.GetDeputy(ctx, author)
	if err != nil {
		return err
	}
	c, err := s.env.db.GetDeputy(ctx, cosigner)
	if err != nil {
		return err
	}
	sg, err := s.Suggestions.SubmitAs(ctx, DeputyActor(a, ViaWeChat), SuggestionDraft{Title: "关于增加农村公交班次的建议",
		Content:  "目前部分乡镇农村公交每天仅有两班，群众出行不便。\n建议增加早晚高峰班次，并延长末班车时间。",
		Category: "交通运输", Cosigners: []string{c.Name + "（" + c.Delegation + "）"}})
	if err != nil {
		return err
	}
	_, err = s.Suggestions.CosignAs(ctx, DeputyActor(c, ViaWeChat), sg.ID, true)
	return err
}
