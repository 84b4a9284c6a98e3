package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestParallelWrongPasswordsThenTheRightOneAre429 replays the login race
// the probe won: 20 wrong passwords posted at once, then the right one.
// Attempts are reserved before the password is compared, so no more than
// five wrong ones are answered 401, the rest 429, and the right password
// after them is 429 as well.
func TestParallelWrongPasswordsThenTheRightOneAre429(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		wrong := url.Values{"username": {"u-staff"}, "password": {"wrong-password"}}
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/admin/login", strings.NewReader(wrong.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := w.client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				counts[resp.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if counts[http.StatusUnauthorized] > 4 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 20 {
			t.Fatalf("20 parallel wrong passwords answered %v: want at most 4 × 401 (the fifth failure locks) and 429 for the rest", counts)
		}
		right := url.Values{"username": {"u-staff"}, "password": {testPassword}}
		if res := w.postForm(t, w.client(), "/admin/login", right); res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "账号已锁定") {
			t.Fatalf("the right password after them: %d", res.status)
		}
	})
}

// TestTheCurrentPasswordCheckIsRateLimited: the password page compares
// the current password under the login limit, so it cannot be used to
// guess a signed-in account's password: the fifth wrong guess locks, and
// then even the right one is refused with 429 until the lock ends.
func TestTheCurrentPasswordCheckIsRateLimited(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleStaff)
		guess := func(current string) result {
			return w.postForm(t, c, "/admin/password", url.Values{"current": {current}, "password": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
		}
		for i := range 4 {
			if res := guess("wrong-guess"); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "不正确") {
				t.Fatalf("wrong guess %d: %d", i+1, res.status)
			}
		}
		for i := range 16 {
			if res := guess("wrong-guess"); res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "账号已锁定") {
				t.Fatalf("wrong guess %d: %d, want 429", i+5, res.status)
			}
		}
		if res := guess(testPassword); res.status != http.StatusTooManyRequests {
			t.Fatalf("the right current password while locked: %d", res.status)
		}
		// The same limit as the login's: signing in is refused too.
		if res := w.postForm(t, w.client(), "/admin/login", url.Values{"username": {"u-staff"}, "password": {testPassword}}); res.status != http.StatusTooManyRequests {
			t.Fatalf("login after the guesses: %d", res.status)
		}
	})
}
