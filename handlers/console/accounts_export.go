package console

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// accountsExport downloads every account (Excel), for an admin.
func accountsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Staff.ExportAccountsAs(r.Context(), by)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

// tokensExport downloads the signed-in account's own API tokens (Excel).
func tokensExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Staff.ExportTokensAs(r.Context(), by)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
