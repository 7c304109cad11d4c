package manage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// The outbox: messages are queued by the people who send them (the send
// buttons, a submit's receipt) and delivered by RunOutbox in the
// background, one by one, each claimed, sent and recorded on its own.
const (
	// ClaimTimeout is how long a message may stay claimed ('sending')
	// before it is taken for one whose sender died and goes back to the
	// queue. It is far longer than a live sender ever holds a claim
	// (SendTimeout and the two short statements around it).
	ClaimTimeout = 5 * time.Minute
	// SendTimeout bounds one SMTP delivery (connection to QUIT).
	SendTimeout = 30 * time.Second
	// StopGrace is how long the message being sent when the sender is
	// stopped (the service shuts down) may still take to finish, so that
	// its outcome is known and recorded rather than guessed.
	StopGrace = 10 * time.Second
	// OutboxInterval is how often RunOutbox looks for queued messages
	// when nobody wakes it (retries, other instances' messages).
	OutboxInterval = time.Minute
	// recordTimeout bounds the claim and the record of an outcome.
	recordTimeout = 10 * time.Second
)

// outbox wakes the delivery loop. The zero value is ready to use.
type outbox struct {
	once sync.Once
	wake chan struct{}
}

func (o *outbox) ch() chan struct{} {
	o.once.Do(func() { o.wake = make(chan struct{}, 1) })
	return o.wake
}

// wakeOutbox tells RunOutbox that messages were queued; it never blocks.
func (m *Manager) wakeOutbox() {
	select {
	case m.outbox.ch() <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// RunOutbox delivers queued messages (Deliver) until ctx ends: at once,
// then whenever messages are queued through this Manager, and every
// interval (OutboxInterval when 0) for the rest. It returns once the
// message being sent when ctx ended is finished and recorded (within
// StopGrace), so the caller can close the store after it.
//
// Delivery is at least once: a message an SMTP server accepted is
// recorded as sent right after, in its own statement; only if the process
// dies in between (or its database is unreachable then) is it sent again,
// ClaimTimeout later.
func (m *Manager) RunOutbox(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = OutboxInterval
	}
	if log == nil {
		log = slog.Default()
	}
	wake := m.outbox.ch()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		d, err := m.Deliver(ctx, 0)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("deliver queued messages", "error", err)
		case d.Sent+d.Failed+d.Retry+d.Requeued > 0:
			log.Info("queued messages delivered", "sent", d.Sent, "failed", d.Failed, "retry", d.Retry,
				"requeued_stale", d.Requeued)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// sendContext is the context of one delivery: at most SendTimeout, and
// StopGrace more once ctx ends.
func sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SendTimeout)
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(StopGrace, cancel)
		context.AfterFunc(sctx, func() { t.Stop() })
	})
	return sctx, func() { stop(); cancel() }
}

// newClaimOwner names one Deliver run in the claims it makes: the host,
// the process and a random part.
func newClaimOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}
