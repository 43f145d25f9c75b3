package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

var (
	settingsBucket = []byte("settings")
	settingsKey    = []byte("app")
)

// Settings are the user's choices that are not secrets, stored as one JSON
// value in the settings bucket. Secrets (subscription URLs, CalDAV
// passwords, the API token) live in the OS keyring, never here.
type Settings struct {
	// Plan holds the weekly goal, working hours, block lengths, buffers,
	// lunch, preferred time of day, horizon and zone.
	Plan calendar.PlanSettings `json:"plan"`
	// DigestTimes are the daily digest times, "HH:MM".
	DigestTimes []string `json:"digest_times"`
	// VIP sources and apps always break through.
	VIP []string `json:"vip,omitempty"`
	// Keywords break through when found in a title or body.
	Keywords []string `json:"keywords,omitempty"`
	// BatchDesktopAllDay holds captured desktop notifications all day.
	BatchDesktopAllDay bool `json:"batch_desktop_all_day,omitempty"`
	// Capture turns desktop notification capture (Linux) on.
	Capture bool `json:"capture"`
	// DND chooses the do-not-disturb adapter: "auto", "off" or one of
	// notify.DNDNames.
	DND string `json:"dnd"`
	// UserAddresses are the user's own calendar addresses, so meetings the
	// user declined are not busy.
	UserAddresses []string `json:"user_addresses,omitempty"`
	// PublishCalDAV is the CalDAV source accepted blocks are written to
	// ("" for none).
	PublishCalDAV string `json:"publish_caldav,omitempty"`
	// ExportICS is a file accepted blocks are written to as iCalendar ("" for
	// none).
	ExportICS string `json:"export_ics,omitempty"`
	// Onboarded is set once the first-run onboarding was finished or left.
	Onboarded bool `json:"onboarded,omitempty"`
	// SampleSource is the id of the bundled sample calendar, if added.
	SampleSource string `json:"sample_source,omitempty"`
	// EndCue shows a notification when a focus session runs to its planned
	// end, and BreakAfter is the short break it suggests (0: none).
	EndCue     bool          `json:"end_cue,omitempty"`
	BreakAfter time.Duration `json:"break_after,omitempty"`
}

// MaxBreak is the longest break the end-of-session cue suggests: a short
// pause, not the rest of the day.
const MaxBreak = time.Hour

// DefaultSettings are PRODUCT.md's defaults.
func DefaultSettings() Settings {
	times := make([]string, len(notify.DefaultDigestTimes))
	for i, t := range notify.DefaultDigestTimes {
		times[i] = t.String()
	}
	return Settings{
		Plan:        calendar.DefaultPlanSettings(),
		DigestTimes: times,
		Capture:     true,
		DND:         "auto",
	}
}

// ErrBadSettings wraps every settings validation error.
var ErrBadSettings = errors.New("invalid settings")

// Validate checks every field a user can set.
func (s Settings) Validate() error {
	if err := s.Plan.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSettings, err)
	}
	if _, err := s.digestTimes(); err != nil {
		return err
	}
	if s.BreakAfter < 0 || s.BreakAfter > MaxBreak {
		return fmt.Errorf("%w: break %s must be between 0 and %s", ErrBadSettings, calendar.DurationText(s.BreakAfter), calendar.DurationText(MaxBreak))
	}
	switch s.DND {
	case "", "auto", "off":
	default:
		found := false
		for _, n := range notify.DNDNames {
			found = found || n == s.DND
		}
		if !found {
			return fmt.Errorf("%w: do-not-disturb %q: want auto, off or one of %s", ErrBadSettings, s.DND, strings.Join(notify.DNDNames, ", "))
		}
	}
	return nil
}

func (s Settings) digestTimes() ([]notify.TimeOfDay, error) {
	out := make([]notify.TimeOfDay, 0, len(s.DigestTimes))
	for _, v := range s.DigestTimes {
		t, err := notify.ParseTimeOfDay(v)
		if err != nil {
			return nil, fmt.Errorf("%w: digest time %q: %w", ErrBadSettings, v, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// Location is the user's zone from the plan settings.
func (s Settings) Location() *time.Location {
	loc, err := s.Plan.Location()
	if err != nil || loc == nil {
		return time.Local
	}
	return loc
}

// FocusConfig derives focus's settings from the plan settings.
func (s Settings) FocusConfig() focus.Config {
	c := focus.DefaultConfig(s.Location())
	c.WeeklyGoal = s.Plan.WeeklyGoal
	c.DailyMax = s.Plan.DailyCap
	c.MinBlock = s.Plan.MinBlock
	return c
}

// NotifyConfig derives notify's settings.
func (s Settings) NotifyConfig() (notify.Config, error) {
	times, err := s.digestTimes()
	if err != nil {
		return notify.Config{}, err
	}
	return notify.Config{
		Location:    s.Location(),
		DigestTimes: times,
		Rules: notify.Rules{
			VIP:                s.VIP,
			Keywords:           s.Keywords,
			BatchDesktopAllDay: s.BatchDesktopAllDay,
		},
	}, nil
}

// WorkingHours returns the working intervals of the day containing day.
func (s Settings) WorkingHours(day time.Time) []calendar.Interval {
	loc := s.Location()
	d := day.In(loc)
	span := s.Plan.Hours[d.Weekday()]
	if span.Empty() {
		return nil
	}
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	at := func(t calendar.DayTime) time.Time {
		return time.Date(midnight.Year(), midnight.Month(), midnight.Day(), int(t)/60, int(t)%60, 0, 0, loc)
	}
	return []calendar.Interval{{Start: at(span.Start), End: at(span.End)}}
}

// LoadSettings reads the stored settings, or the defaults when none are
// stored yet.
func LoadSettings(db *store.DB) (Settings, error) {
	s := DefaultSettings()
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		if b == nil {
			return nil
		}
		v := b.Get(settingsKey)
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &s)
	})
	if err != nil {
		return Settings{}, fmt.Errorf("settings in %s: %w", db.Path(), err)
	}
	return s, nil
}

// SaveSettings validates and stores s.
func SaveSettings(db *store.DB, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	v, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(settingsBucket)
		if err != nil {
			return err
		}
		return b.Put(settingsKey, v)
	})
}
