package hook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/human"
)

// QueueSize is how many events wait for one hook while it runs: a burst
// (a digest, a breakthrough and the end of focus at once) fits; a hook
// that hangs on every event loses the oldest ones instead of holding an
// ever-growing backlog. Dropped events are counted on the hook.
const QueueSize = 16

// CloseTimeout bounds how long quitting Lull waits for hooks that are
// running to finish; then they are stopped (programs killed, requests cut
// off) and events still queued are dropped.
const CloseTimeout = 2 * time.Second

// killWait bounds the wait, after stopping them, for hooks to return.
const killWait = outputWait + time.Second

// Options configure a Runner. The zero values of the limits are the named
// constants; tests shorten them.
type Options struct {
	// Store holds the hooks; required.
	Store *Store
	// Clock stamps events and results (default the real clock).
	Clock clock.Clock
	// Logf receives each result and what programs printed (default:
	// nothing).
	Logf func(format string, args ...any)
	// Version goes into webhooks' User-Agent.
	Version string
	// ExecTimeout, WebhookTimeout and Backoff default to the constants of
	// the same names; Retries to WebhookRetries (negative: none).
	ExecTimeout    time.Duration
	WebhookTimeout time.Duration
	Backoff        time.Duration
	Retries        int
	// Sleep waits d before a retry, or until ctx ends (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// HTTP sends webhooks (default: newHTTPClient, with the redirect and
	// localhost rules; a test's client must keep them).
	HTTP *http.Client
}

// Runner runs the hooks: a worker and a bounded queue per hook, fed by
// Fire without ever blocking the caller. Results go to the Store.
type Runner struct {
	opts Options

	// ctx ends when running hooks must stop (Close after CloseTimeout);
	// stopping ends as Close begins, cutting the waits between retries.
	ctx      context.Context
	cancel   context.CancelFunc
	stopping context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup

	mu      sync.Mutex
	workers map[string]*worker
	closed  bool
}

// worker is one hook's queue and goroutine.
type worker struct {
	h    Hook
	wake chan struct{}
	done chan struct{} // closed when the hook is removed

	mu      sync.Mutex
	queue   []Payload
	dropped int // events dropped since the last Record
}

