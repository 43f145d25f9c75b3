package app

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/focus"
)

// minimiser records what the window asks of a desktop without a tray.
type minimiser struct {
	can       bool
	minimised int
}

func (m *minimiser) minimize(fyne.Window) bool {
	if m.can {
		m.minimised++
	}
	return m.can
}

// TestNoTrayDesktop: on a desktop without a tray (the resident says so)
// the window says so above the tabs, and closing it minimises it instead
// of ending it, where nobody could find Lull again; once a panel shows
// tray icons the banner goes and closing ends the window process (the
// resident stays); without a tray and a way to minimise, closing asks, and
// Quit Lull stops the resident and the window.
func TestNoTrayDesktop(t *testing.T) {
	l := startLull(t, lullSetup{now: uiT0, zone: "UTC", noTray: true, edit: onboarded})
	m := &minimiser{can: true}
	h := attach(t, l, Options{Minimize: m.minimize})
	w := h.ui.win.(*recWindow)
	h.ui.ShowWindow("")
	h.wait()
	if !h.ui.notice.box.Visible() || h.ui.notice.text.Text != noTrayBanner || !h.ui.notice.quit.Visible() {
		t.Fatalf("notice %q (shown %v) on a desktop without a tray", h.ui.notice.text.Text, h.ui.notice.box.Visible())
	}
	// A wrapped label settles on its height one layout after its width: a
	// real window lays out every frame, the test canvas when asked.
	h.ui.win.Content().Refresh()
	test.AssertRendersToMarkup(t, "notray_banner.xml", h.ui.win.Canvas())

	w.close()
	h.wait()
	if !w.isShown() || m.minimised != 1 || h.quits != 0 {
		t.Fatalf("close without a tray: shown %v, minimised %d, quits %d; want minimised, still shown", w.isShown(), m.minimised, h.quits)
	}

	// The panel starts: the banner goes, closing ends the window process.
	l.tray.set(true)
	h.wait()
	if h.ui.notice.box.Visible() {
		t.Error("banner still shown with a tray")
	}
	w.close()
	if h.quits != 1 || m.minimised != 1 || l.quits.Load() != 0 {
		t.Errorf("close with a tray: window quits %d, minimised %d, resident quits %d; want the window ended", h.quits, m.minimised, l.quits.Load())
	}

	// The panel goes away again, and this desktop cannot minimise: closing
	// asks, and Quit Lull stops the resident, then the window.
	l.tray.set(false)
	m.can = false
	h.wait()
	w.close()
	d := topDialog(t, h.ui.win)
	if !w.isShown() {
		t.Error("the window was hidden although nothing can bring it back")
	}
	test.Tap(buttonLabelled(t, d, "Quit Lull"))
	h.wait()
	if l.quits.Load() != 1 || h.quits != 2 {
		t.Errorf("Quit Lull: resident quits %d, window quits %d; want both", l.quits.Load(), h.quits)
	}
}

// TestQuitLullFromTheBanner: the banner's Quit Lull stops the resident
// (POST /v1/quit) and ends the window.
func TestQuitLullFromTheBanner(t *testing.T) {
	l := startLull(t, lullSetup{now: uiT0, zone: "UTC", noTray: true, edit: onboarded})
	h := attach(t, l, Options{})
	test.Tap(h.ui.notice.quit)
	h.wait()
	if l.quits.Load() != 1 || h.quits != 1 {
		t.Errorf("resident quits %d, window quits %d", l.quits.Load(), h.quits)
	}
}

