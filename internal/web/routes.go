package web

import (
	"io/fs"
	"maps"
	"net/http"
	"path"

	"github.com/civitas-lv/surveyd/static"
	"github.com/gin-gonic/gin"
)

// routes lists every route of the service in one place, grouped by who may
// use it: public, a personal link (the token is the credential: the
// handler looks it up), or a signed-in user with an access level (auth.go),
// which the group's middleware checks. The authorization test walks the
// routes and fails for a route it has no expectation for, or whose group
// is not the one it expects (RouteAccess).
func (s *Server) routes(r *gin.Engine) {
	// Before any group: a group takes the middleware it has when it is
	// made.
	r.Use(s.requestContext, s.recoverPanic, s.limitBody, s.refuseBadText, s.deadline, s.identify) // security headers: edge
	r.NoRoute(s.notFoundRoute)
	r.NoMethod(s.methodNotAllowed)
	s.routeAccess = map[string]string{}

	public := s.openGroup(r, "", "public")
	link := s.openGroup(r, "/r/:token", "link") // the municipality's personal link
	account := s.staffGroup(r, "", signedIn)
	viewer := s.staffGroup(r, "", view)
	coordinator := s.staffGroup(r, "", coordinate)
	admin := s.staffGroup(r, "", administer)

	// Anyone.

	// Operations.
	public.GET("/healthz", s.handle(s.healthz)) // liveness
	public.GET("/readyz", s.handle(s.readyz))   // readiness: database, schema, not shutting down
	// Home: where to find the form, or the workspace when signed in.
	public.GET("/", s.handle(s.home))
	// Static files (css, js), fingerprinted by ?v= and cached.
	sub, _ := fs.Sub(static.FS, ".")
	public.GET("/static/*path", s.serveStatic(http.FS(sub)))
	// Signing in and out, passwords by a one-time link.
	public.GET("/login", s.handle(s.loginForm))
	public.POST("/login", s.handle(s.login))
	public.POST("/logout", s.handle(s.logout)) // works with an expired session too
	public.GET("/password/:token", s.handle(s.passwordLinkForm))
	public.POST("/password/:token", s.handle(s.setPasswordByLink))

	// Whoever holds the municipality's personal link.

	// Its form (no JavaScript needed).
	link.GET("", s.handle(s.respondPage))
	link.POST("", s.handle(s.respondPost))
	link.GET("/print", s.handle(s.printView)) // a copy of the answers to print or keep
	// Its results once a coordinator released its feedback (a report is
	// built: REPORT_TIMEOUT).
	link.GET("/results", s.longRunning, s.handle(s.resultsPage))
	link.GET("/results.xlsx", s.longRunning, s.handle(s.resultsXLSX))

	// Any signed-in user: their own account.
	account.GET("/account", s.handle(s.accountPage))
	account.POST("/account/password", s.handle(s.changePassword))

	// Viewers, coordinators and admins: rounds, the tracker, answers and
	// results.

	// Survey rounds and the response tracker (contacts only for
	// coordinators).
	viewer.GET("/surveys", s.handle(s.surveysPage))
	viewer.GET("/surveys/:slug", s.handle(s.trackerPage))
	// Review: answers with history.
	viewer.GET("/surveys/:slug/responses/:code", s.handle(s.reviewPage))
	// Results: the Excel workbook, the chart dashboard (each chart's data
	// as CSV) and the printable report; the same filters for all. A few
	// are built at a time (manage.Results; more get 503 busy), each with
	// REPORT_TIMEOUT.
	viewer.GET("/surveys/:slug/export.xlsx", s.longRunning, s.handle(s.exportXLSX))
	viewer.GET("/surveys/:slug/charts", s.longRunning, s.handle(s.chartsPage))
	viewer.GET("/surveys/:slug/charts/:chart/data.csv", s.longRunning, s.handle(s.chartData))
	viewer.GET("/surveys/:slug/report", s.longRunning, s.handle(s.reportPage))
	// The open-data package: submitted answers without personal data (never
	// filtered), the same bytes for the same data.
	viewer.GET("/surveys/:slug/opendata.zip", s.longRunning, s.handle(s.openDataZip))
	viewer.GET("/surveys/:slug/definition.xlsx", s.handle(s.definitionXLSX))

	// Coordinators and admins: changing rounds, links, contacts and
	// answers; everything with personal data.

	// Survey rounds.
	coordinator.GET("/surveys/new", s.handle(s.newRoundForm))
	coordinator.POST("/surveys", s.handle(s.createRound))
	coordinator.GET("/surveys/:slug/settings", s.handle(s.roundPage))
	coordinator.POST("/surveys/:slug/dates", s.handle(s.setRoundDates))
	coordinator.POST("/surveys/:slug/next", s.handle(s.createNextRound))
	// Replace a not-yet-open round's questionnaire (YAML, JSON or XLSForm).
	coordinator.POST("/surveys/:slug/definition", s.handle(s.replaceDefinition))
	coordinator.POST("/surveys/:slug/close", s.handle(s.closeRound))
	coordinator.POST("/surveys/:slug/extensions", s.handle(s.setExtension))
	coordinator.POST("/surveys/:slug/extensions/:code/delete", s.handle(s.deleteExtension))
	coordinator.POST("/surveys/:slug/publishable", s.handle(s.setPublishable))
	// How long the round's personal data is kept (personal.go).
	coordinator.POST("/surveys/:slug/retention", s.handle(s.setRoundRetention))
	// Preview: the round's form as a municipality would see it, whatever
	// the round's state; its answers are only checked, never stored
	// (the chooser on the settings page, the page, its form without
	// JavaScript, the checks of its script: JSON).
	coordinator.GET("/surveys/:slug/preview", s.handle(s.previewChoose))
	coordinator.GET("/surveys/:slug/preview/:code", s.handle(s.previewPage))
	coordinator.POST("/surveys/:slug/preview/:code", s.handle(s.previewPost))
	coordinator.POST(previewCheckRoute, s.handle(s.previewCheck))

	// A municipality's feedback report as it will read it, and as .xlsx
	// (404 when it has not submitted): built like the results.
	coordinator.GET("/surveys/:slug/feedback/:code", s.longRunning, s.handle(s.feedbackPreview))
	coordinator.GET("/surveys/:slug/feedback/:code/report.xlsx", s.longRunning, s.handle(s.feedbackXLSX))

	// Personal links, invitations and reminders.
	coordinator.GET("/surveys/:slug/links", s.handle(s.linksPage))
	coordinator.GET("/surveys/:slug/links.csv", s.handle(s.linksCSV))
	// Replacing or revoking a working link asks for confirmation first (the
	// GETs; a POST without confirm=1 shows the same page).
	coordinator.GET("/surveys/:slug/links/:code/rotate", s.handle(s.rotateConfirm))
	coordinator.POST("/surveys/:slug/links/:code/rotate", s.handle(s.rotateLink))
	coordinator.GET("/surveys/:slug/links/:code/revoke", s.handle(s.revokeConfirm))
	coordinator.POST("/surveys/:slug/links/:code/revoke", s.handle(s.revokeLink))
	coordinator.GET("/surveys/:slug/messages", s.handle(s.messagesPage))
	// Sending delivers within the request (up to 2 minutes), so its
	// deadline is REPORT_TIMEOUT's, not STAFF_TIMEOUT's.
	coordinator.POST("/surveys/:slug/messages", s.handle(s.sendMessages)) // only queues

	// The invitation list for the council meeting: personal data, read
	// from one snapshot (a report slot, like the results); every read is
	// logged.
	coordinator.GET("/surveys/:slug/contact-list", s.handle(s.contactListPage))
	coordinator.GET("/surveys/:slug/contact-list.csv", s.handle(s.contactListCSV))
	coordinator.GET("/surveys/:slug/contact-list.xlsx", s.handle(s.contactListXLSX))
	// Feedback to the municipalities: release it (all that submitted, or a
	// chosen set), send the e-mail with the results link (only queues),
	// withdraw a release after a confirmation (the GET; a POST without
	// confirm=1 shows the same page).
	coordinator.GET("/surveys/:slug/feedback", s.handle(s.feedbackReleasePage))
	coordinator.POST("/surveys/:slug/feedback/release", s.handle(s.releaseFeedback))
	coordinator.POST("/surveys/:slug/feedback/send", s.handle(s.sendFeedback))
	coordinator.GET("/surveys/:slug/feedback/:code/withdraw", s.handle(s.withdrawFeedbackConfirm))
	coordinator.POST("/surveys/:slug/feedback/:code/withdraw", s.handle(s.withdrawFeedback))

	// Review: corrections and returns.
	coordinator.GET("/surveys/:slug/responses/:code/correct", s.handle(s.correctForm))
	coordinator.POST("/surveys/:slug/responses/:code/correct", s.handle(s.correct))
	coordinator.GET("/surveys/:slug/responses/:code/return", s.handle(s.returnForm))
	coordinator.POST("/surveys/:slug/responses/:code/return", s.handle(s.returnResponse))

	// Municipality contacts (personal data).
	coordinator.GET("/contacts", s.handle(s.contactsPage))
	coordinator.POST("/contacts/:code", s.handle(s.saveContacts))
	// Import from a CSV or .xlsx file: a preview first, then apply it.
	coordinator.POST("/contacts/import", s.handle(s.importContacts))
	coordinator.POST("/contacts/import/apply", s.handle(s.applyContactImport))

	// Admins: users, API tokens and a person's data.
	admin.GET("/admin/users", s.handle(s.usersPage))
	admin.POST("/admin/users", s.handle(s.addUser))
	admin.POST("/admin/users/:id", s.handle(s.updateUser))
	admin.POST("/admin/users/:id/password-link", s.handle(s.userPasswordLink))
	admin.GET("/admin/tokens", s.handle(s.tokensPage))
	admin.POST("/admin/tokens", s.handle(s.createToken))
	admin.POST("/admin/tokens/:id/revoke", s.handle(s.revokeToken))
	// The audit log (filtered, paged) and its CSV; each read is recorded.
	admin.GET("/admin/audit", s.handle(s.auditLogPage))
	admin.GET("/admin/audit.csv", s.handle(s.auditLogCSV))
	// A person's data: find it, download it as JSON, erase it after a
	// confirmation (a POST without confirm=1 shows what would go). The
	// e-mail or name is always posted, never in the address.
	admin.GET("/admin/personal", s.handle(s.personalForm))
	admin.POST("/admin/personal", s.handle(s.personalSearch))
	admin.POST("/admin/personal/export", s.handle(s.personalExport))
	admin.POST("/admin/personal/erase", s.handle(s.personalErase))

	// JSON API: the form's autosave (by personal link) and, for scripts
	// (Bearer token) and the workspace, the round's status.
	api := r.Group("/api/v1")
	apiLink := s.openGroup(api, "/r/:token", "link")
	apiViewer := s.staffGroup(api, "", view)

	apiLink.GET("", s.handle(s.apiGetResponse))
	apiLink.PUT("", s.handle(s.apiPutResponse))
	apiLink.POST("/submit", s.handle(s.apiSubmitResponse))
	apiLink.POST("/confirm", s.handle(s.apiConfirmCarried))

	apiViewer.GET("/surveys/:slug/status", s.handle(s.apiStatus))
}

