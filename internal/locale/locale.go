// Package locale keeps Fyne from complaining about the "C.UTF-8" locale
// that minimal Debian and container systems default to.
//
// Fyne (through github.com/jeandeaual/go-locale) reads the locale in a
// package init and logs "Error parsing user locale C" three times on
// stderr when LANG is C.UTF-8, before any of Lull's code runs: every `lull`
// command would start with that noise. Importing this package from main
// runs its init first (Go initialises packages in import-path order once
// their own imports are ready, and this one imports only the standard
// library), and sets LANGUAGE=en so the parse succeeds. Nothing else
// changes: LC_* and LANG stay as they are, and LANGUAGE is only set when
// it is empty and the locale is C.something.
package locale

import (
	"os"
	"strings"
)

func init() { Fix(os.Getenv, os.Setenv) }

// Fix sets LANGUAGE to "en" when the effective locale (LC_ALL, else
// LC_MESSAGES, else LANG) is a C or POSIX locale with a codeset, such as
// C.UTF-8, and LANGUAGE is unset. It reports whether it changed anything.
func Fix(getenv func(string) string, setenv func(string, string) error) bool {
	if getenv("LANGUAGE") != "" {
		return false
	}
	var loc string
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(k); loc != "" {
			break
		}
	}
	base, _, hasCodeset := strings.Cut(loc, ".")
	if !hasCodeset || (base != "C" && base != "POSIX") {
		return false
	}
	return setenv("LANGUAGE", "en") == nil
}
