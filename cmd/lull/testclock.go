//go:build !lulltest

package main

import "github.com/lullapp/lull/internal/clock"

// testClock is nil in the real app: LULL_TEST_CLOCK is honoured only by
// binaries built with -tags lulltest (the end-to-end day scenario).
func testClock(func(string) string) (clock.Clock, error) { return nil, nil }
