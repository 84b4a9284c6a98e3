package broadcast_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// referenceStatus marks the reference's rows, which serve never claims.
const referenceStatus = "ref-queued"

// referenceBroadcast is the least a broadcast can do, on the same database
// and simulated WeChat as serve's run, in the benchmark's own process after
// serve has stopped. Expansion: one INSERT … SELECT writing every bound
// deputy's delivery row. Dispatch: take 200 rows at a time in deputy order, send
// them with concurrency requests in flight (the template payload serve
// sends, with a client_msg_id) and record each claim with one UPDATE of
// status and msgid. No rate limiter, quota, lease, retry, customer-message
// window, campaign state or metrics: what serve does beyond this is its
// overhead, and the ratio of the two rates holds on a noisy machine.
func (r *rig) referenceBroadcast(noticeID int64, concurrency int) (expand, dispatch time.Duration) {
	r.b.Helper()
	ctx := context.Background()
	db := r.db.SQL()
	now := time.Now().UTC()
	t0 := time.Now()
	res, err := db.ExecContext(ctx, `INSERT INTO deliveries (source, notice_id, deputy_id, openid, status, urgent, reason, next_at, created_at)
		SELECT 'ref', ?, id, openid, ?, 0, '', ?, ? FROM deputies WHERE openid IS NOT NULL`, noticeID, referenceStatus, now, now)
	if err != nil {
		r.b.Fatal(err)
	}
	expand = time.Since(t0)
	if n, _ := res.RowsAffected(); int(n) != r.n {
		r.b.Fatalf("the reference expanded %d rows, want %d", n, r.n)
	}

	token := r.referenceToken()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	sendURL := r.simBase + tplPath + "?access_token=" + url.QueryEscape(token)

	sent := 0
	t1 := time.Now()
	for after := int64(0); ; {
		rows := r.referenceClaim(ctx, after)
		if len(rows) == 0 {
			break
		}
		msgids := make([]int64, len(rows))
		errs := make([]error, len(rows))
		next := make(chan int)
		var wg sync.WaitGroup
		for range min(concurrency, len(rows)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					msgids[i], errs[i] = referenceSend(client, sendURL, rows[i].OpenID, "ref-"+strconv.FormatInt(rows[i].ID, 10))
				}
			}()
		}
		for i := range rows {
			next <- i
		}
		close(next)
		wg.Wait()
		var q strings.Builder
		args := make([]any, 0, 3*len(rows))
		q.WriteString(`UPDATE deliveries SET status = 'sent', msgid = CASE id`)
		for i, rw := range rows {
			if errs[i] != nil {
				r.b.Fatalf("reference send to %s: %v", rw.OpenID, errs[i])
			}
			q.WriteString(" WHEN ? THEN ?")
			args = append(args, rw.ID, msgids[i])
		}
		q.WriteString(" END WHERE id IN (?" + strings.Repeat(", ?", len(rows)-1) + ")")
		for _, rw := range rows {
			args = append(args, rw.ID)
		}
		if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
			r.b.Fatal(err)
		}
		sent += len(rows)
		after = rows[len(rows)-1].DeputyID
	}
	dispatch = time.Since(t1)
	if sent != r.n {
		r.b.Fatalf("the reference sent %d messages, want %d", sent, r.n)
	}
	return expand, dispatch
}

type referenceRow struct {
	ID, DeputyID int64
	OpenID       string
}

// referenceClaim reads the reference's next 200 rows, those of the
// deputies after the deputy id after (a range of its unique index).
func (r *rig) referenceClaim(ctx context.Context, after int64) []referenceRow {
	r.b.Helper()
	rs, err := r.db.SQL().QueryContext(ctx, `SELECT id, deputy_id, openid FROM deliveries
		WHERE source = 'ref' AND deputy_id > ? ORDER BY deputy_id LIMIT 200`, after)
	if err != nil {
		r.b.Fatal(err)
	}
	defer rs.Close()
	var out []referenceRow
	for rs.Next() {
		var rw referenceRow
		if err := rs.Scan(&rw.ID, &rw.DeputyID, &rw.OpenID); err != nil {
			r.b.Fatal(err)
		}
		out = append(out, rw)
	}
	if err := rs.Err(); err != nil {
		r.b.Fatal(err)
	}
	return out
}

// referenceToken fetches an access token from the simulator.
func (r *rig) referenceToken() string {
	r.b.Helper()
	resp, err := http.Get(r.simBase + "/cgi-bin/token?grant_type=client_credential&appid=" + appID + "&secret=" + secret)
	if err != nil {
		r.b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ErrCode     int    `json:"errcode"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		r.b.Fatalf("reference token: %+v %v", tok, err)
	}
	return tok.AccessToken
}

// referenceSend sends the general notice's template to openid.
func referenceSend(client *http.Client, sendURL, openid, clientMsgID string) (int64, error) {
	body, err := json.Marshal(map[string]any{
		"touser": openid, "template_id": tplID, "client_msg_id": clientMsgID,
		"data": map[string]map[string]string{"thing1": {"value": "全体代表通知"}, "time2": {"value": "2026年12月1日 09:00"}},
	})
	if err != nil {
		return 0, err
	}
	resp, err := client.Post(sendURL, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		MsgID   int64  `json:"msgid"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	if out.ErrCode != 0 {
		return 0, fmt.Errorf("errcode %d: %s", out.ErrCode, out.ErrMsg)
	}
	return out.MsgID, nil
}
