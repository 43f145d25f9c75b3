// Command minimal is the reference for bench/footprint.sh: the smallest
// Fyne program that shows a window (one label) the size of Lull's main window, built with the same Fyne
// version and flags as Lull, so Lull's idle footprint can be read as a
// ratio to what Fyne itself costs on the same machine in the same run.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.lullapp.lull.bench-minimal")
	w := a.NewWindow("Fyne minimal")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(760, 580))
	w.ShowAndRun()
}
