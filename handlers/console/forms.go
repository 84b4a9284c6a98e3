package console

import (
	"net/http"
	"strconv"

	"deputybot/model"
)

// pathID reads the {id} of the path; a malformed one is not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.ErrNotFound
	}
	return id, nil
}
