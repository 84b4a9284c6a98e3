package h5

import (
	"net/http"

	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// serveFile answers with an uploaded file, replacing the page headers
// (a file is no page, and may be cached by the phone for a day).
func serveFile(w http.ResponseWriter, r *http.Request, f model.File, data []byte) {
	w.Header().Del("Cache-Control")
	httpkit.ServeFile(w, r, f, data)
}
