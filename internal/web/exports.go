package web

import (
	"errors"

	"github.com/gin-gonic/gin"
)

// exportXLSX streams the round's Excel workbook (filters as query
// parameters); contacts only for coordinators and admins.
func (s *Server) exportXLSX(c *gin.Context) {
	s.fail(c, errors.New("not yet"))
}
