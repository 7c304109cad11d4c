// Package store is the only place with SQL. It keeps municipalities, survey
// rounds, invitation links, responses and their revision history in
// PostgreSQL (sqlx + lib/pq), one file per entity. Every write runs in one
// transaction, or is one statement. Lookups return ErrNotFound, never nil,
// nil; a stale version is a *ConflictError (errors.Is(err, ErrConflict)).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The domain types this file keeps.
var (
	ErrNotFound = domain.ErrNotFound
	ErrConflict = domain.ErrConflict
	ErrExists   = domain.ErrExists
)

type ConflictError = domain.ConflictError

// Store is the database handle. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	c       *connector
	maxIdle int // connections the pool keeps while idle (Options.MaxIdleConns)
	// saves and contexts write and read for the autosaves of many
	// respondents together (savebatch.go).
	saves    batcher[*batchedSave]
	contexts batcher[*batchedContext]
}

// Defaults of Options (DB_STATEMENT_TIMEOUT and
// DB_IDLE_IN_TRANSACTION_TIMEOUT in internal/config).
const (
	DefaultStatementTimeout         = 30 * time.Second
	DefaultIdleInTransactionTimeout = time.Minute
)

// DefaultMaxConns is the size of the connection pool unless Options say
// otherwise (DB_MAX_CONNS).
const DefaultMaxConns = 20

// Options are the limits every connection carries.
type Options struct {
	// StatementTimeout is PostgreSQL's statement_timeout: the server
	// cancels a statement that runs longer. Zero: DefaultStatementTimeout.
	StatementTimeout time.Duration
	// IdleInTransactionTimeout is idle_in_transaction_session_timeout: the
	// server ends a session that leaves a transaction open and idle this
	// long (its locks go with it). Zero: DefaultIdleInTransactionTimeout.
	IdleInTransactionTimeout time.Duration
	// MaxConns is the most connections open at once (DB_MAX_CONNS).
	// Zero: DefaultMaxConns.
	MaxConns int
	// MaxIdleConns is how many stay open while idle, at most MaxConns
	// (DB_MAX_IDLE_CONNS). Zero: MaxConns, so that a burst of requests
	// finds its connections open, with the save's statements prepared.
	MaxIdleConns int
}

// Open connects to the database at dsn with the default Options and checks
// that it answers.
func Open(ctx context.Context, dsn string) (*Store, error) { return OpenWith(ctx, dsn, Options{}) }

// OpenWith connects to the database at dsn and checks that it answers.
// Every connection carries o's limits (a statement_timeout or
// idle_in_transaction_session_timeout given in dsn wins), and follows the
// deadline of each call's context even when the server stops answering
// (see conn.go).
func OpenWith(ctx context.Context, dsn string, o Options) (*Store, error) {
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	if o.IdleInTransactionTimeout <= 0 {
		o.IdleInTransactionTimeout = DefaultIdleInTransactionTimeout
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 1), 10) }
	c, err := newConnector(dsn, map[string]string{"statement_timeout": ms(o.StatementTimeout),
		"idle_in_transaction_session_timeout": ms(o.IdleInTransactionTimeout)})
	if err != nil {
		return nil, fmt.Errorf("database URL %s: %w", RedactDSN(dsn), err)
	}
	c.prepare = map[string]bool{}
	for _, q := range preparedStatements() {
		c.prepare[q] = true
	}
	db := sqlx.NewDb(sql.OpenDB(c), "postgres")
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxIdleConns <= 0 || o.MaxIdleConns > o.MaxConns {
		o.MaxIdleConns = o.MaxConns
	}
	db.SetMaxOpenConns(o.MaxConns)
	db.SetMaxIdleConns(o.MaxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", RedactDSN(dsn), err)
	}
	s := &Store{db: db, c: c, maxIdle: o.MaxIdleConns}
	s.saves = batcher[*batchedSave]{inFlight: saveBatchesInFlight, max: saveBatchMax, batch: s.writeSaves}
	s.contexts = batcher[*batchedContext]{inFlight: contextBatchesInFlight, max: contextBatchMax, batch: s.readContexts}
	return s, nil
}

