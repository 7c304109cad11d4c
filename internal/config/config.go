// Package config reads the service's settings from environment variables.
// Every variable is one row of the table in options(): its name, default,
// whether it is secret, a check, and a line of help (README.md lists the
// same table; a test keeps them in step). A secret may also be given as
// NAME_FILE, the path of a file holding it (for Docker secrets). A secret
// with a File (the link key) is read from that file when neither NAME nor
// NAME_FILE is set: the file `make run` keeps, found from the working
// directory up to the repository's top, so every command of a checkout uses
// the key its server uses.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Config is the service's settings.
type Config struct {
	DatabaseURL    string
	ListenAddr     string
	BaseURL        *url.URL
	LogLevel       slog.Level
	LogFormat      string
	MigrateOnStart bool
	TimeZone       *time.Location
	// LinkKey derives personal links (empty: a random key for this run).
	LinkKey        string
	SMTPURL        string
	MailFrom       string
	SessionIdle    time.Duration
	SessionMaxAge  time.Duration
	TrustedProxies []string
	// Database limits on every connection (PostgreSQL's statement_timeout
	// and idle_in_transaction_session_timeout).
	DBStatementTimeout, DBIdleInTransactionTimeout time.Duration
	// The connection pool: at most DBMaxConns open, DBMaxIdleConns kept
	// idle (0: as many as DBMaxConns).
	DBMaxConns, DBMaxIdleConns int
	// Request deadlines: by personal link, everything else, and reports
	// (the workbook, charts, a chart's CSV, the printable report).
	RespondentTimeout, StaffTimeout, ReportTimeout time.Duration
	// ShutdownDrain is how long the server keeps serving, with /readyz
	// answering 503, after it is told to stop and before it closes its
	// listener.
	ShutdownDrain time.Duration
	// MetricsAddr is where Prometheus metrics are served ("": nowhere).
	MetricsAddr string
	// OutboxInterval is how often the outbox looks for queued e-mail.
	OutboxInterval time.Duration
	// The open-data package: who publishes it, their site, the contact
	// address (empty: MAIL_FROM's), where its files are published (empty:
	// BASE_URL/opendata), the portal organisation and the default licence.
	OpenDataPublisher, OpenDataPublisherURL, OpenDataContactEmail string
	OpenDataBaseURL, OpenDataCKANOrganization, OpenDataLicence    string
	// Files names, by variable, the file a secret was read from
	// (NAME_FILE or its default file).
	Files map[string]string
}

// Option is one environment variable.
type Option struct {
	Name    string
	Default string
	Secret  bool
	// File is, for a secret, a path relative to the repository read when
	// neither NAME nor NAME_FILE is set (see FindFile).
	File string
	Help string
	set  func(c *Config, v string) error
}

