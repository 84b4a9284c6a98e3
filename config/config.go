// Package config holds deputybot's typed configuration: defaults in code,
// then a YAML file, then DEPUTYBOT_* environment variables, then Validate.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Config is the whole configuration. YAML paths are the lower-case tags;
// the environment form of http.public_url is DEPUTYBOT_HTTP_PUBLIC_URL.
type Config struct {
	HTTP         HTTP         `yaml:"http"`
	Database     Database     `yaml:"database"`
	WeChat       WeChat       `yaml:"wechat"`
	Timezone     string       `yaml:"timezone"`
	Delivery     Delivery     `yaml:"delivery"`
	Conversation Conversation `yaml:"conversation"`
	Inbox        Inbox        `yaml:"inbox"`
	Log          Log          `yaml:"log"`
	Scheduler    Scheduler    `yaml:"scheduler"`
	Sim          Sim          `yaml:"sim"`
	// TextsDir is a directory of *.tmpl files overriding the texts deputies
	// read (see templates/messages.tmpl); empty uses the built-in texts.
	TextsDir string `yaml:"texts_dir"`
	// Demo seeds demo deputies on first start. It defaults to true in
	// simulator mode only; set it to false to start with an empty registry.
	Demo *bool `yaml:"demo"`
}

// HTTP is the web server.
type HTTP struct {
	Addr      string `yaml:"addr"`
	PublicURL string `yaml:"public_url"`
	// DebugAddr, when set, serves Go's profiler (net/http/pprof) on a
	// loopback address of its own, e.g. 127.0.0.1:6060; empty serves none.
	DebugAddr string `yaml:"debug_addr"`
}

// Database selects the SQL backend.
type Database struct {
	Driver string `yaml:"driver"`
	DSN    string `yaml:"dsn" secret:"dsn"`
}

// WeChat is the official account.
type WeChat struct {
	AppID          string                    `yaml:"app_id"`
	AppSecret      string                    `yaml:"app_secret" secret:"true"`
	Token          string                    `yaml:"token" secret:"true"`
	EncodingAESKey string                    `yaml:"encoding_aes_key" secret:"true"`
	APIBase        string                    `yaml:"api_base"`
	Templates      map[string]TemplateConfig `yaml:"templates"`
	// Menu is the custom menu `deputybot menu sync` creates; empty means
	// the built-in default (学习材料 | 会议活动 | 我的 ▸ …).
	Menu []MenuButton `yaml:"menu"`
}

// MenuButton is one custom-menu button: a CLICK button has a key, a VIEW
// button a url, a parent has sub_buttons (at most 5; at most 3 top buttons).
type MenuButton struct {
	Name       string       `yaml:"name" json:"name"`
	Key        string       `yaml:"key,omitempty" json:"key,omitempty"`
	URL        string       `yaml:"url,omitempty" json:"url,omitempty"`
	SubButtons []MenuButton `yaml:"sub_buttons,omitempty" json:"sub_buttons,omitempty"`
}

// TemplateConfig maps a notice kind to a WeChat template and its keyword fields.
type TemplateConfig struct {
	ID     string            `yaml:"id"`
	Fields map[string]string `yaml:"fields"`
}

// Delivery tunes the outbox dispatcher.
type Delivery struct {
	RatePerSecond float64 `yaml:"rate_per_second"`
	QuietHours    string  `yaml:"quiet_hours"`
	DailyQuota    int     `yaml:"daily_quota"`
	// Lease is how long a dispatcher owns a claimed delivery; after a crash
	// the delivery is sent again (with the same client_msg_id) once it ends.
	Lease time.Duration `yaml:"lease"`
	// Concurrency is how many sends one instance has in flight at once.
	Concurrency int `yaml:"concurrency"`
}

// Conversation tunes the chat engine.
type Conversation struct {
	IdleTimeout time.Duration `yaml:"idle_timeout"`
}

// Inbox tunes the messages (留言) followers leave in the chat.
type Inbox struct {
	// PublicDailyLimit is how many messages one follower who is not a
	// deputy may leave per day (China time); deputies are not limited.
	PublicDailyLimit int `yaml:"public_daily_limit"`
	// StationDailyLimit is how many opinions (群众意见) one follower may
	// leave at one liaison station's page per day (China time).
	StationDailyLimit int `yaml:"station_daily_limit"`
}

// Scheduler configures the background jobs (`deputybot job list`).
type Scheduler struct {
	// Enabled runs the jobs in serve. Of several instances sharing one
	// MySQL only one runs them anyway; false leaves this instance out.
	Enabled bool `yaml:"enabled"`
	// Jobs overrides a job's schedule by name: a 5-field cron spec in the
	// configured time zone ("40 3 * * *"), or "off".
	Jobs map[string]string `yaml:"jobs"`
}