// RoundTrips is how many times, since Open, a connection of the store sent
// something to the server and then waited for its answer (connecting,
// every statement, BEGIN and COMMIT count). The difference over a request
// is what it cost in network round trips.
func (s *Store) RoundTrips() uint64 { return s.c.trips.Load() }

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB exposes the pool for migrations and tests.
func (s *Store) DB() *sqlx.DB { return s.db }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// isUniqueViolation reports a unique constraint failure.
func isUniqueViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}

// CheckQueries prepares every statement of the store, so that a typo or a
// schema mismatch stops the service at start-up instead of failing a
// respondent's request.
func (s *Store) CheckQueries(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	return prepareAll(ctx, tx)
}

// WarmConnections opens n connections at once (at most as many as the pool
// keeps idle), has each one's server process prepare every statement of
// the store as CheckQueries does, and leaves them idle in the pool. A new
// PostgreSQL process reads from the catalog what each table and index a
// statement touches the first time it meets one: on two cores, an export
// of 43 responses on a connection just opened took some 12 ms more (27–33
// ms in process against 15–21 ms on one that had served before, 21–23 ms
// on one warmed so). CheckQueries at start-up leaves one such connection;
// this makes it n, for the requests that come together after a start (a
// coordinator's pages, respondents' saves, whose statements each
// connection then keeps prepared). The pool still closes a connection idle
// for five minutes; one opened later for a request is not warmed first.
func (s *Store) WarmConnections(ctx context.Context, n int) error {
	n = min(n, s.maxIdle)
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			tx, err := c.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err == nil {
				err = prepareAll(ctx, tx)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prepareAll prepares every statement of the store in tx, then rolls it
// back.
func prepareAll(ctx context.Context, tx *sql.Tx) error {
	defer tx.Rollback()
	for _, q := range statements() {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("statement %q: %w", firstLine(q), err)
		}
		st.Close()
	}
	return nil
}

func statements() []string {
	var all []string
	for _, group := range [][]string{municipalityStatements, surveyStatements, chartRowStatements,
		invitationStatements, responseStatements, revisionStatements, userStatements, sessionStatements,
		apiTokenStatements, loginFailureStatements, contactStatements, extensionStatements,
		messageStatements, returnStatements, trackerStatements, reportRowStatements, publicationStatements,
		feedbackStatements, bulkStatements, archiveStatements(), respondentStatements, saveStatements,
		auditStatements, personalStatements, trendSummaryStatements} {
		all = append(all, group...)
	}
	return all
}

// preparedStatements are the statements every connection keeps prepared
// once it has run them (conn.go): the respondent's autosave — the link's
// context (the page's, and the save's), the save, the revisions a stale
// save is merged with — and what an export reads before it writes: the
// first batch of the tracker's and the report rows' reads
// (smallFirstRows), the feedback releases and the workbook's stamp — and
// what every coordinator's page and every charts page asks first: the
// session, the round by its address, and the charts' stamp; and the
// charts' reads of a round (whole, or its heads after a change) and of
// an earlier round's trend summary; and the audit row every export and
// every change writes last, while its request waits; each otherwise
// planned by PostgreSQL every time.
func preparedStatements() []string {
	return append([]string{qRespondentLean, qSaveContext, qSaveContexts, qSurveyDefinition,
		firstBatch(qTracker), firstBatch(qReportRows), qFeedbackReleases, qWorkbookStamp, qInsertAudit,
		qSessionUser, qTouchSession, qSurveyBySlug, qResultsStamp,
		qRoundWhole, qRoundSubmittedWhole, qChartHeads, qChartSubmittedHeads, qTrendSummary}, saveStatements...)
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// RedactDSN hides the password of a connection URL for messages.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "(database)"
	}
	return u.Redacted()
}

// isForeignKeyViolation reports a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23503"
}
