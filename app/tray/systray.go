//go:build !darwin

package tray

import (
	"context"
	"runtime"
	"sync"

	"fyne.io/systray"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/assets"
)

// Run shows the tray for svc and blocks until ctx ends or Quit is clicked.
// It must run on the main goroutine (the Windows message loop and, on
// macOS, Cocoa's run there). On Linux without a session bus there can be
// no tray: Run then only waits for ctx.
func Run(ctx context.Context, svc *service.Service, opts Options) {
	if !canShow() {
		<-ctx.Done()
		return
	}
	v := &systrayView{}
	quit := make(chan struct{})
	var quitOnce sync.Once
	t := newTray(svc, v, func() { quitOnce.Do(func() { close(quit) }) }, opts)
	v.onClick = t.click
	// Tapping the icon opens the window; the menu opens on the other
	// button (and on Linux through the menu the panel reads).
	systray.SetOnTapped(func() { t.click(Action{Do: Open}) })
	if runtime.GOOS == "linux" {
		systray.SetTitle("Lull") // the StatusNotifierItem's Id and Title
	}
	ready := func() {
		t.start()
		go func() {
			// An opening menu reads the state once more, so its minutes are
			// right even if a timer was late (a suspended laptop).
			for {
				select {
				case <-systray.TrayOpenedCh:
					t.refresh()
				case <-t.ctx.Done():
					return
				}
			}
		}()
	}
	runLoop(ctx, quit, ready)
	t.close()
}

// runLoop runs the platform's tray loop, calls ready once the tray can be
// changed, and returns when ctx ends or quit closes.
//
// On Linux, systray.Run calls onReady on another goroutine before its
// D-Bus start has stored its connection, and its menu refresh reads that
// connection under another lock than the one it is written under: a menu
// built in onReady races with the start (go test -race saw it in the tray
// e2e test). So there the start runs first, to its end, and only then does
// ready add the menu. Windows' loop must own the goroutine: systray.Run.
func runLoop(ctx context.Context, quit <-chan struct{}, ready func()) {
	if runtime.GOOS == "windows" {
		stop := context.AfterFunc(ctx, systray.Quit)
		defer stop()
		go func() {
			select {
			case <-quit:
				systray.Quit()
			case <-ctx.Done():
			}
		}()
		systray.Run(ready, nil)
		return
	}
	start, end := systray.RunWithExternalLoop(nil, nil)
	start() // returns once the item is exported and its connection stored
	ready()
	select {
	case <-ctx.Done():
	case <-quit:
	}
	endTray(end)
}

// endTray removes the tray item. systray's end closes the D-Bus connection
// its start stored, and panics on nil if that start failed half way (it
// logged why): there is then nothing to close.
func endTray(end func()) {
	defer func() { _ = recover() }()
	end()
}

// systrayView shows the tray through fyne.io/systray.
type systrayView struct {
	onClick func(Action)

	// Owned by show (the tray's refresh loop).
	iconShown bool
	focusing  bool
	menu      shownMenu
	entries   []*systray.MenuItem // in flatten order; nil for separators
}

func (v *systrayView) show(m Model, items []Item) {
	if !v.iconShown || m.Focusing != v.focusing {
		systray.SetIcon(iconBytes(m.Focusing))
		v.iconShown, v.focusing = true, m.Focusing
	}
	systray.SetTooltip("Lull — " + m.Status)
	rebuild, changed := v.menu.update(items)
	if rebuild {
		v.rebuild(items)
		return
	}
	for _, i := range changed {
		e, it := v.entries[i], v.menu.flat[i]
		e.SetTitle(it.Label)
		if it.Disabled {
			e.Disable()
		} else {
			e.Enable()
		}
	}
}

// rebuild replaces the whole menu with items.
func (v *systrayView) rebuild(items []Item) {
	systray.ResetMenu() // closes the old items' click channels
	v.entries = v.entries[:0]
	var add func(parent *systray.MenuItem, items []Item)
	add = func(parent *systray.MenuItem, items []Item) {
		for _, it := range items {
			if it.Separator {
				if parent == nil {
					systray.AddSeparator()
				} else {
					parent.AddSeparator()
				}
				v.entries = append(v.entries, nil)
				continue
			}
			var e *systray.MenuItem
			if parent == nil {
				e = systray.AddMenuItem(it.Label, "")
			} else {
				e = parent.AddSubMenuItem(it.Label, "")
			}
			if it.Disabled {
				e.Disable()
			}
			v.entries = append(v.entries, e)
			go v.listen(e, it.Action)
			add(e, it.Sub)
		}
	}
	add(nil, items)
}

// listen hands the clicks on e to the tray as a until e is removed. (An
// item's action never changes while it is shown: a Model that changes
// what an item does has another shape, which rebuilds the menu.) systray
// drops a click that finds nobody receiving, so each entry has a receiver
// always waiting.
func (v *systrayView) listen(e *systray.MenuItem, a Action) {
	for range e.ClickedCh {
		v.onClick(a)
	}
}

// iconBytes is the tray icon in the form the platform's tray takes.
func iconBytes(focusing bool) []byte {
	png := assets.TrayIdle
	if focusing {
		png = assets.TrayFocusing
	}
	if runtime.GOOS == "windows" {
		return icoFromPNG(png)
	}
	return png
}