// Sim tunes simulator mode (no wechat.app_id).
type Sim struct {
	// AllowRemote lets simulator mode listen on http.addr as given. By
	// default it listens on the loopback interface only: the simulator
	// lets whoever reaches it act as any WeChat user. With it, the phone
	// page (and its transcripts) opens only with the key printed at start.
	AllowRemote bool `yaml:"allow_remote"`
}

// Log selects the log level and format.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Default returns the configuration used when nothing else is given.
func Default() Config {
	return Config{
		HTTP:     HTTP{Addr: ":8080"},
		Database: Database{Driver: "sqlite", DSN: "./data/deputybot.db"},
		WeChat: WeChat{
			APIBase: "https://api.weixin.qq.com",
		},
		Timezone:     "Asia/Shanghai",
		Delivery:     Delivery{RatePerSecond: 20, QuietHours: "22:00-07:30", DailyQuota: 100000, Lease: 2 * time.Minute, Concurrency: 16},
		Conversation: Conversation{IdleTimeout: 30 * time.Minute},
		Inbox:        Inbox{PublicDailyLimit: 5, StationDailyLimit: 5},
		Log:          Log{Level: "info", Format: "text"},
		Scheduler:    Scheduler{Enabled: true},
	}
}

// Simulated reports whether no WeChat account is configured, in which case
// the server runs against the built-in fake WeChat platform.
func (c Config) Simulated() bool { return c.WeChat.AppID == "" }

// DemoData reports whether demo deputies should be seeded on first start.
func (c Config) DemoData() bool {
	if c.Demo != nil {
		return *c.Demo
	}
	return c.Simulated()
}

// Load builds the configuration from defaults, the YAML file at path (if
// path is not empty) and the environment. It does not validate.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, Errors{fmt.Errorf("config file: %w", err)}
		}
		if err := yaml.UnmarshalWithOptions(data, &cfg, yaml.DisallowUnknownField()); err != nil {
			return cfg, Errors{fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, true))}
		}
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	cfg.HTTP.PublicURL = strings.TrimRight(cfg.HTTP.PublicURL, "/")
	cfg.WeChat.APIBase = strings.TrimRight(cfg.WeChat.APIBase, "/")
	return cfg, nil
}

// Errors lists every invalid key found by Validate.
type Errors []error

func (e Errors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "\n")
}

var quietHoursRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)

