package web

import "embed"

// Admin holds the staff console: page templates under "admin/" (each
// rendered inside admin/layout.html) and their assets under
// "admin/static/": deputybot's own, plus Apache ECharts 5.6.0
// (echarts.min.js, Apache-2.0, copied unmodified from the echarts npm
// package's dist/ with its license header).
//
//go:embed admin/*.html admin/static
var Admin embed.FS
