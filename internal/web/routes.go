package web

import (
	"io/fs"
	"net/http"

	"github.com/civitas-lv/surveyd/static"
	"github.com/gin-gonic/gin"
)

// routes lists every route of the service in one place.
func (s *Server) routes(r *gin.Engine) {
	r.Use(s.requestContext, s.recoverPanic, s.securityHeaders, s.limitBody)
	r.NoRoute(s.notFoundRoute)
	r.NoMethod(s.methodNotAllowed)

	// Operations.
	r.GET("/healthz", s.healthz)

	// Home: where to find the form.
	r.GET("/", s.home)

	// Static files (css, js), fingerprinted by ?v= and cached.
	sub, _ := fs.Sub(static.FS, ".")
	r.GET("/static/*path", s.serveStatic(http.FS(sub)))

	// The municipality's form, by personal link (no JavaScript needed).
	r.GET("/r/:token", s.respondPage)
	r.POST("/r/:token", s.respondPost)

	// The same as JSON; the form's JavaScript uses it for autosave.
	api := r.Group("/api/v1")
	api.GET("/r/:token", s.apiGetResponse)
	api.PUT("/r/:token", s.apiPutResponse)
	api.POST("/r/:token/submit", s.apiSubmitResponse)
}