// Validate checks every key and returns an Errors naming each bad one.
func (c Config) Validate() error {
	var errs Errors
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.HTTP.Addr == "" {
		bad("http.addr", "must not be empty (e.g. \":8080\")")
	}
	if c.HTTP.DebugAddr != "" {
		host, _, err := net.SplitHostPort(c.HTTP.DebugAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			bad("http.debug_addr", "%q must be a loopback address such as 127.0.0.1:6060: the profiler shows the process's memory", c.HTTP.DebugAddr)
		}
	}
	if c.HTTP.PublicURL != "" {
		if u, err := url.Parse(c.HTTP.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("http.public_url", "%q is not an http(s) URL", c.HTTP.PublicURL)
		}
	}
	switch c.Database.Driver {
	case "sqlite", "mysql":
	default:
		bad("database.driver", "%q is not supported: use sqlite or mysql", c.Database.Driver)
	}
	if c.Database.DSN == "" {
		bad("database.dsn", "must not be empty")
	}
	if u, err := url.Parse(c.WeChat.APIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("wechat.api_base", "%q is not an http(s) URL", c.WeChat.APIBase)
	}
	if c.WeChat.AppID != "" {
		if c.WeChat.AppSecret == "" {
			bad("wechat.app_secret", "required when wechat.app_id is set")
		}
		if c.WeChat.Token == "" {
			bad("wechat.token", "required when wechat.app_id is set")
		}
	}
	if k := c.WeChat.EncodingAESKey; k != "" && len(k) != 43 {
		bad("wechat.encoding_aes_key", "must be 43 characters, got %d", len(k))
	}
	if len(c.WeChat.Menu) > 3 {
		bad("wechat.menu", "has %d top buttons; WeChat allows at most 3", len(c.WeChat.Menu))
	}
	for i, b := range c.WeChat.Menu {
		key := fmt.Sprintf("wechat.menu[%d]", i)
		if len(b.SubButtons) > 5 {
			bad(key+".sub_buttons", "has %d buttons; WeChat allows at most 5", len(b.SubButtons))
		}
		for j, sb := range append([]MenuButton{b}, b.SubButtons...) {
			k := key
			if j > 0 {
				k = fmt.Sprintf("%s.sub_buttons[%d]", key, j-1)
			}
			if sb.Name == "" {
				bad(k+".name", "must not be empty")
			}
			if (j > 0 || len(b.SubButtons) == 0) && (sb.Key == "") == (sb.URL == "") {
				bad(k, "needs exactly one of key (a click) or url (a link)")
			}
		}
	}
	if c.TextsDir != "" {
		if st, err := os.Stat(c.TextsDir); err != nil || !st.IsDir() {
			bad("texts_dir", "%q is not a directory", c.TextsDir)
		}
	}
	for kind, t := range c.WeChat.Templates {
		if t.ID == "" {
			bad("wechat.templates."+kind+".id", "must not be empty")
		}
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		bad("timezone", "%q is not a time zone name (e.g. Asia/Shanghai)", c.Timezone)
	}
	if c.Delivery.RatePerSecond <= 0 {
		bad("delivery.rate_per_second", "must be greater than 0, got %v", c.Delivery.RatePerSecond)
	}
	if c.Delivery.QuietHours != "" && !quietHoursRE.MatchString(c.Delivery.QuietHours) {
		bad("delivery.quiet_hours", "%q must look like 22:00-07:00 (or be empty for none)", c.Delivery.QuietHours)
	}
	if c.Delivery.DailyQuota <= 0 {
		bad("delivery.daily_quota", "must be greater than 0, got %d", c.Delivery.DailyQuota)
	}
	if c.Delivery.Concurrency < 1 || c.Delivery.Concurrency > 256 {
		bad("delivery.concurrency", "must be between 1 and 256, got %d", c.Delivery.Concurrency)
	}
	if c.Delivery.Lease < time.Second || c.Delivery.Lease > 9*time.Minute {
		bad("delivery.lease", "must be between 1s and 9m (inside WeChat's 10-minute client_msg_id window), got %s", c.Delivery.Lease)
	}
	if c.Conversation.IdleTimeout < time.Minute {
		bad("conversation.idle_timeout", "must be at least 1m, got %s", c.Conversation.IdleTimeout)
	}
	if c.Inbox.PublicDailyLimit < 1 || c.Inbox.PublicDailyLimit > 1000 {
		bad("inbox.public_daily_limit", "must be between 1 and 1000, got %d", c.Inbox.PublicDailyLimit)
	}
	if c.Inbox.StationDailyLimit < 1 || c.Inbox.StationDailyLimit > 1000 {
		bad("inbox.station_daily_limit", "must be between 1 and 1000, got %d", c.Inbox.StationDailyLimit)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q must be one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q must be text or json", c.Log.Format)
	}
	for name, spec := range c.Scheduler.Jobs {
		if strings.TrimSpace(spec) == "" {
			bad("scheduler.jobs."+name, "must be a cron spec such as \"40 3 * * *\", or off")
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Location returns the configured time zone (Validate has checked it).
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Dump renders the effective configuration as YAML with secrets masked.
func (c Config) Dump() string {
	m := c
	m.WeChat.AppSecret = maskSecret(m.WeChat.AppSecret)
	m.WeChat.Token = maskSecret(m.WeChat.Token)
	m.WeChat.EncodingAESKey = maskSecret(m.WeChat.EncodingAESKey)
	m.Database.DSN = MaskDSN(m.Database.DSN)
	out, err := yaml.MarshalWithOptions(m, yaml.Indent(2))
	if err != nil {
		return fmt.Sprintf("config: cannot render: %v", err)
	}
	return string(out)
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return "******"
}

var dsnPasswordRE = regexp.MustCompile(`^([^:@/]+):([^@]*)@`)

// MaskDSN hides the password of a MySQL DSN (user:pass@tcp(...)/db) or a URL DSN.
func MaskDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "******")
			return u.String()
		}
		return dsn
	}
	return dsnPasswordRE.ReplaceAllString(dsn, "$1:******@")
}

