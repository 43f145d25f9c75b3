package ics

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must resolve on desktops without a system tz database

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// tzNamesData lists the IANA zone names Go knows, so that a TZID can be
// matched case-insensitively (time.LoadLocation is case-sensitive).
//
//go:embed tznames.txt
var tzNamesData string

// tzWindowsData maps Windows zone names ("W. Europe Standard Time") and
// Outlook display names to IANA zones (CLDR windowsZones).
//
//go:embed tzwindows.tsv
var tzWindowsData string

// zoneTables holds the two name tables above, parsed once. They are
// read-only after construction.
type zoneTables struct {
	iana    map[string]string // lower-case name → canonical IANA name
	windows map[string]string // lower-case Windows name → IANA name
}

var loadTables = sync.OnceValue(func() *zoneTables {
	t := &zoneTables{iana: map[string]string{}, windows: map[string]string{}}
	for _, l := range strings.Split(tzNamesData, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			t.iana[strings.ToLower(l)] = l
		}
	}
	for _, l := range strings.Split(tzWindowsData, "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if k, v, ok := strings.Cut(l, "\t"); ok {
			t.windows[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return t
})

// normTZID strips the quoting and spacing some producers put around TZIDs.
func normTZID(tzid string) string {
	tzid = strings.TrimSpace(tzid)
	tzid = strings.Trim(tzid, `"'`)
	return strings.TrimSpace(tzid)
}

// zoneName maps a TZID to an IANA zone name: IANA names in any case,
// libical-style prefixed names ("/freeassociation.sourceforge.net/Europe/Berlin",
// "/Europe/Stockholm"), Windows names and Outlook display names. It returns
// "" when the name is none of those.
func zoneName(tzid string) string {
	t := loadTables()
	tzid = normTZID(tzid)
	low := strings.ToLower(tzid)
	if n, ok := t.iana[low]; ok {
		return n
	}
	if n, ok := t.windows[low]; ok {
		return n
	}
	switch low {
	case "z", "utc", "gmt", "etc/utc", "universal", "zulu":
		return "UTC"
	}
	// Prefixed names: try each suffix after a '/'.
	for i := 0; i < len(low); i++ {
		if low[i] == '/' {
			if n, ok := t.iana[low[i+1:]]; ok {
				return n
			}
		}
	}
	return ""
}

// lookupZone returns the location for a TZID known by name, or nil.
func lookupZone(tzid string) *time.Location {
	n := zoneName(tzid)
	if n == "" {
		return nil
	}
	loc, err := time.LoadLocation(n)
	if err != nil {
		return nil
	}
	return loc
}

// resolveZone maps a TZID to a location: a known name first (IANA, any
// case; Windows), then the file's own VTIMEZONE. It returns nil when the
// TZID is unknown, and the value is then read as floating time.
func (p *parser) resolveZone(tzid string) *time.Location {
	key := normTZID(tzid)
	p.locMu.Lock()
	defer p.locMu.Unlock()
	if loc, ok := p.locCache[key]; ok {
		return loc
	}
	loc := lookupZone(key)
	if loc == nil && !p.zonesBuilt {
		p.zonesBuilt = true // once, even if it panics
		p.buildZones()
	}
	if loc == nil {
		loc = p.zones[key]
	}
	if loc == nil {
		// VTIMEZONE TZIDs are sometimes escaped differently from the
		// references to them (commas, quotes).
		loc = p.zones[unescapeText(key)]
	}
	if p.locCache == nil {
		p.locCache = map[string]*time.Location{}
	}
	p.locCache[key] = loc
	return loc
}

// observance is one STANDARD or DAYLIGHT sub-component of a VTIMEZONE.
type observance struct {
	start      time.Time // wall clock, in UTC
	offFrom    int       // seconds east of UTC before the transition
	offTo      int       // seconds east of UTC after it
	name       string
	rule       *ruleSpec
	rdates     []time.Time
	isDaylight bool
}

// vtzHorizon is the last year for which VTIMEZONE rules are unrolled.
const vtzHorizon = 2100

// zoneFromVTimezone turns a VTIMEZONE into a *time.Location by unrolling
// its observances into a transition table (TZif) that Go can load.
func zoneFromVTimezone(tzid string, c *ical.Component) (*time.Location, error) {
	var obs []observance
	for _, ch := range c.Children {
		if ch.Name != "STANDARD" && ch.Name != "DAYLIGHT" {
			continue
		}
		o := observance{isDaylight: ch.Name == "DAYLIGHT", name: propValue(ch, "TZNAME")}
		st, err := parseTimeValue(strings.TrimSpace(propValue(ch, "DTSTART")), false, nil, true)
		if err != nil {
			return nil, err
		}
		o.start = st.T
		if o.start.Year() < 1900 {
			// rrule-go stops ~292 years after DTSTART, and Exchange writes
			// 1601: start the unrolling in 1900 instead.
			o.start = o.start.AddDate(1900-o.start.Year(), 0, 0)
		}
		if o.offFrom, err = parseOffset(propValue(ch, "TZOFFSETFROM")); err != nil {
			return nil, err
		}
		if o.offTo, err = parseOffset(propValue(ch, "TZOFFSETTO")); err != nil {
			return nil, err
		}
		if r := ch.Props.Get("RRULE"); r != nil {
			if o.rule, err = parseRule(r.Value); err != nil {
				return nil, err
			}
		}
		for _, rd := range ch.Props.Values("RDATE") {
			for _, v := range strings.Split(rd.Value, ",") {
				if t, err := parseTimeValue(strings.TrimSpace(v), false, nil, true); err == nil {
					o.rdates = append(o.rdates, t.T)
				}
			}
		}
		obs = append(obs, o)
	}
	if len(obs) == 0 {
		return nil, errors.New("VTIMEZONE without observances")
	}
	type trans struct {
		at  int64
		off int
		dst bool
		abb string
	}
	var ts []trans
	horizon := time.Date(vtzHorizon, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range obs {
		add := func(wall time.Time) {
			ts = append(ts, trans{at: wall.Unix() - int64(o.offFrom), off: o.offTo, dst: o.isDaylight, abb: o.name})
		}
		add(o.start)
		for _, t := range o.rdates {
			add(t)
		}
		if o.rule != nil {
			r, err := o.rule.build(o.start)
			if err != nil {
				return nil, err
			}
			next := r.Iterator()
			for n := 0; n < 5000; n++ {
				t, ok := next()
				if !ok || t.After(horizon) {
					break
				}
				if !t.Equal(o.start) {
					add(t)
				}
			}
		}
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].at < ts[j].at })
	// The zone before the first transition uses the first one's "from".
	first := obs[0]
	for _, o := range obs {
		if o.start.Before(first.start) {
			first = o
		}
	}
	types := []zoneType{{off: first.offFrom, dst: false, abb: ""}}
	typeIdx := func(z zoneType) uint8 {
		for i, t := range types {
			if t == z {
				return uint8(i)
			}
		}
		types = append(types, z)
		return uint8(len(types) - 1)
	}
	var at []int64
	var idx []uint8
	for _, t := range ts {
		if len(at) > 0 && at[len(at)-1] == t.at {
			continue
		}
		at = append(at, t.at)
		idx = append(idx, typeIdx(zoneType{off: t.off, dst: t.dst, abb: t.abb}))
		if len(types) > 250 {
			return nil, errors.New("VTIMEZONE has too many distinct offsets")
		}
	}
	return time.LoadLocationFromTZData(tzid, buildTZif(at, idx, types))
}

