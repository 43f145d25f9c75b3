// Package calendar holds the user's calendars as Lull uses them: sources
// (files, subscription URLs, CalDAV) and their store, busy time, the
// focus-block planner and publishing the blocks Lull owns back to a
// calendar. Reading iCalendar data itself (parsing, time zones, expansion)
// is package calendar/ics.
//
// # Busy time
//
// IsBusy applies the product rules: TRANSP:TRANSPARENT,
// STATUS:CANCELLED, PARTSTAT=DECLINED for one of the user's addresses and
// X-MICROSOFT-CDO-BUSYSTATUS:FREE are free; all-day events are free unless
// marked BUSY/OOF or explicitly TRANSP:OPAQUE. OutOfOfficeDays lists the
// days an OOF event covers; Lull plans no focus on them.
package calendar
