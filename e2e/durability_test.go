//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestNotificationsSurviveKill9 posts 1,000 notifications over the API of
// the real resident process (`lull --hidden`, which holds them) from 4
// clients and kills it with SIGKILL at a random moment: after a restart
// every notification that got a 201 is there, none twice.
func TestNotificationsSurviveKill9(t *testing.T) {
	needDesktop(t)
	home := t.TempDir()
	app := startProcess(t, home, lullBin(t), appEnv(home), "--hidden")
	app.waitAPI(90 * time.Second)
	var disc struct {
		Port  int    `json:"port"`
		Token string `json:"token"`
	}
	raw, _ := os.ReadFile(filepath.Join(home, "api.json"))
	if err := json.Unmarshal(raw, &disc); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	acked := map[string]string{} // id → title
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				title := fmt.Sprintf("client %d message %d", c, i)
				// One source per message: repeats from one source would break
				// through (repeat escalation) instead of being held.
				body := fmt.Sprintf(`{"title":%q,"source":"load-%d-%d"}`, title, c, i)
				req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/notifications", disc.Port), strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+disc.Token)
				resp, err := client.Do(req)
				if err != nil {
					return // the app is gone
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					continue
				}
				var res struct{ ID string }
				if json.Unmarshal(b, &res) == nil && res.ID != "" {
					mu.Lock()
					acked[res.ID] = title
					mu.Unlock()
				}
			}
		}(c)
	}
	time.Sleep(time.Duration(150+rand.IntN(450)) * time.Millisecond)
	app.kill9()
	wg.Wait()
	t.Logf("%d notifications acknowledged before kill -9", len(acked))
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged before the kill; the test proves nothing")
	}

	app2 := startProcess(t, home, lullBin(t), appEnv(home), "--hidden")
	app2.waitAPI(60 * time.Second)
	raw, _ = os.ReadFile(filepath.Join(home, "api.json"))
	json.Unmarshal(raw, &disc)
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/v1/notifications/held", disc.Port), nil)
	req.Header.Set("Authorization", "Bearer "+disc.Token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var held struct {
		Items []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Count int    `json:"count"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&held); err != nil {
		t.Fatal(err)
	}
	// A catch-up digest at start may already have handed some over: an
	// item counts as kept when it is held or in a delivered digest.
	req, _ = http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/v1/digests?limit=1000", disc.Port), nil)
	req.Header.Set("Authorization", "Bearer "+disc.Token)
	resp2, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var digests struct {
		Digests []struct {
			Items []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Count int    `json:"count"`
			} `json:"items"`
		} `json:"digests"`
	}
	if err := json.NewDecoder(resp2.Body).Decode(&digests); err != nil {
		t.Fatal(err)
	}
	for _, d := range digests.Digests {
		held.Items = append(held.Items, d.Items...)
	}
	seenID, seenTitle := map[string]bool{}, map[string]int{}
	for _, it := range held.Items {
		if seenID[it.ID] {
			t.Errorf("id %s listed twice", it.ID)
		}
		seenID[it.ID] = true
		seenTitle[it.Title] += max(it.Count, 1)
	}
	for id, title := range acked {
		if !seenID[id] {
			t.Errorf("acknowledged %s (%q) is lost", id, title)
		}
	}
	for title, n := range seenTitle {
		if n > 1 {
			t.Errorf("%q stored %d times", title, n)
		}
	}
	t.Logf("%d kept after restart (held or digested; %d acknowledged)", len(held.Items), len(acked))
	if t.Failed() {
		t.Logf("kept: %+v\nacked: %v", held.Items, acked)
	}
}
