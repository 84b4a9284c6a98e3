package core

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif"  // decodes GIF headers to check uploads
	_ "image/jpeg" // decodes JPEG headers to check uploads
	_ "image/png"  // decodes PNG headers to check uploads
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"deputybot/model"
)

// ErrFileTooLarge refuses an upload over model.MaxFileSize; surfaces
// answer it with 413.
var ErrFileTooLarge = &FieldError{Key: "file", Label: "文件",
	Msg: fmt.Sprintf("超过 %d MB，请压缩或拆分后再上传", model.MaxFileSize>>20)}

// maxFileName bounds a download name, in characters.
const maxFileName = 100

// Files stores uploaded files and serves them to those who may read them:
// a service other features reuse (study materials now, suggestions and
// opinions later).
type Files struct{ *env }

// Upload stores a file read from r under name (the name it had on the
// uploader's computer). Its type is decided by its content: PDF, Word
// (.docx) or an image (PNG, JPEG, GIF, WebP); anything else, an empty or
// corrupt file, or one over 20 MB is refused and nothing is stored.
func (s *Files) Upload(ctx context.Context, by Actor, name string, r io.Reader) (model.File, error) {
	if err := by.Require(Editors...); err != nil {
		return model.File{}, err
	}
	f, data, err := readUpload(by, name, r)
	if err != nil {
		return model.File{}, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateFile(ctx, &f, data); err != nil {
			return err
		}
		return s.audit(ctx, by, "file.upload", f.Object(), fmt.Sprintf("上传文件“%s”（%s，%s）", f.Name,
			model.FileTypeLabel(f.ContentType), f.SizeText()))
	})
	if err != nil {
		return model.File{}, err
	}
	return f, nil
}

// readUpload reads and checks an upload (see Upload) and describes it.
func readUpload(by Actor, name string, r io.Reader) (model.File, []byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, model.MaxFileSize+1))
	if err != nil {
		return model.File{}, nil, fmt.Errorf("core: read upload: %w", err)
	}
	if len(data) > model.MaxFileSize {
		return model.File{}, nil, ErrFileTooLarge
	}
	ct, err := sniffFile(data)
	if err != nil {
		return model.File{}, nil, err
	}
	sum := sha256.Sum256(data)
	return model.File{Name: downloadName(name, ct), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		ContentType: ct, CreatedBy: by.handle()}, data, nil
}

// Get returns a file's description (no content) to staff.
func (s *Files) Get(ctx context.Context, by Actor, id int64) (model.File, error) {
	if err := by.Require(Everyone...); err != nil {
		return model.File{}, err
	}
	f, err := s.db.GetFile(ctx, id)
	return f, withNotFoundText(err, "文件不存在或已被删除。")
}

// Open returns a file with its content. Staff read any file; a deputy
// reads only the attachments of published study materials and of the
// suggestions they write or are asked to co-sign.
func (s *Files) Open(ctx context.Context, by Actor, id int64) (model.File, []byte, error) {
	switch {
	case by.Deputy.ID != 0:
		ok, err := s.db.FileOfPublishedMaterial(ctx, id, s.now())
		if err != nil {
			return model.File{}, nil, err
		}
		if !ok {
			if ok, err = s.db.FileOfSuggestion(ctx, id, by.Deputy.ID); err != nil {
				return model.File{}, nil, err
			}
		}
		if !ok {
			return model.File{}, nil, NotFound("文件不存在或暂不可查看。")
		}
	default:
		if err := by.Require(Everyone...); err != nil {
			return model.File{}, nil, err
		}
	}
	f, err := s.db.GetFile(ctx, id)
	if err != nil {
		return f, nil, withNotFoundText(err, "文件不存在或已被删除。")
	}
	data, err := s.db.FileContent(ctx, id)
	return f, data, err
}

// sniffFile decides an upload's type by its content, and refuses what is
// not an allowed type or is visibly broken.
func sniffFile(data []byte) (string, error) {
	bad := func(msg string) error { return &FieldError{Key: "file", Label: "文件", Msg: msg} }
	if len(data) == 0 {
		return "", bad("是空文件，请选择有内容的文件")
	}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		if !bytes.Contains(data[max(0, len(data)-2048):], []byte("%%EOF")) {
			return "", bad("PDF 文件不完整或已损坏，请重新导出后再上传")
		}
		return model.FilePDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if isDOCX(data) {
			return model.FileDOCX, nil
		}
		return "", bad("不是有效的 Word 文档（.docx）。只能上传 PDF、Word（.docx）文档或图片")
	}
	switch ct := http.DetectContentType(data); ct {
	case model.FilePNG, model.FileJPEG, model.FileGIF:
		if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
			return "", bad("图片已损坏，无法打开，请换一张图片")
		}
		return ct, nil
	case model.FileWebP:
		return ct, nil
	}
	return "", bad("类型不支持。只能上传 PDF、Word（.docx）文档或图片（PNG、JPEG、GIF、WebP）")
}

// isDOCX reports whether a ZIP archive is a Word document.
func isDOCX(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	var types, doc bool
	for _, f := range zr.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			doc = true
		}
	}
	return types && doc
}

// downloadName cleans the uploader's file name (no folders, no control
// characters, at most 100 characters) and gives it the extension of the
// type its content has.
func downloadName(name, contentType string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	ext := model.FileExt(contentType)
	stem := strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	if stem == "" || stem == "." {
		stem = "附件"
	}
	if n := utf8.RuneCountInString(stem); n > maxFileName {
		stem = string([]rune(stem)[:maxFileName])
	}
	return stem + ext
}
