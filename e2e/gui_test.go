//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// repoRoot is the checkout this file sits in.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// onboardedHome is a fresh data directory past onboarding, its digests
// kept away from the test (keepDigestsAway).
func onboardedHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	mustCLI(t, home, "settings", "set", "onboarded", "true")
	keepDigestsAway(t, home)
	return home
}

// mustCLI runs `lull ARGS` against home and fails the test unless it exits 0.
func mustCLI(t *testing.T, home string, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(t, home, "", args...)
	if code != 0 {
		t.Fatalf("lull %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// loadPNG decodes a screenshot.
func loadPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// pixelsDiffer counts the pixels that differ between a and b; a different
// size counts as every pixel.
func pixelsDiffer(a, b image.Image) int {
	ra, rb := a.Bounds(), b.Bounds()
	if ra.Dx() != rb.Dx() || ra.Dy() != rb.Dy() {
		return max(ra.Dx()*ra.Dy(), rb.Dx()*rb.Dy())
	}
	n := 0
	for y := 0; y < ra.Dy(); y++ {
		for x := 0; x < ra.Dx(); x++ {
			r1, g1, b1, _ := a.At(ra.Min.X+x, ra.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(rb.Min.X+x, rb.Min.Y+y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n
}

// minChanged is how many pixels must change for a view to count as another
// one: a tab switch or the focus toggle repaints far more than this, a
// blinking cursor or a ticking clock far less.
const minChanged = 2000

// settled captures win until it differs from prev by at least minChanged
// pixels and two captures in a row agree (the tab indicator's animation has
// ended), then saves it as name after the usual not-blank check. act runs
// once first (a key press); it returns the picture.
func settled(t *testing.T, win, name string, prev image.Image, act func()) image.Image {
	t.Helper()
	act()
	diff := 0
	if pollSteady(t, win, func(img image.Image) bool {
		diff = pixelsDiffer(prev, img)
		return diff >= minChanged
	}) == nil {
		t.Fatalf("%s: the window did not change to a new, steady picture within 15 s (last difference %d pixels)", name, diff)
	}
	got := loadPNG(t, screenshot(t, win, name))
	if d := pixelsDiffer(prev, got); d < minChanged {
		t.Fatalf("%s: only %d pixels differ from the previous view", name, d)
	}
	t.Logf("%s: %d pixels differ from the previous view", name, diff)
	return got
}

// steady waits until two captures of win in a row agree, then saves it as
// name (first frames, dialogs, animations).
func steady(t *testing.T, win, name string) image.Image {
	t.Helper()
	screenshot(t, win, name) // drawn at all
	if pollSteady(t, win, nil) == nil {
		t.Fatalf("%s: the window kept changing for 15 s", name)
	}
	return loadPNG(t, screenshot(t, win, name))
}

// pollSteady captures win every 300 ms for up to 15 s and returns the first
// capture that equals the one before it and, when want is not nil, that
// want accepts; nil when none did.
func pollSteady(t *testing.T, win string, want func(image.Image) bool) image.Image {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "poll.png")
	var last image.Image
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		if _, _, _, _, err := capture(win, tmp); err != nil {
			continue
		}
		img := loadPNG(t, tmp)
		if (want == nil || want(img)) && last != nil && pixelsDiffer(last, img) == 0 {
			return img
		}
		last = img
	}
	return nil
}

func xdotool(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// savePNG writes img as a PNG without the capture's timestamps, so the
// file changes only when the picture does.
func savePNG(t *testing.T, img image.Image, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// sampleApp fills a fresh data directory with the bundled sample calendar
// and an accepted plan through the CLI, starts the app, and gives its
// Digest tab something to show: notifications from a few apps and senders,
// most delivered in a digest, two still held. It returns the app and its
// window, focused, the pointer over it.
func sampleApp(t *testing.T) (*instance, string) {
	t.Helper()
	home := onboardedHome(t)
	mustCLI(t, home, "calendar", "add", "file", filepath.Join(repoRoot(), "assets", "sample.ics"), "--name", "Sample")
	if out := mustCLI(t, home, "plan", "--sync"); !strings.Contains(out, "proposed") {
		t.Fatalf("plan --sync proposed nothing:\n%s", out)
	}
	out := mustCLI(t, home, "plan", "accept", "--all")
	if m := regexp.MustCompile(`Accepted (\d+) block`).FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Fatalf("plan accept --all: %q", out)
	}
	app := startApp(t, home)
	app.waitAPI(90 * time.Second)
	for _, n := range [][3]string{
		{"chat", "Alice", "Lunch at 12:30?"}, {"chat", "Bob", "Standup notes are in"}, {"chat", "Alice", "Are you there?"},
		{"ci", "Nightly build failed", "main is red"}, {"mail", "Invoice 42", "due Friday"},
	} {
		mustCLI(t, home, "notify", "--source", n[0], "--title", n[1], "--body", n[2])
	}
	mustCLI(t, home, "digest", "now")
	mustCLI(t, home, "notify", "--source", "ci", "--title", "Deploy finished", "--body", "v2.4.1 is live")
	mustCLI(t, home, "notify", "--source", "mail", "--title", "Team offsite", "--body", "agenda attached")
	win := windowID(t, 60*time.Second)
	// No window manager runs: give the window the keyboard focus, and put
	// the pointer over it (X's default focus follows the pointer).
	xdotool(t, "windowfocus", "--sync", win)
	xdotool(t, "mousemove", "--window", win, "5", "5")
	return app, win
}

// TestEveryTabScreenshot starts the app on sample data (sampleApp) with a
// tray host on the bus, and switches through every tab with Ctrl+1..5,
// saving a screenshot of each (test-artifacts/e2e-tab-*.png) that must be
// drawn and differ from the previous tab's. Today is shot again while
// focusing. Today and Digest are copied to docs/ for the README.
func TestEveryTabScreenshot(t *testing.T) {
	needDesktop(t)
	began := time.Now()
	ownWatcher(t) // a panel, so the window shows no "no tray" notice
	app, win := sampleApp(t)
	home := app.home
	t.Logf("app up and window %s mapped after %s", win, time.Since(began).Round(time.Millisecond))

	prev := steady(t, win, "e2e-tab-today.png")
	today := prev
	shots := map[string]string{"today": filepath.Join(artifacts(t), "e2e-tab-today.png")}
	for i, tab := range []string{"plan", "digest", "report", "settings"} {
		key := "ctrl+" + strconv.Itoa(i+2)
		name := "e2e-tab-" + tab + ".png"
		prev = settled(t, win, name, prev, func() { xdotool(t, "key", "--window", win, key) })
		shots[tab] = filepath.Join(artifacts(t), name)
	}
	// Back to Today with Ctrl+1: the same view as at the start.
	prev = settled(t, win, "e2e-tab-today-again.png", prev, func() { xdotool(t, "key", "--window", win, "ctrl+1") })
	if d := pixelsDiffer(today, prev); d >= minChanged {
		t.Errorf("Ctrl+1 shows a view %d pixels away from the first Today", d)
	}

	mustCLI(t, home, "focus", "start", "25m")
	focusing := settled(t, win, "e2e-tab-today-focusing.png", prev, func() {})

	// Ctrl+F toggles focus: off, then on again (the Today tab's length).
	xdotool(t, "key", "--window", win, "ctrl+f")
	t.Logf("Ctrl+F stopped focus after %s", waitFocusing(t, home, false, 10*time.Second).Round(time.Millisecond))
	xdotool(t, "key", "--window", win, "ctrl+f")
	t.Logf("Ctrl+F started focus after %s", waitFocusing(t, home, true, 10*time.Second).Round(time.Millisecond))
	settled(t, win, "e2e-tab-today-ctrl-f.png", today, func() {})
	mustCLI(t, home, "focus", "stop")
	settled(t, win, "e2e-tab-today-stopped.png", focusing, func() {})

	// LULL_UPDATE_DOCS=1 refreshes the README's screenshots (the Report's
	// comes from TestADayWithLull); other runs leave the checkout clean.
	if os.Getenv("LULL_UPDATE_DOCS") == "1" {
		for _, tab := range []string{"today", "digest"} {
			savePNG(t, loadPNG(t, shots[tab]), filepath.Join(repoRoot(), "docs", tab+".png"))
		}
	}
	t.Logf("all tabs in %s", time.Since(began).Round(time.Millisecond))
}

// windowSize is win's size as X reports it.
func windowSize(t *testing.T, win string) (int, int) {
	t.Helper()
	out, err := exec.Command("xdotool", "getwindowgeometry", win).Output()
	if err != nil {
		t.Fatalf("xdotool getwindowgeometry: %v", err)
	}
	m := regexp.MustCompile(`Geometry: (\d+)x(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no geometry in %q", out)
	}
	w, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	return w, h
}

// TestWindowAt1280And500 sizes the window 1280 and 500 px wide and goes
// through every tab: the window takes the size (no tab needs more), keeps
// it while the tabs switch, and each tab is drawn
// (test-artifacts/e2e-<width>-<tab>.png; look at them: nothing clipped).
// Ctrl+1…5 also works with the cursor in a Settings field.
func TestWindowAt1280And500(t *testing.T) {
	needDesktop(t)
	ownWatcher(t)
	_, win := sampleApp(t)
	prev := steady(t, win, "e2e-width-start.png")
	for _, size := range [][2]int{{1280, 800}, {500, 700}} {
		xdotool(t, "windowsize", win, strconv.Itoa(size[0]), strconv.Itoa(size[1]))
		deadline := time.Now().Add(10 * time.Second)
		for {
			w, h := windowSize(t, win)
			if w == size[0] && h == size[1] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("asked for %dx%d, the window is %dx%d", size[0], size[1], w, h)
			}
			time.Sleep(200 * time.Millisecond)
		}
		for i, tab := range []string{"today", "plan", "digest", "report", "settings"} {
			name := fmt.Sprintf("e2e-%d-%s.png", size[0], tab)
			key := "ctrl+" + strconv.Itoa(i+1)
			prev = settled(t, win, name, prev, func() { xdotool(t, "key", "--window", win, key) })
			if w, h := windowSize(t, win); w != size[0] || h != size[1] {
				t.Errorf("%s at %dx%d: the window became %dx%d", tab, size[0], size[1], w, h)
			}
		}
	}
	// The cursor in a Settings field (the Settings tab is open, 500 px
	// wide): Tab moves the focus into the form, Ctrl+1 still shows Today.
	for i := 0; i < 8; i++ {
		xdotool(t, "key", "--window", win, "Tab")
	}
	settled(t, win, "e2e-500-today-from-a-field.png", prev, func() { xdotool(t, "key", "--window", win, "ctrl+1") })
}

// ---- the tray, driven over D-Bus -------------------------------------------

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
)

// trayItem is a registered StatusNotifierItem.
type trayItem struct {
	bus  string
	path dbus.ObjectPath
}

// watcher stands in for the desktop's StatusNotifierWatcher (the panel
// side of the tray protocol): it records the items that register.
type watcher struct {
	conn  *dbus.Conn
	props *prop.Properties
	mu    sync.Mutex
	items []trayItem
	reg   chan trayItem
}

// RegisterStatusNotifierItem takes a bus name or, as Fyne's systray sends,
// an object path on the caller's connection.
func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	it := trayItem{bus: string(sender), path: "/StatusNotifierItem"}
	if strings.HasPrefix(service, "/") {
		it.path = dbus.ObjectPath(service)
	} else if service != "" {
		it.bus = service
	}
	w.mu.Lock()
	w.items = append(w.items, it)
	names := make([]string, 0, len(w.items))
	for _, i := range w.items {
		names = append(names, i.bus+string(i.path))
	}
	w.mu.Unlock()
	w.props.SetMust(watcherIface, "RegisteredStatusNotifierItems", names)
	w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", it.bus+string(it.path))
	select {
	case w.reg <- it:
	default:
	}
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(sender dbus.Sender, service string) *dbus.Error {
	return nil
}

const watcherIntrospection = `
	<interface name="org.kde.StatusNotifierWatcher">
		<method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
		<method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
		<property name="RegisteredStatusNotifierItems" type="as" access="read"/>
		<property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
		<property name="ProtocolVersion" type="i" access="read"/>
		<signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
		<signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
		<signal name="StatusNotifierHostRegistered"/>
	</interface>`

// ownWatcher takes org.kde.StatusNotifierWatcher on the session bus on a
// connection of its own, released when the test ends.
func ownWatcher(t *testing.T) *watcher {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &watcher{conn: conn, reg: make(chan trayItem, 8)}
	if err := conn.Export(w, watcherPath, watcherIface); err != nil {
		t.Fatal(err)
	}
	w.props, err = prop.Export(conn, watcherPath, prop.Map{watcherIface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		t.Fatal(err)
	}
	node := &introspect.Node{
		Name: string(watcherPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{Name: watcherIface, Methods: []introspect.Method{
				{Name: "RegisterStatusNotifierItem", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
				{Name: "RegisterStatusNotifierHost", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
			}, Properties: w.props.Introspection(watcherIface)},
		},
	}
	if err := conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own %s: reply %v, %v", watcherName, reply, err)
	}
	t.Cleanup(func() { conn.ReleaseName(watcherName) })
	return w
}

// menuNode is one dbusmenu item as GetLayout returns it.
type menuNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []*menuNode
}

func (n *menuNode) label() string {
	s, _ := n.Props["label"].Value().(string)
	return s
}

// enabled is the dbusmenu default (true) unless the item says otherwise.
func (n *menuNode) enabled() bool {
	v, ok := n.Props["enabled"]
	if !ok {
		return true
	}
	b, _ := v.Value().(bool)
	return b
}

func (n *menuNode) separator() bool {
	s, _ := n.Props["type"].Value().(string)
	return s == "separator"
}

// plain is a label as people read it: mnemonic underscores dropped, case
// and spacing folded.
func plain(s string) string {
	s = strings.ReplaceAll(s, "__", "\x00")
	s = strings.ReplaceAll(s, "_", "")
	s = strings.ReplaceAll(s, "\x00", "_")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// find is the first item, depth first, whose plain label is want.
func (n *menuNode) find(want string) *menuNode {
	for _, c := range n.Children {
		if plain(c.label()) == want {
			return c
		}
		if f := c.find(want); f != nil {
			return f
		}
	}
	return nil
}

func (n *menuNode) dump(b *strings.Builder, depth int) {
	if depth > 0 {
		fmt.Fprintf(b, "%s[%d] %q", strings.Repeat("  ", depth-1), n.ID, n.label())
		if n.separator() {
			b.WriteString(" separator")
		}
		if !n.enabled() {
			b.WriteString(" disabled")
		}
		b.WriteString("\n")
	}
	for _, c := range n.Children {
		c.dump(b, depth+1)
	}
}

func (n *menuNode) String() string {
	var b strings.Builder
	n.dump(&b, 0)
	return b.String()
}

// parseLayout turns GetLayout's (ia{sv}av) into a tree.
func parseLayout(v any) (*menuNode, error) {
	if vr, ok := v.(dbus.Variant); ok {
		v = vr.Value()
	}
	f, ok := v.([]any)
	if !ok || len(f) != 3 {
		return nil, fmt.Errorf("layout item is %T %v, want (ia{sv}av)", v, v)
	}
	n := &menuNode{}
	if n.ID, ok = f[0].(int32); !ok {
		return nil, fmt.Errorf("layout id is %T", f[0])
	}
	if n.Props, ok = f[1].(map[string]dbus.Variant); !ok {
		return nil, fmt.Errorf("layout properties are %T", f[1])
	}
	kids, ok := f[2].([]dbus.Variant)
	if !ok {
		return nil, fmt.Errorf("layout children are %T", f[2])
	}
	for _, k := range kids {
		c, err := parseLayout(k)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// trayMenu talks to the app's exported menu.
type trayMenu struct {
	t   *testing.T
	obj dbus.BusObject
}

func (m trayMenu) layout() *menuNode {
	m.t.Helper()
	call := m.obj.Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		m.t.Fatalf("GetLayout: %v", call.Err)
	}
	if len(call.Body) != 2 {
		m.t.Fatalf("GetLayout returned %d values", len(call.Body))
	}
	root, err := parseLayout(call.Body[1])
	if err != nil {
		m.t.Fatalf("GetLayout: %v", err)
	}
	return root
}

// status is the menu's first line.
func (m trayMenu) status(root *menuNode) string {
	for _, c := range root.Children {
		if !c.separator() {
			return c.label()
		}
	}
	return ""
}

// click sends the "clicked" event to the item labelled want (read afresh:
// the app rebuilds the menu, and its ids, whenever its state changes).
func (m trayMenu) click(want string) {
	m.t.Helper()
	root := m.layout()
	item := root.find(plain(want))
	if item == nil {
		m.t.Fatalf("no %q in the tray menu:\n%s", want, root)
	}
	if !item.enabled() {
		m.t.Fatalf("%q is disabled in the tray menu:\n%s", want, root)
	}
	call := m.obj.Call(menuIface+".Event", 0, item.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		m.t.Fatalf("Event(%d %q, clicked): %v", item.ID, want, call.Err)
	}
	m.t.Logf("clicked tray item %d %q", item.ID, item.label())
}

// waitStatus polls the menu until its status line matches re.
func (m trayMenu) waitStatus(re *regexp.Regexp, timeout time.Duration) *menuNode {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		root := m.layout()
		if re.MatchString(m.status(root)) {
			return root
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("tray status line %q after %s, want %s; menu:\n%s", m.status(root), timeout, re, root)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFocusing polls `lull status --json` until focusing is want.
func waitFocusing(t *testing.T, home string, want bool, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		out, _, code := runCLI(t, home, "", "status", "--json")
		var st status
		if code == 0 && json.Unmarshal([]byte(out), &st) == nil && st.Running && st.Focusing == want {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("lull status --json still says %q after %s, want focusing=%v", out, timeout, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pixmap is one StatusNotifierItem icon image: (iiay).
type pixmap struct {
	W, H int32
	Data []byte
}

func iconPixmap(t *testing.T, item dbus.BusObject) []pixmap {
	t.Helper()
	v, err := item.GetProperty(itemIface + ".IconPixmap")
	if err != nil {
		t.Fatalf("IconPixmap: %v", err)
	}
	var px []pixmap
	if err := dbus.Store([]any{v.Value()}, &px); err != nil {
		t.Fatalf("IconPixmap %T: %v", v.Value(), err)
	}
	if len(px) == 0 || len(px[0].Data) == 0 {
		t.Fatal("the tray item has no icon")
	}
	return px
}

func iconPixmapEqual(a, b []pixmap) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].W != b[i].W || a[i].H != b[i].H || string(a[i].Data) != string(b[i].Data) {
			return false
		}
	}
	return true
}

// switchRate is the process's context switches per second over d, all
// threads summed: how often it wakes up.
func switchRate(t *testing.T, pid int, d time.Duration) float64 {
	t.Helper()
	count := func() int {
		files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
		n := 0
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue // the thread ended
			}
			for _, line := range strings.Split(string(raw), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
					c, _ := strconv.Atoi(strings.TrimSpace(v))
					n += c
				}
			}
		}
		return n
	}
	start, n0 := time.Now(), count()
	time.Sleep(d)
	return float64(count()-n0) / time.Since(start).Seconds()
}

// visibleWindow reports whether a window named exactly "Lull" is shown.
func visibleWindow() bool {
	out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Lull$").Output()
	return err == nil && len(strings.Fields(string(out))) > 0
}

// ---- the desktop's light or dark preference ------------------------------------

const (
	portalName     = "org.freedesktop.portal.Desktop"
	portalPath     = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	portalSettings = "org.freedesktop.portal.Settings"
	appearanceNS   = "org.freedesktop.appearance"
)

// portal stands in for xdg-desktop-portal's Settings: the desktop's
// color-scheme (1 dark, 2 light), which Fyne reads at start and follows
// through SettingChanged.
type portal struct {
	conn   *dbus.Conn
	mu     sync.Mutex
	scheme uint32
}

func (p *portal) ReadOne(ns, key string) (dbus.Variant, *dbus.Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ns != appearanceNS || key != "color-scheme" {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.portal.Error.NotFound", []any{"no such setting"})
	}
	return dbus.MakeVariant(p.scheme), nil
}

// Read is the old name of ReadOne, answering a variant in a variant.
func (p *portal) Read(ns, key string) (dbus.Variant, *dbus.Error) {
	v, err := p.ReadOne(ns, key)
	return dbus.MakeVariant(v), err
}

// set changes the preference and tells the desktop's apps.
func (p *portal) set(t *testing.T, scheme uint32) {
	t.Helper()
	p.mu.Lock()
	p.scheme = scheme
	p.mu.Unlock()
	if err := p.conn.Emit(portalPath, portalSettings+".SettingChanged", appearanceNS, "color-scheme", dbus.MakeVariant(scheme)); err != nil {
		t.Fatal(err)
	}
}

// ownPortal takes org.freedesktop.portal.Desktop with the given scheme
// until the test ends.
func ownPortal(t *testing.T, scheme uint32) *portal {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &portal{conn: conn, scheme: scheme}
	if err := conn.Export(p, portalPath, portalSettings); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(portalName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot own %s: reply %v, %v", portalName, reply, err)
	}
	return p
}

// luminance is the mean brightness of img, 0 (black) to 1 (white).
func luminance(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 0xffff
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}

// TestFollowsTheDesktopTheme: a desktop that prefers light gets a light
// window, and when the user switches the desktop to dark, the open window
// turns dark (test-artifacts/e2e-theme-light.png, e2e-theme-dark.png).
func TestFollowsTheDesktopTheme(t *testing.T) {
	needDesktop(t)
	p := ownPortal(t, 2)
	ownWatcher(t)
	home := onboardedHome(t)
	app := startApp(t, home)
	app.waitAPI(90 * time.Second)
	win := windowID(t, 60*time.Second)
	var light image.Image
	if light = pollSteady(t, win, func(img image.Image) bool { return luminance(img) > 0.6 }); light == nil {
		t.Fatalf("the window is not light on a light desktop:\n%s", app.logs.String())
	}
	savePNG(t, light, filepath.Join(artifacts(t), "e2e-theme-light.png"))
	p.set(t, 1)
	dark := pollSteady(t, win, func(img image.Image) bool { return luminance(img) < 0.3 })
	if dark == nil {
		t.Fatal("the window did not turn dark when the desktop did")
	}
	savePNG(t, dark, filepath.Join(artifacts(t), "e2e-theme-dark.png"))
	t.Logf("luminance %.2f light, %.2f dark", luminance(light), luminance(dark))
}