// EnvKeys lists every environment variable Load understands, sorted.
func EnvKeys() []string {
	keys := make([]string, 0, len(envSetters))
	for k := range envSetters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// secretEnv are the variables that may also be given as NAME_FILE, the
// path of a file holding the value.
var secretEnv = map[string]bool{
	"DEPUTYBOT_DATABASE_DSN": true, "DEPUTYBOT_WECHAT_APP_SECRET": true,
	"DEPUTYBOT_WECHAT_TOKEN": true, "DEPUTYBOT_WECHAT_ENCODING_AES_KEY": true,
}

// envSetters maps each DEPUTYBOT_* variable to the key it sets.
var envSetters = map[string]func(*Config, string) error{
	"DEPUTYBOT_HTTP_ADDR":                str(func(c *Config) *string { return &c.HTTP.Addr }),
	"DEPUTYBOT_HTTP_DEBUG_ADDR":          str(func(c *Config) *string { return &c.HTTP.DebugAddr }),
	"DEPUTYBOT_HTTP_PUBLIC_URL":          str(func(c *Config) *string { return &c.HTTP.PublicURL }),
	"DEPUTYBOT_DATABASE_DRIVER":          str(func(c *Config) *string { return &c.Database.Driver }),
	"DEPUTYBOT_DATABASE_DSN":             str(func(c *Config) *string { return &c.Database.DSN }),
	"DEPUTYBOT_WECHAT_APP_ID":            str(func(c *Config) *string { return &c.WeChat.AppID }),
	"DEPUTYBOT_WECHAT_APP_SECRET":        str(func(c *Config) *string { return &c.WeChat.AppSecret }),
	"DEPUTYBOT_WECHAT_TOKEN":             str(func(c *Config) *string { return &c.WeChat.Token }),
	"DEPUTYBOT_WECHAT_ENCODING_AES_KEY":  str(func(c *Config) *string { return &c.WeChat.EncodingAESKey }),
	"DEPUTYBOT_WECHAT_API_BASE":          str(func(c *Config) *string { return &c.WeChat.APIBase }),
	"DEPUTYBOT_TIMEZONE":                 str(func(c *Config) *string { return &c.Timezone }),
	"DEPUTYBOT_TEXTS_DIR":                str(func(c *Config) *string { return &c.TextsDir }),
	"DEPUTYBOT_DELIVERY_QUIET_HOURS":     str(func(c *Config) *string { return &c.Delivery.QuietHours }),
	"DEPUTYBOT_LOG_LEVEL":                str(func(c *Config) *string { return &c.Log.Level }),
	"DEPUTYBOT_LOG_FORMAT":               str(func(c *Config) *string { return &c.Log.Format }),
	"DEPUTYBOT_DELIVERY_RATE_PER_SECOND": parsed(func(c *Config, v string) error { return scan(v, &c.Delivery.RatePerSecond) }),
	"DEPUTYBOT_DELIVERY_DAILY_QUOTA":     parsed(func(c *Config, v string) error { return scan(v, &c.Delivery.DailyQuota) }),
	"DEPUTYBOT_DELIVERY_CONCURRENCY":     parsed(func(c *Config, v string) error { return scan(v, &c.Delivery.Concurrency) }),
	"DEPUTYBOT_DELIVERY_LEASE": parsed(func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.Delivery.Lease = d
		return err
	}),
	"DEPUTYBOT_CONVERSATION_IDLE_TIMEOUT": parsed(func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		c.Conversation.IdleTimeout = d
		return err
	}),
	"DEPUTYBOT_INBOX_PUBLIC_DAILY_LIMIT":  parsed(func(c *Config, v string) error { return scan(v, &c.Inbox.PublicDailyLimit) }),
	"DEPUTYBOT_INBOX_STATION_DAILY_LIMIT": parsed(func(c *Config, v string) error { return scan(v, &c.Inbox.StationDailyLimit) }),
	"DEPUTYBOT_SCHEDULER_ENABLED":         parsed(func(c *Config, v string) error { return scan(v, &c.Scheduler.Enabled) }),
	"DEPUTYBOT_SIM_ALLOW_REMOTE":          parsed(func(c *Config, v string) error { return scan(v, &c.Sim.AllowRemote) }),
	"DEPUTYBOT_DEMO": parsed(func(c *Config, v string) error {
		var b bool
		err := scan(v, &b)
		c.Demo = &b
		return err
	}),
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func parsed(set func(*Config, string) error) func(*Config, string) error { return set }

func scan(v string, dst any) error {
	_, err := fmt.Sscan(v, dst)
	return err
}

func applyEnv(cfg *Config, environ []string) error {
	var errs Errors
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "DEPUTYBOT_") {
			continue
		}
		if base, ok := strings.CutSuffix(name, "_FILE"); ok && secretEnv[base] {
			// DEPUTYBOT_WECHAT_APP_SECRET_FILE=/run/secrets/app_secret: the
			// secret is read from a file (Docker/systemd credentials).
			data, err := os.ReadFile(value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", name, err))
				continue
			}
			name, value = base, strings.TrimSpace(string(data))
		}
		set, known := envSetters[name]
		if !known {
			if strings.HasPrefix(name, "DEPUTYBOT_TEST_") {
				continue
			}
			errs = append(errs, fmt.Errorf("%s: unknown environment variable (known: see `deputybot config check --help`)", name))
			continue
		}
		if err := set(cfg, value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid value: %v", name, value, err))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
