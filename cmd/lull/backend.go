package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	lull "github.com/lullapp/lull"
	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// backend is what the commands that work with or without a running Lull
// ask: the running Lull over the local API (*api.Client), or the data
// directly (offline) when none runs. Each command is written once against
// it, so it says the same and exits the same whichever answered.
type backend interface {
	Status(ctx context.Context) (api.Status, error)
	Digests(ctx context.Context, limit int) ([]notify.Digest, error)
	Replan(ctx context.Context, req api.PlanRequest) (api.PlanResult, error)
	Accepted(ctx context.Context) ([]calendar.Block, error)
	AcceptAll(ctx context.Context) (int, error)
	Accept(ctx context.Context, id string) (calendar.Block, error)
	Skip(ctx context.Context, id string) (calendar.Block, error)
	Calendars(ctx context.Context) ([]calendar.SourceInfo, error)
	AddCalendar(ctx context.Context, req api.AddCalendar) (calendar.SourceConfig, error)
	ChangeCalendar(ctx context.Context, id string, ch api.CalendarChange) (calendar.SourceConfig, error)
	RemoveCalendar(ctx context.Context, id string) error
	SyncCalendars(ctx context.Context) (api.SyncReport, error)
	Busy(ctx context.Context, r api.Range) ([]calendar.Interval, error)
	Settings(ctx context.Context) (api.Settings, error)
	SaveSettings(ctx context.Context, st api.Settings) (api.Settings, error)
	Report(ctx context.Context, req api.ReportRequest) ([]byte, error)
	Export(ctx context.Context, req api.ExportRequest) ([]byte, error)
	SyncStatus(ctx context.Context) (api.SyncStatus, error)
	SyncDevices(ctx context.Context) (api.SyncStatus, error)
	LogCalendars(ctx context.Context) ([]api.LogCalendar, error)
	PickLogCalendar(ctx context.Context, req api.PickLogCalendar) (api.LogCalendar, error)
}

// commandTimeout bounds one command's work on the data directly (reading
// every calendar, publishing the plan): long enough for a slow CalDAV
// server, short enough that a command bound to a key never hangs. Against
// the running Lull each request has the local API's own bound.
const commandTimeout = 2 * time.Minute

// client dials the running instance; nil when none runs. When the
// discovery file is stale and another program has its port, it says so
// on stderr (that program was sent nothing).
func (c *cli) client() (*api.Client, error) {
	cl, err := api.Dial(c.dir)
	if errors.Is(err, localapi.ErrNotRunning) {
		if nl := (*localapi.NotLullError)(nil); errors.As(err, &nl) && !c.staleNoted {
			fmt.Fprintf(c.stderr, "lull: %v\n", nl)
			c.staleNoted = true
		}
		return nil, nil
	}
	if cl != nil {
		cl.Origin = notify.OriginCLI
	}
	return cl, err
}

// data opens the data directly (no instance runs).
func (c *cli) data() (*service.Data, error) {
	clk, err := testClock(c.getenv)
	if err != nil {
		return nil, err
	}
	d, err := service.OpenData(service.DataOptions{Dir: c.dir, LockTimeout: 2 * time.Second, Clock: clk})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w; it did not answer on the local API (is it starting or shutting down?), try again in a moment", err)
	}
	if err == nil {
		for _, p := range d.Problems() {
			fmt.Fprintf(c.stderr, "lull: %v\n", p)
		}
	}
	return d, err
}

// withBackend runs f against the running instance, or on the data directly
// when none runs.
func (c *cli) withBackend(f func(ctx context.Context, b backend) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cl, err := c.client()
	if err != nil {
		return err
	}
	if cl != nil {
		return f(ctx, cl)
	}
	d, err := c.data()
	if err != nil {
		return err
	}
	defer d.Close()
	return f(ctx, offline{c, d})
}

// offline is the backend on the data directly: what the running Lull does
// for each request, without its schedulers.
type offline struct {
	c *cli
	d *service.Data
}

var _ backend = (*api.Client)(nil)
var _ backend = offline{}

func (o offline) Status(context.Context) (api.Status, error) {
	return o.d.OfflineStatus(lull.Version()), nil
}

