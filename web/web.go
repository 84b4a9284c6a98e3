// Package web holds deputybot's HTML templates and static assets, embedded
// in the binary: the H5 pages deputies open from WeChat (h5/*.html) and
// the files they load (static/, including WeUI's stylesheet, MIT licensed,
// copied unmodified from the weui npm package's dist/style/weui.min.css).
package web

import "embed"

// H5 holds the H5 page templates under "h5/": layout.html and parts.html
// are shared, every other file is one page.
//
//go:embed h5/*.html
var H5 embed.FS

// Static holds the assets under "static/", served with a long cache
// lifetime behind a content-hash query string.
//
//go:embed static
var Static embed.FS
