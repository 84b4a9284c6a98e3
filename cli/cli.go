// Package cli is deputybot's command line: it parses arguments and wires
// the packages together. Nothing imports it but main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"deputybot/config"
	"deputybot/storage"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2 // bad arguments or invalid configuration
)

// env is what a command runs with; tests give their own.
type env struct {
	stdout, stderr io.Writer
	environ        []string
}

// command is one verb of the command line, possibly with sub-verbs.
type command struct {
	name    string
	summary string
	usage   string // arguments after the name
	help    string // what it does, with an example
	run     func(ctx context.Context, e *env, args []string) int
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// Run executes the command line args (without the program name) and
// returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	e := &env{stdout: stdout, stderr: stderr, environ: environ}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := find(strings.Join(args[1:], " ")); c != nil {
				printHelp(stdout, c)
				return exitOK
			}
		}
		usage(stdout)
		return exitOK
	}
	// Commands are one or two words: "serve", "config check".
	for n := min(2, len(args)); n >= 1; n-- {
		if c := find(strings.Join(args[:n], " ")); c != nil {
			return c.run(ctx, e, args[n:])
		}
	}
	fmt.Fprintf(stderr, "deputybot: unknown command %q\n\n", strings.Join(args, " "))
	usage(stderr)
	return exitUsage
}

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, "deputybot: the WeChat service for people's-congress deputies (人大代表履职服务号)\n\nUsage: deputybot COMMAND [options]\n\nCommands:\n")
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-24s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'deputybot COMMAND --help' for a command's options and an example.\n")
}

func printHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: deputybot %s %s\n\n%s\n", c.name, c.usage, strings.TrimSpace(c.help))
}

// flags returns a FlagSet for c whose --help prints c's help.
func (c *command) flags(e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		printHelp(e.stderr, c)
		fmt.Fprintln(e.stderr, "\nOptions:")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; ok is false when the command should return code.
func (c *command) parse(e *env, fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// configFlag adds the --config option shared by most commands.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "YAML configuration file (default: built-in defaults, then DEPUTYBOT_* environment)")
}

// loadConfig loads and validates the configuration, printing what is
// wrong; ok is false when the command must exit with exitUsage.
func loadConfig(e *env, path string) (config.Config, bool) {
	cfg, err := config.Load(path, e.environ)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "deputybot: invalid configuration:\n%s\n", indent(err.Error()))
		return cfg, false
	}
	return cfg, true
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB opens and migrates the configured database, explaining failures.
func openDB(ctx context.Context, e *env, cfg config.Config, migrate bool) (*storage.DB, bool) {
	db, err := storage.Open(ctx, cfg.Database.Driver, cfg.Database.DSN)
	if err != nil {
		fmt.Fprintf(e.stderr, "deputybot: cannot open the %s database %s:\n  %v\n", cfg.Database.Driver,
			config.MaskDSN(cfg.Database.DSN), err)
		if cfg.Database.Driver == "mysql" {
			fmt.Fprintln(e.stderr, "  Check that MySQL/MariaDB is running and that database.dsn (DEPUTYBOT_DATABASE_DSN) is right, e.g. user:pass@tcp(127.0.0.1:3306)/deputybot")
		}
		return nil, false
	}
	if migrate {
		n, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			fmt.Fprintf(e.stderr, "deputybot: cannot migrate the database: %v\n", err)
			return nil, false
		}
		if n > 0 {
			fmt.Fprintf(e.stderr, "deputybot: applied %d database migration(s)\n", n)
		}
	}
	return db, true
}

// Main is the process entry point.
func Main() {
	ctx := context.Background()
	os.Exit(Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ()))
}