// Options returns the table of environment variables.
func Options() []Option {
	return []Option{
		{Name: "DATABASE_URL", Default: "postgres://postgres@127.0.0.1:5432/surveyd?sslmode=disable", Secret: true,
			Help: "PostgreSQL connection URL; the database is created if the server answers and it is missing",
			set: func(c *Config, v string) error {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
					return fmt.Errorf("must be a postgres:// URL")
				}
				c.DatabaseURL = v
				return nil
			}},
		{Name: "LISTEN_ADDR", Default: ":8080", Help: "address the HTTP server listens on",
			set: func(c *Config, v string) error { c.ListenAddr = v; return nil }},
		{Name: "BASE_URL", Default: "http://localhost:8080",
			Help: "public address of the service, used in the links sent to municipalities",
			set: func(c *Config, v string) error {
				u, err := url.Parse(strings.TrimRight(v, "/"))
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("must be an http:// or https:// URL")
				}
				c.BaseURL = u
				return nil
			}},
		{Name: "LOG_LEVEL", Default: "info", Help: "debug, info, warn or error",
			set: func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
		{Name: "LOG_FORMAT", Default: "text", Help: "text or json",
			set: func(c *Config, v string) error {
				if v != "text" && v != "json" {
					return fmt.Errorf("must be text or json")
				}
				c.LogFormat = v
				return nil
			}},
		{Name: "MIGRATE_ON_START", Default: "true", Help: "apply database migrations when the server starts",
			set: func(c *Config, v string) (err error) { c.MigrateOnStart, err = strconv.ParseBool(v); return }},
		{Name: "TIME_ZONE", Default: "Europe/Riga", Help: "time zone for dates and times shown to people",
			set: func(c *Config, v string) (err error) { c.TimeZone, err = time.LoadLocation(v); return }},
		{Name: "LINK_KEY", Secret: true, File: ".data/link-key",
			Help: "secret (32+ characters, `surveyd keygen`) from which personal links are derived so coordinators can show and send them again; when neither it nor LINK_KEY_FILE is set, the file .data/link-key that `make run` keeps is read (looked for in the working directory and up to the repository's top); without any, links issued can be shown only until the service restarts",
			set: func(c *Config, v string) error {
				if v != "" && len(v) < 32 {
					return fmt.Errorf("must be at least 32 characters")
				}
				c.LinkKey = v
				return nil
			}},
		{Name: "SMTP_URL", Secret: true,
			Help: "mail server for invitations and reminders: smtp://user:password@host:587 (STARTTLS) or smtps://…:465; empty: no e-mail, links are shown to copy",
			set: func(c *Config, v string) error {
				if v != "" {
					u, err := url.Parse(v)
					if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
						return fmt.Errorf("must be an smtp:// or smtps:// URL")
					}
				}
				c.SMTPURL = v
				return nil
			}},
		{Name: "MAIL_FROM", Default: "Aptauja <aptauja@localhost>", Help: "sender of e-mail, as Name <address>",
			set: func(c *Config, v string) error {
				if _, err := mail.ParseAddress(v); err != nil {
					return fmt.Errorf("must be an address like Aptauja <aptauja@example.lv>")
				}
				c.MailFrom = v
				return nil
			}},
		{Name: "SESSION_IDLE_TIMEOUT", Default: "2h", Help: "a signed-in session ends after this long without activity",
			set: func(c *Config, v string) (err error) { c.SessionIdle, err = positiveDuration(v); return }},
		{Name: "SESSION_MAX_AGE", Default: "12h", Help: "a signed-in session ends this long after signing in, active or not",
			set: func(c *Config, v string) (err error) { c.SessionMaxAge, err = positiveDuration(v); return }},
		{Name: "TRUSTED_PROXIES",
			Help: "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (for sign-in rate limits per address); empty: none",
			set: func(c *Config, v string) error {
				c.TrustedProxies = nil
				for _, p := range strings.Split(v, ",") {
					if p = strings.TrimSpace(p); p == "" {
						continue
					}
					if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
						return fmt.Errorf("%q is not an address or CIDR", p)
					}
					c.TrustedProxies = append(c.TrustedProxies, p)
				}
				return nil
			}},
		{Name: "DB_STATEMENT_TIMEOUT", Default: "30s",
			Help: "PostgreSQL's statement_timeout on every connection: the server cancels a statement that runs longer (a setting in DATABASE_URL wins)",
			set:  func(c *Config, v string) (err error) { c.DBStatementTimeout, err = positiveDuration(v); return }},
		{Name: "DB_IDLE_IN_TRANSACTION_TIMEOUT", Default: "1m",
			Help: "PostgreSQL's idle_in_transaction_session_timeout on every connection: the server ends a session that leaves a transaction open and idle this long, and its locks with it",
			set:  func(c *Config, v string) (err error) { c.DBIdleInTransactionTimeout, err = positiveDuration(v); return }},
		{Name: "DB_MAX_CONNS", Default: "20",
			Help: "connections to PostgreSQL the service opens at most: requests beyond it wait for a free one (within their deadline); each instance's share of the server's max_connections (100 by default), and a few per CPU core of the database are enough to keep it busy",
			set:  func(c *Config, v string) (err error) { c.DBMaxConns, err = positiveInt(v, 1000); return }},
		{Name: "DB_MAX_IDLE_CONNS",
			Help: "connections kept open when idle, at most DB_MAX_CONNS; empty: DB_MAX_CONNS, so a burst of saves does not open new connections (each costs a handshake and prepares the save's statements again)",
			set: func(c *Config, v string) (err error) {
				if v == "" {
					c.DBMaxIdleConns = 0
					return nil
				}
				c.DBMaxIdleConns, err = positiveInt(v, 1000)
				return
			}},
		{Name: "RESPONDENT_TIMEOUT", Default: "10s",
			Help: "deadline of a request by personal link (the form, its autosave, the printable copy): a database that has not answered by then gets the request a 503 with Retry-After, and the form keeps what was typed and tries again",
			set:  func(c *Config, v string) (err error) { c.RespondentTimeout, err = positiveDuration(v); return }},
		{Name: "STAFF_TIMEOUT", Default: "30s",
			Help: "deadline of every other request (sign-in, the workspace, the status API) except building reports",
			set:  func(c *Config, v string) (err error) { c.StaffTimeout, err = positiveDuration(v); return }},
		{Name: "REPORT_TIMEOUT", Default: "100s",
			Help: "deadline of building a report (the Excel workbook, the charts, a chart's CSV, the printable report) and of sending e-mail from the links page; the server's write timeout is kept 20s above it",
			set:  func(c *Config, v string) (err error) { c.ReportTimeout, err = positiveDuration(v); return }},
		{Name: "METRICS_ADDR", Default: "",
			Help: "address of a separate listener serving Prometheus metrics at /metrics (e.g. 127.0.0.1:9090); empty: no metrics. Keep it off the public network: the main listener never serves them",
			set:  func(c *Config, v string) error { c.MetricsAddr = v; return nil }},
		{Name: "OUTBOX_INTERVAL", Default: "1m",
			Help: "how often each instance looks for queued e-mail to send (a message queued on this instance is sent at once; one queued by another instance or the CLI waits at most this long); several instances never send a message twice",
			set:  func(c *Config, v string) (err error) { c.OutboxInterval, err = positiveDuration(v); return }},
		{Name: "SHUTDOWN_DRAIN", Default: "0s",
			Help: "on SIGTERM or Ctrl-C the server first answers GET /readyz with 503 and keeps serving this long, so a reverse proxy polling /readyz stops sending it requests, then stops taking new ones and finishes those under way (at most 20 s); 0s: stop at once (one instance)",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 || d > 5*time.Minute {
					return fmt.Errorf("must be a duration from 0s to 5m, like 10s")
				}
				c.ShutdownDrain = d
				return nil
			}},
		{Name: "OPENDATA_PUBLISHER", Default: "Latvijas Pilsoniskā alianse",
			Help: "organisation that publishes the open-data package (its DCAT publisher, CKAN author and maintainer, and the name to cite)",
			set: func(c *Config, v string) error {
				if strings.TrimSpace(v) == "" || len(v) > 200 || strings.ContainsFunc(v, unicode.IsControl) {
					return fmt.Errorf("must be a name of at most 200 characters")
				}
				c.OpenDataPublisher = strings.TrimSpace(v)
				return nil
			}},
		{Name: "OPENDATA_PUBLISHER_URL", Help: "web site of the publisher (optional; the DCAT publisher's address)",
			set: func(c *Config, v string) (err error) { c.OpenDataPublisherURL, err = httpURL(v); return }},
		{Name: "OPENDATA_CONTACT_EMAIL",
			Help: "address for questions about the open data (DCAT contact point, CKAN maintainer); empty: the address of MAIL_FROM",
			set: func(c *Config, v string) error {
				if v != "" {
					if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
						return fmt.Errorf("must be an e-mail address like dati@example.lv")
					}
				}
				c.OpenDataContactEmail = v
				return nil
			}},
		{Name: "OPENDATA_BASE_URL",
			Help: "address where the open-data files are published: a round's files get the download URLs <this>/<round>/<file> in the package's metadata; empty: BASE_URL/opendata (which the service does not serve: set it to where you put the files)",
			set:  func(c *Config, v string) (err error) { c.OpenDataBaseURL, err = httpURL(v); return }},
		{Name: "OPENDATA_CKAN_ORGANIZATION",
			Help: "the publisher's organisation on the CKAN portal (owner_org in ckan.json: lowercase letters, digits, - and _); empty: left out",
			set: func(c *Config, v string) error {
				if v != "" && !onlyOf(v, lowerDigits+"_-", 2, 100) {
					return fmt.Errorf("must be a CKAN name: 2 to 100 lowercase letters, digits, - and _")
				}
				c.OpenDataCKANOrganization = v
				return nil
			}},
		{Name: "OPENDATA_LICENCE", Default: "CC-BY-4.0",
			Help: "licence of the open-data package (SPDX identifier): CC-BY-4.0, CC0-1.0, CC-BY-SA-4.0, ODC-By-1.0, ODbL-1.0 or PDDL-1.0; `surveyd opendata --licence` overrides it",
			set: func(c *Config, v string) error {
				if !onlyOf(v, letters+".+-", 1, 64) {
					return fmt.Errorf("must be a licence identifier like CC-BY-4.0")
				}
				c.OpenDataLicence = v
				return nil
			}},
	}
}