// routeGroup is routes that share who may use them: kind is the
// authorization matrix's word for it (public, link, signedIn, view,
// coordinate, administer), and the group's middleware, if any, checks it.
type routeGroup struct {
	g     *gin.RouterGroup
	kind  string
	table map[string]string
}

// openGroup is a group without an access check: public routes, and the
// personal link's, whose handlers look the link up.
func (s *Server) openGroup(parent gin.IRouter, relativePath, kind string) routeGroup {
	return routeGroup{g: parent.Group(relativePath), kind: kind, table: s.routeAccess}
}

// staffGroup is a group for signed-in users with the access a.
func (s *Server) staffGroup(parent gin.IRouter, relativePath string, a access) routeGroup {
	kind := map[access]string{signedIn: "signedIn", view: "view", coordinate: "coordinate", administer: "administer"}[a]
	return routeGroup{g: parent.Group(relativePath, s.allow(a)), kind: kind, table: s.routeAccess}
}

func (rg routeGroup) GET(relativePath string, h ...gin.HandlerFunc) {
	rg.handle(http.MethodGet, relativePath, h)
}

func (rg routeGroup) POST(relativePath string, h ...gin.HandlerFunc) {
	rg.handle(http.MethodPost, relativePath, h)
}

func (rg routeGroup) PUT(relativePath string, h ...gin.HandlerFunc) {
	rg.handle(http.MethodPut, relativePath, h)
}

func (rg routeGroup) handle(method, relativePath string, h []gin.HandlerFunc) {
	rg.g.Handle(method, relativePath, h...)
	// The full path as gin joins it.
	full := rg.g.BasePath()
	if relativePath != "" {
		full = path.Join(full, relativePath)
		if relativePath[len(relativePath)-1] == '/' && full[len(full)-1] != '/' {
			full += "/"
		}
	}
	rg.table[method+" "+full] = rg.kind
}

// RouteAccess says who may use each route ("GET /surveys" → "view") as
// its group declares it: public, link, signedIn, view, coordinate or
// administer. signedIn and view let in the same roles today, so only this
// tells them apart (the authorization test compares it with its matrix).
func (s *Server) RouteAccess() map[string]string {
	return maps.Clone(s.routeAccess)
}
