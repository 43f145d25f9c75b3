package human

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Duration writes d as a person says it: "10 s" under a minute, else to the
// nearest minute: "25 min", "1 h", "1 h 30 min", "200 h"; nothing at all
// (under half a second) is "0 min". Negative lengths get a leading "-".
func Duration(d time.Duration) string {
	if d < 0 {
		return "-" + Duration(-d)
	}
	if d < time.Second/2 {
		return "0 min"
	}
	if d < time.Minute-time.Second/2 {
		return fmt.Sprintf("%d s", int64(d.Round(time.Second)/time.Second))
	}
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

// DurationExamples is what ParseDuration's errors suggest.
const DurationExamples = "25m, 1h30 or 90 (minutes)"

// ParseDuration reads a length of time as people type it:
//
//   - a bare number is minutes: "90", "2.5";
//   - numbers with units, largest first, spaces optional: "25m", "25 min",
//     "1h30m", "1 h 30 min", "2 hours", "45s", "1h30m0s" (Go's own form);
//     units are h/hr/hrs/hour/hours, m/min/mins/minute/minutes and
//     s/sec/secs/second/seconds;
//   - a number after hours is minutes: "1h30", "1 h 5";
//   - decimals with a point or a comma: "1.5h", "1,5 h";
//   - hours and minutes with a colon: "1:30".
//
// Negative lengths are refused. Errors wrap ErrBadDuration and say what is
// accepted; callers check the range (ParseDurationIn).
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	bad := func(problem string) (time.Duration, error) {
		return 0, fmt.Errorf("%w: %s", ErrBadDuration, problem)
	}
	if in == "" {
		return bad("no length given: write e.g. " + DurationExamples)
	}
	if strings.HasPrefix(in, "-") {
		return bad(fmt.Sprintf("%q: a length cannot be negative", in))
	}
	notLength := func() (time.Duration, error) {
		return bad(fmt.Sprintf("%q is not a length of time: write e.g. %s", in, DurationExamples))
	}
	low := strings.ToLower(strings.ReplaceAll(in, ",", "."))
	if h, m, ok := strings.Cut(low, ":"); ok {
		hn, err1 := strconv.Atoi(strings.TrimSpace(h))
		mn, err2 := strconv.Atoi(strings.TrimSpace(m))
		if err1 != nil || err2 != nil || hn < 0 || mn < 0 || mn > 59 || len(strings.TrimSpace(m)) != 2 {
			return notLength()
		}
		return time.Duration(hn)*time.Hour + time.Duration(mn)*time.Minute, nil
	}
	toks, ok := lengthTokens(low)
	if !ok || len(toks) == 0 {
		return notLength()
	}
	if len(toks) == 1 && toks[0].unit == "" {
		return scaled(toks[0].num, time.Minute)
	}
	var total time.Duration
	last := time.Duration(1 << 62) // the previous unit: each must be smaller
	for i, t := range toks {
		unit, ok := units[t.unit]
		if t.unit == "" && i == len(toks)-1 && last == time.Hour {
			unit, ok = time.Minute, true // "1h30"
		}
		if !ok || unit >= last {
			return notLength()
		}
		last = unit
		d, err := scaled(t.num, unit)
		if err != nil {
			return notLength()
		}
		total += d
	}
	return total, nil
}

// units are the words ParseDuration knows, by the length they stand for.
var units = map[string]time.Duration{
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
}

// maxParsed bounds what ParseDuration computes, far above any length Lull
// takes (a year), so a typed "9999999999h" fails instead of overflowing.
const maxParsed = 366 * 24 * time.Hour

type lengthToken struct{ num, unit string }

// lengthTokens splits "1 h 30min" into (1,h) (30,min); ok is false when
// something is neither a number nor letters.
func lengthTokens(s string) ([]lengthToken, bool) {
	var out []lengthToken
	i := 0
	for i < len(s) {
		if s[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		if j == i {
			return nil, false
		}
		num := s[i:j]
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && unicode.IsLetter(rune(s[k])) {
			k++
		}
		out = append(out, lengthToken{num, s[j:k]})
		i = k
	}
	return out, true
}

// scaled is num (a decimal) times unit, refusing what ParseFloat refuses
// and lengths beyond maxParsed.
func scaled(num string, unit time.Duration) (time.Duration, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || f*float64(unit) > float64(maxParsed) {
		return 0, fmt.Errorf("%w: %q", ErrBadDuration, num)
	}
	return time.Duration(f * float64(unit)).Round(time.Millisecond), nil
}

// ParseDurationIn is ParseDuration for a field that takes whole minutes
// between lo and hi; its errors are *FieldError with label and key, saying
// the limit in words: `focus length "25h": must be at most 24 h, e.g. 25m`.
func ParseDurationIn(key, label, s string, lo, hi time.Duration, example string) (time.Duration, error) {
	d, err := ParseDuration(s)
	fe := &FieldError{Key: key, Label: label, Value: strings.TrimSpace(s), Example: example, Err: ErrBadDuration}
	switch {
	case err != nil:
		fe.Problem = "write a length of time such as " + DurationExamples
		if strings.HasPrefix(strings.TrimSpace(s), "-") {
			fe.Problem = "a length cannot be negative"
		}
		if fe.Value == "" {
			fe.Problem = "no length given"
		}
		return 0, fe
	case d < lo:
		fe.Problem = "must be at least " + Duration(lo)
	case d > hi:
		fe.Problem = "must be at most " + Duration(hi)
	case d%time.Minute != 0:
		fe.Problem = "whole minutes only"
	default:
		return d, nil
	}
	return 0, fe
}
