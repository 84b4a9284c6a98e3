package httpkit

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// InvalidUTF8 is shown when a console form carries bytes that are not
// UTF-8: MySQL refuses to store them, so they would fail as a server
// error deep in a handler.
const InvalidUTF8 = "提交的内容含有无法识别的字符（不是 UTF-8 编码的文字）。请删去从其他软件粘贴来的乱码后重新提交。"

// FormIsUTF8 reports whether the query and a url-encoded body of r are
// valid UTF-8, leaving the body for the handler (with its own size limit)
// to read again. Bodies over MaxTextForm are left to that limit.
func FormIsUTF8(r *http.Request) bool {
	if !validValues(r.URL.RawQuery) {
		return false
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return true
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return true
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxTextForm+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	if err != nil || len(b) > MaxTextForm {
		return true
	}
	return validValues(string(b))
}

// validValues reports whether every key and value of a query string is
// valid UTF-8 once unescaped; a malformed query is the handler's to refuse.
func validValues(raw string) bool {
	if raw == "" {
		return true
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return true
	}
	for k, vs := range v {
		if !utf8.ValidString(k) {
			return false
		}
		for _, s := range vs {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}

// MaxTextForm bounds a console form without uploads (a long opinion
// reply, a survey with many questions).
const MaxTextForm = 1 << 20

// MaxSmallForm bounds short forms (login, password).
const MaxSmallForm = 64 << 10

// ParseTextForm reads a url-encoded form of at most MaxTextForm bytes; it
// reports false when the form is too long or malformed.
func ParseTextForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, MaxTextForm)
	return r.ParseForm() == nil
}

// ParseSmallForm reads a url-encoded form of at most MaxSmallForm bytes;
// it reports false when the form is too long or malformed.
func ParseSmallForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, MaxSmallForm)
	return r.ParseForm() == nil
}
