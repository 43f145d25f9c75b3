//go:build darwin

package tray

// The macOS tray: an NSStatusItem with an NSMenu, called through the
// Objective-C runtime with github.com/ebitengine/purego, so that the
// resident process builds for macOS with CGO_ENABLED=0 from any machine
// (fyne.io/systray needs cgo and Apple's toolchain there).
//
// NOT RUN ON A MAC: this file is built (scripts/cross-build.sh, darwin/amd64
// and darwin/arm64) and reviewed against Apple's AppKit documentation, but
// the project's machines are Linux; nobody has seen this tray on a Mac yet.
// It is kept small for that reason: one status item, one menu rebuilt or
// updated as on the other platforms, clicks handed to the Tray, every
// AppKit call on the main thread.

import (
	"context"
	"runtime"
	"structs"
	"sync"

	"github.com/ebitengine/purego"
	"github.com/ebitengine/purego/objc"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/assets"
)

// AppKit constants (NSApplication.h, NSStatusBar.h, NSEvent.h).
const (
	activationPolicyAccessory   = 1  // a menu-bar app: no Dock icon
	variableStatusItemLength    = -1 // NSVariableStatusItemLength
	eventTypeApplicationDefined = 15
	// menuIconPoints is the icon's size in the menu bar, in points: the
	// bar is 22 points high.
	menuIconPoints = 18
)

func init() {
	// AppKit runs on the main thread only: keep the main goroutine there,
	// so Run (called from main) is on it.
	runtime.LockOSThread()
}

// Selectors, registered once.
var (
	selAlloc            = objc.RegisterName("alloc")
	selInit             = objc.RegisterName("init")
	selRelease          = objc.RegisterName("release")
	selDrain            = objc.RegisterName("drain")
	selShared           = objc.RegisterName("sharedApplication")
	selSetPolicy        = objc.RegisterName("setActivationPolicy:")
	selRun              = objc.RegisterName("run")
	selStop             = objc.RegisterName("stop:")
	selPostEvent        = objc.RegisterName("postEvent:atStart:")
	selOtherEvent       = objc.RegisterName("otherEventWithType:location:modifierFlags:timestamp:windowNumber:context:subtype:data1:data2:")
	selSystemStatusBar  = objc.RegisterName("systemStatusBar")
	selStatusItem       = objc.RegisterName("statusItemWithLength:")
	selRemoveStatusItem = objc.RegisterName("removeStatusItem:")
	selButton           = objc.RegisterName("button")
	selSetImage         = objc.RegisterName("setImage:")
	selSetToolTip       = objc.RegisterName("setToolTip:")
	selSetMenu          = objc.RegisterName("setMenu:")
	selDataWithBytes    = objc.RegisterName("dataWithBytes:length:")
	selInitWithData     = objc.RegisterName("initWithData:")
	selSetSize          = objc.RegisterName("setSize:")
	selStringWithUTF8   = objc.RegisterName("stringWithUTF8String:")
	selInitWithTitle    = objc.RegisterName("initWithTitle:")
	selSetAutoenables   = objc.RegisterName("setAutoenablesItems:")
	selInitItem         = objc.RegisterName("initWithTitle:action:keyEquivalent:")
	selSeparatorItem    = objc.RegisterName("separatorItem")
	selAddItem          = objc.RegisterName("addItem:")
	selSetSubmenu       = objc.RegisterName("setSubmenu:")
	selSetTarget        = objc.RegisterName("setTarget:")
	selSetTag           = objc.RegisterName("setTag:")
	selTag              = objc.RegisterName("tag")
	selSetEnabled       = objc.RegisterName("setEnabled:")
	selSetTitle         = objc.RegisterName("setTitle:")
	selPerformOnMain    = objc.RegisterName("performSelectorOnMainThread:withObject:waitUntilDone:")
	// The target class's own methods.
	selClicked = objc.RegisterName("lullClicked:")
	selDrainQ  = objc.RegisterName("lullDrain:")
)

