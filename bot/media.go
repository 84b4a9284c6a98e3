package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// Photos and voice: what a follower sends as an image, or the audio of a
// voice message, is fetched from WeChat's temporary media and kept with
// what it belongs to: the suggestion or opinion being written, else a
// message (留言) of its own. A fetch that fails keeps nothing and says so.

// Names a fetched file is stored under (and the reply calls it).
const (
	photoName = "照片"
	voiceName = "语音"
)

// voiceMediaKey carries the MediaId of a voice message's audio.
type voiceMediaKey struct{}

// withVoiceMedia marks ctx: the text handled under it is a voice
// message whose audio WeChat keeps under mediaID.
func withVoiceMedia(ctx context.Context, mediaID string) context.Context {
	return context.WithValue(ctx, voiceMediaKey{}, mediaID)
}

// voiceMedia is the MediaId of the voice message handled under ctx, or "".
func voiceMedia(ctx context.Context) string {
	id, _ := ctx.Value(voiceMediaKey{}).(string)
	return id
}

// fetch downloads a sent file from WeChat; ok is false (and the failure
// logged, without what was sent) when WeChat did not give it.
func (r *Router) fetch(ctx context.Context, what, mediaID string) (core.ChatMedia, bool) {
	data, err := r.Media.FetchMedia(ctx, mediaID)
	if err != nil {
		r.Log.Warn("chat media not fetched", "what", what, "err", err)
		return core.ChatMedia{}, false
	}
	return core.ChatMedia{Name: what, Data: data}, true
}

// image takes a photo a follower sends: while a deputy writes a
// suggestion or an opinion it is kept with it; outside any conversation
// it is a message of its own; a conversation that takes only text says so.
func (r *Router) image(ctx context.Context, openid, mediaID string) (string, error) {
	if r.Media == nil || r.Engine == nil {
		return r.say("not_text", nil)
	}
	c, err := r.Store.GetConversation(ctx, openid)
	switch {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return "", err
	case c.ExpiresAt.After(r.now()):
		switch c.Flow {
		case FlowSuggest:
			return r.suggestPhoto(ctx, openid, c, mediaID)
		case FlowOpinion:
			d, err := r.Store.GetDeputyByOpenID(ctx, openid)
			if err != nil {
				return "", err
			}
			if d.Status == model.StatusEnded {
				return r.ended(ctx, openid)
			}
			reply, _, err := r.opinionMedia(ctx, d, c, photoName, mediaID)
			return reply, err
		}
		return r.say("media.not_taken", nil)
	}
	by := core.PublicActor(openid, core.ViaWeChat)
	d, err := r.Store.GetDeputyByOpenID(ctx, openid)
	switch {
	case err == nil && d.Status == model.StatusEnded:
		return r.ended(ctx, openid)
	case err == nil:
		by = core.DeputyActor(d, core.ViaWeChat)
	case !errors.Is(err, model.ErrNotFound):
		return "", err
	}
	m, ok := r.fetch(ctx, photoName, mediaID)
	if !ok {
		return r.say("inbox.media_failed", map[string]any{"What": photoName})
	}
	return r.recordMessage(ctx, by, core.MessageInput{Kind: model.MessageImage, Media: &m}, nil)
}

// opinionMedia keeps a photo or a voice message's audio with the opinion
// the deputy is writing (conversation c): the file is stored now and
// attached when the opinion is submitted. kept is false when it was not
// (the reply says why).
func (r *Router) opinionMedia(ctx context.Context, d model.Deputy, c model.Conversation, what, mediaID string) (reply string, kept bool, err error) {
	m, ok := r.fetch(ctx, what, mediaID)
	if !ok {
		reply, err = r.say("opinion.media_failed", map[string]any{"What": what})
		return reply, false, err
	}
	f, err := r.Core.Files.Receive(ctx, core.DeputyActor(d, core.ViaWeChat), m)
	if problem := problemOf(err); problem != "" {
		reply, err = r.say("opinion.media_refused", map[string]any{"What": what, "Problem": problem})
		return reply, false, err
	}
	if err != nil {
		return "", false, err
	}
	count := 0
	err = r.Engine.Update(ctx, d, c, func(s *Session) error {
		ids := sessionFiles(s)
		ids = append(ids, f.ID)
		count = len(ids)
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = strconv.FormatInt(id, 10)
		}
		s.Params[paramFiles] = strings.Join(parts, ",")
		return nil
	})
	if err != nil {
		return "", false, err
	}
	reply, err = r.say("opinion.media_saved", map[string]any{"What": what, "Count": count})
	return reply, err == nil, err
}

// spokenOpinion reports whether a voice message's audio goes with the
// opinion being written (conversation c): it is spoken at the opinion's
// text, and is not the word ending it.
func spokenOpinion(ctx context.Context, c model.Conversation, word string) bool {
	return voiceMedia(ctx) != "" && c.Flow == FlowOpinion && c.Step == opinionBodyStep &&
		word != "完成" && word != "好了" && word != "结束"
}

// opinionBodyStep is the opinion flow's step taking its text.
const opinionBodyStep = "body"

// paramFiles is the session parameter listing the files (IDs, comma
// separated) sent while an opinion is written.
const paramFiles = "files"

// sessionFiles are the files sent while the session's opinion is written.
func sessionFiles(s *Session) []int64 {
	var out []int64
	for _, p := range strings.Split(s.Params[paramFiles], ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}
