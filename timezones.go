package rcevents

import (
	"slices"
	"sync"
)

//go:generate go run ./internal/timezonegen -in internal/timezonegen/events-api-reference.txt -out timezones_gen.go

// Timezones returns the timezone names that the API accepts for events
// (EventCreateRequest.Timezone and the like), in the API reference's order.
// They mix IANA names ("America/New_York") with the API's own ("Abu Dhabi",
// "Eastern Time (US & Canada)"). The slice is the caller's to change.
func Timezones() []string {
	return slices.Clone(documentedTimezones[:])
}

// timezoneSet holds the documented timezones, built on first use.
var timezoneSet = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, len(documentedTimezones))
	for _, name := range documentedTimezones {
		m[name] = struct{}{}
	}
	return m
})

// validTimezone reports whether name is one of Timezones(), exactly.
func validTimezone(name string) bool {
	_, ok := timezoneSet()[name]
	return ok
}
