package rcevents

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// documentedTimezoneCount is how many names each of the reference's timezone
// enumerations holds (internal/timezonegen checks the file against it).
const documentedTimezoneCount = 746

func TestTimezones(t *testing.T) {
	tz := Timezones()
	assert.Len(t, tz, documentedTimezoneCount)
	assert.Equal(t, "Abu Dhabi", tz[0], "the reference's order")
	assert.Equal(t, "Zurich", tz[len(tz)-1], "the reference's order")
	for _, name := range []string{"Abu Dhabi", "America/New_York", "Europe/London", "UTC", "Etc/UTC", "Eastern Time (US & Canada)"} {
		assert.Contains(t, tz, name)
		assert.True(t, validTimezone(name), name)
	}
	seen := map[string]bool{}
	for _, name := range tz {
		assert.False(t, seen[name], "%q listed twice", name)
		seen[name] = true
	}

	tz[0] = "Mars/Olympus_Mons"
	assert.Equal(t, "Abu Dhabi", Timezones()[0], "Timezones returns a copy")
	assert.False(t, validTimezone("Mars/Olympus_Mons"))
}

func TestValidTimezone(t *testing.T) {
	for _, name := range []string{"", "utc", "america/new_york", " UTC", "UTC ", "Mars/Olympus_Mons", "+02:00"} {
		assert.False(t, validTimezone(name), "%q", name)
	}
}
