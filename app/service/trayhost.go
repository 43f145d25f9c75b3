package service

// fixedTrayHost is a tray host that never changes: present on platforms
// whose tray is always there, absent where it cannot work (no session bus).
type fixedTrayHost bool

func (f fixedTrayHost) Present() bool                  { return bool(f) }
func (f fixedTrayHost) Watch(func(bool)) (stop func()) { return func() {} }
