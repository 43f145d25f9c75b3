package app

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fakeTrayHost is a desktop whose tray host comes and goes on request.
type fakeTrayHost struct {
	mu       sync.Mutex
	present  bool
	watchers map[int]func(bool)
	next     int
}

func (f *fakeTrayHost) Present() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.present
}

func (f *fakeTrayHost) Watch(fn func(bool)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watchers == nil {
		f.watchers = map[int]func(bool){}
	}
	id := f.next
	f.next++
	f.watchers[id] = fn
	return func() {
		f.mu.Lock()
		delete(f.watchers, id)
		f.mu.Unlock()
	}
}

func (f *fakeTrayHost) set(p bool) {
	f.mu.Lock()
	f.present = p
	var fs []func(bool)
	for _, w := range f.watchers {
		fs = append(fs, w)
	}
	f.mu.Unlock()
	for _, w := range fs {
		w(p)
	}
}

// noTrayDesk records what the UI asks of a desktop without a tray.
type noTrayDesk struct {
	host      *fakeTrayHost
	canMin    bool
	minimised int
	notes     []string
}

func (d *noTrayDesk) options() Options {
	return Options{
		Tray: d.host,
		Minimize: func(fyne.Window) bool {
			if d.canMin {
				d.minimised++
			}
			return d.canMin
		},
		Notify: func(title, body string) { d.notes = append(d.notes, title+": "+body) },
	}
}

// TestNoTrayDesktop: with no tray host the window says so, one
// notification tells it (after the grace a panel starting late gets), and
// closing the window minimises it instead of hiding it; when the panel
// appears, closing hides to the tray again.
func TestNoTrayDesktop(t *testing.T) {
	desk := &noTrayDesk{host: &fakeTrayHost{}, canMin: true}
	h := newHarnessOpts(t, nil, desk.options())
	w := h.ui.win.(*recWindow)
	h.ui.ShowWindow()
	h.wait()
	if !h.ui.noTray.banner.Visible() {
		t.Fatal("no banner in the window on a desktop without a tray")
	}
	// A wrapped label settles on its height one layout after its width: a
	// real window lays out every frame, the test canvas when asked.
	h.ui.win.Content().Refresh()
	test.AssertRendersToMarkup(t, "notray_banner.xml", h.ui.win.Canvas())
	if len(desk.notes) != 0 {
		t.Errorf("notified before the grace: %q", desk.notes)
	}
	h.advance(noTrayGrace)
	h.advance(time.Hour)
	if len(desk.notes) != 1 || desk.notes[0] != noTrayTitle+": "+noTrayMessage {
		t.Errorf("notifications %q, want one no-tray notice", desk.notes)
	}

	w.close()
	h.wait()
	if !w.isShown() || desk.minimised != 1 || h.quits != 0 {
		t.Fatalf("close without a tray: shown %v, minimised %d, quits %d; want minimised, still shown", w.isShown(), desk.minimised, h.quits)
	}

	// The panel starts: the banner goes, closing hides to the tray.
	desk.host.set(true)
	h.wait()
	if h.ui.noTray.banner.Visible() {
		t.Error("banner still shown with a tray")
	}
	w.close()
	if w.isShown() || desk.minimised != 1 {
		t.Errorf("close with a tray: shown %v, minimised %d; want hidden", w.isShown(), desk.minimised)
	}

	// The panel goes away again, and this desktop cannot minimise: closing
	// asks, and Quit Lull quits.
	desk.host.set(false)
	desk.canMin = false
	h.ui.ShowWindow()
	h.wait()
	w.close()
	d := topDialog(t, h.ui.win)
	if !w.isShown() {
		t.Error("the window was hidden although nothing can bring it back")
	}
	test.Tap(buttonLabelled(t, d, "Quit Lull"))
	if h.quits != 1 {
		t.Errorf("quits %d after Quit Lull", h.quits)
	}
	if len(desk.notes) != 1 {
		t.Errorf("%d notifications, want the one", len(desk.notes))
	}
}

// TestNoTrayHiddenStart: `lull --hidden` on a desktop without a tray shows
// its window minimised after the grace, so the task bar has it.
func TestNoTrayHiddenStart(t *testing.T) {
	desk := &noTrayDesk{host: &fakeTrayHost{}, canMin: true}
	h := newHarnessOpts(t, nil, desk.options())
	w := h.ui.win.(*recWindow)
	h.advance(noTrayGrace)
	if !w.isShown() || desk.minimised != 1 || len(desk.notes) != 1 {
		t.Errorf("hidden start without a tray: shown %v, minimised %d, notes %d; want shown minimised and told once", w.isShown(), desk.minimised, len(desk.notes))
	}
}

// TestTrayHostLateAtLogin: a panel that starts within the grace gets no
// notice and no banner.
func TestTrayHostLateAtLogin(t *testing.T) {
	desk := &noTrayDesk{host: &fakeTrayHost{}, canMin: true}
	h := newHarnessOpts(t, nil, desk.options())
	h.advance(2 * time.Second)
	desk.host.set(true)
	h.advance(noTrayGrace)
	if len(desk.notes) != 0 || h.ui.noTray.banner.Visible() || h.ui.win.(*recWindow).isShown() {
		t.Errorf("late panel: notes %q, banner %v, shown %v", desk.notes, h.ui.noTray.banner.Visible(), h.ui.win.(*recWindow).isShown())
	}
}

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
