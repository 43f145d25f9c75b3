// Package atomicfile replaces files whole: a reader, a crash, a full disk or
// a failing writer never leaves half a file behind. The new content goes to
// a temporary file in the target's directory (so the rename stays on one
// file system), is flushed to disk, and is renamed over the target; the
// directory is flushed too, so the rename itself survives a power cut.
// Every file Lull writes goes through it (api.json, the token file, the
// focus-block calendar export, the sample calendar, the autostart entry,
// report exports).
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// DefaultMode is the mode of a file written with mode 0: readable and
// writable by the user alone, because what Lull keeps (tokens, calendars,
// focus history) is personal.
const DefaultMode os.FileMode = 0o600

// Write replaces path with data, leaving it with mode (DefaultMode when
// 0) whatever the mode of the file it replaces and whatever the umask.
func Write(path string, data []byte, mode os.FileMode) error {
	return WriteFunc(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what write writes, as Write does. When
// write (or anything after it) fails, path keeps its old content and no
// temporary file is left behind.
func WriteFunc(path string, mode os.FileMode, write func(io.Writer) error) (err error) {
	if mode == 0 {
		mode = DefaultMode
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode.Perm()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: flush to disk: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir flushes a directory so a rename in it is durable. It is best
// effort: some systems (Windows) cannot open a directory for syncing, and
// the rename has already happened.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}
