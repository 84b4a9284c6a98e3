package notify

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// conversational kinds may go as a customer-service message to a deputy
// who wrote to the account within 48 hours.
var conversational = map[string]bool{model.KindRatingRequest: true, model.KindReminder: true, model.KindMessageReply: true,
	model.KindCosign: true}

// withBody are the kinds whose customer-service message carries the
// notice's text (staff's answer to a message), not only its title: the
// answer is read in the chat, the link keeps the whole of it.
var withBody = map[string]bool{model.KindMessageReply: true}

// customBodyRunes bounds the text a customer-service message carries:
// WeChat cuts long texts, and the detail page holds the rest.
const customBodyRunes = 600

// answerHint is how a push that asks for an answer says to give it: the
// link's words and the replies the chat understands.
type answerHint struct{ link, replies string }

// hintFor returns the answer hint of a notice that asks for an answer.
func hintFor(n model.Notice) (answerHint, bool) {
	switch {
	case n.Kind == model.KindRatingRequest || (n.Kind == model.KindReminder && n.RefKind == "suggestion"):
		return answerHint{"点此测评", "满意 / 基本满意 / 不满意"}, true
	case n.Kind == model.KindCosign:
		return answerHint{"点此查看建议", "同意 / 不同意"}, true
	case n.Kind == model.KindReminder && n.RefKind == "meeting" && strings.HasPrefix(n.Title, "请回复"):
		return answerHint{"点此回复", "参加 / 请假"}, true
	}
	return answerHint{}, false
}

// customText is the customer-service message of notice n linking to url.
// A push that asks for an answer has a tappable link and says what to
// reply; staff's answers (to a message, to an opinion) and RSVP reminders
// carry their text.
func customText(n model.Notice, url string) string {
	var b strings.Builder
	b.WriteString(n.Title)
	hint, asks := hintFor(n)
	if body := strings.TrimSpace(n.Body); body != "" && (withBody[n.Kind] || n.RefKind == "opinion" || asks) {
		if r := []rune(body); len(r) > customBodyRunes {
			body = string(r[:customBodyRunes]) + "……（全文见下方链接）"
		}
		b.WriteString("\n" + body)
	}
	if !asks {
		b.WriteString("\n" + url)
		return b.String()
	}
	fmt.Fprintf(&b, "\n<a href=\"%s\">%s</a>\n也可直接回复：%s", html.EscapeString(url), hint.link, hint.replies)
	return b.String()
}

// Template maps a notice kind to a WeChat template and its keywords: each
// keyword takes the notice field named (title, or a key of Notice.Fields).
type Template struct {
	ID     string
	Fields map[string]string // keyword (thing1) -> notice field (title)
}

// Config tunes the outbox.
type Config struct {
	PublicURL     string
	Templates     map[string]Template
	RatePerSecond float64 // 0 means no limit (benchmarks)
	QuietHours    string  // "22:00-07:00" or empty
	DailyQuota    int     // template messages per day
	Loc           *time.Location
	BatchSize     int           // deliveries claimed at once; default 200
	Workers       int           // concurrent sends; default 16
	Lease         time.Duration // how long a claim lasts; default 2 min
	MaxAttempts   int           // before a retryable error becomes failed; default 8
	// A campaign pauses itself when at least PauseMinFailures deliveries
	// failed and they are more than PauseFailureRatio of those attempted.
	PauseMinFailures  int     // default 20
	PauseFailureRatio float64 // default 0.3
}

