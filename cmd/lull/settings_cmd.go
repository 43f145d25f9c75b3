package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
)

// setting is one key of `lull settings`: how to show it and how to read a
// typed value into the settings. Checking the value is Settings.Validate's
// job (one place for the window, the command line and the API).
type setting struct {
	key, about string
	get        func(service.Settings) string
	set        func(*service.Settings, string) error
}

// settingsTable lists every key of `lull settings`, in the order show
// prints them.
func settingsTable() []setting {
	dur := func(key, label, about, example string, field func(*service.Settings) *time.Duration) setting {
		return setting{key, about,
			func(st service.Settings) string { return human.Duration(*field(&st)) },
			func(st *service.Settings, v string) error {
				d, err := human.ParseDuration(v)
				if err != nil {
					return &human.FieldError{Key: key, Label: label, Value: strings.TrimSpace(v),
						Problem: "write a length of time such as " + human.DurationExamples, Example: example, Err: service.ErrBadSettings}
				}
				*field(st) = d
				return nil
			}}
	}
	list := func(key, about string, field func(*service.Settings) *[]string) setting {
		return setting{key, about,
			func(st service.Settings) string { return listText(*field(&st)) },
			func(st *service.Settings, v string) error { *field(st) = splitList(v); return nil }}
	}
	text := func(key, about string, field func(*service.Settings) *string) setting {
		return setting{key, about,
			func(st service.Settings) string { return orNone(*field(&st)) },
			func(st *service.Settings, v string) error { *field(st) = strings.TrimSpace(v); return nil }}
	}
	flag := func(key, about string, field func(*service.Settings) *bool) setting {
		return setting{key, about,
			func(st service.Settings) string { return strconv.FormatBool(*field(&st)) },
			func(st *service.Settings, v string) error {
				b, err := parseBool(key, v)
				*field(st) = b
				return err
			}}
	}
	out := []setting{
		{"goal", "weekly focus goal, e.g. 10h or 7.5h",
			func(st service.Settings) string { return human.Duration(st.Plan.WeeklyGoal) },
			func(st *service.Settings, v string) error {
				d, err := parseGoal(v)
				st.Plan.WeeklyGoal = d
				return err
			}},
	}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		key := "hours-" + strings.ToLower(d.String()[:3])
		label := d.String() + " working hours"
		out = append(out, setting{key, d.String() + "'s working hours, e.g. 09:00-17:00, or off",
			func(st service.Settings) string { return service.SpanText(st.Plan.Hours[d]) },
			func(st *service.Settings, v string) error {
				sp, err := service.ParseSpan(key, label, v)
				st.Plan.Hours[d] = sp
				return err
			}})
	}
	out = append(out,
		setting{"zone", "IANA time zone, e.g. Europe/Berlin (empty: the computer's)",
			func(st service.Settings) string {
				if st.Plan.Zone == "" || st.Plan.Zone == "Local" {
					return "the computer's"
				}
				return st.Plan.Zone
			},
			func(st *service.Settings, v string) error { st.Plan.Zone = strings.TrimSpace(v); return nil }},
		dur("preferred-block", "preferred block", "the block length Lull aims for, e.g. 2h", "2h", func(st *service.Settings) *time.Duration { return &st.Plan.PreferredBlock }),
		dur("min-block", "minimum block", "the shortest block Lull plans, 30m or more", "1h", func(st *service.Settings) *time.Duration { return &st.Plan.MinBlock }),
		dur("daily-cap", "daily cap", "the most focus Lull plans on one day, e.g. 4h", "4h", func(st *service.Settings) *time.Duration { return &st.Plan.DailyCap }),
		dur("buffer", "buffer", "free time kept around meetings, e.g. 10m", "10m", func(st *service.Settings) *time.Duration { return &st.Plan.Buffer }),
		setting{"lunch", "lunch time kept free unless nothing else is, e.g. 12:00-13:00, or off",
			func(st service.Settings) string { return service.SpanText(st.Plan.Lunch) },
			func(st *service.Settings, v string) error {
				sp, err := service.ParseSpan("lunch", "lunch", v)
				st.Plan.Lunch = sp
				return err
			}},
		setting{"prefer", "preferred time of day: morning, afternoon or any",
			func(st service.Settings) string { return string(st.Plan.Prefer) },
			func(st *service.Settings, v string) error {
				st.Plan.Prefer = calendar.TimeOfDay(strings.ToLower(strings.TrimSpace(v)))
				return nil
			}},
		setting{"horizon", "days planned ahead, 1 to 62",
			func(st service.Settings) string { return strconv.Itoa(st.Plan.HorizonDays) + " days" },
			func(st *service.Settings, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "days")))
				if err != nil {
					return &human.FieldError{Key: "horizon", Label: "planning horizon", Value: v,
						Problem: "write a number of days", Example: "14", Err: service.ErrBadSettings}
				}
				st.Plan.HorizonDays = n
				return nil
			}},
		setting{"digest-times", "daily digest times, e.g. 09:00,12:30,16:30 (none: only when focus ends)",
			func(st service.Settings) string {
				if len(st.DigestTimes) == 0 {
					return "none (only when focus ends)"
				}
				return strings.Join(st.DigestTimes, ", ")
			},
			func(st *service.Settings, v string) error {
				st.DigestTimes = splitList(v)
				if st.DigestTimes == nil || strings.EqualFold(strings.TrimSpace(v), "none") {
					st.DigestTimes = []string{}
				}
				return nil
			}},
		list("vip", "apps, sources or senders that always break through, comma-separated", func(st *service.Settings) *[]string { return &st.VIP }),
		list("keywords", "words that break through, comma-separated", func(st *service.Settings) *[]string { return &st.Keywords }),
		flag("batch-desktop", "hold desktop notifications all day, not only in focus: true or false", func(st *service.Settings) *bool { return &st.BatchDesktopAllDay }),
		flag("capture", "capture desktop notifications: true or false", func(st *service.Settings) *bool { return &st.Capture }),
		setting{"dnd", "do-not-disturb: " + strings.Join(service.DNDChoices(), ", "),
			func(st service.Settings) string { return orDefault(st.DND, "auto") },
			func(st *service.Settings, v string) error { st.DND = strings.ToLower(strings.TrimSpace(v)); return nil }},
		list("user-addresses", "your calendar addresses, comma-separated (meetings you declined are free)", func(st *service.Settings) *[]string { return &st.UserAddresses }),
		text("publish", "CalDAV calendar ID accepted blocks are written to (empty: none)", func(st *service.Settings) *string { return &st.PublishCalDAV }),
		text("export-ics", "file accepted blocks are written to (empty: none)", func(st *service.Settings) *string { return &st.ExportICS }),
		flag("onboarded", "first-run onboarding done (false shows it again): true or false", func(st *service.Settings) *bool { return &st.Onboarded }),
	)
	return out
}

