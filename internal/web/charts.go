package web

import (
	"errors"

	"github.com/gin-gonic/gin"
)

// chartsPage is the chart dashboard of a round.
func (s *Server) chartsPage(c *gin.Context) { s.fail(c, errors.New("not yet")) }

// chartData downloads one chart's data as CSV.
func (s *Server) chartData(c *gin.Context) { s.fail(c, errors.New("not yet")) }

// reportPage is the printable report of a round.
func (s *Server) reportPage(c *gin.Context) { s.fail(c, errors.New("not yet")) }
