package service

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/notify"
)

// noTrayGrace is how long after start Lull waits for a tray host before it
// tells the user there is none: at login the panel often starts a few
// seconds after Lull, and a notice then would be wrong.
const noTrayGrace = 10 * time.Second

// The no-tray notice, sent once per run when the desktop shows no tray
// icons noTrayGrace after start.
const (
	NoTrayTitle   = "Lull is running without a tray icon"
	NoTrayMessage = "This desktop has no system tray. Find Lull in the task bar: closing its window minimises it."
)

// TrayHost is the desktop's side of the tray: on Linux, whoever owns
// org.kde.StatusNotifierWatcher on the session bus (the panel). Without
// one, a tray icon is shown nowhere, and a window hidden "to the tray"
// could not be found again.
type TrayHost interface {
	// Present reports whether tray icons are shown now.
	Present() bool
	// Watch calls f, on any goroutine, whenever Present changes, until
	// stop is called.
	Watch(f func(present bool)) (stop func())
}

// ShowWindow shows the window on tab (winproc.TabDigest, TabReport, or ""
// for the window's choice): through Options.ShowWindow, which starts the
// window process when none runs; when one runs (or there is no such
// option), it is told by an event: ShowDigest for the Digest tab, else
// ShowWindow with Event.Tab. The error says why no window could be started
// (winproc.ErrNotInstalled: the window binary is missing).
func (s *Service) ShowWindow(tab string) error {
	return s.showWindow(winproc.Request{Tab: tab})
}

func (s *Service) showWindow(r winproc.Request) error {
	if s.opts.ShowWindow != nil {
		started, err := s.opts.ShowWindow(r)
		if err != nil || started {
			return err
		}
	}
	switch {
	case r.Minimized:
		// Only a window being started is minimised; one that runs stays
		// as the user left it.
	case r.Tab == winproc.TabDigest:
		s.emit(Event{Kind: ShowDigest, Tab: r.Tab})
	default:
		s.emit(Event{Kind: ShowWindow, Tab: r.Tab})
	}
	return nil
}

// RequestShow shows the window (a second `lull`); a failure is logged and
// shown as a notice.
func (s *Service) RequestShow() { s.requestShow("") }

// RequestShowDigest shows the window on the Digest tab (a digest
// notification was clicked); a failure is logged and shown as a notice.
func (s *Service) RequestShowDigest() { s.requestShow(winproc.TabDigest) }

func (s *Service) requestShow(tab string) {
	if err := s.ShowWindow(tab); err != nil {
		s.Notice("Lull cannot open its window", err.Error())
	}
}

// Notice tells the user something about Lull itself (not a digest): in the
// log and as an OS notification without a click action. The body may be an
// error's text: it is shown as a sentence, with a capital letter.
func (s *Service) Notice(title, body string) {
	s.opts.Logf("%s: %s", title, body)
	if r, n := utf8.DecodeRuneInString(body); n > 0 {
		body = string(unicode.ToUpper(r)) + body[n:]
	}
	sender := s.opts.NoticeSender
	if sender == nil {
		sender = s.opts.Sender
	}
	if sender == nil {
		return
	}
	if err := sender.Send(notify.Message{Title: title, Body: body}); err != nil {
		s.opts.Logf("show %q: %v", title, err)
	}
}

// TrayAvailable reports whether the desktop shows tray icons now
// (Options.TrayHost; true without one). The window minimises on close
// instead of hiding when it is false.
func (s *Service) TrayAvailable() bool {
	s.trayMu.Lock()
	defer s.trayMu.Unlock()
	return s.trayPresent
}

// watchTray follows Options.TrayHost: TrayChanged when it changes, and
// once noTrayGrace after start, if there is still no tray, the no-tray
// notice and a minimised window (so the task bar has Lull).
func (s *Service) watchTray() {
	h := s.opts.TrayHost
	s.trayPresent = true
	if h == nil {
		return
	}
	s.trayPresent = h.Present()
	s.stopTrayWatch = h.Watch(func(p bool) {
		s.trayMu.Lock()
		changed := p != s.trayPresent
		s.trayPresent = p
		s.trayMu.Unlock()
		if changed {
			s.emit(Event{Kind: TrayChanged})
		}
	})
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	s.trayTimer = s.Clock.AfterFunc(noTrayGrace, func() { s.background(s.tellNoTray) })
}

// tellNoTray sends the no-tray notice, once per run, if there is no tray,
// and starts the window minimised unless one runs.
func (s *Service) tellNoTray() {
	s.trayMu.Lock()
	tell := !s.trayPresent && !s.trayTold
	s.trayTold = s.trayTold || tell
	s.trayMu.Unlock()
	if !tell {
		return
	}
	s.Notice(NoTrayTitle, NoTrayMessage)
	if err := s.showWindow(winproc.Request{Minimized: true}); err != nil {
		s.opts.Logf("no tray: %v", err)
	}
}
