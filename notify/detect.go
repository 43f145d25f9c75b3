package notify

import (
	"os"
	"os/exec"
)

// DetectDND chooses the DND adapter for this desktop: setting ("auto", ""
// or one of DNDNames) first, else the running notification server's name
// read over bus (nil outside Linux or without a session bus),
// XDG_CURRENT_DESKTOP, and the tools on PATH. Commands run with ExecRunner.
func DetectDND(setting string, bus *Bus) (DND, error) {
	env := Environment{
		Desktop: os.Getenv("XDG_CURRENT_DESKTOP"),
		HasTool: func(name string) bool { _, err := exec.LookPath(name); return err == nil },
	}
	var kde func() (DND, error)
	if bus != nil {
		env.ServerName, _ = bus.ServerName() // unknown server: decide by desktop and tools
		kde = bus.NewKDE
	}
	return SelectDND(setting, env, ExecRunner, kde)
}
