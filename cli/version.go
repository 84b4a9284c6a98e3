package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X deputybot/cli.Version=v1.2.3".
var Version = "dev"

func init() {
	c := &command{
		name: "version", summary: "print the version",
		help: "Prints deputybot's version, the Go version and the VCS revision.\n\nExample:\n  deputybot version",
	}
	c.run = func(_ context.Context, e *env, args []string) int {
		if code, ok := c.parse(e, c.flags(e), args); !ok {
			return code
		}
		{
			rev := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = " " + s.Value
					}
				}
			}
			fmt.Fprintf(e.stdout, "deputybot %s%s (%s)\n", Version, rev, runtime.Version())
		}
		return exitOK
	}
	register(c)
}
