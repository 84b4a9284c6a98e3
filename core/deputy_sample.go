package core

import (
	"deputybot/model"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Sample data for simulator mode, tests and benchmarks: realistic enough
// that the console looks like a real registry, deterministic so a test
// or a benchmark sees the same rows every run.

var (
	sampleSurnames = []string{
		"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
		"林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
		"程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
		"丁", "魏", "薛", "叶", "阎", "孔", "毕", "房", "邢", "隋", "欧阳", "司马", "诸葛",
	}
	sampleGivenMale = []string{
		"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞",
		"建国", "建华", "志强", "志刚", "海涛", "晓东", "国庆", "文博", "立新", "振华", "德胜",
		"洪亮", "永刚", "春生", "庆丰", "子轩", "浩然", "宇航", "俊杰", "明远", "广才",
	}
	sampleGivenFemale = []string{
		"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "燕", "红", "梅", "莉", "雪", "萍",
		"秀英", "桂兰", "淑珍", "玉兰", "晓燕", "海燕", "丽华", "春梅", "雅琴", "欣怡", "思雨",
		"文静", "美玲", "婷婷", "晓红", "佳慧", "若兰",
	}
	// Shandong's 16 cities, plus the army's delegation.
	sampleDelegations = []string{
		"济南市代表团", "青岛市代表团", "淄博市代表团", "枣庄市代表团", "东营市代表团", "烟台市代表团",
		"潍坊市代表团", "济宁市代表团", "泰安市代表团", "威海市代表团", "日照市代表团", "临沂市代表团",
		"德州市代表团", "聊城市代表团", "滨州市代表团", "菏泽市代表团", "解放军代表团",
	}
	sampleMinorities = []string{"回族", "满族", "蒙古族", "壮族", "朝鲜族", "土家族", "苗族"}
	sampleGroups     = []string{
		"法制", "财政经济", "教育科学文化卫生", "农业农村", "环境与资源保护", "社会建设", "民族宗教侨务",
	}
	sampleArmyJobs       = []string{"山东省军区某部政治委员", "驻鲁某部士官", "武警山东省总队某支队支队长", "某部医院主任医师"}
	sampleGrassrootsJobs = []struct{ job, tag string }{
		{"{市}村党支部书记、村委会主任", "乡村振兴"},
		{"{市}农业专业合作社理事长", "乡村振兴"},
		{"{市}小学教师", "教师"},
		{"{市}人民医院主治医师", "医生"},
		{"{市}机械厂车间主任", ""},
		{"{市}建筑公司农民工", "农民工"},
		{"{短}某电子厂流水线班组长", "农民工"},
		{"{市}社区居委会主任", ""},
		{"{市}律师事务所律师", "律师"},
	}
	sampleOtherJobs = []struct{ job, tag string }{
		{"{市}人民政府副市长", ""},
		{"{市}集团有限公司董事长", "企业家"},
		{"{市}科技股份有限公司总经理", "企业家"},
		{"{短}大学教授", "教师"},
		{"{市}中心医院院长", "医生"},
		{"{市}中级人民法院院长", ""},
		{"{市}律师协会会长", "律师"},
		{"{市}工商业联合会主席", "企业家"},
	}
)

// SampleDeputies returns n made-up deputies, the same for the same seed:
// Chinese names, mostly 汉族, born 1955–1990, spread over a province's
// delegations, about 10% national-level, about half grassroots, with
// occupations, professional groups, tags and unique valid phones
// (138 followed by the index, so a generated file never shares a phone
// with the simulator's demo deputies, whose phones start with 139).
func SampleDeputies(n int, seed int64) []model.Deputy {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6465707574790001))
	out := make([]model.Deputy, n)
	for i := range out {
		out[i] = sampleDeputy(rng, i, sampleDelegations[rng.IntN(len(sampleDelegations))], "138")
	}
	return out
}

func sampleDeputy(rng *rand.Rand, i int, delegation, phonePrefix string) model.Deputy {
	d := model.Deputy{Delegation: delegation, Level: model.LevelProvincial, Status: model.StatusActive}
	d.Name = sampleSurnames[rng.IntN(len(sampleSurnames))]
	if rng.IntN(100) < 36 {
		d.Gender = "女"
		d.Name += sampleGivenFemale[rng.IntN(len(sampleGivenFemale))]
	} else {
		d.Gender = "男"
		d.Name += sampleGivenMale[rng.IntN(len(sampleGivenMale))]
	}
	d.Ethnicity = "汉族"
	if rng.IntN(100) < 8 {
		d.Ethnicity = sampleMinorities[rng.IntN(len(sampleMinorities))]
	}
	birth := time.Date(1955, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(36*365))
	d.BirthDate = &birth
	d.Level = model.LevelProvincial
	if rng.IntN(10) == 0 {
		d.Level = model.LevelNational
	}
	city := []rune(delegation)
	place := string(city[:len(city)-3]) // 济南市代表团 → 济南市
	jobs := sampleOtherJobs
	if d.Grassroots = rng.IntN(2) == 0; d.Grassroots {
		jobs = sampleGrassrootsJobs
	}
	job := jobs[rng.IntN(len(jobs))]
	// {市} is the delegation's city (青岛市), {短} the city without 市 (青岛).
	d.Occupation = strings.NewReplacer("{市}", place, "{短}", strings.TrimSuffix(place, "市")).Replace(job.job)
	if delegation == "解放军代表团" {
		job.tag, d.Occupation = "", sampleArmyJobs[rng.IntN(len(sampleArmyJobs))]
	}
	d.ProfessionalGroup = sampleGroups[rng.IntN(len(sampleGroups))]
	if job.tag != "" {
		d.Tags = append(d.Tags, job.tag)
	}
	if rng.IntN(5) == 0 && job.tag != "乡村振兴" {
		d.Tags = append(d.Tags, "乡村振兴")
	}
	d.Phone = fmt.Sprintf("%s%08d", phonePrefix, i+1)
	return d
}

// DemoDeputies returns the 30 deputies simulator mode starts with: ten in
// each of 济南市代表团, 青岛市代表团 and 烟台市代表团, phones 13900000001…
func DemoDeputies() []model.Deputy {
	rng := rand.New(rand.NewPCG(2024, 0x64656d6f))
	delegations := []string{"济南市代表团", "青岛市代表团", "烟台市代表团"}
	out := make([]model.Deputy, 30)
	for i := range out {
		out[i] = sampleDeputy(rng, i, delegations[i/10], "139")
	}
	return out
}
