package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/lullapp/lull/internal/api"
)

// usageError is a bad command line: exit code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errHelp is returned after --help was printed.
var errHelp = errors.New("help shown")

// flagSet is one command's options and its help: the synopsis, a short
// description and the options, printed once by --help.
type flagSet struct {
	*flag.FlagSet
	c        *cli
	synopsis []string // "focus start [LENGTH]", one per line
	about    string
}

// flags makes the option set of `lull name`; synopsis lines follow
// "Usage: lull", about says what the command does.
func (c *cli) flags(name, about string, synopsis ...string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // help is printed by parse, once
	return &flagSet{FlagSet: fs, c: c, synopsis: synopsis, about: about}
}

// help is the text --help prints.
func (f *flagSet) help() string {
	var b strings.Builder
	for i, s := range f.synopsis {
		if i == 0 {
			b.WriteString("Usage: lull " + s + "\n")
		} else {
			b.WriteString("       lull " + s + "\n")
		}
	}
	if f.about != "" {
		b.WriteString("\n" + f.about + "\n")
	}
	type row struct{ left, right string }
	var rows []row
	width := 0
	f.VisitAll(func(fl *flag.Flag) {
		name, usage := flag.UnquoteUsage(fl)
		usage = strings.Replace(usage, " ("+name+")", "", 1) // the `X` that named the value
		left := "--" + fl.Name
		if _, isBool := fl.Value.(interface{ IsBoolFlag() bool }); !isBool {
			left += " " + placeholder(name)
		}
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			usage += " (default " + fl.DefValue + ")"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	if len(rows) > 0 {
		b.WriteString("\nOptions:\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, r.left, r.right)
		}
	}
	return b.String()
}

// placeholder turns flag.UnquoteUsage's name for a value into the word
// help shows: the `backquoted` word of the usage, else a plain word for
// the type (never a Go type name).
func placeholder(name string) string {
	switch name {
	case "int", "uint", "int64", "uint64", "float", "float64":
		return "N"
	case "string", "value", "":
		return "TEXT"
	case "duration":
		return "LENGTH"
	}
	return name
}

// negativeValue matches arguments that are values, not options: "-10m",
// "-5", so that `lull focus extend -10m` says the length cannot be
// negative instead of "flag provided but not defined".
var negativeValue = regexp.MustCompile(`^-[0-9.]`)

// parse reads args: options before or after the positional arguments,
// which it returns. --help prints the help and returns errHelp; a bad
// option is a usageError in words.
func (f *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		for len(args) > 0 && negativeValue.MatchString(args[0]) {
			pos, args = append(pos, args[0]), args[1:]
		}
		if len(args) > 0 && args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		err := f.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(f.c.stdout, f.help())
			return nil, errHelp
		}
		if err != nil {
			return nil, f.optionError(err)
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

var (
	flagUnknown  = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	flagNoValue  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	flagBadValue = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -+([^:]*):`)
	flagSyntax   = regexp.MustCompile(`^bad flag syntax: (.*)$`)
)

// optionError says what is wrong with an option in words (the flag
// package's own messages name Go parsing functions).
func (f *flagSet) optionError(err error) error {
	cmd := "lull " + f.Name()
	msg := err.Error()
	if m := flagUnknown.FindStringSubmatch(msg); m != nil {
		return usagef("%s has no option --%s (see \"%s --help\")", cmd, m[1], cmd)
	}
	if m := flagNoValue.FindStringSubmatch(msg); m != nil {
		return usagef("--%s needs a value (see \"%s --help\")", m[1], cmd)
	}
	if m := flagBadValue.FindStringSubmatch(msg); m != nil {
		want := "a value"
		if fl := f.Lookup(m[2]); fl != nil {
			name, _ := flag.UnquoteUsage(fl)
			switch placeholder(name) {
			case "N":
				want = "a whole number, e.g. 10"
			default:
				if _, isBool := fl.Value.(interface{ IsBoolFlag() bool }); isBool {
					want = "no value (it is a switch)"
				}
			}
		}
		return usagef("--%s %q: want %s", m[2], m[1], want)
	}
	if m := flagSyntax.FindStringSubmatch(msg); m != nil {
		return usagef("%q is not an option of %s (see \"%s --help\")", m[1], cmd, cmd)
	}
	return usagef("%s: %s", cmd, msg)
}

// exitCode is the code a failure exits with (README "Exit codes"): 2 when
// the command line asks for something that cannot be (an unknown command
// or option, a file that does not exist, and what the error table of
// internal/api says so of: a bad value, a calendar or block that does not
// exist), 1 when Lull failed at something that could work (a calendar
// server down, focus already running, a disk error). Errors from the
// running Lull come back through the same table, so a command exits the
// same whether it ran there or on the data directly.
func exitCode(err error) int {
	if errors.As(err, new(usageError)) || errors.Is(err, errNoSuchFile) {
		return exitUsage
	}
	return api.ExitCode(err)
}

// errNoSuchFile marks a path given on the command line that does not
// exist (exit code 2).
var errNoSuchFile = errors.New("no such file")
