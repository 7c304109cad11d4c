package store

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Deadlines on the wire.
//
// lib/pq stops a query whose context ends by asking the server, over a
// second connection, to cancel it, and waits for the server's answer. A
// server that has stopped answering (frozen, or cut off by the network)
// never gives one, so the caller would wait as long as the server does.
// The connector below therefore also puts the context's deadline on the
// connection's socket before each call, and moves it to "now" when the
// context is cancelled: a read or write that would wait past the deadline
// fails at once, the driver gives the connection up (database/sql closes
// it), and the caller gets its error on time. The socket keeps the
// deadline of the last call until the next one, so the rows of a query and
// the COMMIT of a transaction are bounded by the same context. What a
// given-up connection had sent but not committed is rolled back by the
// server when it sees the connection close.

// connectTimeout bounds opening a connection when the caller's context
// has no deadline of its own (database/sql opens some in the background).
const connectTimeout = 10 * time.Second

// connector opens lib/pq connections whose sockets follow the deadline and
// cancellation of each call's context.
type connector struct {
	cfg pq.Config
	// trips counts the round trips of every connection it opens
	// (countingConn).
	trips atomic.Uint64
	// prepare are the statements a connection prepares the first time it
	// runs them and keeps (conn.prepared); set before the first connection.
	prepare map[string]bool
}

func newConnector(dsn string, runtime map[string]string) (*connector, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	for k, v := range runtime {
		if _, set := cfg.Runtime[k]; !set { // the URL's own setting wins
			cfg.Runtime[k] = v
		}
	}
	return &connector{cfg: cfg}, nil
}

func (c *connector) Driver() driver.Driver { return &pq.Driver{} }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, connectTimeout)
		defer cancel()
	}
	pc, err := pq.NewConnectorConfig(c.cfg)
	if err != nil {
		return nil, err
	}
	d := &dialer{trips: &c.trips}
	pc.Dialer(d)
	// The handshake runs under the deadline DialContext put on the socket;
	// a cancelled context ends it too.
	stop := context.AfterFunc(ctx, d.expire)
	dc, err := pc.Connect(ctx)
	stop()
	raw := d.connected()
	if err != nil {
		return nil, err
	}
	if raw == nil { // cannot happen: pq dials through d
		dc.Close()
		return nil, errors.New("store: the connection was not dialled through the store's dialer")
	}
	raw.SetDeadline(time.Time{})
	return &conn{pq: dc, raw: raw, prepare: c.prepare}, nil
}

// dialer dials for one Connect and remembers the connection it made; the
// dials lib/pq makes later to send cancel requests are not remembered.
type dialer struct {
	trips *atomic.Uint64 // where its connections count their round trips

	mu   sync.Mutex
	last net.Conn
	done bool
}

func (d *dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d *dialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	nc = newCountingConn(nc, d.trips)
	d.mu.Lock()
	if !d.done {
		d.last = nc
	}
	d.mu.Unlock()
	return nc, nil
}

// readBuffer is how much a connection takes from its socket at once.
// lib/pq reads through a 4 KB buffer of its own, so a round's 10 MB of
// answers cost it some 2,500 read system calls; through this buffer
// lib/pq's reads are copies, and the socket is read a few times as often
// as the server fills it.
const readBuffer = 64 << 10

// countingConn counts the round trips made over a connection: a round trip
// is the client sending and then waiting for the server's answer, so the
// first read after a write counts one. Reads that continue an answer, and
// writes that continue a message, do not. The count is the store's
// (Store.RoundTrips): always on, one atomic add per round trip. Its reads
// come through r (readBuffer).
type countingConn struct {
	net.Conn
	r     *bufio.Reader // of Conn
	trips *atomic.Uint64
	wrote atomic.Bool // written since the last read
}

func newCountingConn(nc net.Conn, trips *atomic.Uint64) *countingConn {
	return &countingConn{Conn: nc, r: bufio.NewReaderSize(nc, readBuffer), trips: trips}
}

func (c *countingConn) Write(p []byte) (int, error) {
	if !c.wrote.Load() {
		c.wrote.Store(true)
	}
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	if c.wrote.Load() {
		c.wrote.Store(false)
		c.trips.Add(1)
	}
	return c.r.Read(p)
}

// expire ends the handshake under way when the Connect's context ends.
func (d *dialer) expire() {
	d.mu.Lock()
	if !d.done && d.last != nil {
		d.last.SetDeadline(time.Now())
	}
	d.mu.Unlock()
}

// connected returns the connection Connect made and stops remembering.
func (d *dialer) connected() net.Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done = true
	return d.last
}

// conn is a lib/pq connection that arms its socket with the context of
// every call (see above).
type conn struct {
	pq  driver.Conn
	raw net.Conn

	// prepare are the statements to keep prepared, stmts those this
	// connection has prepared (database/sql uses a connection from one
	// goroutine at a time).
	prepare map[string]bool
	stmts   map[string]driver.Stmt

	mu   sync.Mutex
	gen  uint64      // bumped by every call: a stale cancellation leaves the socket alone
	stop func() bool // stops the current context's AfterFunc
}

// arm puts ctx's deadline on the socket (none: no deadline) and, until the
// next call, moves it to now when ctx is cancelled.
func (c *conn) arm(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget()
	dl, _ := ctx.Deadline()
	if ctx.Err() != nil {
		dl = time.Now()
	}
	c.raw.SetDeadline(dl)
	if ctx.Done() == nil {
		return
	}
	gen := c.gen
	c.stop = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.gen == gen {
			c.raw.SetDeadline(time.Now())
		}
	})
}