// nsPoint and nsSize are AppKit's NSPoint and NSSize, laid out as C lays
// them out (CGFloat is 64-bit on every Mac Go supports).
type nsPoint struct {
	_    structs.HostLayout
	X, Y float64
}

type nsSize struct {
	_             structs.HostLayout
	Width, Height float64
}

// Run shows the tray for svc and blocks until ctx ends or Quit is clicked.
// It must run on the main goroutine (init keeps it on the main thread).
func Run(ctx context.Context, svc *service.Service, opts Options) {
	v, err := newCocoaView()
	if err != nil {
		if opts.Logf != nil {
			opts.Logf("no menu-bar icon: %v", err)
		}
		<-ctx.Done()
		return
	}
	t := newTray(svc, v, v.quit, opts)
	v.onClick = t.click
	stop := context.AfterFunc(ctx, v.quit)
	defer stop()
	t.start()
	v.app.Send(selRun) // returns after v.quit
	t.close()
	v.onMain(func() { v.bar.Send(selRemoveStatusItem, v.item) })
	v.drain()
}

// cocoaView is the NSStatusItem and its menu.
type cocoaView struct {
	app, bar, item, target objc.ID
	onClick                func(Action)

	// The main thread's work queue (onMain, drained by lullDrain:).
	mu      sync.Mutex
	pending []func()

	// Owned by the main thread.
	iconShown bool
	focusing  bool
	menu      shownMenu
	entries   []objc.ID // NSMenuItems in flatten order; 0 for separators
	actions   []Action  // what each entry's tag does
	quitOnce  sync.Once
}

// trayTargetClass is the Objective-C class of the menu items' target:
// lullClicked: hands a click to the view, lullDrain: runs the main
// thread's queue. One class per process.
var (
	targetOnce  sync.Once
	targetClass objc.Class
	targetErr   error
	// views maps a target object to its view (one in practice), so the
	// methods, which are plain functions, find it.
	viewsMu sync.Mutex
	views   = map[objc.ID]*cocoaView{}
)

func viewOf(self objc.ID) *cocoaView {
	viewsMu.Lock()
	defer viewsMu.Unlock()
	return views[self]
}

func newCocoaView() (*cocoaView, error) {
	if _, err := purego.Dlopen("/System/Library/Frameworks/Cocoa.framework/Cocoa", purego.RTLD_GLOBAL|purego.RTLD_LAZY); err != nil {
		return nil, err
	}
	targetOnce.Do(func() {
		targetClass, targetErr = objc.RegisterClass("LullTrayTarget", objc.GetClass("NSObject"), nil, nil, []objc.MethodDef{
			{Cmd: selClicked, Fn: func(self objc.ID, _ objc.SEL, sender objc.ID) {
				if v := viewOf(self); v != nil {
					v.clicked(objc.Send[int](sender, selTag))
				}
			}},
			{Cmd: selDrainQ, Fn: func(self objc.ID, _ objc.SEL, _ objc.ID) {
				if v := viewOf(self); v != nil {
					v.drain()
				}
			}},
		})
	})
	if targetErr != nil {
		return nil, targetErr
	}
	pool := objc.ID(objc.GetClass("NSAutoreleasePool")).Send(selAlloc).Send(selInit)
	defer pool.Send(selDrain)
	v := &cocoaView{}
	v.app = objc.ID(objc.GetClass("NSApplication")).Send(selShared)
	v.app.Send(selSetPolicy, activationPolicyAccessory)
	v.bar = objc.ID(objc.GetClass("NSStatusBar")).Send(selSystemStatusBar)
	v.item = v.bar.Send(selStatusItem, float64(variableStatusItemLength))
	v.target = objc.ID(targetClass).Send(selAlloc).Send(selInit)
	viewsMu.Lock()
	views[v.target] = v
	viewsMu.Unlock()
	return v, nil
}

// onMain runs f on the main thread, after what was queued before it.
func (v *cocoaView) onMain(f func()) {
	v.mu.Lock()
	v.pending = append(v.pending, f)
	v.mu.Unlock()
	v.target.Send(selPerformOnMain, selDrainQ, objc.ID(0), false)
}

