// Command trayprobe is bench/footprint.sh's stand-in for a desktop panel: it
// owns org.kde.StatusNotifierWatcher on the session bus, so tray programs
// register their icon with it as they would with a real panel, and it
// measures Lull's resident process through its tray.
//
//	trayprobe watch
//	    own the watcher until killed (for measuring another tray program)
//	trayprobe resident -lull BIN [-window BIN] [-settle S] [-idle S] [-tries N] [-back S]
//	    own the watcher, start BIN --hidden (LULL_HOME etc. come from the
//	    environment), then print one "key value" line per figure:
//	      idle_rss_kb, idle_cpu_s, idle_switches   the process tree, over -idle s
//	      open_ms_N                                 tray "Open Lull" → window viewable, per try
//	      open_median_ms
//	      shown_rss_kb, shown_cpu_s, shown_switches_per_s  the tree with the
//	                                                first window open, over -idle s
//	      back_rss_kb, back_s                       the tree -back s after the window closed
//
// "Window closed" is the window process ending (SIGTERM, what its close
// button leads to when a tray is present); "viewable" is X11's map state of
// the window named "Lull", polled every pollEvery.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
	menuPath     = dbus.ObjectPath("/StatusNotifierMenu")
	menuIface    = "com.canonical.dbusmenu"
	// pollEvery is how often the window's map state is read while waiting
	// for it: the open latency is known to within this.
	pollEvery = 10 * time.Millisecond
	// startLimit bounds every wait for something to start (the resident's
	// API and tray, a window), so a broken build fails the bench instead of
	// hanging it.
	startLimit = 60 * time.Second
)

// watcher is the panel's side of the StatusNotifierItem protocol: it
// remembers who registered an item.
type watcher struct {
	mu    sync.Mutex
	items []string
	reg   chan string
}

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	name := service
	if !strings.HasPrefix(name, ":") {
		name = string(sender)
	}
	w.mu.Lock()
	w.items = append(w.items, name)
	w.mu.Unlock()
	select {
	case w.reg <- name:
	default:
	}
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

func ownWatcher() (*dbus.Conn, *watcher, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, nil, fmt.Errorf("session bus: %w", err)
	}
	w := &watcher{reg: make(chan string, 8)}
	if err := conn.Export(w, watcherPath, watcherIface); err != nil {
		return nil, nil, err
	}
	props, err := prop.Export(conn, watcherPath, prop.Map{watcherIface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		return nil, nil, err
	}
	node := &introspect.Node{Name: string(watcherPath), Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{Name: watcherIface, Methods: []introspect.Method{
			{Name: "RegisterStatusNotifierItem", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
			{Name: "RegisterStatusNotifierHost", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
		}, Properties: props.Introspection(watcherIface)},
	}}
	if err := conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return nil, nil, err
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		return nil, nil, fmt.Errorf("cannot own %s (reply %v): %v", watcherName, reply, err)
	}
	return conn, w, nil
}

// menuItem is one dbusmenu item as GetLayout returns it.
type menuItem struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// clickItem clicks the menu item of the tray at bus name item whose label
// starts with label (dbusmenu ids are read from GetLayout every time).
func clickItem(conn *dbus.Conn, item, label string) error {
	obj := conn.Object(item, menuPath)
	var revision uint32
	var layout menuItem
	if err := obj.Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &layout); err != nil {
		return fmt.Errorf("GetLayout: %w", err)
	}
	id, ok := find(layout, label)
	if !ok {
		return fmt.Errorf("no menu item %q", label)
	}
	return obj.Call(menuIface+".Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
}

func find(n menuItem, label string) (int32, bool) {
	if l, _ := n.Props["label"].Value().(string); strings.HasPrefix(strings.ReplaceAll(l, "_", ""), label) {
		return n.ID, true
	}
	for _, c := range n.Children {
		var child menuItem
		if err := dbus.Store([]any{c.Value()}, &child); err == nil {
			if id, ok := find(child, label); ok {
				return id, true
			}
		}
	}
	return 0, false
}

// tree is pid and its descendants.
func tree(pid int) []int {
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		p, _ := strconv.Atoi(strings.TrimPrefix(strings.TrimSuffix(d, "/stat"), "/proc/"))
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], p)
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// usage is the tree's RSS (kB), CPU time (clock ticks) and context switches.
func usage(pid int) (rssKB, ticks, switches int64) {
	for _, p := range tree(pid) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && f[0] == "VmRSS:" {
					n, _ := strconv.ParseInt(f[1], 10, 64)
					rssKB += n
				}
			}
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil {
			s := string(b)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(f) > 12 {
				u, _ := strconv.ParseInt(f[11], 10, 64)
				k, _ := strconv.ParseInt(f[12], 10, 64)
				ticks += u + k
			}
		}
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", p))
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && (f[0] == "voluntary_ctxt_switches:" || f[0] == "nonvoluntary_ctxt_switches:") {
					n, _ := strconv.ParseInt(f[1], 10, 64)
					switches += n
				}
			}
		}
	}
	return rssKB, ticks, switches
}