// disarm forgets the last call's context (the connection is idle).
func (c *conn) disarm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget()
}

// forget ends the last call's watch of its context; c.mu is held.
func (c *conn) forget() {
	c.gen++
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares query; one of the statements the connection
// keeps (prepare) is the one it keeps, prepared now if it has none, and
// closing what is returned leaves it prepared (CheckQueries at start-up
// thus leaves the first connection with them all).
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.arm(ctx)
	if c.prepare[query] {
		st, err := c.keep(ctx, query)
		if err != nil {
			return nil, err
		}
		return &stmt{Stmt: keptStmt{st}, c: c}, nil
	}
	st, err := c.pq.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: st, c: c}, nil
}

// keptStmt is a statement the connection keeps: closing it does nothing;
// it runs as the statement it wraps (lib/pq's, which takes contexts).
type keptStmt struct{ driver.Stmt }

func (keptStmt) Close() error { return nil }

func (k keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return k.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (k keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return k.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (c *conn) Close() error {
	c.disarm()
	// Closing sends a goodbye; a server that does not answer must not
	// hold the closing caller.
	c.raw.SetDeadline(time.Now().Add(time.Second))
	return c.pq.Close()
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.arm(ctx)
	return c.pq.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// Prepared statements.
//
// lib/pq runs a statement with parameters as an unnamed statement: Parse
// and Describe, wait for the answer, then Bind and Execute, wait again —
// two round trips, and the server plans the statement every time. A
// statement prepared once on the connection is one round trip (Bind and
// Execute) and keeps its plan. The autosave's statements
// (preparedStatements in store.go) are prepared by each connection the
// first time it runs them, and kept for its life.
//
// A prepared statement runs under its context's deadline on the socket
// only (arm), without lib/pq's cancel request: lib/pq's statement waits
// for that request to be answered before it returns, so a server that
// stopped answering would hold the caller past its deadline. A statement
// whose caller gave up runs on in the server to its end (a statement on
// its own then commits, as a COMMIT whose answer was lost does: the caller
// cannot know) or to statement_timeout.

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.arm(ctx)
	if st, err := c.prepared(ctx, query, args); st != nil || err != nil {
		if err != nil {
			return nil, err
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(context.WithoutCancel(ctx), args)
		c.check(query, err)
		return rows, err
	}
	return c.pq.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.arm(ctx)
	if st, err := c.prepared(ctx, query, args); st != nil || err != nil {
		if err != nil {
			return nil, err
		}
		res, err := st.(driver.StmtExecContext).ExecContext(context.WithoutCancel(ctx), args)
		c.check(query, err)
		return res, err
	}
	return c.pq.(driver.ExecerContext).ExecContext(ctx, query, args)
}

// prepared is the connection's prepared statement for query, prepared now
// if it has none; nil, nil for a query not kept prepared (or without
// parameters: lib/pq sends those in one round trip as they are).
func (c *conn) prepared(ctx context.Context, query string, args []driver.NamedValue) (driver.Stmt, error) {
	if len(args) == 0 || !c.prepare[query] {
		return nil, nil
	}
	return c.keep(ctx, query)
}

// keep is the connection's prepared statement for query, prepared now if
// it has none.
func (c *conn) keep(ctx context.Context, query string) (driver.Stmt, error) {
	if st := c.stmts[query]; st != nil {
		return st, nil
	}
	st, err := c.pq.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]driver.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

// check forgets a prepared statement the server no longer runs as
// prepared (a table it reads changed shape: "cached plan must not change
// result type"; or the statement is gone), so that the next call prepares
// it again. The server frees what is left with the connection.
func (c *conn) check(query string, err error) {
	var pe *pq.Error
	if errors.As(err, &pe) && (pe.Code == "0A000" || pe.Code == "26000") {
		delete(c.stmts, query)
	}
}

func (c *conn) Ping(ctx context.Context) error {
	c.arm(ctx)
	return c.pq.(driver.Pinger).Ping(ctx)
}

func (c *conn) ResetSession(ctx context.Context) error {
	c.disarm()
	if r, ok := c.pq.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.pq.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.pq.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// stmt is a prepared statement of a conn: each execution arms the socket.
type stmt struct {
	driver.Stmt
	c *conn
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.arm(ctx)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	// lib/pq's COPY statement (pq.CopyIn) has only the older Exec.
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("store: named arguments are not supported here")
		}
		vals[i] = a.Value
	}
	return s.Stmt.Exec(vals) //nolint:staticcheck // the driver offers nothing newer
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.arm(ctx)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// CheckNamedValue is the statement's own check, else its connection's (as
// database/sql would choose without the wrapper).
func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.c.CheckNamedValue(nv)
}

// IsUnavailable reports whether err means the database did not answer in
// time or cannot be reached: the caller's deadline passed or it went away,
// PostgreSQL cancelled a statement (statement_timeout) or ended an idle
// transaction, refused or dropped the connection, or is shutting down or
// starting up. Such a request may well succeed if tried again later; the
// web answers it with 503.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error // a timeout, a refused or dropped connection
	if errors.As(err, &ne) {
		return true
	}
	var pe *pq.Error
	if errors.As(err, &pe) && len(pe.Code) == 5 {
		switch pe.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources: too_many_connections …
			"57": // operator intervention: query_canceled (statement_timeout), admin_shutdown, cannot_connect_now …
			return true
		}
		// idle_in_transaction_session_timeout, lock_not_available
		return pe.Code == "25P03" || pe.Code == "55P03"
	}
	return false
}
