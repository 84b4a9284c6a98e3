package h5

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
)

// The study material section: the sanitized text, the attachments (a
// PDF opens in WeChat's viewer), the reading-time reports and the 学完
// button; and the signed routes its attachments and reports go to.

type h5Material struct {
	ID                                   int64
	Title, Summary, Category, Published  string
	HTML                                 template.HTML // rendered Markdown, sanitized
	Link, VideoLink                      string
	Files                                []h5File
	Studied                              bool
	StudiedAt, Action, ReadURL, ReadTime string
	Courses                              []h5CourseProgress
}

type h5File struct {
	Name, Href, Size, Type string
	PDF, Image             bool
}

// h5CourseProgress is a course the material belongs to, as its deputy
// stands in it.
type h5CourseProgress struct {
	Title, Deadline string
	Done, Required  int
	Finished        bool
}

// fileLinkSubject and readingLinkSubject sign the links a material page
// gives its deputy to its attachments and to its reading reports. The
// WeChat user the deputy is bound to is part of what is signed (not of
// the link), so the links stop working when the deputy is unbound or
// binds another WeChat user.
func fileLinkSubject(fileID int64, openid string) string {
	return "f" + strconv.FormatInt(fileID, 10) + "@" + openid
}
func readingLinkSubject(materialID int64, openid string) string {
	return "r" + strconv.FormatInt(materialID, 10) + "@" + openid
}

func (h *server) materialSection(ctx context.Context, s *h5Section, by core.Actor, id int64, t h5Target, in h5Input) error {
	dm, err := h.materials.Read(ctx, by, id)
	if err != nil {
		return err
	}
	dep := by.Deputy.ID
	m := dm.Material
	v := &h5Material{ID: m.ID, Title: m.Title, Summary: m.Summary, Category: m.Category, Published: h.fmtDate(m.PublishedAt),
		HTML: template.HTML(core.RenderMarkdown(m.Body)), Link: m.Link, VideoLink: m.VideoLink, Action: t.action("studied"),
		ReadURL:  "/h5/reading/" + strconv.FormatInt(m.ID, 10) + "?t=" + h.d.Signer.Token(readingLinkSubject(m.ID, by.Deputy.OpenID), dep),
		ReadTime: readTime(dm.ReadSeconds)}
	for _, f := range m.Attachments {
		v.Files = append(v.Files, h5File{Name: f.Name, Size: f.SizeText(), Type: model.FileTypeLabel(f.ContentType),
			PDF: f.IsPDF(), Image: f.IsImage(),
			Href: "/h5/files/" + strconv.FormatInt(f.ID, 10) + "?t=" + h.d.Signer.Token(fileLinkSubject(f.ID, by.Deputy.OpenID), dep)})
	}
	if dm.StudiedAt != nil {
		v.Studied, v.StudiedAt = true, h.fmtTime(*dm.StudiedAt)
	}
	if v.Courses, err = h.courseProgress(ctx, by, m.ID); err != nil {
		return err
	}
	if in.Done == "studied" {
		s.Done = "已记录：您已学习《" + m.Title + "》。"
	}
	s.Material = v
	return nil
}

// readTime says how long the deputy has read, or "" before a minute.
func readTime(seconds int) string {
	if seconds < 60 {
		return ""
	}
	return fmt.Sprintf("%d 分钟", seconds/60)
}

// linkedDeputy checks a signed link to subject(the deputy's openid) and
// returns the deputy it was given to, while they are bound to that WeChat
// user and in office; it answers with the problem page itself and returns
// false when refused.
func (h *server) linkedDeputy(w http.ResponseWriter, r *http.Request, subject func(openid string) string) (core.Actor, bool) {
	tok := r.URL.Query().Get("t")
	dep := notify.TokenDeputy(tok)
	if dep == 0 {
		h.problem(w, http.StatusForbidden, h5LinkInvalid)
		return core.Actor{}, false
	}
	d, err := h.d.Services.Access.SessionDeputy(r.Context(), dep)
	if errors.Is(err, core.ErrNotBound) {
		// Nobody to check the signature against: the link names a deputy
		// no WeChat user speaks for now (or none at all).
		h.problem(w, http.StatusForbidden, h5LinkUnbound)
		return core.Actor{}, false
	}
	if err != nil && !errors.Is(err, core.ErrTermEnded) {
		h.internal(w, "linked deputy", err)
		return core.Actor{}, false
	}
	if _, verr := h.d.Signer.Verify(subject(d.OpenID), tok); verr != nil {
		p := h5LinkInvalid
		if errors.Is(verr, notify.ErrLinkExpired) {
			p = h5LinkExpired
		}
		h.problem(w, http.StatusForbidden, p)
		return core.Actor{}, false
	}
	if err != nil {
		h.problem(w, http.StatusForbidden, h5Ended)
		return core.Actor{}, false
	}
	return core.DeputyActor(d, core.ViaH5), true
}

// fileDownload serves GET /h5/files/{id}?t=…: an attachment of a
// published material, for the deputy its page was shown to. A PDF is sent
// inline, so WeChat opens it in its own viewer.
func (h *server) fileDownload(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	by, ok := h.linkedDeputy(w, r, func(openid string) string { return fileLinkSubject(id, openid) })
	if !ok {
		return
	}
	f, data, err := h.d.Services.Files.Open(r.Context(), by, id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	case err != nil:
		h.internal(w, "open file", err)
		return
	}
	serveFile(w, r, f, data)
}

// readingPost serves POST /h5/reading/{id}?t=… with seconds=N: the page
// reports, every few seconds while it is visible, how long it was read.
func (h *server) readingPost(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	by, ok := h.linkedDeputy(w, r, func(openid string) string { return readingLinkSubject(id, openid) })
	if !ok || !h.parseForm(w, r) {
		return
	}
	secs, _ := strconv.Atoi(r.PostForm.Get("seconds"))
	if _, err := h.materials.AddReading(r.Context(), by, id, secs); err != nil {
		if _, mine := core.Fields(err); mine || errors.Is(err, model.ErrNotFound) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			return
		}
		h.internal(w, "record reading", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
