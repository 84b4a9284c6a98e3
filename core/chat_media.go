package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"deputybot/model"
)

// Files followers send in the chat: a photo (a pothole seen on an
// inspection) or a voice message's audio, fetched from WeChat's temporary
// media by the chat and kept with the message it becomes or the opinion
// being written.

// ChatMedia is a file a follower sent in the chat, as fetched from WeChat.
type ChatMedia struct {
	Name string // what the file is called for download (照片, 语音)
	Data []byte
}

// chatFile checks a file sent in the chat and describes it: an image
// (PNG, JPEG, GIF, WebP) or voice audio (AMR, Ogg), not empty, at most
// model.MaxFileSize. Anything else is refused.
func chatFile(by Actor, in ChatMedia, at time.Time) (model.File, error) {
	bad := func(msg string) error { return &FieldError{Key: "file", Label: "文件", Msg: msg} }
	if len(in.Data) == 0 {
		return model.File{}, bad("是空文件，请重新发送")
	}
	if len(in.Data) > model.MaxFileSize {
		return model.File{}, ErrFileTooLarge
	}
	var ct string
	switch {
	case bytes.HasPrefix(in.Data, []byte("#!AMR")):
		ct = model.FileAMR
	case bytes.HasPrefix(in.Data, []byte("OggS")):
		ct = model.FileOgg
	default:
		switch http.DetectContentType(in.Data) {
		case model.FilePNG, model.FileJPEG, model.FileGIF, model.FileWebP:
			var err error
			if ct, err = sniffFile(in.Data); err != nil {
				return model.File{}, err
			}
		default:
			return model.File{}, bad("类型不支持，只能发送图片或语音")
		}
	}
	name := in.Name
	if name == "" {
		name = "附件"
	}
	name += at.Format("20060102-150405")
	sum := sha256.Sum256(in.Data)
	return model.File{Name: downloadName(name, ct), Size: int64(len(in.Data)), SHA256: hex.EncodeToString(sum[:]),
		ContentType: ct, CreatedBy: by.handle()}, nil
}

// chatSender refuses an actor who is not a follower writing in WeChat.
func chatSender(by Actor) error {
	if by.OpenID == "" || by.IsStaff() || by.Via == ViaJob {
		return Forbidden("只有关注公众号的用户才能发送图片或语音")
	}
	return nil
}

// Receive stores a file a follower sent in the chat while writing
// something not yet submitted (an opinion): the file is kept, audited,
// and attached when the writing is submitted (Opinions.SubmitAs with its
// ID). A file of another type, empty or too large is refused and nothing
// is stored.
func (s *Files) Receive(ctx context.Context, by Actor, in ChatMedia) (model.File, error) {
	if err := chatSender(by); err != nil {
		return model.File{}, err
	}
	f, err := chatFile(by, in, s.now().In(s.loc))
	if err != nil {
		return model.File{}, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateFile(ctx, &f, in.Data); err != nil {
			return err
		}
		return s.audit(ctx, by, "file.record", f.Object(), fmt.Sprintf("收到%s在微信发来的%s（%s）",
			by.Name(), model.FileTypeLabel(f.ContentType), f.SizeText()))
	})
	if err != nil {
		return model.File{}, err
	}
	return f, nil
}

// attachReceived attaches to opinion id the files by received with
// Files.Receive; a file by did not send is refused.
func (s *Opinions) attachReceived(ctx context.Context, by Actor, id int64, fileIDs []int64) error {
	for _, fid := range fileIDs {
		f, err := s.db.GetFile(ctx, fid)
		if err != nil {
			return withNotFoundText(err, "附件不存在或已被删除。")
		}
		if f.CreatedBy != by.handle() {
			return Forbidden("附件不是您发送的，不能附在意见上。")
		}
		if err := s.db.AttachOpinionFile(ctx, id, fid); err != nil {
			return err
		}
	}
	return nil
}
