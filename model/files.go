package model

import (
	"fmt"
	"time"
)

// MaxFileSize is the largest file an upload may be: 20 MB.
const MaxFileSize = 20 << 20

// The content types a file may have, checked by its content, not its name.
const (
	FilePDF  = "application/pdf"
	FileDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	FilePNG  = "image/png"
	FileJPEG = "image/jpeg"
	FileGIF  = "image/gif"
	FileWebP = "image/webp"
	// The audio of a voice message sent in the chat (WeChat keeps it as
	// AMR, or Speex in an Ogg file).
	FileAMR = "audio/amr"
	FileOgg = "audio/ogg"
)

// fileKinds gives each allowed content type its Chinese name and the
// extension its download name ends with.
var fileKinds = map[string]struct{ Label, Ext string }{
	FilePDF:  {"PDF 文档", ".pdf"},
	FileDOCX: {"Word 文档", ".docx"},
	FilePNG:  {"PNG 图片", ".png"},
	FileJPEG: {"JPEG 图片", ".jpg"},
	FileGIF:  {"GIF 图片", ".gif"},
	FileWebP: {"WebP 图片", ".webp"},
	FileAMR:  {"AMR 语音", ".amr"},
	FileOgg:  {"Ogg 语音", ".ogg"},
}

// FileTypeLabel names a content type in Chinese ("文件" when unknown).
func FileTypeLabel(contentType string) string {
	if k, ok := fileKinds[contentType]; ok {
		return k.Label
	}
	return "文件"
}

// FileExt is the extension a download of contentType is named with ("" when unknown).
func FileExt(contentType string) string { return fileKinds[contentType].Ext }

// File is an uploaded file: an attachment of a study material today, of
// suggestions and opinions tomorrow. Its content is stored apart, by its
// SHA-256, so the same file uploaded twice is stored once.
type File struct {
	ID          int64     `db:"id"`
	Name        string    `db:"name"` // the download name, with the extension of its type
	Size        int64     `db:"size"`
	SHA256      string    `db:"sha256"` // lower-case hex
	ContentType string    `db:"content_type"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`
}

// Object names the file in the audit log.
func (f File) Object() string { return fmt.Sprintf("file/%d", f.ID) }

// IsImage reports whether the file is a picture (shown inline on pages).
func (f File) IsImage() bool {
	switch f.ContentType {
	case FilePNG, FileJPEG, FileGIF, FileWebP:
		return true
	}
	return false
}

// IsPDF reports whether the file is a PDF (opened in WeChat's viewer).
func (f File) IsPDF() bool { return f.ContentType == FilePDF }

// SizeText writes the size for people: 1.2 MB, 35 KB.
func (f File) SizeText() string {
	switch {
	case f.Size >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(f.Size)/(1<<20))
	case f.Size >= 1<<10:
		return fmt.Sprintf("%d KB", f.Size>>10)
	}
	return fmt.Sprintf("%d 字节", f.Size)
}
