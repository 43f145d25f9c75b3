// Package fake holds the test doubles every package's tests share: a
// notification Sender that records what it was asked to show, and an
// in-memory keyring. One copy each, so a change of the interfaces they
// stand in for is made once.
package fake

import (
	"sync"

	"github.com/zalando/go-keyring"
)

// Sender is a notify.Sender (with M = notify.Message) that keeps every
// message, in order. M is a type parameter so that notify's own tests can
// use it without an import cycle. It is safe for concurrent use; the zero
// value is ready.
type Sender[M any] struct {
	mu   sync.Mutex
	msgs []M
	// OnSend, when set, is called (without the lock held) after each
	// message is recorded, so a test can log or signal.
	OnSend func(M)
	// Err, when set, is returned by every Send (the message is still
	// recorded).
	Err error
}

// Send records m.
func (s *Sender[M]) Send(m M) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	on, err := s.OnSend, s.Err
	s.mu.Unlock()
	if on != nil {
		on(m)
	}
	return err
}

// Sent returns a copy of every message sent so far.
func (s *Sender[M]) Sent() []M {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]M(nil), s.msgs...)
}

// Keyring keeps secrets in memory under (service, user), as the OS keyring
// does; it satisfies localapi.Keyring. Missing entries answer
// keyring.ErrNotFound, as go-keyring does. Safe for concurrent use; the
// zero value is ready.
type Keyring struct {
	mu sync.Mutex
	m  map[string]string
	// Broken, when set, is returned by every call: a desktop without a
	// Secret Service.
	Broken error
	// Gets counts Get calls.
	Gets int
}

func keyOf(service, user string) string { return service + "\x00" + user }

// Get returns the secret stored for service and user.
func (k *Keyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.Gets++
	if k.Broken != nil {
		return "", k.Broken
	}
	v, ok := k.m[keyOf(service, user)]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Set stores secret for service and user.
func (k *Keyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Broken != nil {
		return k.Broken
	}
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[keyOf(service, user)] = secret
	return nil
}

// Delete removes the secret; a missing one is not an error.
func (k *Keyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Broken != nil {
		return k.Broken
	}
	delete(k.m, keyOf(service, user))
	return nil
}