func (c *cli) settings(args []string) error {
	if len(args) == 0 {
		args = []string{"show"}
	}
	table := settingsTable()
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, settingsHelp(table))
		return errHelp
	case "show":
		fs := c.flags("settings show", "Prints every setting; change one with \"lull settings set KEY VALUE\".", "settings show [--json]")
		asJSON := fs.Bool("json", false, "print JSON (what GET /v1/settings answers)")
		pos, err := fs.parse(args[1:])
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("settings show takes no arguments")
		}
		var st service.Settings
		err = c.either(func(cl *localapi.Client) error {
			return cl.Do("GET", "/v1/settings", nil, &st)
		}, func(d *service.Data) error { st = d.Settings(); return nil })
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(st)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		for _, s := range table {
			fmt.Fprintf(tw, "%s\t%s\n", s.key, s.get(st))
		}
		return tw.Flush()
	case "set":
		if len(args) == 2 && (args[1] == "--help" || args[1] == "-h") {
			fmt.Fprint(c.stdout, settingsHelp(table))
			return errHelp
		}
		if len(args) != 3 {
			return usagef("settings set needs KEY and VALUE, e.g. lull settings set goal 12h (keys: lull settings --help)")
		}
		return c.settingsSet(table, args[1], args[2])
	}
	return usagef("unknown settings command %q (want show or set)", args[0])
}

func (c *cli) settingsSet(table []setting, key, value string) error {
	var s *setting
	for i := range table {
		if table[i].key == key {
			s = &table[i]
		}
	}
	if s == nil {
		return usagef("no setting %q (see \"lull settings --help\")", key)
	}
	change := func(st *service.Settings) error {
		if err := s.set(st, value); err != nil {
			return err
		}
		return st.Validate()
	}
	var st service.Settings
	err := c.either(func(cl *localapi.Client) error {
		if err := cl.Do("GET", "/v1/settings", nil, &st); err != nil {
			return err
		}
		if err := change(&st); err != nil {
			return err
		}
		return cl.Do("PUT", "/v1/settings", st, &st)
	}, func(d *service.Data) error {
		st = d.Settings()
		if err := change(&st); err != nil {
			return err
		}
		return d.SaveSettings(st)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s: %s\n", key, s.get(st))
	return nil
}

func settingsHelp(table []setting) string {
	var b strings.Builder
	b.WriteString("Usage: lull settings [show [--json]]\n       lull settings set KEY VALUE\n\n")
	b.WriteString("Changes apply at once, also to a running Lull. Keys:\n")
	width := 0
	for _, s := range table {
		width = max(width, len(s.key))
	}
	for _, s := range table {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, s.key, s.about)
	}
	return b.String()
}

// parseGoal reads the weekly goal: a length ("12h", "7h30") or a bare
// number, which here means hours ("10", "7.5").
func parseGoal(v string) (time.Duration, error) {
	in := strings.TrimSpace(v)
	if h, err := strconv.ParseFloat(strings.ReplaceAll(in, ",", "."), 64); err == nil && h >= 0 && h <= 10000 {
		return time.Duration(h * float64(time.Hour)).Round(time.Minute), nil
	}
	d, err := human.ParseDuration(in)
	if err != nil {
		return 0, &human.FieldError{Key: "goal", Label: "weekly goal", Value: in,
			Problem: "write hours or a length of time", Example: "10h", Err: service.ErrBadSettings}
	}
	return d, nil
}

func parseBool(key, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, &human.FieldError{Key: key, Label: key, Value: v, Problem: "want true or false", Example: "true", Err: service.ErrBadSettings}
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func listText(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func orNone(s string) string { return orDefault(s, "none") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