// drain runs the queued work (on the main thread).
func (v *cocoaView) drain() {
	v.mu.Lock()
	work := v.pending
	v.pending = nil
	v.mu.Unlock()
	for _, f := range work {
		f()
	}
}

// quit stops the run loop: stop: takes effect after the next event, so an
// empty one is posted.
func (v *cocoaView) quit() {
	v.quitOnce.Do(func() {
		v.onMain(func() {
			v.app.Send(selStop, objc.ID(0))
			ev := objc.ID(objc.GetClass("NSEvent")).Send(selOtherEvent, uint(eventTypeApplicationDefined),
				nsPoint{}, uint(0), float64(0), 0, objc.ID(0), int16(0), 0, 0)
			v.app.Send(selPostEvent, ev, true)
		})
	})
}

func (v *cocoaView) show(m Model, items []Item) {
	v.onMain(func() { v.showNow(m, items) })
}

// showNow updates the icon, its tooltip and the menu (main thread).
func (v *cocoaView) showNow(m Model, items []Item) {
	button := v.item.Send(selButton)
	if !v.iconShown || m.Focusing != v.focusing {
		png := assets.TrayIdle
		if m.Focusing {
			png = assets.TrayFocusing
		}
		data := objc.ID(objc.GetClass("NSData")).Send(selDataWithBytes, png, uint(len(png)))
		img := objc.ID(objc.GetClass("NSImage")).Send(selAlloc).Send(selInitWithData, data)
		img.Send(selSetSize, nsSize{Width: menuIconPoints, Height: menuIconPoints})
		button.Send(selSetImage, img)
		img.Send(selRelease)
		v.iconShown, v.focusing = true, m.Focusing
	}
	button.Send(selSetToolTip, nsString("Lull — "+m.Status))
	rebuild, changed := v.menu.update(items)
	if rebuild {
		v.rebuild(items)
		return
	}
	for _, i := range changed {
		it := v.menu.flat[i]
		v.entries[i].Send(selSetTitle, nsString(it.Label))
		v.entries[i].Send(selSetEnabled, !it.Disabled)
	}
}

// rebuild replaces the status item's menu with items (main thread).
func (v *cocoaView) rebuild(items []Item) {
	v.entries, v.actions = v.entries[:0], v.actions[:0]
	var build func(items []Item) objc.ID
	build = func(items []Item) objc.ID {
		menu := objc.ID(objc.GetClass("NSMenu")).Send(selAlloc).Send(selInitWithTitle, nsString("Lull"))
		menu.Send(selSetAutoenables, false)
		for _, it := range items {
			if it.Separator {
				menu.Send(selAddItem, objc.ID(objc.GetClass("NSMenuItem")).Send(selSeparatorItem))
				v.entries, v.actions = append(v.entries, 0), append(v.actions, Action{})
				continue
			}
			e := objc.ID(objc.GetClass("NSMenuItem")).Send(selAlloc).Send(selInitItem, nsString(it.Label), selClicked, nsString(""))
			e.Send(selSetTarget, v.target)
			e.Send(selSetTag, len(v.entries))
			e.Send(selSetEnabled, !it.Disabled)
			v.entries, v.actions = append(v.entries, e), append(v.actions, it.Action)
			if it.Sub != nil {
				sub := build(it.Sub)
				e.Send(selSetSubmenu, sub)
				sub.Send(selRelease)
			}
			menu.Send(selAddItem, e)
			e.Send(selRelease) // the menu holds it
		}
		return menu
	}
	menu := build(items)
	v.item.Send(selSetMenu, menu)
	menu.Send(selRelease) // the status item holds it
}

// clicked runs the action of the item tagged tag (main thread).
func (v *cocoaView) clicked(tag int) {
	if tag >= 0 && tag < len(v.actions) && v.onClick != nil {
		v.onClick(v.actions[tag])
	}
}

// nsString is an autoreleased NSString holding s.
func nsString(s string) objc.ID {
	return objc.ID(objc.GetClass("NSString")).Send(selStringWithUTF8, s)
}
