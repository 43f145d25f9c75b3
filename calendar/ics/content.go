package ics

import (
	"errors"
	"fmt"
	"strings"
)

// Events are read by readComponent rather than by go-ical's decoder: the
// decoder built a map per component and per property and copied every line
// and parameter value, which was most of the time and the garbage of
// parsing a big calendar. readComponent accepts and rejects exactly what
// the decoder did (TestReadComponentMatchesGoICal holds it to that) and
// keeps values as substrings of the calendar's text. VTIMEZONEs, a handful
// per file, still go through go-ical.

// contentProp is one property of a component: its upper-cased name, its
// raw value and its parameters.
type contentProp struct {
	name   string
	value  string
	params []param
	// no is the number of the property's first line in the source.
	no int32
}

// param is one parameter of a property with its first value, the only one
// Lull reads ("PARTSTAT=DECLINED", "TZID=Europe/Berlin").
type param struct {
	name  string // upper case
	value string
}

// param returns the first value of the named parameter (upper case), or
// "" when there is none, like go-ical's Params.Get.
func (p *contentProp) param(name string) string {
	for _, pa := range p.params {
		if pa.name == name {
			return pa.value
		}
	}
	return ""
}

// component holds the properties of one component read by readComponent,
// in file order; those of nested components (VALARM...) are left out. Its
// slices are reused from one component to the next.
type component struct {
	props  []contentProp
	params []param
}

// get returns the first property with the name (upper case), or nil.
func (c *component) get(name string) *contentProp {
	for i := range c.props {
		if c.props[i].name == name {
			return &c.props[i]
		}
	}
	return nil
}

// value returns the value of the first property with the name, or "".
func (c *component) value(name string) string {
	if p := c.get(name); p != nil {
		return p.value
	}
	return ""
}

// componentReader walks the content lines of one block as go-ical's
// decoder saw them: the block wrapped in BEGIN:VCALENDAR / END:VCALENDAR,
// without the lines of properties Lull never reads (line.skip).
type componentReader struct {
	b     block
	i     int // next line of b
	state int // 0: before the wrapper's BEGIN, 1: in the block, 2: wrapper's END given, 3: end
	c     *component
	// target is set while reading the block's own component (its
	// properties go to c); found once it has been read whole.
	target, found bool
}

// errLostComponent is returned when the decoder's reading of a block does
// not yield the component the block was cut as (a BEGIN value with spaces).
var errLostComponent = errors.New("component lost in decoding")

// readComponent reads block b (a VEVENT cut by split) into c, with the
// same result as decoding it alone with go-ical's decoder: an error for a
// malformed content line, parameter or nesting.
func readComponent(b block, c *component) error {
	c.props, c.params = c.props[:0], c.params[:0]
	r := componentReader{b: b, c: c}
	name, value, err := r.line(false)
	if err != nil {
		return err
	}
	if name != "BEGIN" {
		return fmt.Errorf("ical: malformed component: expected BEGIN property, got %q", name)
	}
	compName := strings.ToUpper(value)
	if err := r.body(compName, 0); err != nil {
		return err
	}
	if compName != "VCALENDAR" {
		return fmt.Errorf("ical: invalid toplevel component name: expected %q, got %q", "VCALENDAR", compName)
	}
	if !r.found {
		return fmt.Errorf("%w: %s", errLostComponent, b.name)
	}
	return nil
}

// body reads the rest of a component named name (upper case) up to its
// END, as go-ical's decodeComponentBody does; depth is 0 for the wrapper.
func (r *componentReader) body(name string, depth int) error {
	own := r.target && depth == 1
	for {
		pname, value, err := r.line(own)
		if err != nil {
			return err
		}
		switch pname {
		case "BEGIN":
			child := strings.ToUpper(value)
			if depth == 0 && !r.found && child == r.b.name {
				r.target = true
				if err := r.body(child, 1); err != nil {
					return err
				}
				r.target, r.found = false, true
				continue
			}
			if err := r.body(child, depth+1); err != nil {
				return err
			}
		case "END":
			if !strings.EqualFold(value, name) {
				return fmt.Errorf("ical: malformed component: expected END property for %q, got %q", name, value)
			}
			return nil
		}
	}
}

