package console

import (
	"net/http"

	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// serveFile answers with an uploaded file in place of a page.
func serveFile(w http.ResponseWriter, r *http.Request, f model.File, data []byte) {
	w.Header().Del("Cache-Control")
	httpkit.ServeFile(w, r, f, data)
}