func (c *Config) defaults() {
	if c.Loc == nil {
		c.Loc = time.UTC
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 200
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.DailyQuota <= 0 {
		c.DailyQuota = 100000
	}
	if c.PauseMinFailures <= 0 {
		c.PauseMinFailures = 20
	}
	if c.PauseFailureRatio <= 0 {
		c.PauseFailureRatio = 0.3
	}
}

// Outbox creates campaigns and runs their lifecycle.
type Outbox struct {
	db  *storage.DB
	cfg Config
	log *slog.Logger
	now func() time.Time

	tmu     sync.Mutex
	tsource TemplateSource
	tmerged map[string]Template // cfg.Templates with the source's overrides
	tread   time.Time           // when tmerged was built; zero: never

	dmu     sync.Mutex
	dsource DeliverySource
	dcur    DeliveryOverride // the configuration with the source's override
	dread   time.Time        // when dcur was read; zero: never
}

// New returns the outbox. Template mappings saved in the database (the
// console's settings) override the configured ones, kind by kind.
func New(db *storage.DB, cfg Config, log *slog.Logger) *Outbox {
	cfg.defaults()
	return &Outbox{db: db, cfg: cfg, log: log, now: time.Now, tsource: DBTemplates(db), dsource: DBDelivery(db)}
}

// DeliveryOverride is the quiet hours and send rate saved in the console:
// they replace the configured ones, both together.
type DeliveryOverride struct {
	QuietHours    string  // "22:00-07:00" or empty for none
	RatePerSecond float64 // > 0
}

// DeliverySource returns the saved delivery override, or nil when the
// configuration applies.
type DeliverySource func(ctx context.Context) (*DeliveryOverride, error)

// DBDelivery is the delivery override saved in the database's settings.
func DBDelivery(db *storage.DB) DeliverySource {
	return func(ctx context.Context) (*DeliveryOverride, error) {
		saved, err := db.DeliverySetting(ctx)
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &DeliveryOverride{QuietHours: saved.QuietHours, RatePerSecond: saved.RatePerSecond}, nil
	}
}

// SetDeliverySource replaces where the delivery override comes from; nil
// uses the configuration alone.
func (o *Outbox) SetDeliverySource(src DeliverySource) {
	o.dmu.Lock()
	defer o.dmu.Unlock()
	o.dsource, o.dread = src, time.Time{}
}

// ReloadDelivery makes the next dispatch read the delivery source again
// (after this instance saved a change).
func (o *Outbox) ReloadDelivery() {
	o.dmu.Lock()
	defer o.dmu.Unlock()
	o.dread = time.Time{}
}

// delivery returns the effective quiet hours and rate, reading the source
// at most every templateRefresh. When the source fails the last value stays.
func (o *Outbox) delivery(ctx context.Context) DeliveryOverride {
	o.dmu.Lock()
	defer o.dmu.Unlock()
	now := o.now()
	if age := now.Sub(o.dread); !o.dread.IsZero() && age >= 0 && age < templateRefresh {
		return o.dcur
	}
	cur := DeliveryOverride{QuietHours: o.cfg.QuietHours, RatePerSecond: o.cfg.RatePerSecond}
	if o.dsource != nil {
		over, err := o.dsource(ctx)
		switch {
		case err != nil:
			o.log.Warn("delivery settings not read; keeping the last ones", "err", err)
			if !o.dread.IsZero() {
				o.dread = now
				return o.dcur
			}
		case over != nil:
			cur = *over
		}
	}
	o.dcur, o.dread = cur, now
	return cur
}

// TemplateSource returns template mappings that replace the configured
// ones for the kinds it names.
type TemplateSource func(ctx context.Context) (map[string]Template, error)

// templateRefresh is how often the template source is read at most: a
// change in the console reaches every instance within it.
const templateRefresh = 30 * time.Second

// DBTemplates is the template mappings saved in the database's settings.
func DBTemplates(db *storage.DB) TemplateSource {
	return func(ctx context.Context) (map[string]Template, error) {
		saved, err := db.TemplateSettings(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[string]Template, len(saved))
		for kind, t := range saved {
			out[kind] = Template{ID: t.ID, Fields: t.Fields}
		}
		return out, nil
	}
}

// SetTemplateSource replaces where template overrides come from; nil
// uses the configuration alone.
func (o *Outbox) SetTemplateSource(src TemplateSource) {
	o.tmu.Lock()
	defer o.tmu.Unlock()
	o.tsource, o.tread = src, time.Time{}
}

// ReloadTemplates makes the next lookup read the source again (after this
// instance saved a change).
func (o *Outbox) ReloadTemplates() {
	o.tmu.Lock()
	defer o.tmu.Unlock()
	o.tread = time.Time{}
}

// templates returns the effective mapping, reading the source at most
// every templateRefresh. When the source fails the last mapping stays.
func (o *Outbox) templates(ctx context.Context) map[string]Template {
	o.tmu.Lock()
	defer o.tmu.Unlock()
	now := o.now()
	if age := now.Sub(o.tread); o.tmerged != nil && !o.tread.IsZero() && age >= 0 && age < templateRefresh {
		return o.tmerged
	}
	var over map[string]Template
	if o.tsource != nil {
		var err error
		if over, err = o.tsource(ctx); err != nil {
			o.log.Warn("template settings not read; keeping the last mapping", "err", err)
			if o.tmerged != nil {
				o.tread = now // try again after templateRefresh, not on every send
				return o.tmerged
			}
			over = nil
		}
	}
	merged := make(map[string]Template, len(o.cfg.Templates)+len(over))
	for k, t := range o.cfg.Templates {
		merged[k] = t
	}
	for k, t := range over {
		merged[k] = t
	}
	o.tmerged, o.tread = merged, now
	return merged
}

// SetClock injects a clock (tests).
func (o *Outbox) SetClock(now func() time.Time) { o.now = now }

// Errors of campaign operations.
var (
	ErrBadState = errors.New("notify: the campaign is not in a state that allows this")
)

// Template returns the template of a notice kind: the saved override, or
// the configured one.
func (o *Outbox) Template(kind string) (Template, bool) {
	t, ok := o.templates(context.Background())[kind]
	return t, ok
}

// FieldValue cuts a template keyword value to WeChat's 20 characters,
// without line breaks, at a character boundary.
func FieldValue(s string) string {
	s = strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
	if utf8.RuneCountInString(s) <= 20 {
		return s
	}
	r := []rune(s)
	return string(r[:19]) + "…"
}

// Validate checks a notice and its audience before a campaign is created.
func (o *Outbox) Validate(n model.Notice) error {
	if strings.TrimSpace(n.Title) == "" {
		return errors.New("标题不能为空")
	}
	if _, ok := model.KindLabels[n.Kind]; !ok {
		return fmt.Errorf("未知的通知类型 %q", n.Kind)
	}
	return nil
}

// CreateCampaign stores a notice and a campaign sending it to audience at
// sendAt (zero: now).
func (o *Outbox) CreateCampaign(ctx context.Context, n *model.Notice, a model.Audience, sendAt time.Time) (model.Campaign, error) {
	if err := o.Validate(*n); err != nil {
		return model.Campaign{}, err
	}
	c := model.Campaign{Audience: a, SendAt: sendAt}
	if c.SendAt.IsZero() {
		c.SendAt = o.now()
	}
	if err := o.db.CreateCampaign(ctx, n, &c); err != nil {
		return c, err
	}
	return c, nil
}

// Pause holds a campaign's waiting deliveries: the dispatcher's own pause
// when too many sends fail. Staff pause, resume and cancel campaigns
// through core.Campaigns, which audits each.
func (o *Outbox) Pause(ctx context.Context, id int64, reason string) error {
	return o.transition(ctx, id, []string{model.CampaignScheduled, model.CampaignSending}, model.CampaignPaused, reason)
}

func (o *Outbox) transition(ctx context.Context, id int64, from []string, to, reason string) error {
	ok, err := o.db.SetCampaignStatus(ctx, id, from, to, reason)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadState
	}
	return nil
}