func (o offline) Digests(_ context.Context, limit int) ([]notify.Digest, error) {
	return o.d.Queue.ListDigests(time.Unix(0, 0), o.d.Clock.Now().Add(time.Second), limit)
}

// Replan re-plans as POST /v1/plan does; reading the calendars first
// (req.Sync) it says how that went on stderr (stdout is the plan), and a
// publishing problem is said there too: the plan itself stands.
func (o offline) Replan(ctx context.Context, req api.PlanRequest) (api.PlanResult, error) {
	if req.Sync && !req.DryRun {
		rep, err := o.d.SyncCalendars(ctx)
		if err != nil {
			return api.PlanResult{}, err
		}
		o.c.reportSync(o.c.stderr, rep)
	}
	res, err := o.d.ReplanWith(req.DryRun, req.Days)
	if err != nil || req.DryRun {
		return res, err
	}
	o.publish(ctx)
	return res, nil
}

// publish writes the accepted blocks to the calendars they go to, as the
// running Lull does after every change of the plan; a failure is said on
// stderr and changes nothing stored.
func (o offline) publish(ctx context.Context) {
	if _, err := o.d.Publish(ctx); err != nil {
		fmt.Fprintf(o.c.stderr, "lull: %s\n", err)
	}
}

func (o offline) Accepted(context.Context) ([]calendar.Block, error) { return o.d.AcceptedBlocks() }

func (o offline) AcceptAll(ctx context.Context) (int, error) {
	n, err := o.d.AcceptAll()
	if n > 0 {
		o.publish(ctx)
	}
	return n, err
}

func (o offline) Accept(ctx context.Context, id string) (calendar.Block, error) {
	b, err := o.d.Blocks.Accept(id)
	if err == nil {
		o.publish(ctx)
	}
	return b, err
}

func (o offline) Skip(ctx context.Context, id string) (calendar.Block, error) {
	b, err := o.d.Blocks.Skip(id)
	if err == nil {
		o.publish(ctx)
	}
	return b, err
}

func (o offline) Calendars(context.Context) ([]calendar.SourceInfo, error) {
	return o.d.CalendarList()
}

func (o offline) AddCalendar(ctx context.Context, req api.AddCalendar) (calendar.SourceConfig, error) {
	return o.d.AddSource(ctx, req)
}

func (o offline) ChangeCalendar(_ context.Context, id string, ch api.CalendarChange) (calendar.SourceConfig, error) {
	return o.d.ChangeSource(id, ch)
}

func (o offline) RemoveCalendar(_ context.Context, id string) error { return o.d.RemoveSource(id) }

func (o offline) SyncCalendars(ctx context.Context) (api.SyncReport, error) {
	return o.d.SyncCalendars(ctx)
}

func (o offline) Busy(_ context.Context, r api.Range) ([]calendar.Interval, error) {
	return o.d.BusyRange(r.From, r.To)
}

func (o offline) Settings(context.Context) (api.Settings, error) { return o.d.Settings(), nil }

func (o offline) SaveSettings(_ context.Context, st api.Settings) (api.Settings, error) {
	return st, o.d.SaveSettings(st)
}

func (o offline) Report(_ context.Context, req api.ReportRequest) ([]byte, error) {
	var buf bytes.Buffer
	err := service.WriteReport(&buf, o.d, req.Week, req.Format)
	return buf.Bytes(), err
}

func (o offline) Export(_ context.Context, req api.ExportRequest) ([]byte, error) {
	var buf bytes.Buffer
	err := service.WriteExport(&buf, o.d, req.From, req.To, req.Format)
	return buf.Bytes(), err
}

func (o offline) SyncStatus(context.Context) (api.SyncStatus, error) { return o.d.SyncStatus() }

func (o offline) SyncDevices(ctx context.Context) (api.SyncStatus, error) {
	return o.d.SyncDevices(ctx)
}

func (o offline) LogCalendars(ctx context.Context) ([]api.LogCalendar, error) {
	return o.d.LogCalendars(ctx)
}

func (o offline) PickLogCalendar(ctx context.Context, req api.PickLogCalendar) (api.LogCalendar, error) {
	return o.d.PickLogCalendar(ctx, req)
}