// line reads the next content line and returns its name and value; with
// keep, a property other than BEGIN and END is appended to r.c.
func (r *componentReader) line(keep bool) (name, value string, err error) {
	s := ""
	var no int32
	for s == "" { // go-ical skips empty lines
		switch r.state {
		case 0:
			s, r.state = "BEGIN:VCALENDAR", 1
		case 1:
			r.skipUnread()
			if r.i == len(r.b.lines) {
				s, r.state = "END:VCALENDAR", 2
				break
			}
			// bufio's ReadLine drops a CR before the LF.
			s = strings.TrimSuffix(r.b.lines[r.i].text, "\r")
			no = r.b.lines[r.i].no
			r.i++
		default:
			return "", "", errors.New("EOF")
		}
		// A following line starting with a space or tab continues this
		// one (only possible for the first line of a file: unfold joined
		// the others).
		for r.state == 1 {
			r.skipUnread()
			if r.i == len(r.b.lines) {
				break
			}
			next := r.b.lines[r.i].text
			if next == "" || (next[0] != ' ' && next[0] != '\t') {
				break
			}
			s += strings.TrimSuffix(next[1:], "\r")
			r.i++
		}
	}
	p0 := len(r.c.params)
	name, value, err = parseContentLine(s, &r.c.params)
	if err != nil {
		return "", "", err
	}
	if keep && name != "BEGIN" && name != "END" {
		r.c.props = append(r.c.props, contentProp{name: name, value: value, params: r.c.params[p0:len(r.c.params):len(r.c.params)], no: no})
	} else {
		r.c.params = r.c.params[:p0]
	}
	return name, value, nil
}

// skipUnread moves past lines the decoder never saw (line.skip).
func (r *componentReader) skipUnread() {
	for r.i < len(r.b.lines) && r.b.lines[r.i].skip {
		r.i++
	}
}

// parseContentLine splits a content line into its upper-cased name, its
// parameters (appended to params, first value each) and its value, with
// go-ical's rules and error messages.
func parseContentLine(s string, params *[]param) (name, value string, err error) {
	i := indexNameEnd(s)
	if i < 0 {
		return "", "", errors.New("ical: malformed content line: missing colon")
	} else if i == 0 {
		return "", "", errors.New("ical: malformed content line: empty property name")
	}
	name, s = strings.ToUpper(s[:i]), s[i:]
	for len(s) > 0 && s[0] == ';' {
		s = s[1:]
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return "", "", errors.New("ical: malformed param: missing equal sign")
		} else if eq == 0 {
			return "", "", errors.New("ical: malformed param: empty param name")
		}
		pa := param{name: strings.ToUpper(s[:eq])}
		s = s[eq+1:]
		for first := true; ; first = false {
			var v string
			if len(s) > 0 && s[0] == '"' {
				end := strings.IndexByte(s[1:], '"')
				if end < 0 {
					return "", "", errors.New("ical: malformed param value: unterminated quoted string")
				}
				v, s = s[1:1+end], s[2+end:]
			} else {
				end := indexParamEnd(s)
				if end < 0 {
					v, s = s, ""
				} else if s[end] == '"' {
					return "", "", errors.New("ical: malformed param value: illegal double-quote")
				} else {
					v, s = s[:end], s[end:]
				}
			}
			if first {
				pa.value = v
			}
			if len(s) == 0 {
				// go-ical panics here (index out of range).
				return "", "", errors.New("ical decoder: parameter value runs to the end of the line")
			}
			if s[0] == ',' {
				s = s[1:]
				continue
			}
			if s[0] != ';' && s[0] != ':' {
				// go-ical panics here too.
				return "", "", fmt.Errorf("ical decoder: ical: unexpected character %q after decoding param value", s[0])
			}
			break
		}
		*params = append(*params, pa)
	}
	if len(s) == 0 || s[0] != ':' {
		return "", "", errors.New("ical: malformed property: expected colon")
	}
	return name, s[1:], nil
}

// indexNameEnd returns the index of the first ';' or ':' of s (the end of
// a property or parameter name), or -1: strings.IndexAny without the set
// it builds on every call.
func indexNameEnd(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ';' || c == ':' {
			return i
		}
	}
	return -1
}

// indexParamEnd returns the index of the first '"', ';', ',' or ':' of s
// (the end of an unquoted parameter value), or -1.
func indexParamEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', ';', ',', ':':
			return i
		}
	}
	return -1
}