// NewRunner starts a worker for every stored hook.
func NewRunner(opts Options) (*Runner, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.ExecTimeout <= 0 {
		opts.ExecTimeout = ExecTimeout
	}
	if opts.WebhookTimeout <= 0 {
		opts.WebhookTimeout = WebhookTimeout
	}
	if opts.Backoff <= 0 {
		opts.Backoff = WebhookBackoff
	}
	switch {
	case opts.Retries == 0:
		opts.Retries = WebhookRetries
	case opts.Retries < 0:
		opts.Retries = 0
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.HTTP == nil {
		opts.HTTP = newHTTPClient()
	}
	r := &Runner{opts: opts, workers: map[string]*worker{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.stopping, r.stop = context.WithCancel(r.ctx)
	hooks, err := opts.Store.List()
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		r.start(h)
	}
	return r, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start runs a worker for h; r.mu must not be held.
func (r *Runner) start(h Hook) {
	w := &worker{h: h, wake: make(chan struct{}, 1), done: make(chan struct{})}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.workers[h.ID] = w
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.work(w)
	}()
}

// Wants reports whether any hook runs on event, so a caller can skip
// gathering an event's data when none does.
func (r *Runner) Wants(event string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.workers {
		if w.h.Event == event {
			return true
		}
	}
	return false
}

// Fire queues event with data for every hook on it and returns at once;
// it never waits for a hook, the database or the network. A hook whose
// queue is full loses its oldest event.
func (r *Runner) Fire(event string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	var p *Payload
	for _, w := range r.workers {
		if w.h.Event != event {
			continue
		}
		if p == nil {
			p = &Payload{Version: PayloadVersion, Event: event, ID: eventID(), At: r.opts.Clock.Now().Truncate(time.Second), Data: data}
		}
		w.push(*p)
	}
}

// push queues p, dropping the oldest event when the queue is full.
func (w *worker) push(p Payload) {
	w.mu.Lock()
	if len(w.queue) >= QueueSize {
		w.queue = w.queue[1:]
		w.dropped++
	}
	w.queue = append(w.queue, p)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// pop takes the oldest event and the count of drops not yet recorded.
func (w *worker) pop() (Payload, int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		return Payload{}, 0, false
	}
	p := w.queue[0]
	w.queue = w.queue[1:]
	d := w.dropped
	w.dropped = 0
	return p, d, true
}

// work delivers w's events one at a time until the hook is removed or the
// runner stops.
func (r *Runner) work(w *worker) {
	for {
		select {
		case <-w.done:
			return
		case <-r.stopping.Done():
			return
		case <-w.wake:
		}
		for {
			if r.stopping.Err() != nil {
				return
			}
			select {
			case <-w.done:
				return
			default:
			}
			p, dropped, ok := w.pop()
			if !ok {
				break
			}
			if dropped > 0 {
				r.opts.Logf("hook %s (%s): %d %s dropped: its queue was full (at most %d wait)", w.h.ID, w.h.Event, dropped, plural(dropped, "event"), QueueSize)
			}
			res := r.deliver(r.ctx, w.h, p, r.opts.Retries)
			if err := r.opts.Store.Record(w.h.ID, &res, dropped); err != nil {
				r.opts.Logf("hook %s: store its last result: %v", w.h.ID, err)
			}
		}
	}
}

// deliver runs h once for p (a webhook up to retries more times) and says
// how it went.
func (r *Runner) deliver(ctx context.Context, h Hook, p Payload, retries int) Result {
	p = p.forHook(h.Titles)
	res := Result{Event: p.Event, Test: p.Test, At: r.opts.Clock.Now()}
	began := time.Now()
	body, err := json.Marshal(p)
	if err != nil {
		res.Reason = "its event could not be written as JSON: " + err.Error()
		return r.finish(h, res, began)
	}
	switch h.Kind {
	case KindExec:
		res.Tries = 1
		res.OK, res.Reason = runExec(ctx, h, p, body, r.opts.ExecTimeout, r.opts.Logf)
	case KindWebhook:
		raw, err := r.opts.Store.URL(h.ID)
		if err != nil {
			res.Reason = "its address could not be read from the keyring (" + keyringWords(err) + ")"
			return r.finish(h, res, began)
		}
		var retry bool
		for {
			res.Tries++
			res.OK, retry, res.Reason = postOnce(ctx, r.opts.HTTP, raw, p, body, r.opts.Version, r.opts.WebhookTimeout)
			if res.OK || !retry || res.Tries > retries {
				break
			}
			if r.opts.Sleep(r.stopping, r.opts.Backoff<<(res.Tries-1)) != nil {
				res.Reason += "; not tried again because Lull was quitting"
				break
			}
		}
		if !res.OK && res.Tries > 1 {
			res.Reason += fmt.Sprintf("; gave up after %d tries", res.Tries)
		}
	default:
		res.Reason = fmt.Sprintf("unknown kind of hook %q", h.Kind)
	}
	return r.finish(h, res, began)
}

// finish stamps res with its length and logs it.
func (r *Runner) finish(h Hook, res Result, began time.Time) Result {
	res.Took = time.Since(began)
	what := "ran"
	if !res.OK {
		what = "failed"
	}
	r.opts.Logf("hook %s (%s → %s) %s, took %s: %s", h.ID, res.Event, Describe(h), what, tookWords(res.Took), res.Reason)
	return res
}

// keyringWords is a keyring failure in words without the key.
func keyringWords(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Describe is what a hook runs, in words for lists and logs: the program
// and its arguments, or the webhook's scheme and host.
func Describe(h Hook) string {
	if h.Kind == KindWebhook {
		return "webhook " + h.Target
	}
	s := h.Path
	for _, a := range h.Args {
		s += " " + quoteArg(a)
	}
	return s
}

// quoteArg quotes a for display when it holds spaces or quotes.
func quoteArg(a string) string {
	for _, c := range a {
		if c == ' ' || c == '"' || c == '\'' || c == '\t' || c == '\n' {
			return fmt.Sprintf("%q", a)
		}
	}
	if a == "" {
		return `""`
	}
	return a
}

// Add stores h (with rawURL for a webhook) and starts its worker.
func (r *Runner) Add(h Hook, rawURL string) (Hook, error) {
	h, err := r.opts.Store.Add(h, rawURL, r.opts.Clock.Now())
	if err != nil {
		return h, err
	}
	r.start(h)
	return h, nil
}

// Remove stops and deletes hook id.
func (r *Runner) Remove(id string) (Hook, error) {
	h, err := r.opts.Store.Remove(id)
	if err != nil {
		return h, err
	}
	r.mu.Lock()
	if w, ok := r.workers[id]; ok {
		close(w.done)
		delete(r.workers, id)
	}
	r.mu.Unlock()
	return h, nil
}

// List returns the stored hooks, with the events dropped but not yet
// recorded counted in.
func (r *Runner) List() ([]Hook, error) {
	hooks, err := r.opts.Store.List()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, h := range hooks {
		if w, ok := r.workers[h.ID]; ok {
			w.mu.Lock()
			hooks[i].Dropped += w.dropped
			w.mu.Unlock()
		}
	}
	return hooks, err
}

// Test delivers a sample of hook id's event to it now, once (no retries:
// the answer is wanted now), stores the result as its last and returns it.
func (r *Runner) Test(ctx context.Context, id string) (Result, error) {
	h, err := r.opts.Store.Get(id)
	if err != nil {
		return Result{}, err
	}
	now := r.opts.Clock.Now().Truncate(time.Second)
	p := Payload{Version: PayloadVersion, Event: h.Event, ID: eventID(), At: now, Test: true, Data: Sample(h.Event, now)}
	res := r.deliver(ctx, h, p, 0)
	if err := r.opts.Store.Record(id, &res, 0); err != nil {
		return res, err
	}
	return res, nil
}

// Close stops taking events, lets running hooks finish for up to
// CloseTimeout, then stops them; queued events are dropped (and logged).
// It never waits much longer than CloseTimeout.
func (r *Runner) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	left := 0
	for _, w := range r.workers {
		w.mu.Lock()
		left += len(w.queue)
		w.mu.Unlock()
	}
	r.mu.Unlock()
	r.stop()
	if left > 0 {
		r.opts.Logf("hooks: %d queued %s not delivered: Lull is quitting", left, plural(left, "event"))
	}
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.cancel()
		return
	case <-time.After(CloseTimeout):
	}
	r.cancel()
	select {
	case <-done:
	case <-time.After(killWait):
		r.opts.Logf("hooks: a hook was still running %s after Lull asked it to stop", human.Duration(CloseTimeout+killWait))
	}
}

// eventID is a random ID for one firing of an event.
func eventID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func plural(n int, what string) string {
	if n == 1 {
		return what
	}
	return what + "s"
}
