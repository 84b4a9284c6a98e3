package core

import (
	"bytes"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders a material's body: CommonMark with tables,
// strikethrough and bare links turned into links.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// sanitizer keeps what a study text needs (headings, lists, tables,
// emphasis, links to web pages, pictures) and drops scripts, event
// attributes, styles and any link that is not http(s) or mailto.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

var rawHTMLComment = regexp.MustCompile(`(?s)<!--.*?-->`)

// RenderMarkdown turns a material's Markdown body into HTML safe to put in
// a page as it is: rendered by goldmark (raw HTML in the text is kept out
// of the output) and then sanitized, so no <script>, javascript: link or
// event attribute survives whatever was typed.
func RenderMarkdown(body string) string {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(body), &b); err != nil {
		return sanitizer.Sanitize(body)
	}
	return sanitizer.Sanitize(rawHTMLComment.ReplaceAllString(b.String(), ""))
}
