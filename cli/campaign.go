package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
)

// deliveryOrder lists delivery statuses in the order status prints them.
var deliveryOrder = model.DeliveryStates

// atLayouts are the forms --at accepts, in the configured time zone.
var atLayouts = []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

func init() {
	send := &command{
		name: "campaign send", summary: "send a notice to deputies (now or at a time)",
		usage: "--title TEXT [--body TEXT] [--kind KIND] [--urgent] [--at TIME] (--all | --delegation NAME … | --deputy-ids 1,2,3) [--as USERNAME] [--config FILE]",
		help: `Creates a campaign: a notice and the deputies it goes to. A running
'deputybot serve' sends it (at most delivery.rate_per_second, not in quiet
hours unless --urgent) as a template message carrying a short summary and a
link to the full text. Deputies who are not bound, not following the account
or no longer in office are counted but not sent to.

--at is local time (timezone, default Asia/Shanghai), e.g. 2026-12-01T09:00;
without it the campaign starts at once. --delegation may be repeated.
Kinds: general_notice (通知公告, default), study_material, meeting_invitation,
survey, solicitation, reminder, rating_request, suggestion_progress.

Prints the campaign's id; follow it with 'deputybot campaign status ID'.
The audit log records it, naming the --as account or you; the console and
the API create campaigns through the same checks.

Example:
  deputybot campaign send --all --title 关于召开代表培训班的通知 --body "12月1日9时在省人大会堂……"
  deputybot campaign send --delegation 济南市代表团 --delegation 青岛市代表团 --title 视察安排 --at 2026-12-01T09:00`,
	}
	send.run = func(ctx context.Context, e *env, args []string) int { return campaignSend(ctx, e, send, args) }
	register(send)

	status := &command{
		name: "campaign status", summary: "show a campaign's progress",
		usage: "ID [--config FILE]",
		help: `Prints a campaign's status (and why it paused, if it did) and its
deliveries counted by status: 已发送 means WeChat accepted the message,
已送达 that WeChat reported it delivered, 已阅读 that the deputy opened it.

Example:
  deputybot campaign status 12`,
	}
	status.run = func(ctx context.Context, e *env, args []string) int {
		return withCampaign(ctx, e, status, args, func(cfg config.Config, svc *core.Services, c core.CampaignDetail) int {
			return printCampaign(ctx, e, cfg, svc, c)
		})
	}
	register(status)

	pause := &command{
		name: "campaign pause", summary: "hold a campaign's unsent deliveries",
		usage: "ID [--reason TEXT] [--as USERNAME] [--config FILE]",
		help: `Holds a scheduled or sending campaign: nothing more goes out until
'deputybot campaign resume'. Messages already sent stay sent. The audit log
records it, naming the --as account or you.

Example:
  deputybot campaign pause 12 --reason 正文有误，修改后再发`,
	}
	pause.run = func(ctx context.Context, e *env, args []string) int {
		fs := pause.flags(e)
		reason := fs.String("reason", "", "why, shown by campaign status")
		as := asFlag(fs)
		return withCampaignFlags(ctx, e, pause, fs, args, func(_ config.Config, svc *core.Services, c core.CampaignDetail) int {
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			_, err := svc.Campaigns.Pause(ctx, by, c.ID, strings.TrimSpace(*reason))
			return transition(e, c, "paused", err)
		})
	}
	register(pause)

	resume := &command{
		name: "campaign resume", summary: "release a paused campaign",
		usage: "ID [--as USERNAME] [--config FILE]",
		help: `Releases a paused campaign: its held deliveries are sent again (or, if its
time has not come yet, it waits for it). The audit log records it.

Example:
  deputybot campaign resume 12`,
	}
	resume.run = func(ctx context.Context, e *env, args []string) int {
		fs := resume.flags(e)
		as := asFlag(fs)
		return withCampaignFlags(ctx, e, resume, fs, args, func(_ config.Config, svc *core.Services, c core.CampaignDetail) int {
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			_, err := svc.Campaigns.Resume(ctx, by, c.ID)
			return transition(e, c, "resumed", err)
		})
	}
	register(resume)

	cancel := &command{
		name: "campaign cancel", summary: "stop a campaign for good",
		usage: "ID [--yes] [--as USERNAME] [--config FILE]",
		help: `Cancels a scheduled, sending or paused campaign: its unsent deliveries are
dropped. This cannot be undone (send a new campaign instead), so it asks
for confirmation on standard input unless --yes is given. The audit log
records it, naming the --as account or you.

Example:
  deputybot campaign cancel 12
  deputybot campaign cancel 12 --yes`,
	}
	cancel.run = func(ctx context.Context, e *env, args []string) int {
		fs := cancel.flags(e)
		yes := fs.Bool("yes", false, "do not ask for confirmation")
		as := asFlag(fs)
		return withCampaignFlags(ctx, e, cancel, fs, args, func(_ config.Config, svc *core.Services, c core.CampaignDetail) int {
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			if c.Status == model.CampaignDone || c.Status == model.CampaignCancelled {
				return transition(e, c, "cancelled", model.ErrConflict)
			}
			if !*yes {
				ok, code := confirmCancel(e, c)
				if !ok {
					return code
				}
			}
			_, err := svc.Campaigns.Cancel(ctx, by, c.ID)
			return transition(e, c, "cancelled", err)
		})
	}
	register(cancel)
}

