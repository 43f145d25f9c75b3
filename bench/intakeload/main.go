// Command intakeload posts notifications to a running Lull's local API from
// concurrent clients and prints throughput and latency percentiles.
//
//	intakeload -url http://127.0.0.1:PORT -token T -n 20000 -c 8
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "", "base URL of the local API")
	token := flag.String("token", "", "bearer token")
	total := flag.Int("n", 20000, "notifications to post")
	clients := flag.Int("c", 8, "concurrent clients")
	flag.Parse()
	if *base == "" {
		log.Fatal("usage: intakeload -url URL -token T [-n 20000] [-c 8]")
	}
	var next atomic.Int64
	lat := make([][]time.Duration, *clients)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
			for {
				i := next.Add(1)
				if i > int64(*total) {
					return
				}
				body := fmt.Sprintf(`{"title":"Build %d failed","body":"job %d on runner %d","source":"ci-%d","priority":"normal"}`, i, i, c, i%16)
				req, err := http.NewRequest(http.MethodPost, *base+"/v1/notifications", bytes.NewBufferString(body))
				if err != nil {
					log.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+*token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if resp.StatusCode != http.StatusCreated {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	fmt.Printf("notifications: %d from %d clients in %.2fs, failed %d\n", len(all), *clients, elapsed.Seconds(), failed.Load())
	fmt.Printf("throughput:    %.0f notifications/s\n", float64(len(all))/elapsed.Seconds())
	fmt.Printf("latency:       p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		ms(pct(0.50)), ms(pct(0.99)), ms(all[len(all)-1]))
	if failed.Load() > 0 {
		log.Fatalf("%d requests failed", failed.Load())
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
