package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

// reviewListLimit is how many suggestions suggestion review lists at most.
const reviewListLimit = 200

func init() {
	review := &command{
		name: "suggestion review", summary: "review deputies' suggestions: list, accept, return, merge",
		usage: "[ID|NUMBER (--accept UNITS | --return REASON | --merge-into NUMBER)] [--status STATUS] [--as USERNAME] [--config FILE]",
		help: `Without an ID, lists the suggestions deputies submitted that wait for
review (--status returned or merged lists those instead): id, number, when it
was submitted, the lead deputy and the title.

With an ID (or the suggestion's number), decides on that suggestion exactly
as the console's review page and POST /api/v1/suggestions/{id}/review do:
  --accept UNITS       accept it and assign it: the first unit hosts (主办), the
                       rest co-handle (协办); separate them with 、 or commas
  --return REASON      return it to the deputy, who is told the reason
  --merge-into NUMBER  merge it into an assigned suggestion (its number or
                       its id); the deputies join it as seconders
A notice to the deputies is queued; a running 'deputybot serve' sends it.
The audit log records the decision, naming the --as account or you.

Example:
  deputybot suggestion review
  deputybot suggestion review 12 --accept 省交通运输厅、省财政厅
  deputybot suggestion review 13 --return "请补充具体路段和班次数据" --as liaison
  deputybot suggestion review 14 --merge-into JY2026-00001`,
	}
	review.run = func(ctx context.Context, e *env, args []string) int { return suggestionReview(ctx, e, review, args) }
	register(review)
}

func suggestionReview(ctx context.Context, e *env, c *command, args []string) int {
	fs := c.flags(e)
	path := configFlag(fs)
	accept := fs.String("accept", "", "accept and assign to these units, host first (、 or comma separated)")
	ret := fs.String("return", "", "return to the deputy with this reason")
	into := fs.String("merge-into", "", "merge into this assigned suggestion (number or id)")
	status := fs.String("status", model.SuggestionSubmitted, "list: submitted (waiting), returned or merged")
	as := asFlag(fs)
	// Flags may come before or after the ID.
	var pos []string
	for {
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		if args = fs.Args(); len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	if len(pos) > 1 {
		return usageError(e, c, fmt.Sprintf("unexpected argument %q", pos[1]))
	}
	var action core.ReviewAction
	n := 0
	if set(fs, "accept") {
		action, n = core.ReviewAction{Action: core.ReviewAccept, Units: core.SplitUnits(*accept)}, n+1
	}
	if set(fs, "return") {
		action, n = core.ReviewAction{Action: core.ReviewReturn, Reason: *ret}, n+1
	}
	if set(fs, "merge-into") {
		action, n = core.ReviewAction{Action: core.ReviewMerge}, n+1
	}
	if len(pos) == 0 {
		if n > 0 {
			return usageError(e, c, "give the id of the suggestion to review")
		}
		switch *status {
		case model.SuggestionSubmitted, model.SuggestionReturned, model.SuggestionMerged:
		default:
			return usageError(e, c, fmt.Sprintf("--status %q: use submitted, returned or merged", *status))
		}
	} else if n != 1 {
		return usageError(e, c, "give exactly one of --accept UNITS, --return REASON or --merge-into NUMBER")
	}
	return withServices(ctx, e, *path, func(svc *core.Services, _ *storage.DB, cfg config.Config) int {
		by, ok := operator(ctx, e, svc, *as)
		if !ok {
			return exitUsage
		}
		if len(pos) == 0 {
			return listReview(ctx, e, c, svc, cfg, by, *status)
		}
		id, ok := suggestionRef(ctx, svc, pos[0])
		if !ok {
			return usageError(e, c, fmt.Sprintf("%q is neither a suggestion's number nor its id", pos[0]))
		}
		if action.Action == core.ReviewMerge {
			if action.Into, ok = suggestionRef(ctx, svc, *into); !ok {
				return usageError(e, c, fmt.Sprintf("--merge-into: %q is neither a suggestion's number nor its id", *into))
			}
		}
		sg, err := svc.Suggestions.ReviewAs(ctx, by, id, action)
		if err != nil {
			return refused(e, c.name, err)
		}
		switch sg.Status {
		case model.SuggestionAssigned:
			fmt.Fprintf(e.stdout, "suggestion %d (%s) accepted and assigned: host %s", sg.ID, sg.Number, sg.HostUnit)
			if sg.CoUnits != "" {
				fmt.Fprintf(e.stdout, ", co-handling %s", sg.CoUnits)
			}
			fmt.Fprintln(e.stdout)
		case model.SuggestionReturned:
			fmt.Fprintf(e.stdout, "suggestion %d (%s) returned to the deputy\n", sg.ID, sg.Number)
		case model.SuggestionMerged:
			fmt.Fprintf(e.stdout, "suggestion %d (%s) merged into suggestion %d\n", sg.ID, sg.Number, action.Into)
		default:
			fmt.Fprintf(e.stdout, "suggestion %d (%s) is now %s\n", sg.ID, sg.Number, core.SuggestionStageLabel(sg.Status))
		}
		fmt.Fprintln(e.stdout, "the deputies' notice is queued (a running deputybot serve sends it)")
		return exitOK
	})
}

// listReview prints the deputies' suggestions in status.
func listReview(ctx context.Context, e *env, c *command, svc *core.Services, cfg config.Config, by core.Actor, status string) int {
	items, total, err := svc.Suggestions.ListAs(ctx, by, model.SuggestionFilter{Status: status, Source: model.SourceDeputy, Limit: reviewListLimit})
	if err != nil {
		return refused(e, c.name, err)
	}
	label := model.SuggestionStatusLabel(status)
	if total == 0 {
		fmt.Fprintf(e.stdout, "no deputy's suggestion is %s (%s)\n", label, status)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%d deputies' suggestions %s (%s):\n", total, label, status)
	for _, it := range items {
		submitted := "-"
		if it.SubmittedAt != nil {
			submitted = it.SubmittedAt.In(cfg.Location()).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(e.stdout, "  %-6d %-10s %s  %s  %s\n", it.ID, it.Number, submitted, it.LeadName, it.Title)
	}
	if total > len(items) {
		fmt.Fprintf(e.stdout, "(the first %d shown; the console lists them all)\n", len(items))
	}
	return exitOK
}

// suggestionRef reads a suggestion's number (JY2026-00012) or its id, as
// the console's merge field does; ok is false for neither. An id that
// does not exist is left to core to refuse.
func suggestionRef(ctx context.Context, svc *core.Services, ref string) (int64, bool) {
	ref = strings.TrimSpace(ref)
	if sg, err := svc.Suggestions.GetByNumber(ctx, ref); err == nil {
		return sg.ID, true
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64)
	return id, err == nil && id > 0
}

// set reports whether flag name was given on the command line.
func set(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