// viewable reports whether the X window named title is mapped and viewable.
func viewable(title string) bool {
	out, err := exec.Command("xwininfo", "-name", title).Output()
	return err == nil && strings.Contains(string(out), "IsViewable")
}

// windowPID is the lull-window process under pid, or 0.
func windowPID(pid int) int {
	for _, p := range tree(pid)[1:] {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p)); err == nil && strings.TrimSpace(string(b)) == "lull-window" {
			return p
		}
	}
	return 0
}

func waitFor(what string, cond func() bool) error {
	deadline := time.Now().Add(startLimit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s", what, startLimit)
		}
		time.Sleep(pollEvery)
	}
	return nil
}

func resident(args []string) error {
	fs := flag.NewFlagSet("resident", flag.ExitOnError)
	bin := fs.String("lull", "", "the lull binary")
	settle := fs.Duration("settle", 10*time.Second, "wait after start before measuring")
	idle := fs.Duration("idle", 60*time.Second, "idle window")
	tries := fs.Int("tries", 10, "Open Lull tries")
	back := fs.Duration("back", 60*time.Second, "wait after the window closed before reading the tree again")
	fs.Parse(args)
	conn, w, err := ownWatcher()
	if err != nil {
		return err
	}
	defer conn.Close()
	cmd := exec.Command(*bin, "--hidden")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	defer func() {
		syscall.Kill(-pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	}()
	var item string
	select {
	case item = <-w.reg:
	case <-time.After(startLimit):
		return errors.New("the resident registered no tray icon")
	}
	time.Sleep(*settle)
	hz := int64(100)
	if out, err := exec.Command("getconf", "CLK_TCK").Output(); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && n > 0 {
			hz = n
		}
	}
	_, t0, s0 := usage(pid)
	start := time.Now()
	time.Sleep(*idle)
	rss, t1, s1 := usage(pid)
	el := time.Since(start).Seconds()
	fmt.Printf("idle_rss_kb %d\nidle_cpu_s %.3f\nidle_switches_per_s %.2f\n", rss, float64(t1-t0)/float64(hz), float64(s1-s0)/el)

	var opens []float64
	var shown int64
	for i := 0; i < *tries; i++ {
		if viewable("Lull") {
			return errors.New("a Lull window is already shown")
		}
		t := time.Now()
		if err := clickItem(conn, item, "Open Lull"); err != nil {
			return err
		}
		if err := waitFor("the window", func() bool { return viewable("Lull") }); err != nil {
			return err
		}
		ms := float64(time.Since(t).Microseconds()) / 1000
		opens = append(opens, ms)
		fmt.Printf("open_ms_%d %.1f\n", i+1, ms)
		if i == 0 {
			// The first window also stays open for an idle window of its
			// own: the whole tree with the window shown.
			time.Sleep(*settle)
			_, t0, s0 := usage(pid)
			start := time.Now()
			time.Sleep(*idle)
			var t1, s1 int64
			shown, t1, s1 = usage(pid)
			el := time.Since(start).Seconds()
			fmt.Printf("shown_cpu_s %.3f\nshown_switches_per_s %.2f\n", float64(t1-t0)/float64(hz), float64(s1-s0)/el)
		} else {
			time.Sleep(2 * time.Second) // drawn and settled
		}
		wp := windowPID(pid)
		if wp == 0 {
			return errors.New("no lull-window process under the resident")
		}
		syscall.Kill(wp, syscall.SIGTERM)
		if err := waitFor("the window process to end", func() bool { return windowPID(pid) == 0 }); err != nil {
			return err
		}
	}
	sort.Float64s(opens)
	if n := len(opens); n > 0 {
		median := opens[n/2]
		if n%2 == 0 {
			median = (opens[n/2-1] + opens[n/2]) / 2
		}
		fmt.Printf("open_median_ms %.1f\n", median)
	}
	fmt.Printf("shown_rss_kb %d\n", shown)
	time.Sleep(*back)
	after, _, _ := usage(pid)
	fmt.Printf("back_rss_kb %d\nback_s %.0f\n", after, back.Seconds())
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: trayprobe watch | resident -lull BIN ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "watch":
		var conn *dbus.Conn
		if conn, _, err = ownWatcher(); err == nil {
			fmt.Println("ready")
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			<-ctx.Done()
			stop()
			conn.Close()
		}
	case "resident":
		err = resident(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trayprobe:", err)
		os.Exit(1)
	}
}
