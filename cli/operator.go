package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os/user"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// asFlag adds --as, the console account a command that changes something
// acts as.
func asFlag(fs *flag.FlagSet) *string {
	return fs.String("as", "", "act as this console account (its role applies; the audit log names it); default: you, the operating-system user, as an administrator")
}

// operator is who runs a command that changes something, as core's audit
// log names them: the enabled account --as names, or else the
// operating-system user. ok is false when --as names no usable account
// (the reason is printed).
func operator(ctx context.Context, e *env, svc *core.Services, as string) (core.Actor, bool) {
	who := osUser(e)
	as = strings.TrimSpace(as)
	if as == "" {
		return core.CLIActor(model.Account{}, who), true
	}
	a, err := svc.Staff.GetByUsername(ctx, as)
	switch {
	case errors.Is(err, model.ErrNotFound):
		fmt.Fprintf(e.stderr, "deputybot: --as %s: no such account (see deputybot user list)\n", as)
		return core.Actor{}, false
	case err != nil:
		fmt.Fprintf(e.stderr, "deputybot: --as %s: %v\n", as, err)
		return core.Actor{}, false
	case a.Disabled:
		fmt.Fprintf(e.stderr, "deputybot: --as %s: the account is disabled\n", as)
		return core.Actor{}, false
	}
	return core.CLIActor(a, who), true
}

// osUser names the operating-system user running the command, from the
// command's environment, else the process's user.
func osUser(e *env) string {
	for _, key := range []string{"USER", "LOGNAME", "USERNAME"} {
		for _, kv := range e.environ {
			if v, ok := strings.CutPrefix(kv, key+"="); ok && v != "" {
				return v
			}
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return ""
}

// refused prints why core refused a command's action and returns its exit
// code: a refusal the operator can act on (not found, forbidden,
// conflict, invalid input) in core's words, anything else as an error.
func refused(e *env, name string, err error) int {
	if fields, ok := core.Fields(err); ok {
		for _, fe := range fields {
			fmt.Fprintf(e.stderr, "deputybot %s: %s\n", name, fe.Error())
		}
		return exitUsage
	}
	if msg := core.Message(err); msg != "" {
		fmt.Fprintf(e.stderr, "deputybot %s: %s\n", name, msg)
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "deputybot %s: %v\n", name, err)
	return exitFailure
}