// zoneType is one local-time type of a TZif table.
type zoneType struct {
	off int
	dst bool
	abb string
}

// buildTZif encodes a version-2 TZif file (RFC 8536) with 64-bit
// transition times and an empty footer.
func buildTZif(at []int64, idx []uint8, types []zoneType) []byte {
	var abbr []byte
	abbIdx := make([]uint8, len(types))
	for i, t := range types {
		a := t.abb
		if a == "" || len(a) > 6 {
			a = fmtOffsetAbbr(t.off)
		}
		abbIdx[i] = uint8(len(abbr))
		abbr = append(abbr, a...)
		abbr = append(abbr, 0)
	}
	header := func(b []byte, timecnt, typecnt, charcnt int) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return b
	}
	// Version-1 block: a single UTC type, ignored by readers of v2.
	b := header(nil, 0, 1, 1)
	b = append(b, 0, 0, 0, 0, 0, 0, 0)
	b = header(b, len(at), len(types), len(abbr))
	for _, t := range at {
		b = binary.BigEndian.AppendUint64(b, uint64(t))
	}
	b = append(b, idx...)
	for i, t := range types {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(t.off)))
		dst := byte(0)
		if t.dst {
			dst = 1
		}
		b = append(b, dst, abbIdx[i])
	}
	b = append(b, abbr...)
	b = append(b, '\n', '\n')
	return b
}

func fmtOffsetAbbr(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60)
}