// expandBatch bounds the audience rows held in memory at once.
const expandBatch = 1000

// ExpandDue writes the deliveries of every campaign whose time has come
// and returns how many rows it considered. Several instances may run it
// at once: claiming a campaign is atomic and rows are unique.
func (o *Outbox) ExpandDue(ctx context.Context) (int, error) {
	due, err := o.db.DueCampaigns(ctx, o.now())
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range due {
		ok, err := o.db.ClaimCampaign(ctx, c.ID)
		if err != nil || !ok {
			if err != nil {
				return total, err
			}
			continue
		}
		n, err := o.Expand(ctx, c)
		total += n
		if err != nil {
			return total, err
		}
	}
	// A campaign whose expansion was cut short by a crash is finished by
	// whoever comes next: rows already written are left alone.
	stale, err := o.db.StaleExpansions(ctx, o.now().Add(-o.cfg.Lease))
	if err != nil {
		return total, err
	}
	for _, c := range stale {
		n, err := o.Expand(ctx, c)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, o.finishCampaigns(ctx)
}

// finishCampaigns marks done the expanded campaigns with nothing left to
// send. The dispatcher checks only the campaigns of the batch it just
// recorded, which misses a campaign whose last batch was recorded before
// its expansion was marked (another instance, or the due-campaigns job,
// expanding while this one sends), one that no batch ever touches (nobody
// in the audience is reachable), and a crash between recording a batch
// and checking it.
func (o *Outbox) finishCampaigns(ctx context.Context) error {
	ids, err := o.db.SendingCampaigns(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	finished, err := o.db.UnfinishedCampaigns(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range finished {
		if _, err := o.db.SetCampaignStatus(ctx, id, []string{model.CampaignSending}, model.CampaignDone, ""); err != nil {
			return err
		}
	}
	return nil
}

// Expand writes a campaign's deliveries in batches.
func (o *Outbox) Expand(ctx context.Context, c model.Campaign) (int, error) {
	n, err := o.db.GetNotice(ctx, c.NoticeID)
	if err != nil {
		return 0, err
	}
	source := "c" + strconv.FormatInt(c.ID, 10)
	var asks []model.Ask
	if n.RefKind == "survey" && n.RefID > 0 {
		// An announced survey is answered from the chat: its push leaves a pending ask.
		asks = append(asks, model.Ask{Flow: "survey", RefID: n.RefID, Title: n.Title})
	}
	var after int64
	total := 0
	start := time.Now()
	for {
		last, k, err := o.db.ExpandBatch(ctx, c, source, n.Urgent, after, expandBatch, asks...)
		if err != nil {
			return total, err
		}
		if k == 0 {
			break
		}
		total += k
		after = last
	}
	if err := o.db.MarkExpanded(ctx, c.ID); err != nil {
		return total, err
	}
	o.log.Info("campaign expanded", "campaign", c.ID, "recipients", total, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	return total, nil
}
