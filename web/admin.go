package web

import "embed"

// Admin holds the staff console: page templates under "admin/" (each
// rendered inside admin/layout.html) and their assets under
// "admin/static/", all written for deputybot (no third-party files).
//
//go:embed admin/*.html admin/static
var Admin embed.FS
