package h5

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
)

// DeliveryLinkSubject is the signed-link subject of a pushed delivery's
// page: the push links to <public url>/h5/d/{id}?t=Signer.Token(subject, deputy).
func DeliveryLinkSubject(deliveryID int64) string { return "d" + strconv.FormatInt(deliveryID, 10) }

// h5NoticePage is the page a push links to: the notice and its section.
type h5NoticePage struct {
	Title, Published, Link string
	Paras                  []string
	Section                *h5Section
}

// delivery checks the link of a delivery's page: a token for this
// delivery, naming the deputy it was sent to. It answers with the
// explanation page itself and returns false when the link is refused.
func (h *server) delivery(w http.ResponseWriter, r *http.Request) (core.Linked, string, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return core.Linked{}, "", false
	}
	tok := r.URL.Query().Get("t")
	dep, err := h.d.Signer.Verify(DeliveryLinkSubject(id), tok)
	if err != nil {
		reason, p := "invalid", h5LinkInvalid
		if errors.Is(err, notify.ErrLinkExpired) {
			reason, p = "expired", h5LinkExpired
		}
		h.d.Log.Info("h5: link refused", "delivery", id, "reason", reason)
		h.problem(w, http.StatusForbidden, p)
		return core.Linked{}, "", false
	}
	link, err := h.d.Services.Access.Link(r.Context(), id, dep)
	switch {
	case errors.Is(err, model.ErrNotFound):
		h.problem(w, http.StatusNotFound, h5NotFound)
		return link, "", false
	case errors.Is(err, model.ErrForbidden):
		h.d.Log.Warn("h5: link refused", "delivery", id, "reason", "deputy mismatch")
		h.problem(w, http.StatusForbidden, h5LinkInvalid)
		return link, "", false
	case errors.Is(err, core.ErrNotBound):
		h.d.Log.Info("h5: link refused", "delivery", id, "reason", "unbound", "deputy", dep)
		h.problem(w, http.StatusForbidden, h5LinkUnbound)
		return link, "", false
	case errors.Is(err, core.ErrTermEnded):
		h.d.Log.Info("h5: link refused", "delivery", id, "reason", "terminated", "deputy", dep)
		h.problem(w, http.StatusForbidden, h5Ended)
		return link, "", false
	case err != nil:
		h.internal(w, "get delivery", err)
		return link, "", false
	}
	return link, tok, true
}

// deliveryPage serves GET /h5/d/{id}?t=…: opening it marks the delivery read.
func (h *server) deliveryPage(w http.ResponseWriter, r *http.Request) {
	link, tok, ok := h.delivery(w, r)
	if !ok {
		return
	}
	if err := h.d.Services.Access.MarkRead(r.Context(), link.Actor(), link.Delivery); err != nil {
		h.d.Log.Warn("h5: mark read", "delivery", link.Delivery.ID, "err", err)
	}
	h.showDelivery(w, r, http.StatusOK, link, tok, resultInput(r.URL.Query()))
}

// deliveryPost serves POST /h5/d/{id}/{verb}?t=…: the answer to the
// notice's meeting, suggestion, survey, material or solicitation.
func (h *server) deliveryPost(w http.ResponseWriter, r *http.Request) {
	link, tok, ok := h.delivery(w, r)
	if !ok {
		return
	}
	del, n := link.Delivery, link.Notice
	if h5Verbs[n.RefKind] == "" || h5Verbs[n.RefKind] != r.PathValue("verb") {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	target := h5Target{Base: "/h5/d/" + strconv.FormatInt(del.ID, 10), Token: tok}
	done, err := h.act(r.Context(), link.Actor(), n.RefKind, n.RefID, r.PostForm)
	if err != nil {
		in, ok := h.refused(w, err, n.RefKind, n.RefID, del.DeputyID, "delivery", r.PostForm)
		if ok {
			h.showDelivery(w, r, http.StatusUnprocessableEntity, link, tok, in)
		}
		return
	}
	h.d.Log.Info("h5: answer recorded", "kind", n.RefKind, "ref", n.RefID, "deputy", del.DeputyID, "via", "delivery")
	http.Redirect(w, r, target.result(done), http.StatusSeeOther)
}

// refused turns a refused answer into the input that shows the form again,
// or answers itself (not found, our failure) and returns false.
func (h *server) refused(w http.ResponseWriter, err error, kind string, ref, dep int64, via string, form url.Values) (h5Input, bool) {
	if errors.Is(err, model.ErrNotFound) {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return h5Input{}, false
	}
	msgs, ok := h5UserError(err, h.suggestions.RatingRevisionWindow)
	if !ok {
		h.internal(w, "record "+kind, err)
		return h5Input{}, false
	}
	h.d.Log.Info("h5: answer refused", "kind", kind, "ref", ref, "deputy", dep, "via", via, "reason", h5ErrorCode(err))
	return h5Input{Form: form, Errors: msgs}, true
}

func (h *server) showDelivery(w http.ResponseWriter, r *http.Request, status int, link core.Linked, tok string, in h5Input) {
	del, n := link.Delivery, link.Notice
	target := h5Target{Base: "/h5/d/" + strconv.FormatInt(del.ID, 10), Token: tok}
	sec, err := h.section(r.Context(), link.Actor(), n.RefKind, n.RefID, target, in)
	if errors.Is(err, model.ErrNotFound) {
		// The notice stands on its own even when what it was about is gone.
		sec, err = &h5Section{Kind: n.RefKind, Note: "相关内容已被删除或暂不可查看。"}, nil
	}
	if err != nil {
		h.internal(w, "build page", err)
		return
	}
	paras := paragraphs(n.Body)
	if sec != nil && sec.Message != nil {
		paras = nil // the section shows the answer with the message and every other answer
	}
	h.render(w, status, "notice", h5NoticePage{Title: n.Title, Published: h.fmtTime(n.CreatedAt), Link: n.Link,
		Paras: paras, Section: sec})
}
