// Command minimaltray is the second reference of bench/footprint.sh: a bare
// tray icon with a short menu on fyne.io/systray (the library Lull's
// resident process uses), so the resident's idle cost can be read as a
// ratio to what a tray icon alone costs on the same machine in the same run.
package main

import (
	"fyne.io/systray"

	"github.com/lullapp/lull/assets"
)

func main() {
	systray.Run(func() {
		systray.SetIcon(assets.TrayIdle)
		systray.SetTitle("Minimal tray")
		systray.AddMenuItem("Not focusing", "").Disable()
		systray.AddSeparator()
		quit := systray.AddMenuItem("Quit", "")
		go func() {
			<-quit.ClickedCh
			systray.Quit()
		}()
	}, nil)
}
