package core

import (
	"bytes"
	"context"
	"fmt"

	"deputybot/model"
)

// demoMaterials are the study materials a newcomer finds in simulator mode.
var demoMaterials = []MaterialInput{
	{Title: "学习宪法：国家的根本法", Category: "政治理论", Summary: "宪法的地位、基本原则和人大代表依宪履职的要求。",
		Body: "## 宪法的地位\n\n宪法是国家的根本法，具有最高的法律地位、法律权威、法律效力。\n\n" +
			"## 人大代表与宪法\n\n- 代表在本级人民代表大会会议期间，依照宪法和法律行使代表的职权；\n" +
			"- 代表应当模范地遵守宪法和法律，协助宪法和法律的实施；\n- 代表应当与原选区选民或者原选举单位和人民群众保持密切联系。\n\n" +
			"> 每年 12 月 4 日为国家宪法日。"},
	{Title: "代表法解读：代表的权利和义务", Category: "法律法规", Summary: "《全国人民代表大会和地方各级人民代表大会代表法》要点，附学习辅导材料 PDF。",
		Body: "## 代表的权利\n\n1. 出席本级人民代表大会会议，参加审议各项议案、报告和其他议题；\n2. 依法联名提出议案、质询案、罢免案等；\n" +
			"3. 提出对各方面工作的**建议、批评和意见**；\n4. 参加本级人民代表大会的各项选举和表决。\n\n" +
			"## 代表的义务\n\n代表应当按时出席会议，认真审议；密切联系群众，听取和反映群众的意见和要求；自觉遵守社会公德，廉洁自律。\n\n" +
			"详见附件中的学习辅导材料。"},
	{Title: "预算法：人大预算审查监督要点", Category: "法律法规", Summary: "审查预算草案和决算时重点关注的内容。",
		Body: "## 审查重点\n\n| 项目 | 关注点 |\n|---|---|\n| 收入预算 | 是否与经济社会发展水平相适应 |\n" +
			"| 支出预算 | 重点支出和重大投资项目安排 |\n| 政府债务 | 规模、结构和风险 |\n\n" +
			"预算审查监督是宪法和法律赋予人大的重要职权，代表应当认真审查预算草案，提出意见和建议。"},
	{Title: "如何提出高质量的代表建议", Category: "履职知识", Summary: "选题、调研、撰写到跟踪办理的全过程。",
		Body: "## 选好题目\n\n围绕党委中心工作和群众急难愁盼问题选题，一事一议。\n\n## 深入调研\n\n" +
			"建议要有情况、有分析、有具体可行的措施。\n\n## 跟踪办理\n\n收到答复后，请在公众号中对办理工作进行满意度测评；" +
			"不满意的，承办单位将重新办理。"},
	{Title: "代表联络站工作指引", Category: "履职知识", Summary: "进站接待群众、收集和转交意见的工作流程。",
		Body: "## 接待流程\n\n1. 提前公布进站时间和代表名单；\n2. 认真听取群众意见并登记；\n3. 能当场解答的当场解答，" +
			"需要转交的按程序转交有关部门；\n4. 及时向群众反馈办理结果。\n\n" +
			"群众扫描联络站二维码也可以随时留言，代表和工作人员会及时处理。"},
}

// SeedDemo gives a new simulator-mode install something to study: five
// published materials (one with a PDF) and one course for every deputy,
// unless there are materials already. It returns how many materials it
// made.
func (s *Materials) SeedDemo(ctx context.Context, by Actor, files *Files, courses *Courses) (int, error) {
	rows, total, err := s.List(ctx, by, model.MaterialFilter{Limit: 1})
	if err != nil || total > 0 || len(rows) > 0 {
		return 0, err
	}
	var ids []int64
	for i, in := range demoMaterials {
		if i == 1 {
			f, err := files.Upload(ctx, by, "代表法学习辅导.pdf", bytes.NewReader(SamplePDF("Study guide: the Deputies Law",
				"Rights and duties of deputies", "deputybot demo attachment")))
			if err != nil {
				return 0, err
			}
			in.AttachmentIDs = []int64{f.ID}
		}
		m, err := s.Create(ctx, by, in)
		if err != nil {
			return 0, fmt.Errorf("demo material %q: %w", in.Title, err)
		}
		if _, err := s.Publish(ctx, by, m.ID, PublishInput{}); err != nil {
			return 0, fmt.Errorf("publish demo material %q: %w", in.Title, err)
		}
		ids = append(ids, m.ID)
	}
	c, err := courses.Create(ctx, by, CourseInput{Title: "2026年省人大代表履职学习班",
		Summary: "学习代表法和代表建议工作，提升履职能力。", Required: 2, MaterialIDs: []int64{ids[1], ids[3]},
		Deadline: s.now().In(s.loc).AddDate(0, 1, 0).Format("2006-01-02"), Audience: model.Audience{All: true}})
	if err != nil {
		return len(ids), fmt.Errorf("demo course: %w", err)
	}
	if _, err := courses.Publish(ctx, by, c.ID); err != nil && !IsNotFound(err) {
		if _, ok := Fields(err); !ok { // no deputies yet: the course stays a draft
			return len(ids), fmt.Errorf("publish demo course: %w", err)
		}
	}
	return len(ids), nil
}
