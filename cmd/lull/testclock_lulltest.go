//go:build lulltest

package main

import (
	"sync"

	"github.com/lullapp/lull/internal/clock"
)

var (
	testClockOnce sync.Once
	testClockVal  clock.Clock
	testClockErr  error
)

// testClock reads LULL_TEST_CLOCK ("2026-11-30T09:50:00Z,30": start and
// speed) in test builds, so the end-to-end scenario lives a working day in
// minutes. Built only with -tags lulltest.
func testClock(getenv func(string) string) (clock.Clock, error) {
	testClockOnce.Do(func() {
		if v := getenv("LULL_TEST_CLOCK"); v != "" {
			c, err := clock.ParseScaled(v)
			testClockVal, testClockErr = c, err
		}
	})
	if testClockVal == nil {
		return nil, testClockErr
	}
	return testClockVal, testClockErr
}
