package service

import (
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/lullapp/lull/calendar"
)

// fileSettle is how long a file calendar must stay quiet after a change
// before it is re-read (editors write in several steps).
const fileSettle = 2 * time.Second

// watchFiles re-reads file calendars as soon as they change on disk,
// through inotify (no polling: an idle Lull does not wake for it). It
// watches the directories, since editors often replace a file by renaming.
func (s *Service) watchFiles() error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	s.watcher = w
	s.watchDirs = map[string]bool{}
	s.refreshWatch()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer w.Close()
		for {
			select {
			case <-s.ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				s.watchMu.Lock()
				ours := s.watchFilesSet[filepath.Clean(ev.Name)]
				s.watchMu.Unlock()
				if ours && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) != 0 {
					s.fileChanged()
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				s.opts.Logf("watching calendar files: %v", err)
			}
		}
	}()
	return nil
}

// refreshWatch follows the current file sources.
func (s *Service) refreshWatch() {
	if s.watcher == nil {
		return
	}
	list, err := s.Sources.ListSources()
	if err != nil {
		s.opts.Logf("watching calendar files: %v", err)
		return
	}
	files, dirs := map[string]bool{}, map[string]bool{}
	for _, src := range list {
		if src.Config.Kind == calendar.SourceFile && src.Config.Path != "" {
			p := filepath.Clean(src.Config.Path)
			files[p] = true
			dirs[filepath.Dir(p)] = true
		}
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	s.watchFilesSet = files
	for d := range dirs {
		if !s.watchDirs[d] {
			if err := s.watcher.Add(d); err != nil {
				s.opts.Logf("watching %s: %v", d, err)
				continue
			}
			s.watchDirs[d] = true
		}
	}
	for d := range s.watchDirs {
		if !dirs[d] {
			s.watcher.Remove(d)
			delete(s.watchDirs, d)
		}
	}
}

// fileChanged re-reads the calendars once the file has settled.
func (s *Service) fileChanged() {
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	if s.fileTimer != nil {
		s.fileTimer.Stop()
	}
	s.fileTimer = s.Clock.AfterFunc(fileSettle, func() {
		s.background(func() {
			if _, _, err := s.SyncNow(s.ctx); err != nil {
				s.problem(err)
			}
		})
	})
}
