package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBrowserAHeldDeliverySaysWhy: in quiet hours an invitation's push
// waits; the deputy's page says it is held by the quiet hours and when it
// will go, instead of a bare 排队中.
func TestBrowserAHeldDeliverySaysWhy(t *testing.T) {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	quiet := fmt.Sprintf("%s-%s", now.Add(-time.Hour).Format("15:04"), now.Add(2*time.Hour).Format("15:04"))
	ctx, j := startJourneyEnv(t, false, "DEPUTYBOT_DELIVERY_QUIET_HOURS="+quiet)
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"an invitation in quiet hours says it waits for them to end", func(t *testing.T, ctx context.Context) {
			j.inviteToMeeting(t, ctx, "省人大常委会第二十二次会议")
			c := j.console
			c.open(t, fmt.Sprintf("/admin/deputies/%d", j.deputy.ID))
			c.pageHas(t, "免打扰时段（"+quiet+"）")
			want := "预计 " + now.Add(2*time.Hour).Format("1月2日 15:04") + " 发出"
			if body := eval[string](t, c, `document.body.innerText`); !strings.Contains(body, want) {
				t.Fatalf("the deputy's page does not say %q", want)
			}
			c.screenshot(t, j.shots, "console-deputy-held.png")
		}},
	}
	j.walk(t, ctx, steps)
}
