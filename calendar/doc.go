// Package calendar holds the user's calendars as Lull uses them: sources
// (files, subscription URLs, CalDAV) and their store, busy time, the
// focus-block planner and publishing the blocks Lull owns back to a
// calendar. Reading iCalendar data itself (parsing, time zones, expansion)
// is package calendar/ics.
//
// # Busy time
//
// ReadBusy (or BusyOf for a parsed calendar) is the one way a calendar
// becomes busy time: the sync of every source, `lull calendar busy FILE`
// and `lull plan --ics` all go through it with the user's BusyOptions.
// IsBusy applies the product rules: TRANSP:TRANSPARENT, STATUS:CANCELLED,
// PARTSTAT=DECLINED for one of the user's addresses and
// X-MICROSOFT-CDO-BUSYSTATUS:FREE are free; Outlook's BUSY, OOF and
// TENTATIVE are busy whatever TRANSP says. All-day events follow their
// marking like any other event: without one they are busy (RFC 5545's
// default; a "Team offsite" blocks the day), and a source set "all-day
// events are free" (SourceConfig.AllDayFree) frees the unmarked ones, for
// producers that mark nothing; an explicit TRANSP:OPAQUE stays busy.
// OutOfOfficeDays lists the days an OOF event covers; Lull plans no focus
// on them. The busy all-day events are kept by name (BusyTime.AllDay) so
// that ExplainDays can say why a working day got no focus.
//
// # One plan across devices
//
// A CalDAV calendar with sync on (SourceConfig.Sync) that Lull publishes to
// holds the plan all the user's devices share: the accepted blocks on it.
// CalDAVPublisher.Reconcile reads them (SharedPlan) and says what a device
// adopts, skips or drops; writing needs the planner lease (AcquirePlanner,
// ReleasePlanner), an object taken with If-None-Match / If-Match so two
// devices never write at once. See caldav_shared.go.
package calendar
