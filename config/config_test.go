package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"deputybot/config"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "deputybot.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if !cfg.Simulated() || !cfg.DemoData() {
		t.Fatal("with no app_id the defaults should run the simulator with demo data")
	}
	if cfg.Database.Driver != "sqlite" || cfg.Database.DSN != "./data/deputybot.db" {
		t.Fatalf("default database is %s %s", cfg.Database.Driver, cfg.Database.DSN)
	}
}

func TestTheExampleFileLoadsAndMatchesTheDefaults(t *testing.T) {
	cfg, err := config.Load("../config.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	def := config.Default()
	if cfg.Dump() != def.Dump() {
		t.Fatalf("config.example.yaml differs from the defaults:\n%s\nvs\n%s", cfg.Dump(), def.Dump())
	}
}

func TestPrecedenceIsDefaultsThenFileThenEnv(t *testing.T) {
	p := writeFile(t, "http:\n  addr: \":9000\"\ndatabase:\n  driver: mysql\n  dsn: a:b@tcp(db:3306)/x\n")
	cfg, err := config.Load(p, []string{"DEPUTYBOT_HTTP_ADDR=:9100", "DEPUTYBOT_WECHAT_API_BASE=http://127.0.0.1:1/sim", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != ":9100" || cfg.Database.Driver != "mysql" || cfg.WeChat.APIBase != "http://127.0.0.1:1/sim" || cfg.Timezone != "Asia/Shanghai" {
		t.Fatalf("got %+v", cfg)
	}
}

func TestDeliveryConcurrencyFromFileAndEnv(t *testing.T) {
	p := writeFile(t, "delivery:\n  concurrency: 48\n")
	cfg, err := config.Load(p, nil)
	if err != nil || cfg.Validate() != nil || cfg.Delivery.Concurrency != 48 {
		t.Fatalf("from the file: %d, %v", cfg.Delivery.Concurrency, err)
	}
	cfg, err = config.Load(p, []string{"DEPUTYBOT_DELIVERY_CONCURRENCY=64"})
	if err != nil || cfg.Validate() != nil || cfg.Delivery.Concurrency != 64 {
		t.Fatalf("from the environment: %d, %v", cfg.Delivery.Concurrency, err)
	}
	if config.Default().Delivery.Concurrency != 16 {
		t.Fatalf("default %d, want 16", config.Default().Delivery.Concurrency)
	}
}

func TestBadInputNamesTheKey(t *testing.T) {
	tests := []struct {
		name, file string
		env        []string
		want       []string
	}{
		{"an unknown key names it and its line", "http:\n  adr: x\n", nil, []string{"adr", "2"}},
		{"a wrong type names the key", "delivery:\n  rate_per_second: fast\n", nil, []string{"rate_per_second"}},
		{"a bad driver", "database:\n  driver: postgres\n", nil, []string{"database.driver", "postgres"}},
		{"every invalid key at once", "delivery:\n  quiet_hours: nightly\n  daily_quota: -1\ntimezone: Mars/Base\n", nil,
			[]string{"delivery.quiet_hours", "delivery.daily_quota", "timezone"}},
		{"app_id without secret and token", "wechat:\n  app_id: wx123\n", nil, []string{"wechat.app_secret", "wechat.token"}},
		{"a short AES key", "wechat:\n  encoding_aes_key: abc\n", nil, []string{"wechat.encoding_aes_key", "43"}},
		{"a bad env value", "", []string{"DEPUTYBOT_DELIVERY_DAILY_QUOTA=lots"}, []string{"DEPUTYBOT_DELIVERY_DAILY_QUOTA"}},
		{"no sends in flight", "delivery:\n  concurrency: 0\n", nil, []string{"delivery.concurrency", "1 and 256"}},
		{"a profiler reachable from outside", "http:\n  debug_addr: \"0.0.0.0:6060\"\n", nil, []string{"http.debug_addr", "loopback"}},
		{"a profiler on a public name", "", []string{"DEPUTYBOT_HTTP_DEBUG_ADDR=example.org:6060"}, []string{"http.debug_addr"}},
		{"an unknown env variable", "", []string{"DEPUTYBOT_HTTP_ADRESS=:1"}, []string{"DEPUTYBOT_HTTP_ADRESS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			cfg, err := config.Load(path, tt.env)
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if e := (config.Errors{}); !errors.As(err, &e) {
				t.Fatalf("%v is not reported as invalid configuration", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDumpMasksSecrets(t *testing.T) {
	cfg := config.Default()
	cfg.WeChat.AppSecret = "topsecret"
	cfg.WeChat.EncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	cfg.Database.DSN = "bot:hunter2@tcp(db:3306)/deputybot"
	out := cfg.Dump()
	for _, secret := range []string{"topsecret", "abcdefghijklmnop", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("dump shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "bot:******@tcp(db:3306)/deputybot") {
		t.Errorf("dump does not show the masked DSN:\n%s", out)
	}
}

func TestSecretsCanComeFromFiles(t *testing.T) {
	p := writeFile(t, "s3cr3t-from-file\n")
	cfg, err := config.Load("", []string{"DEPUTYBOT_WECHAT_APP_SECRET_FILE=" + p})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.WeChat.AppSecret != "s3cr3t-from-file" {
		t.Fatalf("app secret %q", cfg.WeChat.AppSecret)
	}
	if _, err := config.Load("", []string{"DEPUTYBOT_WECHAT_TOKEN_FILE=/nonexistent"}); err == nil || !strings.Contains(err.Error(), "DEPUTYBOT_WECHAT_TOKEN_FILE") {
		t.Fatalf("a missing file gives %v", err)
	}
	if _, err := config.Load("", []string{"DEPUTYBOT_HTTP_ADDR_FILE=" + p}); err == nil {
		t.Fatal("_FILE is only for secrets")
	}
}
