// Command server is a stand-in for the running Lull app in bench/intake.sh:
// it serves notify's POST /v1/notifications handler behind the real local
// API guard (token, Host, Origin, size) on a real bbolt file with fsync on.
//
//	server -db /tmp/x/lull.db -token T   # prints the port on stdout, serves until killed
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

type idle struct{}

func (idle) Focusing() (bool, time.Time) { return false, time.Time{} }

func main() {
	dbPath := flag.String("db", "", "bbolt file to create or open")
	token := flag.String("token", "", "bearer token clients must send")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *dbPath == "" || *token == "" {
		log.Fatal("usage: server -db FILE -token TOKEN")
	}
	db, err := store.Open(*dbPath, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	svc, err := notify.New(notify.Deps{DB: db, Clock: clock.Real{}, Focus: idle{}, Logf: log.Printf}, notify.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	srv := localapi.NewServer(*token)
	srv.Handle(api.Lookup(api.RouteNotify).Pattern(), svc.Handler(api.WriteError))
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.Port())
	os.Stdout.Sync()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	commits, adds, applies := svc.Queue().CommitStats()
	if commits > 0 {
		log.Printf("group commit: %d adds in %d journal records (%.1f per record), applied to bbolt in %d transactions",
			adds, commits, float64(adds)/float64(commits), applies)
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Close(shut); err != nil {
		log.Print(err)
	}
}
