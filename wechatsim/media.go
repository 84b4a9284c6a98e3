package wechatsim

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Temporary media (临时素材): what a user sends as an image is kept by
// WeChat under a MediaId the account downloads from /cgi-bin/media/get
// within 3 days. The simulator keeps the files given to AddMedia.

const pathMediaGet = "/cgi-bin/media/get"

type media struct {
	data        []byte
	contentType string
}

// AddMedia stores a file as temporary media and returns its MediaId.
func (s *Sim) AddMedia(data []byte, contentType string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.media == nil {
		s.media = map[string]media{}
	}
	id := fmt.Sprintf("sim-media-%d", len(s.media)+1)
	s.media[id] = media{data: append([]byte(nil), data...), contentType: contentType}
	return id
}

// serveMedia answers /cgi-bin/media/get: the file's bytes, or WeChat's
// 40007 for an unknown media_id.
func (s *Sim) serveMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	e := s.checkTokenLocked(r.URL.Query().Get("access_token"))
	if e == nil {
		s.pathCalls[pathMediaGet]++
	}
	m, ok := s.media[r.URL.Query().Get("media_id")]
	s.mu.Unlock()
	switch {
	case e != nil:
		writeJSON(w, e)
	case !ok:
		writeJSON(w, errOf(40007))
	default:
		w.Header().Set("Content-Type", m.contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="media"`)
		_, _ = w.Write(m.data)
	}
}

// SendImage sends an image message of a file added with AddMedia.
func (u *User) SendImage(ctx context.Context, mediaID string) (Reply, error) {
	u.s.mu.Lock()
	u.s.nextUserMsg++
	id := u.s.nextUserMsg
	u.s.mu.Unlock()
	var b strings.Builder
	u.header(&b, "image", u.s.now().Unix())
	fmt.Fprintf(&b, "<PicUrl><![CDATA[https://mmbiz.example/%s]]></PicUrl><MediaId><![CDATA[%s]]></MediaId><MsgId>%d</MsgId></xml>",
		cdataEscape(mediaID), cdataEscape(mediaID), id)
	return u.interact(ctx, []byte(b.String()), interMessage, true, Message{MsgType: "image", MsgID: id})
}

// SendVoice sends a voice message of a file added with AddMedia (WeChat
// keeps voice as AMR or Speex: format names it), with WeChat's speech
// recognition of it ("" when recognition is off or heard nothing).
func (u *User) SendVoice(ctx context.Context, mediaID, format, recognition string) (Reply, error) {
	u.s.mu.Lock()
	u.s.nextUserMsg++
	id := u.s.nextUserMsg
	u.s.mu.Unlock()
	var b strings.Builder
	u.header(&b, "voice", u.s.now().Unix())
	fmt.Fprintf(&b, "<MediaId><![CDATA[%s]]></MediaId><Format><![CDATA[%s]]></Format><Recognition><![CDATA[%s]]></Recognition><MsgId>%d</MsgId></xml>",
		cdataEscape(mediaID), cdataEscape(format), cdataEscape(recognition), id)
	return u.interact(ctx, []byte(b.String()), interMessage, true, Message{MsgType: "voice", Text: recognition, MsgID: id})
}