// parseOffset parses a UTC-OFFSET value ("+0100", "-0230", "+013000").
func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	sign := 1
	switch s[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	var h, m, sec int
	if len(s) == 5 {
		h, m = n/100, n%100
	} else {
		h, m, sec = n/10000, n/100%100, n%100
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	return sign * (h*3600 + m*60 + sec), nil
}

// ruleSpec is a parsed RRULE, independent of its DTSTART.
type ruleSpec struct {
	opt rrule.ROption
	// untilLocal is the UNTIL value when it had no 'Z': it is read in the
	// zone of DTSTART when the rule is built.
	untilLocal string
	untilDate  bool
	// noRepeat is set for COUNT=0 or a negative COUNT: the rule adds no
	// instance, DTSTART alone remains (see the package doc).
	noRepeat bool
}

// parseRule parses an RRULE value leniently: spaces and empty parts are
// dropped, names are upper-cased, X- parts are ignored.
func parseRule(v string) (*ruleSpec, error) {
	v = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(v), " ", ""))
	v = strings.TrimPrefix(v, "RRULE:")
	var parts []string
	spec := &ruleSpec{}
	for _, p := range strings.Split(v, ";") {
		if p == "" {
			continue
		}
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue // junk such as "RRULE:RRULE:AnythingRandom;FREQ=…" (Google)
		}
		switch {
		case strings.HasPrefix(k, "X-"):
			continue
		case k == "RSCALE":
			if val != "GREGORIAN" {
				return nil, fmt.Errorf("unsupported RSCALE %q", val)
			}
			continue
		case k == "SKIP":
			continue
		case k == "COUNT":
			if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil && n <= 0 {
				spec.noRepeat = true
				continue
			}
		case k == "UNTIL":
			val = strings.TrimSpace(val)
			if !strings.HasSuffix(val, "Z") {
				spec.untilLocal = val
				spec.untilDate = len(val) == 8
				continue
			}
		case k == "BYDAY" || k == "BYMONTH" || k == "BYMONTHDAY" || k == "BYYEARDAY" || k == "BYWEEKNO" || k == "BYSETPOS" || k == "BYHOUR" || k == "BYMINUTE" || k == "BYSECOND":
			val = strings.Trim(val, ",")
		}
		parts = append(parts, k+"="+val)
	}
	opt, err := rrule.StrToROptionInLocation(strings.Join(parts, ";"), time.UTC)
	if err != nil {
		return nil, err
	}
	if opt.Interval < 0 {
		return nil, errors.New("negative INTERVAL")
	}
	if spec.untilLocal != "" {
		if _, err := parseTimeValue(spec.untilLocal, false, nil, true); err != nil {
			return nil, fmt.Errorf("UNTIL: %w", err)
		}
	}
	if err := checkSatisfiable(opt); err != nil {
		return nil, err
	}
	spec.opt = *opt
	return spec, nil
}

// checkSatisfiable rejects rules that can never produce an instance after
// DTSTART: rrule-go would search for one until year 9999, which for a
// sub-daily frequency never ends in practice.
func checkSatisfiable(o *rrule.ROption) error {
	if len(o.Bymonthday) > 0 {
		months := o.Bymonth
		if len(months) == 0 {
			months = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		}
		maxLen := 0
		for _, m := range months {
			if m >= 1 && m <= 12 {
				maxLen = max(maxLen, []int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1])
			}
		}
		ok := false
		for _, d := range o.Bymonthday {
			if (d > 0 && d <= maxLen) || (d < 0 && -d <= maxLen) {
				ok = true
			}
		}
		if !ok {
			return errors.New("BYMONTHDAY never falls in BYMONTH")
		}
	}
	if o.Freq > rrule.DAILY && len(o.Bysetpos) > 0 {
		return errors.New("BYSETPOS with a sub-daily frequency is not supported")
	}
	return nil
}

// build makes the rule for a series starting at dtstart, in dtstart's zone.
func (s *ruleSpec) build(dtstart time.Time) (r *rrule.RRule, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			r, err = nil, fmt.Errorf("rrule: %v", rec)
		}
	}()
	opt := s.opt
	opt.Dtstart = dtstart
	if s.untilLocal != "" {
		u, _ := parseTimeValue(s.untilLocal, false, nil, true)
		if s.untilDate {
			// A DATE UNTIL on a timed series includes that whole day.
			u.T = u.T.Add(24*time.Hour - time.Second)
		}
		opt.Until = wallIn(u.T, dtstart.Location())
	}
	if err := checkReachable(opt, dtstart); err != nil {
		return nil, err
	}
	return rrule.NewRRule(opt)
}

// checkReachable rejects sub-daily rules whose BYHOUR/BYMINUTE/BYSECOND
// can never be hit from DTSTART with the rule's step (FREQ=SECONDLY;
// INTERVAL=2;BYSECOND=1 from an even second): rrule-go would search for a
// match second by second until year 9999.
func checkReachable(o rrule.ROption, dtstart time.Time) error {
	var unit int
	switch o.Freq {
	case rrule.HOURLY:
		unit = 3600
	case rrule.MINUTELY:
		unit = 60
	case rrule.SECONDLY:
		unit = 1
	default:
		return nil
	}
	if len(o.Byhour)+len(o.Byminute)+len(o.Bysecond) == 0 {
		return nil
	}
	interval := max(o.Interval, 1)
	g := gcd(interval*unit, 86400)
	h0, m0, s0 := dtstart.Clock()
	sod0 := h0*3600 + m0*60 + s0
	all := func(n int) []int {
		v := make([]int, n)
		for i := range v {
			v[i] = i
		}
		return v
	}
	hours, mins, secs := o.Byhour, o.Byminute, o.Bysecond
	if len(hours) == 0 {
		hours = all(24)
	}
	if len(mins) == 0 {
		if unit >= 3600 {
			mins = []int{m0}
		} else {
			mins = all(60)
		}
	}
	if len(secs) == 0 {
		if unit >= 60 {
			secs = []int{s0}
		} else {
			secs = all(60)
		}
	}
	for _, h := range hours {
		for _, m := range mins {
			for _, s := range secs {
				if ((h*3600+m*60+s-sod0)%g+g)%g == 0 {
					return nil
				}
			}
		}
	}
	return errors.New("BYHOUR/BYMINUTE/BYSECOND can never be reached with this INTERVAL")
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
