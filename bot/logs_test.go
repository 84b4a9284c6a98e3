package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"deputybot/bot"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoDeputyDataReachesTheLogs runs binding, a wrong answer, an opinion and
// a panic with debug logging on, and checks the log for the deputy's name,
// phone digits and message text.
func TestNoDeputyDataReachesTheLogs(t *testing.T) {
	var buf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
	r.gw.Log = logger
	r.router.Log = logger
	r.router.Engine.Log = logger
	addDeputy(t, db, "欧阳秘密", "13912345678")
	u := r.sim.User("o-private")
	replyText(t)(u.Follow(context.Background()))
	chat(t, u, "绑定", "欧阳秘密", "0000", "欧阳秘密", "5678", "意见", "1", "机密意见内容ABC", "完成", "是")
	// A voice message kept with its audio, and one WeChat does not give.
	replyText(t)(u.SendVoice(context.Background(), r.sim.AddMedia(amrVoice, "audio/amr"), "amr", "机密语音内容DEF"))
	replyText(t)(u.SendVoice(context.Background(), "media-never-added", "amr", "机密语音内容GHI"))
	r.handler.set(panicHandler{})
	chat(t, u, "另一条机密消息XYZ")
	r.handler.set(bot.Handler(r.router))
	out := buf.String()
	if out == "" {
		t.Fatal("nothing was logged: the test checks nothing")
	}
	for _, secret := range []string{"欧阳秘密", "13912345678", "5678", "机密意见内容ABC", "另一条机密消息XYZ", "机密语音内容DEF", "机密语音内容GHI", "o-private"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains %q:\n%s", secret, out)
		}
	}
}