// TestResidentStoppedAndRestarted: when the resident process stops
// (killed, crashed) the window says so and offers to restart it; Restart
// Lull starts it again, and the window finds it by itself and shows its
// state, losing nothing the resident had taken in.
func TestResidentStoppedAndRestarted(t *testing.T) {
	l := startLull(t, lullSetup{now: uiT0, zone: "UTC", calendar: true, edit: onboarded})
	dir := l.svc.Dir
	restarts := 0
	var h *harness
	h = attach(t, l, Options{Restart: func() error {
		restarts++
		if restarts == 1 {
			return errors.New("no lull binary beside lull-window")
		}
		l.start(t, dir)
		return nil
	}})
	test.Tap(h.ui.today.toggle)
	h.wait()
	h.hold("Mail", "Invoice 42")
	h.wait()
	// Ctrl+R restarts Lull only while it is stopped.
	restartKey := &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	keys := h.ui.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	keys.TypedShortcut(restartKey)
	h.wait()
	if restarts != 0 {
		t.Fatalf("Ctrl+R with Lull running restarted it %d times", restarts)
	}

	// The resident goes away (its API with it), as after a kill -9.
	if err := l.svc.Close(); err != nil {
		t.Fatal(err)
	}
	n := h.ui.notice
	h.until("the notice says Lull stopped", func() bool { return n.box.Visible() && n.text.Text == stoppedText })
	if !n.restart.Visible() || n.restart.Disabled() || n.quit.Visible() {
		t.Errorf("stopped: restart shown %v (off %v), quit shown %v", n.restart.Visible(), n.restart.Disabled(), n.quit.Visible())
	}
	// An action meanwhile says why it cannot be done.
	h.ui.stopFocus()
	h.until("an error dialog", func() bool { return h.ui.win.Canvas().Overlays().Top() != nil })
	if got := strings.Join(texts(h.ui.win.Canvas().Overlays().Top()), " "); !strings.Contains(got, "Lull stopped running") {
		t.Errorf("stopping focus with Lull stopped says %q", got)
	}
	h.ui.win.Canvas().Overlays().Top().Hide()

	// A restart that fails says why and can be tried again (Ctrl+R is
	// Restart Lull).
	keys.TypedShortcut(restartKey)
	h.until("the failed restart is told", func() bool { return n.text.Text == "Lull could not be started: no lull binary beside lull-window" })
	if n.restart.Disabled() {
		t.Error("Restart Lull is off after a failed restart")
	}
	test.Tap(n.restart)
	h.until("the window finds the restarted Lull", func() bool { return !n.box.Visible() })
	h.wait()
	if restarts != 2 {
		t.Errorf("%d restarts", restarts)
	}
	// The session of the killed Lull ended as crashed; what was held is
	// still held, and the window shows the new Lull's state.
	if st := h.svc.Focus.State(); st.Focusing {
		t.Errorf("after the restart: %+v", st)
	}
	if got := h.ui.digest.heldTotal(); got != 1 {
		t.Errorf("held after the restart: %d, want 1", got)
	}
	if h.ui.today.toggle.Text != "Start focus" {
		t.Errorf("toggle %q after the restart", h.ui.today.toggle.Text)
	}
	test.Tap(h.ui.today.toggle)
	h.wait()
	if st := h.svc.Focus.State(); !st.Focusing || st.Kind != focus.Manual {
		t.Errorf("focus from the window after the restart: %+v", st)
	}
}

// TestStreamBreakAloneSaysNothing: a broken event stream whose resident
// still answers is only a connection: no "stopped" notice.
func TestStreamBreakAloneSaysNothing(t *testing.T) {
	h := newHarness(t)
	h.ui.notice.lost()
	h.wait()
	if h.ui.notice.box.Visible() {
		t.Errorf("notice %q while Lull answers", h.ui.notice.text.Text)
	}
}

// onboarded marks the onboarding done, so no wizard covers the window.
func onboarded(st *service.Settings) { st.Onboarded = true }

// topDialog is the dialog shown over w.
func topDialog(t *testing.T, w fyne.Window) fyne.CanvasObject {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	return top
}

// buttonLabelled finds a button by its text inside o.
func buttonLabelled(t *testing.T, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == label {
			return b
		}
	}
	t.Fatalf("no button %q", label)
	return nil
}
