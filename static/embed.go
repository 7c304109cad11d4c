// Package static holds the files the browser loads: the stylesheet, the
// form's small vanilla JavaScript and, later, vendored libraries. They are
// embedded in the binary and served under /static/; nothing is loaded from
// outside the service.
package static

import "embed"

// FS holds css/ and js/.
//
//go:embed css js
var FS embed.FS
