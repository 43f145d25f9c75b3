package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

// serveEnv makes the test binary act as a tiny Lull serving the intake
// handler on the database it names (see TestMain).
const serveEnv = "LULL_NOTIFY_TEST_SERVE"

func TestMain(m *testing.M) {
	if path := os.Getenv(serveEnv); path != "" {
		serve(path)
		return
	}
	os.Exit(m.Run())
}

// serve runs the handler on a loopback port printed on stdout, until killed.
func serve(path string) {
	db, err := store.Open(path, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	svc, err := New(Deps{DB: db, Clock: clock.Real{}, Focus: &fakeFocus{}}, Config{Location: time.UTC})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	_ = http.Serve(ln, svc.Handler(failPlain))
}

// TestKill9KeepsAcknowledged posts 1,000 notifications from 4 clients to a
// child process and kills it with SIGKILL at a random moment: after reopening
// the database every notification that got a 201 is there, exactly once.
func TestKill9KeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "lull.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	url := "http://" + strings.TrimSpace(addr) + "/v1/notifications"

	var mu sync.Mutex
	acked := map[string]string{} // title → id
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < 1000; i += 4 {
				title := fmt.Sprintf("n%04d", i)
				body := fmt.Sprintf(`{"title":%q,"source":"s%d"}`, title, i%7)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				var res Result
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && err == nil {
					mu.Lock()
					acked[title] = res.ID
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(time.Duration(20+rand.IntN(150)) * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	all, err := q.All()
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, it := range all {
		stored[it.Title] += it.Count
		if id, ok := acked[it.Title]; ok && id != it.ID {
			t.Errorf("%s stored as %s, acknowledged as %s", it.Title, it.ID, id)
		}
	}
	for title := range acked {
		if stored[title] != 1 {
			t.Errorf("acknowledged %s stored %d times", title, stored[title])
		}
	}
	if len(acked) == 0 || len(acked) == 1000 {
		t.Logf("kill landed at an edge: %d acknowledged", len(acked))
	}
	t.Logf("%d acknowledged before SIGKILL, %d stored", len(acked), len(all))
}
