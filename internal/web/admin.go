package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/gin-gonic/gin"
)

type usersPage struct {
	Page
	Users        []domain.User
	Roles        []string
	Me           int64
	Flash, Error string
	// A set-password link just issued, shown once.
	LinkFor, Link string
	Email, Name   string
	Role          string
}

var roles = []string{domain.RoleCoordinator, domain.RoleViewer, domain.RoleAdmin}

func (s *Server) usersPage(c *gin.Context) error {
	s.renderUsers(c, http.StatusOK, nil)
	return nil
}

func (s *Server) renderUsers(c *gin.Context, status int, extra func(*usersPage)) {
	l := s.lang(c)
	list, err := s.manage.Users(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	p := usersPage{Page: s.pageAt(c, l.T("users.title"), "/admin/users"), Users: list, Roles: roles, Me: principalOf(c).user.ID,
		Role: domain.RoleCoordinator}
	if k := c.Query("done"); k != "" {
		p.Flash = l.T("users.done." + k)
	}
	if extra != nil {
		extra(&p)
	}
	s.render(c, status, "users.html", p)
}

// addUser creates a user and shows a one-time link to set the password.
func (s *Server) addUser(c *gin.Context) error {
	l := s.lang(c)
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	email, name, role := strings.TrimSpace(f.Get("email")), strings.TrimSpace(f.Get("name")), f.Get("role")
	u, link, err := s.manage.AddUser(c.Request.Context(), actor(c), email, name, role)
	problem := ""
	switch {
	case errors.Is(err, manage.ErrBadEmail):
		problem = l.T("users.email.bad")
	case errors.Is(err, manage.ErrBadRole):
		problem = l.T("users.role.bad")
	case errors.Is(err, domain.ErrExists):
		problem = l.T("users.exists")
	case nameProblem(l, err) != "":
		problem = nameProblem(l, err)
	case err != nil:
		return err
	}
	if problem != "" {
		s.renderUsers(c, http.StatusUnprocessableEntity, func(p *usersPage) {
			p.Error, p.Email, p.Name, p.Role = problem, email, name, role
		})
		return nil
	}
	s.log.Info("user added", "request_id", requestID(c), "user_id", u.ID, "role", u.Role, "by", principalOf(c).user.ID)
	s.renderUsers(c, http.StatusOK, func(p *usersPage) {
		p.Flash = l.T("users.added", "email", u.Email)
		p.LinkFor, p.Link = u.Email, link
	})
	return nil
}

func userID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// updateUser changes a user's name, role and whether they may sign in.
func (s *Server) updateUser(c *gin.Context) error {
	l := s.lang(c)
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	role := f.Get("role")
	_, err = s.manage.UpdateUser(c.Request.Context(), actor(c), id, strings.TrimSpace(f.Get("name")), role, f.Get("disabled") == "on")
	problem, status := "", http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, manage.ErrBadRole):
		problem = l.T("users.role.bad")
	case nameProblem(l, err) != "":
		problem = nameProblem(l, err)
	case errors.Is(err, domain.ErrLastAdmin):
		problem, status = l.T("users.lastadmin"), http.StatusConflict
	case err != nil:
		return err
	}
	if problem != "" {
		s.renderUsers(c, status, func(p *usersPage) { p.Error = problem })
		return nil
	}
	s.log.Info("user changed", "request_id", requestID(c), "user_id", id, "role", role, "by", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/admin/users?done=saved")
	return nil
}

// userPasswordLink issues a new set-password link (a reset).
func (s *Server) userPasswordLink(c *gin.Context) error {
	l := s.lang(c)
	id, err := userID(c)
	if err != nil {
		return err
	}
	u, link, err := s.manage.PasswordLink(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	s.renderUsers(c, http.StatusOK, func(p *usersPage) {
		p.Flash = l.T("users.link", "email", u.Email)
		p.LinkFor, p.Link = u.Email, link
	})
	return nil
}

type tokensPage struct {
	Page
	Tokens       []domain.APIToken
	Users        []domain.User
	Flash, Error string
	NewToken     string
	Name         string
}

func (s *Server) tokensPage(c *gin.Context) error {
	s.renderTokens(c, http.StatusOK, nil)
	return nil
}

func (s *Server) renderTokens(c *gin.Context, status int, extra func(*tokensPage)) {
	l := s.lang(c)
	list, users, err := s.manage.APITokens(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	p := tokensPage{Page: s.pageAt(c, l.T("tokens.title"), "/admin/tokens"), Tokens: list, Users: users}
	if c.Query("done") == "revoked" {
		p.Flash = l.T("tokens.revoked")
	}
	if extra != nil {
		extra(&p)
	}
	s.render(c, status, "tokens.html", p)
}

// createToken issues an API token acting as a user; it is shown once.
func (s *Server) createToken(c *gin.Context) error {
	l := s.lang(c)
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	name := strings.TrimSpace(f.Get("name"))
	uid, err := strconv.ParseInt(f.Get("user"), 10, 64)
	if err != nil {
		s.renderTokens(c, http.StatusUnprocessableEntity, func(p *tokensPage) { p.Error, p.Name = l.T("tokens.bad"), name })
		return nil
	}
	t, token, err := s.manage.CreateAPIToken(c.Request.Context(), actor(c), uid, name)
	problem := ""
	switch {
	case errors.Is(err, manage.ErrBadAPIToken):
		problem = l.T("tokens.bad")
	case nameProblem(l, err) != "":
		problem = nameProblem(l, err)
	case err != nil:
		return err
	}
	if problem != "" {
		s.renderTokens(c, http.StatusUnprocessableEntity, func(p *tokensPage) { p.Error, p.Name = problem, name })
		return nil
	}
	s.log.Info("API token created", "request_id", requestID(c), "token_id", t.ID, "acts_as", uid, "by", principalOf(c).user.ID)
	s.renderTokens(c, http.StatusOK, func(p *tokensPage) {
		p.Flash = l.T("tokens.created", "name", name)
		p.NewToken = token
	})
	return nil
}

func (s *Server) revokeToken(c *gin.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	err = s.manage.RevokeAPIToken(c.Request.Context(), actor(c), id)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/tokens?done=revoked")
	return nil
}
