package cli

import (
	"context"
	"log/slog"

	"deputybot/config"
	"deputybot/core"
	"deputybot/notify"
	"deputybot/storage"
)

// newServices builds the use cases over db: the one set a command (or the
// server) hands to every part, with the one clock and the configured time
// zone. Everything else that tells the time or the zone reads them here.
func newServices(db *storage.DB, cfg config.Config) *core.Services {
	svc := core.New(db, core.Options{Loc: cfg.Location()})
	svc.Messages.PublicDailyLimit = cfg.Inbox.PublicDailyLimit
	svc.PublicOpinions.DailyLimit = cfg.Inbox.StationDailyLimit
	svc.SetDeliveryLimits(core.DeliveryLimits{QuietHours: cfg.Delivery.QuietHours, DailyQuota: cfg.Delivery.DailyQuota})
	return svc
}

// withServices loads the configuration, opens (and migrates) the database
// and builds the use cases over it, for a command.
func withServices(ctx context.Context, e *env, cfgPath string, fn func(*core.Services, *storage.DB, config.Config) int) int {
	cfg, ok := loadConfig(e, cfgPath)
	if !ok {
		return exitUsage
	}
	db, ok := openDB(ctx, e, cfg, true)
	if !ok {
		return exitFailure
	}
	defer db.Close()
	return fn(newServices(db, cfg), db, cfg)
}

// newOutbox returns the outbox over db on svc's clock and in its zone;
// its links start with base.
func newOutbox(db *storage.DB, svc *core.Services, cfg config.Config, base string, log *slog.Logger) *notify.Outbox {
	o := notify.New(db, outboxConfig(cfg, svc, base), log)
	o.SetClock(svc.Now)
	return o
}
