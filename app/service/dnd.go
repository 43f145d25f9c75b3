package service

import (
	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/notify"
)

var dndMarkKey = []byte("dnd-entered")

// crashSafeDND remembers in bbolt that Lull turned the desktop's
// do-not-disturb on, so that a Lull killed during focus turns it off again
// at its next start instead of leaving the user's notifications silenced
// for good.
type crashSafeDND struct {
	notify.DND
	d *Data
}

// wrapDND returns dnd with its on/off state remembered across crashes;
// adapters whose state ends with the process are returned as they are.
func wrapDND(dnd notify.DND, d *Data) notify.DND {
	if _, ok := dnd.(notify.Recoverer); !ok || dnd == nil {
		return dnd
	}
	return crashSafeDND{DND: dnd, d: d}
}

func (c crashSafeDND) Enter() error {
	err := c.DND.Enter()
	if c.DND.(notify.Recoverer).Entered() {
		c.d.setDNDMark(c.Name())
	}
	return err
}

func (c crashSafeDND) Leave() error {
	err := c.DND.Leave()
	if !c.DND.(notify.Recoverer).Entered() {
		c.d.setDNDMark("")
	}
	return err
}

// HidesCritical forwards the adapter's answer (notify asks for it).
func (c crashSafeDND) HidesCritical() bool {
	h, ok := c.DND.(interface{ HidesCritical() bool })
	return ok && h.HidesCritical()
}

// recoverDND turns off a do-not-disturb that an earlier run turned on and
// never turned off (it was killed during focus).
func (s *Service) recoverDND(dnd notify.DND) {
	mark := s.dndMark()
	if mark == "" || dnd == nil {
		return
	}
	if c, ok := dnd.(crashSafeDND); ok {
		dnd = c.DND
	}
	if r, ok := dnd.(notify.Recoverer); ok && dnd.Name() == mark {
		if err := r.ForceLeave(); err != nil {
			s.opts.Logf("restoring do-not-disturb left on by the last run: %v", err)
			return
		}
	}
	s.setDNDMark("")
}

func (d *Data) dndMark() string {
	var v string
	d.DB.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(settingsBucket); b != nil {
			v = string(b.Get(dndMarkKey))
		}
		return nil
	})
	return v
}

func (d *Data) setDNDMark(name string) {
	d.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(settingsBucket)
		if err != nil {
			return err
		}
		if name == "" {
			return b.Delete(dndMarkKey)
		}
		return b.Put(dndMarkKey, []byte(name))
	})
}
