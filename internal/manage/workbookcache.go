package manage

import (
	"bytes"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/internal/lru"
	"github.com/civitas-lv/surveyd/survey"
)

// Workbooks kept (Export): at most workbookCacheSize, each at most
// workbookCacheMax bytes (a round of 43 municipalities makes about
// 150 KB), none older than workbookCacheAge — the summary says when a
// workbook was made, and a workbook given again says so of its first
// making.
const (
	workbookCacheSize = 8
	workbookCacheMax  = 4 << 20
	workbookCacheAge  = 10 * time.Minute
)

// workbookCache keeps the workbooks Export made, each with the
// store.WorkbookStamp read before it was made: one is given again only
// while the stamp read now is the same — no answer, response, link,
// message, contact, municipality or round it was made from has changed —
// and it was made less than workbookCacheAge before.
type workbookCache struct {
	kept lru.Cache[workbookKey, workbookEntry]
}

// workbookKey is what a workbook depends on besides the database and the
// time it was made.
type workbookKey struct {
	survey   int64
	slug     string
	previous int64              // the round it was made from (0: none)
	def      *survey.Definition // Manager.Definition's, a new one when it changes
	filter   string
	lang     string
	personal bool
	tz       string
}

type workbookEntry struct {
	stamp string
	made  time.Time
	data  []byte
}

// get returns the workbook kept for key if it was made under stamp and
// no longer than workbookCacheAge before now.
func (c *workbookCache) get(key workbookKey, stamp string, now time.Time) []byte {
	e, _ := c.kept.Get(key, func(e workbookEntry) bool {
		return e.stamp == stamp && now.Sub(e.made) <= workbookCacheAge && !now.Before(e.made)
	})
	return e.data
}

// put keeps the workbook made for key under stamp at made, in place of
// any older one, and lets the least recently used go past
// workbookCacheSize.
func (c *workbookCache) put(key workbookKey, stamp string, made time.Time, data []byte) {
	c.kept.Put(key, workbookEntry{stamp: stamp, made: made, data: data}, 1, workbookCacheSize, 0)
}

// keepWriter passes what is written on to w and keeps a copy while it
// stays within limit bytes.
type keepWriter struct {
	w     io.Writer
	limit int
	buf   bytes.Buffer
	over  bool
}

func (k *keepWriter) Write(p []byte) (int, error) {
	n, err := k.w.Write(p)
	if !k.over {
		if k.buf.Len()+n > k.limit {
			k.over, k.buf = true, bytes.Buffer{}
		} else {
			k.buf.Write(p[:n])
		}
	}
	return n, err
}

// kept is the whole of what was written, or nil when it passed limit.
func (k *keepWriter) kept() []byte {
	if k.over {
		return nil
	}
	return k.buf.Bytes()
}
