package app

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// TestSaveExportWritesWholeFiles: a report saved from the Report tab lands
// whole with mode 0600, and a failure half-way never leaves half a report
// in the file.
func TestSaveExportWritesWholeFiles(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "report.csv")
	save := func(write func(io.Writer) error) error {
		uc, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Fatal(err)
		}
		return saveExportTo(uc, write)
	}
	if err := save(func(w io.Writer) error { _, err := io.WriteString(w, "week,focus\n2026-W47,11.5\n"); return err }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || string(b) != "week,focus\n2026-W47,11.5\n" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved %q (%v), mode %v", b, err, fi.Mode().Perm())
	}
	boom := errors.New("report unavailable")
	err = save(func(w io.Writer) error {
		io.WriteString(w, "week,fo")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) == "week,fo" {
		t.Fatal("half a report was left in the file")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}