// onlyOf reports whether s is n to m bytes of the characters in allowed.
func onlyOf(s, allowed string, n, m int) bool {
	return len(s) >= n && len(s) <= m && strings.Trim(s, allowed) == ""
}

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	letters     = lowerDigits + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// httpURL checks an optional http:// or https:// address.
func httpURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("must be an http:// or https:// URL")
	}
	return strings.TrimRight(v, "/"), nil
}

// Load reads the settings with getenv (os.Getenv in production) and checks
// them all, reporting every bad variable at once.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{Files: map[string]string{}}
	var problems []string
	for _, o := range Options() {
		v := getenv(o.Name)
		if v == "" && o.Secret {
			path, from := getenv(o.Name+"_FILE"), o.Name+"_FILE"
			if path == "" && o.File != "" {
				path, from = FindFile(o.File), o.File
			}
			if path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: %v", from, err))
					continue
				}
				v = strings.TrimSpace(string(b))
				c.Files[o.Name] = path
			}
		}
		if v == "" {
			v = o.Default
		}
		if err := o.set(c, v); err != nil {
			shown := v
			if o.Secret {
				shown = "(secret)"
				if f := c.Files[o.Name]; f != "" {
					shown += " read from " + f
				}
			}
			problems = append(problems, fmt.Sprintf("%s=%s: %v", o.Name, shown, err))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// FindFile looks for rel (a slash-separated relative path) in the working
// directory and its parents, up to the repository's top (the first
// directory holding go.mod or .git) or the file system's root, and returns
// the first path found ("" when none is).
func FindFile(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
		if isTop(dir) {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// isTop reports whether dir is a repository's top directory.
func isTop(dir string) bool {
	for _, marker := range []string{"go.mod", ".git"} {
		if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
			return true
		}
	}
	return false
}

func positiveInt(v string, most int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, fmt.Errorf("must be a whole number from 1 to %d", most)
	}
	return n, nil
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("must be a duration like 30m or 2h")
	}
	return d, nil
}