// audienceFlags collects --all, --delegation and --deputy-ids.
type audienceFlags struct {
	all         bool
	delegations stringList
	ids         string
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// audience turns the flags into exactly one kind of audience.
func (f audienceFlags) audience() (model.Audience, error) {
	n := 0
	for _, set := range []bool{f.all, len(f.delegations) > 0, f.ids != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return model.Audience{}, errors.New("give exactly one of --all, --delegation NAME or --deputy-ids 1,2,3")
	}
	a := model.Audience{All: f.all, Delegations: f.delegations}
	if f.ids != "" {
		for _, s := range strings.Split(f.ids, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || id <= 0 {
				return a, fmt.Errorf("--deputy-ids: %q is not a deputy id", s)
			}
			a.DeputyIDs = append(a.DeputyIDs, id)
		}
	}
	return a, nil
}

// parseAt reads --at in loc; it must not be in the past.
func parseAt(s string, loc *time.Location, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	for _, layout := range atLayouts {
		if err == nil {
			break
		}
		t, err = time.ParseInLocation(layout, s, loc)
	}
	if err != nil {
		return t, fmt.Errorf("--at %q: use local time like 2026-12-01T09:00", s)
	}
	if t.Before(now.Add(-time.Minute)) {
		return t, fmt.Errorf("--at %s is in the past", t.In(loc).Format("2006-01-02 15:04"))
	}
	return t, nil
}

func campaignSend(ctx context.Context, e *env, c *command, args []string) int {
	fs := c.flags(e)
	path := configFlag(fs)
	kind := fs.String("kind", model.KindGeneral, "notice kind")
	title := fs.String("title", "", "the notice's title (the template message shows at most 20 characters)")
	body := fs.String("body", "", "the full text, shown on the page the message links to")
	urgent := fs.Bool("urgent", false, "send during quiet hours too")
	at := fs.String("at", "", "start time, local (2026-12-01T09:00); default now")
	as := asFlag(fs)
	var af audienceFlags
	fs.BoolVar(&af.all, "all", false, "every deputy")
	fs.Var(&af.delegations, "delegation", "deputies of this delegation (repeatable)")
	fs.StringVar(&af.ids, "deputy-ids", "", "these deputies, by id, comma-separated")
	if code, ok := c.parse(e, fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, c, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	aud, err := af.audience()
	if err != nil {
		return usageError(e, c, err.Error())
	}
	cfg, ok := loadConfig(e, *path)
	if !ok {
		return exitUsage
	}
	loc := cfg.Location()
	sendAt, err := parseAt(*at, loc, time.Now())
	if err != nil {
		return usageError(e, c, err.Error())
	}
	in := core.CampaignInput{Kind: *kind, Title: *title, Body: *body, Urgent: *urgent, Audience: aud,
		Fields: map[string]string{"note": firstLine(*body)}}
	if !sendAt.IsZero() {
		in.SendAt = sendAt.Format(time.RFC3339)
	}
	db, ok := openDB(ctx, e, cfg, true)
	if !ok {
		return exitFailure
	}
	defer db.Close()
	svc := newServices(db, cfg)
	by, ok := operator(ctx, e, svc, *as)
	if !ok {
		return exitUsage
	}
	count, err := svc.Campaigns.CountAudience(ctx, by, aud)
	if err != nil {
		return campaignRefused(e, c, err)
	}
	if count.Total == 0 {
		fmt.Fprintln(e.stderr, "deputybot campaign send: no deputy matches this audience (check the delegation names or ids); nothing was created")
		return exitFailure
	}
	camp, err := svc.Campaigns.Create(ctx, by, in)
	if err != nil {
		return campaignRefused(e, c, err)
	}
	fmt.Fprintf(e.stdout, "campaign %d created: %s “%s”\n", camp.ID, model.KindLabels[camp.Notice.Kind], camp.Notice.Title)
	fmt.Fprintf(e.stdout, "audience: %d deputies, %d reachable (bound to WeChat, following, in office)\n", count.Total, count.Reachable)
	if count.Reachable == 0 {
		fmt.Fprintln(e.stderr, "note: nobody in this audience can receive it now (none is bound to WeChat and following)")
	}
	if sendAt.IsZero() {
		fmt.Fprintln(e.stdout, "sending starts now (a running deputybot serve sends it)")
	} else {
		fmt.Fprintf(e.stdout, "scheduled for %s (%s)\n", sendAt.In(loc).Format("2006-01-02 15:04"), loc)
	}
	fmt.Fprintf(e.stdout, "follow it with: deputybot campaign status %d\n", camp.ID)
	return exitOK
}

// campaignRefused reports why core refused: each field's problem (a
// usage error), or the refusal.
func campaignRefused(e *env, c *command, err error) int {
	if verr, ok := core.Fields(err); ok {
		msgs := make([]string, len(verr))
		for i, f := range verr {
			msgs[i] = fieldText(f)
		}
		return usageError(e, c, strings.Join(msgs, "；"))
	}
	if msg := core.Message(err); msg != "" {
		err = errors.New(msg)
	}
	fmt.Fprintf(e.stderr, "deputybot %s: %v\n", c.name, err)
	return exitFailure
}

// fieldText words a field's problem as a sentence: 标题不能为空, 链接：应为….
func fieldText(f *core.FieldError) string {
	if strings.HasPrefix(f.Msg, "不能") || strings.HasPrefix(f.Msg, "应") {
		return f.Label + f.Msg
	}
	return f.Label + "：" + f.Msg
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return notify.FieldValue(s)
}

func usageError(e *env, c *command, msg string) int {
	fmt.Fprintf(e.stderr, "deputybot %s: %s\n(see deputybot %s --help)\n", c.name, msg, c.name)
	return exitUsage
}

type campaignFunc func(config.Config, *core.Services, core.CampaignDetail) int

func withCampaign(ctx context.Context, e *env, c *command, args []string, fn campaignFunc) int {
	return withCampaignFlags(ctx, e, c, c.flags(e), args, fn)
}

// withCampaignFlags parses ID and fs's flags (plus --config), opens the
// database and the use cases over it, and loads the campaign.
func withCampaignFlags(ctx context.Context, e *env, c *command, fs *flag.FlagSet, args []string, fn campaignFunc) int {
	path := configFlag(fs)
	ref, code, ok := fileArg(c, e, fs, args)
	if !ok {
		return code
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
	if err != nil || id <= 0 {
		return usageError(e, c, fmt.Sprintf("%q is not a campaign id", ref))
	}
	cfg, ok := loadConfig(e, *path)
	if !ok {
		return exitUsage
	}
	db, ok := openDB(ctx, e, cfg, true)
	if !ok {
		return exitFailure
	}
	defer db.Close()
	svc := newServices(db, cfg)
	camp, err := svc.Campaigns.Get(ctx, core.CLIActor(model.Account{}, osUser(e)), id)
	if errors.Is(err, model.ErrNotFound) {
		fmt.Fprintf(e.stderr, "deputybot %s: there is no campaign %d\n", c.name, id)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "deputybot %s: %v\n", c.name, err)
		return exitFailure
	}
	return fn(cfg, svc, camp)
}

func printCampaign(ctx context.Context, e *env, cfg config.Config, svc *core.Services, c core.CampaignDetail) int {
	printCampaignCounts(e.stdout, cfg.Location(), c.Campaign, c.Notice, c.Counts)
	if err := printFailures(ctx, e, svc, c.ID, c.Counts[model.DeliveryFailed]); err != nil {
		fmt.Fprintf(e.stderr, "deputybot campaign status: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func printCampaignCounts(w io.Writer, loc *time.Location, c model.Campaign, n model.Notice, counts map[string]int) {
	fmt.Fprintf(w, "campaign %d: %s “%s”\n", c.ID, model.KindLabels[n.Kind], n.Title)
	fmt.Fprintf(w, "status:   %s (%s)\n", model.CampaignLabel(c.Status), c.Status)
	if c.Reason != "" {
		fmt.Fprintf(w, "reason:   %s\n", c.Reason)
	}
	fmt.Fprintf(w, "send at:  %s\n", c.SendAt.In(loc).Format("2006-01-02 15:04"))
	if c.FinishedAt.Valid {
		fmt.Fprintf(w, "finished: %s\n", c.FinishedAt.Time.In(loc).Format("2006-01-02 15:04:05"))
	}
	total := 0
	for _, k := range counts {
		total += k
	}
	if !c.ExpandedAt.Valid {
		fmt.Fprintf(w, "deliveries: %d so far (the audience is not fully written yet)\n", total)
	} else {
		fmt.Fprintf(w, "deliveries: %d\n", total)
	}
	for _, s := range deliveryOrder {
		if k, ok := counts[s]; ok {
			fmt.Fprintf(w, "  %s %-10s %6d\n", model.DeliveryLabel(s), s, k)
		}
	}
}

// printFailures lists a few failure reasons, so staff see why without a query.
func printFailures(ctx context.Context, e *env, svc *core.Services, id int64, failed int) error {
	if failed == 0 {
		return nil
	}
	ds, _, err := svc.Campaigns.Deliveries(ctx, core.CLIActor(model.Account{}, osUser(e)),
		model.CampaignDeliveryFilter{CampaignID: id, Status: model.DeliveryFailed, Limit: 5})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "failures (first 5):")
	for _, d := range ds {
		fmt.Fprintf(e.stdout, "  deputy %d: %s\n", d.DeputyID, d.Reason)
	}
	return nil
}

// confirmCancel asks on stdin (the process's: env carries no input; tests
// replace it); ok is false when the command must stop.
func confirmCancel(e *env, c core.CampaignDetail) (ok bool, code int) {
	counts := c.Counts
	unsent := counts[model.DeliveryQueued] + counts[model.DeliveryRetry] + counts[model.DeliveryHeld]
	sent := core.SentCount(counts)
	fmt.Fprintf(e.stderr, "Cancel campaign %d (%s)? %d messages already sent stay sent; %d unsent are dropped.\n"+
		"This cannot be undone. Type yes to cancel: ", c.ID, model.CampaignLabel(c.Status), sent, unsent)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(e.stderr, "\nno answer on standard input; nothing changed (use --yes to cancel without asking)")
		return false, exitFailure
	}
	if a := strings.ToLower(strings.TrimSpace(line)); a != "yes" && a != "y" {
		fmt.Fprintln(e.stderr, "not cancelled")
		return false, exitFailure
	}
	return true, 0
}

// transition reports the outcome of pause, resume or cancel.
func transition(e *env, c core.CampaignDetail, done string, err error) int {
	if errors.Is(err, model.ErrConflict) {
		fmt.Fprintf(e.stderr, "campaign %d is %s (%s); it cannot be %s\n", c.ID, model.CampaignLabel(c.Status), c.Status, done)
		return exitFailure
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "deputybot: campaign %d: %v\n", c.ID, err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "campaign %d %s\n", c.ID, done)
	return exitOK
}
