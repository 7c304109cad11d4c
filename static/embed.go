// Package static holds the files the browser loads: the stylesheet, the
// small vanilla JavaScript of the form and of the charts, and vendored
// libraries (vendor/echarts). They are embedded in the binary and served
// under /static/; nothing is loaded from outside the service.
package static

import "embed"

// FS holds css/, js/ and vendor/ (ECharts, with its licence and version).
//
//go:embed css js vendor
var FS embed.FS
