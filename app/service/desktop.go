package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fullscreen"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// CrashLog is the file in the data directory that receives a crash's
// report (a resident started at login has no terminal).
const CrashLog = "crash.log"

// startTrim is how long after start the resident hands memory back to the
// OS: start-up (opening the data, parsing calendars, planning) leaves
// garbage the runtime would return only slowly, and the resident process
// should cost about what a tray icon costs from its first minute.
const startTrim = 5 * time.Second

// Desktop is what the resident process (`lull --hidden`, start at login)
// needs to start on the user's desktop.
type Desktop struct {
	// Dir is the data directory.
	Dir string
	// Clock is the clock (nil: the real one; an accelerated one in
	// end-to-end test builds).
	Clock clock.Clock
	// Version is what GET /v1/status reports.
	Version string
	// Log receives the resident's messages (default: stderr).
	Log io.Writer
	// Quit stops the resident (Options.Quit: POST /v1/quit).
	Quit func()
}

// StartDesktop starts the resident service wired to the desktop: crash
// reports to crash.log in the data directory; on Linux the session bus for
// desktop capture, do-not-disturb and digests that open the Digest tab
// when clicked; the tray host watch (TrayAvailable); and the window
// process started on demand (winproc), which ends when the service
// closes. When the data cannot be opened because it is damaged, it says so
// in an OS notification too (started at login, nobody reads stderr). The
// errors are Start's (store.ErrLocked when another instance runs).
func StartDesktop(ctx context.Context, d Desktop) (*Service, error) {
	if d.Log == nil {
		d.Log = os.Stderr
	}
	logf := func(format string, args ...any) { fmt.Fprintf(d.Log, "lull: "+format+"\n", args...) }
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if f, err := os.OpenFile(filepath.Join(d.Dir, CrashLog), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		debug.SetCrashOutput(f, debug.CrashOptions{})
		f.Close()
	}
	ctx, cancel := context.WithCancel(ctx)
	links := &desktopLinks{cancel: cancel}

	if runtime.GOOS == "linux" {
		bus, err := notify.OpenBus()
		if err != nil {
			logf("no session bus (%v): desktop capture and do-not-disturb are off", err)
		} else {
			links.bus = bus
		}
	}
	bus := links.bus
	var running atomic.Pointer[Service]
	plain := notify.NewSender(bus)
	var sender notify.Sender = plain
	if bus != nil {
		// Digests open the Digest tab when clicked, where the desktop's
		// notification server supports actions.
		sender = clickableDigests{bus: bus, fallback: plain, open: func(digest string) {
			if svc := running.Load(); svc != nil {
				svc.RequestShowDigest()
				svc.digestOpened(digest)
			}
		}, latest: func() string {
			if svc := running.Load(); svc != nil {
				return svc.latestDigest()
			}
			return ""
		}}
	}
	// Serving the window (its reads, its event stream) grows the heap;
	// once it closed, the resident goes back to a tray icon's size at
	// once instead of when the runtime's scavenger gets to it.
	links.window = winproc.New(winproc.Config{Dir: d.Dir, Logf: logf, Ended: debug.FreeOSMemory})
	opts := Options{
		DataOptions:  DataOptions{Dir: d.Dir, Clock: d.Clock},
		Version:      d.Version,
		Sender:       sender,
		NoticeSender: plain,
		ShowWindow:   links.window.Show,
		TrayHost:     newTrayHost(ctx),
		Quit:         d.Quit,
		Logf:         logf,
		Fullscreen:   fullscreen.Watch,
		MakeDND: func(setting string) notify.DND {
			if setting == "off" {
				return notify.NoDND{}
			}
			dnd, err := notify.DetectDND(setting, bus)
			if err != nil {
				logf("do-not-disturb: %v", err)
				return nil
			}
			return dnd
		},
		desktop: links,
	}
	if bus != nil {
		opts.Closer = bus
		// Desktop capture runs while the setting is on; the service starts
		// and stops it as the setting changes.
		var capClock clock.Clock = clock.Real{}
		if d.Clock != nil {
			capClock = d.Clock
		}
		opts.Capture = func(ctx context.Context, sub notify.Submitter) error {
			_, err := notify.StartCapture(ctx, notify.CaptureConfig{
				Submitter:     sub,
				Clock:         capClock,
				IgnoreSenders: []string{bus.UniqueName()},
				Logf:          func(f string, a ...any) { logf("capture: "+f, a...) },
			})
			return err
		}
	}
	svc, err := Start(ctx, opts)
	if err != nil {
		if errors.Is(err, store.ErrDamaged) {
			_ = sender.Send(notify.Message{Title: "Lull cannot open your data", Body: err.Error()})
		}
		links.closeWindow()
		links.close()
		return nil, err
	}
	running.Store(svc)
	trim := time.AfterFunc(startTrim, debug.FreeOSMemory)
	links.trim = trim
	return svc, nil
}

// desktopLinks are what StartDesktop opened for the service, which closes
// them: the window first (it would only say that Lull stopped), the bus
// and the tray host watch last.
type desktopLinks struct {
	window *winproc.Launcher
	bus    *notify.Bus
	cancel context.CancelFunc
	trim   *time.Timer
	once   sync.Once
}

// closeWindow ends the window process, if one runs.
func (l *desktopLinks) closeWindow() {
	if l != nil && l.window != nil {
		l.window.Close()
	}
}

// close closes the bus and ends the tray host watch, once.
func (l *desktopLinks) close() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		if l.trim != nil {
			l.trim.Stop()
		}
		if l.bus != nil {
			l.bus.Close()
		}
		l.cancel()
	})
}

// clickableDigests shows digests through the session bus with a default
// action that opens the Digest tab; breakthroughs, and digests the bus
// cannot show, go through the fallback (beeep, or the bus with the critical
// hint).
type clickableDigests struct {
	bus      *notify.Bus
	fallback notify.Sender
	// open shows the digest and records it opened; latest names the digest
	// being sent (it is stored before it is shown).
	open   func(digest string)
	latest func() string
}

func (c clickableDigests) Send(m notify.Message) error {
	if !m.Urgent {
		digest := c.latest()
		if err := c.bus.SendClickable(m, func() { c.open(digest) }); err == nil {
			return nil
		}
	}
	return c.fallback.Send(m)
}
