//go:build !linux

package notify

import "os"

// fdatasync flushes f to the disk (a full fsync where fdatasync is missing).
func fdatasync(f *os.File) error { return f.Sync() }

// lockJournal does nothing here: the database's own lock keeps a second
// process away, and Lull opens one queue per database.
func lockJournal(*os.File) error { return nil }
