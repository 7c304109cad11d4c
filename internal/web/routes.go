package web

import (
	"io/fs"
	"net/http"

	"github.com/civitas-lv/surveyd/static"
	"github.com/gin-gonic/gin"
)

// routes lists every route of the service in one place, each with who may
// use it: public, a personal link (the token is the credential), or a
// signed-in user with an access level (auth.go). The authorization test
// walks this list and fails for a route it has no expectation for.
func (s *Server) routes(r *gin.Engine) {
	r.Use(s.requestContext, s.recoverPanic, s.limitBody, s.refuseBadText, s.deadline, s.identify) // security headers: edge
	r.NoRoute(s.notFoundRoute)
	r.NoMethod(s.methodNotAllowed)

	// Operations.
	r.GET("/healthz", s.handle(s.healthz))

	// Home: where to find the form, or the workspace when signed in.
	r.GET("/", s.handle(s.home))

	// Static files (css, js), fingerprinted by ?v= and cached.
	sub, _ := fs.Sub(static.FS, ".")
	r.GET("/static/*path", s.serveStatic(http.FS(sub)))

	// The municipality's form, by personal link (no JavaScript needed).
	r.GET("/r/:token", s.handle(s.respondPage))
	r.POST("/r/:token", s.handle(s.respondPost))
	r.GET("/r/:token/print", s.handle(s.printView)) // a copy of the answers to print or keep
	// Its results once a coordinator released its feedback (a report is
	// built: REPORT_TIMEOUT).
	r.GET("/r/:token/results", s.longRunning, s.handle(s.resultsPage))
	r.GET("/r/:token/results.xlsx", s.longRunning, s.handle(s.resultsXLSX))

	// Signing in and out, passwords.
	r.GET("/login", s.handle(s.loginForm))
	r.POST("/login", s.handle(s.login))
	r.POST("/logout", s.handle(s.logout)) // works with an expired session too
	r.GET("/account", s.allow(signedIn), s.handle(s.accountPage))
	r.POST("/account/password", s.allow(signedIn), s.handle(s.changePassword))
	r.GET("/password/:token", s.handle(s.passwordLinkForm))
	r.POST("/password/:token", s.handle(s.setPasswordByLink))

	// Survey rounds.
	r.GET("/surveys", s.allow(view), s.handle(s.surveysPage))
	r.GET("/surveys/new", s.allow(coordinate), s.handle(s.newRoundForm))
	r.POST("/surveys", s.allow(coordinate), s.handle(s.createRound))
	r.GET("/surveys/:slug/settings", s.allow(coordinate), s.handle(s.roundPage))
	r.POST("/surveys/:slug/dates", s.allow(coordinate), s.handle(s.setRoundDates))
	r.POST("/surveys/:slug/close", s.allow(coordinate), s.handle(s.closeRound))
	r.POST("/surveys/:slug/extensions", s.allow(coordinate), s.handle(s.setExtension))
	r.POST("/surveys/:slug/extensions/:code/delete", s.allow(coordinate), s.handle(s.deleteExtension))
	r.POST("/surveys/:slug/publishable", s.allow(coordinate), s.handle(s.setPublishable))

	// The response tracker (contacts only for coordinators).
	r.GET("/surveys/:slug", s.allow(view), s.handle(s.trackerPage))

	// Results: the Excel workbook, the chart dashboard (each chart's data
	// as CSV) and the printable report; the same filters for all. A few
	// are built at a time (manage.Results; more get 503 busy), each with
	// REPORT_TIMEOUT.
	r.GET("/surveys/:slug/export.xlsx", s.allow(view), s.longRunning, s.handle(s.exportXLSX))
	r.GET("/surveys/:slug/charts", s.allow(view), s.longRunning, s.handle(s.chartsPage))
	r.GET("/surveys/:slug/charts/:chart/data.csv", s.allow(view), s.longRunning, s.handle(s.chartData))
	r.GET("/surveys/:slug/report", s.allow(view), s.longRunning, s.handle(s.reportPage))
	// The open-data package: submitted answers without personal data (never
	// filtered), the same bytes for the same data.
	r.GET("/surveys/:slug/opendata.zip", s.allow(view), s.longRunning, s.handle(s.openDataZip))
	// A municipality's feedback report as it will read it, and as .xlsx
	// (404 when it has not submitted).
	r.GET("/surveys/:slug/feedback/:code", s.allow(coordinate), s.longRunning, s.handle(s.feedbackPreview))
	r.GET("/surveys/:slug/feedback/:code/report.xlsx", s.allow(coordinate), s.longRunning, s.handle(s.feedbackXLSX))

	// Personal links, invitations and reminders.
	r.GET("/surveys/:slug/links", s.allow(coordinate), s.handle(s.linksPage))
	r.GET("/surveys/:slug/links.csv", s.allow(coordinate), s.handle(s.linksCSV))
	// Replacing or revoking a working link asks for confirmation first (the
	// GETs; a POST without confirm=1 shows the same page).
	r.GET("/surveys/:slug/links/:code/rotate", s.allow(coordinate), s.handle(s.rotateConfirm))
	r.POST("/surveys/:slug/links/:code/rotate", s.allow(coordinate), s.handle(s.rotateLink))
	r.GET("/surveys/:slug/links/:code/revoke", s.allow(coordinate), s.handle(s.revokeConfirm))
	r.POST("/surveys/:slug/links/:code/revoke", s.allow(coordinate), s.handle(s.revokeLink))
	r.GET("/surveys/:slug/messages", s.allow(coordinate), s.handle(s.messagesPage))
	// Sending delivers within the request (up to 2 minutes), so its
	// deadline is REPORT_TIMEOUT's, not STAFF_TIMEOUT's.
	r.POST("/surveys/:slug/messages", s.allow(coordinate), s.handle(s.sendMessages)) // only queues

	// The invitation list for the council meeting: personal data, read
	// from one snapshot (a report slot, like the results); every read is
	// logged.
	r.GET("/surveys/:slug/contact-list", s.allow(coordinate), s.handle(s.contactListPage))
	r.GET("/surveys/:slug/contact-list.csv", s.allow(coordinate), s.handle(s.contactListCSV))
	r.GET("/surveys/:slug/contact-list.xlsx", s.allow(coordinate), s.handle(s.contactListXLSX))
	// Feedback to the municipalities: release it (all that submitted, or a
	// chosen set), send the e-mail with the results link (only queues),
	// withdraw a release after a confirmation (the GET; a POST without
	// confirm=1 shows the same page).
	r.GET("/surveys/:slug/feedback", s.allow(coordinate), s.handle(s.feedbackReleasePage))
	r.POST("/surveys/:slug/feedback/release", s.allow(coordinate), s.handle(s.releaseFeedback))
	r.POST("/surveys/:slug/feedback/send", s.allow(coordinate), s.handle(s.sendFeedback))
	r.GET("/surveys/:slug/feedback/:code/withdraw", s.allow(coordinate), s.handle(s.withdrawFeedbackConfirm))
	r.POST("/surveys/:slug/feedback/:code/withdraw", s.allow(coordinate), s.handle(s.withdrawFeedback))

	// Review: answers with history; corrections and returns.
	r.GET("/surveys/:slug/responses/:code", s.allow(view), s.handle(s.reviewPage))
	r.GET("/surveys/:slug/responses/:code/correct", s.allow(coordinate), s.handle(s.correctForm))
	r.POST("/surveys/:slug/responses/:code/correct", s.allow(coordinate), s.handle(s.correct))
	r.GET("/surveys/:slug/responses/:code/return", s.allow(coordinate), s.handle(s.returnForm))
	r.POST("/surveys/:slug/responses/:code/return", s.allow(coordinate), s.handle(s.returnResponse))

	// Municipality contacts (personal data).
	r.GET("/contacts", s.allow(coordinate), s.handle(s.contactsPage))
	r.POST("/contacts/:code", s.allow(coordinate), s.handle(s.saveContacts))
	// Import from a CSV or .xlsx file: a preview first, then apply it.
	r.POST("/contacts/import", s.allow(coordinate), s.handle(s.importContacts))
	r.POST("/contacts/import/apply", s.allow(coordinate), s.handle(s.applyContactImport))

	// Administration.
	r.GET("/admin/users", s.allow(administer), s.handle(s.usersPage))
	r.POST("/admin/users", s.allow(administer), s.handle(s.addUser))
	r.POST("/admin/users/:id", s.allow(administer), s.handle(s.updateUser))
	r.POST("/admin/users/:id/password-link", s.allow(administer), s.handle(s.userPasswordLink))
	r.GET("/admin/tokens", s.allow(administer), s.handle(s.tokensPage))
	r.POST("/admin/tokens", s.allow(administer), s.handle(s.createToken))
	r.POST("/admin/tokens/:id/revoke", s.allow(administer), s.handle(s.revokeToken))

	// JSON API: the form's autosave (by personal link) and, for scripts
	// (Bearer token) and the workspace, the round's status.
	api := r.Group("/api/v1")
	api.GET("/r/:token", s.handle(s.apiGetResponse))
	api.PUT("/r/:token", s.handle(s.apiPutResponse))
	api.POST("/r/:token/submit", s.handle(s.apiSubmitResponse))
	api.GET("/surveys/:slug/status", s.allow(view), s.handle(s.apiStatus))
}
