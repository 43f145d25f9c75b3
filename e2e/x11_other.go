//go:build e2e && !(linux && cgo)

package e2e

import (
	"errors"
	"time"
)

// errNoX11 says the X11 helpers need Linux and cgo.
var errNoX11 = errors.New("the X11 test helpers need Linux and cgo")

func closeWindowX(string) error { return errNoX11 }

type iconifyWatch struct{}

func watchIconify() (*iconifyWatch, error) { return nil, errNoX11 }

func (*iconifyWatch) wait(string, time.Duration) bool { return false }
