package cli

import (
	"context"
	"fmt"
)

func init() {
	c := &command{
		name: "migrate", summary: "apply database migrations, show their status, or recount kept counts",
		usage: "[up|status|recount] [--config FILE]",
		help: `Applies every pending migration of the configured database (up, the
default), or lists each migration and whether it is applied (status).
serve applies migrations at start too; several instances starting at once
on MySQL take a lock so only one migrates.

recount rebuilds the counts deputybot keeps rather than recounts from the
tables, and says how many counter rows it corrected: 0 when they were
right. They are the suggestions per session, host unit and status with
their ratings (the dashboard and the rates pages), then each campaign's
deliveries per status (the campaign list, a campaign's page and progress),
each in one transaction; recounting the deliveries holds up the dispatcher
on MySQL while it runs. Run it after writing to the suggestions, ratings
or deliveries tables by hand.

Example:
  deputybot migrate status --config /etc/deputybot.yaml
  deputybot migrate recount --config /etc/deputybot.yaml`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		verb := "up"
		if len(args) > 0 && (args[0] == "up" || args[0] == "status" || args[0] == "recount") {
			verb, args = args[0], args[1:]
		}
		fs := c.flags(e)
		path := configFlag(fs)
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(e.stderr, "deputybot migrate: unknown argument %q (use up, status or recount)\n", fs.Arg(0))
			return exitUsage
		}
		cfg, ok := loadConfig(e, *path)
		if !ok {
			return exitUsage
		}
		db, ok := openDB(ctx, e, cfg, false)
		if !ok {
			return exitFailure
		}
		defer db.Close()
		if verb == "up" {
			n, err := db.Migrate(ctx)
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot migrate: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "applied %d migration(s)\n", n)
			return exitOK
		}
		if verb == "recount" {
			n, err := db.RecountSuggestions(ctx)
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot migrate: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "suggestion counts: %d row(s) corrected\n", n)
			if n, err = db.RecountCampaigns(ctx); err != nil {
				fmt.Fprintf(e.stderr, "deputybot migrate: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "campaign counts: %d row(s) corrected\n", n)
			return exitOK
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot migrate: %v\n", err)
			return exitFailure
		}
		for _, m := range st {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(e.stdout, "%05d  %-8s %s\n", m.Version, state, m.Name)
		}
		return exitOK
	}
	register(c)
}
