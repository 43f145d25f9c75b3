package service

import (
	"github.com/lullapp/lull/app/winproc"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/ics"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// sentinels are the exported Err… values of the packages whose errors
// reach the local API or the command line, by "dir.Name". The test below
// finds every such declaration in the sources: one missing here fails it,
// and every one here must have its own row in api.Errors.
var sentinels = map[string]error{
	"calendar.ErrSecretNotFound":     calendar.ErrSecretNotFound,
	"calendar.ErrKeyringTimeout":     calendar.ErrKeyringTimeout,
	"calendar.ErrNoSuchSource":       calendar.ErrNoSuchSource,
	"calendar.ErrBadSource":          calendar.ErrBadSource,
	"calendar.ErrSourceAuth":         calendar.ErrSourceAuth,
	"calendar.ErrSourceNotFound":     calendar.ErrSourceNotFound,
	"calendar.ErrSourceTLS":          calendar.ErrSourceTLS,
	"calendar.ErrSourceUnreachable":  calendar.ErrSourceUnreachable,
	"calendar.ErrSourceTimeout":      calendar.ErrSourceTimeout,
	"calendar.ErrSourceTooLarge":     calendar.ErrSourceTooLarge,
	"calendar.ErrSourceHTTP":         calendar.ErrSourceHTTP,
	"calendar.ErrSourceNotCalendar":  calendar.ErrSourceNotCalendar,
	"calendar.ErrSourceStale":        calendar.ErrSourceStale,
	"calendar.ErrNoCalendar":         calendar.ErrNoCalendar,
	"calendar.ErrNotLullObject":      calendar.ErrNotLullObject,
	"calendar.ErrBlockDeletedByUser": calendar.ErrBlockDeletedByUser,
	"calendar.ErrPublishConflict":    calendar.ErrPublishConflict,
	"calendar.ErrSyncElsewhere":      calendar.ErrSyncElsewhere,
	"calendar.ErrPlannerBusy":        calendar.ErrPlannerBusy,
	"calendar.ErrBadSettings":        calendar.ErrBadSettings,
	"calendar.ErrNoSuchBlock":        calendar.ErrNoSuchBlock,
	"calendar.ErrBadBlock":           calendar.ErrBadBlock,
	"calendar.ErrUnknownFormat":      calendar.ErrUnknownFormat,
	"calendar.ErrBadExportPath":      calendar.ErrBadExportPath,
	"ics.ErrEmpty":                   ics.ErrEmpty,
	"ics.ErrNotICalendar":            ics.ErrNotICalendar,
	"ics.ErrBadEvent":                ics.ErrBadEvent,
	"ics.ErrTooLarge":                ics.ErrTooLarge,
	"ics.ErrCapped":                  ics.ErrCapped,
	"focus.ErrAlreadyFocusing":       focus.ErrAlreadyFocusing,
	"focus.ErrNotFocusing":           focus.ErrNotFocusing,
	"focus.ErrOpenEnded":             focus.ErrOpenEnded,
	"focus.ErrNoFreeTime":            focus.ErrNoFreeTime,
	"focus.ErrNothingToResume":       focus.ErrNothingToResume,
	"focus.ErrBadDuration":           focus.ErrBadDuration,
	"focus.ErrBadWeek":               focus.ErrBadWeek,
	"focus.ErrBadDate":               focus.ErrBadDate,
	"focus.ErrFutureWeek":            focus.ErrFutureWeek,
	"focus.ErrNotFound":              focus.ErrNotFound,
	"focus.ErrCorruptRecord":         focus.ErrCorruptRecord,
	"focus.ErrClosed":                focus.ErrClosed,
	"notify.ErrInvalid":              notify.ErrInvalid,
	"notify.ErrNotFound":             notify.ErrNotFound,
	"notify.ErrClosed":               notify.ErrClosed,
	"notify.ErrJournalDamaged":       notify.ErrJournalDamaged,
	"notify.ErrUnsupported":          notify.ErrUnsupported,
	"notify.ErrBadTime":              notify.ErrBadTime,
	"service.ErrBadSettings":         ErrBadSettings,
	"service.ErrBadFormat":           ErrBadFormat,
	"service.ErrBadRequest":          ErrBadRequest,
	"settings.ErrBadSettings":        settings.ErrBadSettings,
	"api.ErrBadRequest":              api.ErrBadRequest,
	"api.ErrBadFormat":               api.ErrBadFormat,
	"api.ErrInvalidValue":            api.ErrInvalidValue,
	"api.ErrTooManyStreams":          api.ErrTooManyStreams,
	"localapi.ErrNotRunning":         localapi.ErrNotRunning,
	"winproc.ErrNotInstalled":        winproc.ErrNotInstalled,
	"human.ErrBadDuration":           human.ErrBadDuration,
	"human.ErrBadDate":               human.ErrBadDate,
	"store.ErrLocked":                store.ErrLocked,
	"store.ErrDamaged":               store.ErrDamaged,
	"store.ErrTooNew":                store.ErrTooNew,
}

// TestEverySentinelHasARow: every exported Err… variable declared in
// calendar, calendar/ics, focus, notify, app/service, internal/settings,
// internal/api, internal/localapi, internal/human and internal/store
// (read from the sources, all build tags) is in the error table, under a
// row of its own: a new sentinel without a code, an HTTP status and an
// exit code fails here.
func TestEverySentinelHasARow(t *testing.T) {
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	found := map[string]bool{}
	for _, dir := range []string{"calendar", "calendar/ics", "focus", "notify", "app/service", "app/winproc", "internal/settings",
		"internal/api", "internal/localapi", "internal/human", "internal/store"} {
		pkgs, err := parser.ParseDir(token.NewFileSet(), filepath.Join(root, dir), func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range pkgs {
			for _, f := range pkg.Files {
				for _, d := range f.Decls {
					gd, ok := d.(*ast.GenDecl)
					if !ok || gd.Tok != token.VAR {
						continue
					}
					for _, spec := range gd.Specs {
						for _, name := range spec.(*ast.ValueSpec).Names {
							if strings.HasPrefix(name.Name, "Err") && name.IsExported() {
								found[filepath.Base(dir)+"."+name.Name] = true
							}
						}
					}
				}
			}
		}
	}
	var missing []string
	for name := range found {
		if _, ok := sentinels[name]; !ok {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		t.Errorf("%s is not in this test's list: give it a row in api.Errors (internal/api/errors.go) and list it here", name)
	}
	rows := map[error]string{}
	for _, k := range api.Errors() {
		rows[k.Err] = k.Code
	}
	for name, err := range sentinels {
		if !found[name] {
			t.Errorf("%s is listed here but not declared any more", name)
		}
		if _, ok := rows[err]; !ok {
			t.Errorf("%s (%q) has no row of its own in api.Errors", name, err)
		}
	}
}
