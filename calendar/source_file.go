package calendar

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileSource is a local .ics file. Fetch re-reads it only when its size or
// modification time changed since the last read, and falls back to the last
// good copy when it has gone or become unreadable.
type FileSource struct {
	cfg SourceConfig
	st  *SourceStore
}

// AddFileSource adds the .ics file at path (made absolute) as a source named
// name (default: the file's base name without extension). The file must be
// readable now; its content is cached as the first good copy.
func (s *SourceStore) AddFileSource(path, name string) (SourceConfig, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return SourceConfig{}, fmt.Errorf("calendar file %q: %w", path, err)
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	}
	cfg := SourceConfig{Kind: SourceFile, Name: name, Path: abs}
	data, fs, err := readCalendarFile(abs, s.opts.MaxBytes)
	if err != nil {
		return SourceConfig{}, fileErr(abs, err)
	}
	return s.create(cfg, data, fs, nil)
}

// ID implements Source.
func (f *FileSource) ID() string { return f.cfg.ID }

// Name implements Source.
func (f *FileSource) Name() string { return f.cfg.Name }

// Config returns the source's settings.
func (f *FileSource) Config() SourceConfig { return f.cfg }

// Status implements Source.
func (f *FileSource) Status() (SourceStatus, error) { return f.st.status(f.cfg.ID) }

// Fetch implements Source.
func (f *FileSource) Fetch(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cached, prev, _, err := f.st.cached(f.cfg.ID)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(f.cfg.Path)
	if err != nil {
		return f.st.finish(f.cfg, nil, prev, fileErr(f.cfg.Path, err))
	}
	if cached != nil && info.Size() == prev.FileSize && info.ModTime().Equal(prev.FileModTime) {
		return f.st.finish(f.cfg, nil, prev, nil) // unchanged: no re-read
	}
	data, fs, err := readCalendarFile(f.cfg.Path, f.st.opts.MaxBytes)
	if err != nil {
		return f.st.finish(f.cfg, nil, prev, fileErr(f.cfg.Path, err))
	}
	return f.st.finish(f.cfg, data, fs, nil)
}

// fileErr says in words what is wrong with the calendar file at path
// (people read it in `calendar list` and Settings): "the file … is gone"
// rather than "stat …: no such file or directory". The result still
// matches err's sentinels (os.ErrNotExist, ErrSourceTooLarge, …).
func fileErr(path string, err error) error {
	var why string
	switch {
	case errors.Is(err, os.ErrNotExist):
		why = "is gone (moved, renamed or deleted?)"
	case errors.Is(err, os.ErrPermission):
		why = "may not be read by Lull (check its permissions)"
	case errors.Is(err, ErrSourceNotCalendar):
		why = strings.TrimPrefix(err.Error(), "the file ") // "holds a web page, not a calendar"
	case errors.Is(err, ErrBadSource):
		why = err.Error() // "is a folder, not a calendar file"
	default:
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, below
		}
		return fmt.Errorf("the file %s: %w", path, err)
	}
	return &wordedError{msg: "the file " + path + " " + why, err: err}
}

// wordedError is err told in other words; it still unwraps to err.
type wordedError struct {
	msg string
	err error
}

func (e *wordedError) Error() string { return e.msg }
func (e *wordedError) Unwrap() error { return e.err }

// readCalendarFile reads path, refusing files over max bytes and files that
// are not iCalendar (empty, a saved web page, …).
func readCalendarFile(path string, max int64) ([]byte, fetchState, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fetchState{}, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, fetchState{}, err
	}
	if info.IsDir() {
		return nil, fetchState{}, &wordedError{msg: "is a folder, not a calendar file", err: ErrBadSource}
	}
	if info.Size() > max {
		return nil, fetchState{}, fmt.Errorf("%w (%d bytes, limit %s)", ErrSourceTooLarge, info.Size(), sizeLimit(max))
	}
	data, err := readCapped(fh, max)
	if err != nil {
		return nil, fetchState{}, err
	}
	if err := checkICalendar(data, "", fromFile); err != nil {
		// "the file holds a web page, not a calendar"
		return nil, fetchState{}, &wordedError{msg: err.Error(), err: errors.Join(ErrBadSource, err)}
	}
	return data, fetchState{FileModTime: info.ModTime(), FileSize: info.Size()}, nil
}
