package notify

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data (not its timestamps) to the disk.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// lockJournal takes an exclusive lock on the open journal so a second
// queue on the same database (in this process or another) fails instead
// of writing over its records.
func lockJournal(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
