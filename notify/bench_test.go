package notify

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
)

// BenchmarkIntake posts notifications through the API handler from
// concurrent goroutines onto a real bbolt file with fsync on: group commit
// is what keeps it fast.
func BenchmarkIntake(b *testing.B) {
	db := MustOpen(b)
	svc, err := New(Deps{DB: db, Clock: clock.Real{}, Focus: &fakeFocus{}}, Config{Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	h := svc.Handler(failPlain)
	var n atomic.Int64
	b.SetParallelism(4) // 8 goroutines on 2 cores, like bench/intake.sh's 8 clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"title":"build %d failed","body":"step %d","source":"ci-%d"}`, i, i, i%16)
			req := httptest.NewRequest(http.MethodPost, "/v1/notifications", strings.NewReader(body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
}
