package web

// reportMessages is the wording of the charts and the printable report,
// Latvian first (T looks here after messages and staffMessages).
var reportMessages = map[string][2]string{}
