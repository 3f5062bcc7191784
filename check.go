package rcevents

import (
	"context"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
)

// This file holds the checks of arguments made before any I/O: IDs that go
// into a path, emails, times, schedules and metadata, and text that goes into
// a header.

// pathID checks an ID that goes into a URL path and returns it escaped. An
// ID that is empty, "." or "..", or holds "/", "?", "#" or a control
// character is refused: it would address another resource than the one
// named, or none. So is one that is blank or begins or ends with white
// space, as an ID pasted from a spreadsheet may: the API's IDs hold none,
// and "/v1/events/%20" would only be answered 404.
func pathID(field, id string) (string, error) {
	switch {
	case id == "":
		return "", invalidArg(field, "must not be empty")
	case strings.TrimSpace(id) == "":
		return "", invalidArg(field, "must not be blank")
	case strings.TrimSpace(id) != id:
		return "", invalidArg(field, "%q must not begin or end with white space", id)
	case id == "." || id == "..":
		return "", invalidArg(field, "%q is not an ID", id)
	case strings.ContainsAny(id, "/?#\\"):
		return "", invalidArg(field, "%q must not contain '/', '\\', '?' or '#'", id)
	case hasControl(id, false):
		return "", invalidArg(field, "%q must not contain control characters", id)
	}
	return url.PathEscape(id), nil
}

// hasControl reports whether s holds an ASCII control character (tab is
// allowed when tabOK is set, as in header values): in a header, a line break
// would end it.
func hasControl(s string, tabOK bool) bool {
	for _, r := range s {
		if (r < 0x20 && !(tabOK && r == '\t')) || r == 0x7f {
			return true
		}
	}
	return false
}

// validHeaderName reports whether s is an HTTP token (RFC 9110, 5.1).
func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || c <= ' ' || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// validEmail reports whether s looks like one plain email address,
// local@domain, with nothing around it.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// checkSchedule checks an event's timezone and times. With required, all
// three must be set; otherwise each may be left zero.
func checkSchedule(typ, timezone string, start, end time.Time, required bool) error {
	switch {
	case required && timezone == "":
		return invalidArg(typ+"Timezone", "is required")
	case timezone != "" && !validTimezone(timezone):
		return invalidArg(typ+"Timezone", "%q is not one of Timezones()", timezone)
	case required && start.IsZero():
		return invalidArg(typ+"TimeStart", "is required")
	case required && end.IsZero():
		return invalidArg(typ+"TimeEnd", "is required")
	case !encodableTime(start):
		return invalidArg(typ+"TimeStart", "year %d is outside 1 to 9999", start.UTC().Year())
	case !encodableTime(end):
		return invalidArg(typ+"TimeEnd", "year %d is outside 1 to 9999", end.UTC().Year())
	case !start.IsZero() && !end.IsZero() && !end.After(start):
		return invalidArg(typ+"TimeEnd", "must be after TimeStart (%s), got %s", formatTime(start), formatTime(end))
	}
	return nil
}

// encodableTime reports whether t is zero or has a year RFC 3339 can write.
func encodableTime(t time.Time) bool {
	y := t.UTC().Year()
	return t.IsZero() || (y >= 1 && y <= 9999)
}

// checkMetadata refuses metadata that cannot be encoded as JSON (channels,
// functions, NaN), so that the error says which field is at fault.
func checkMetadata(typ string, m map[string]any) error {
	if len(m) == 0 {
		return nil
	}
	if _, err := json.Marshal(m, encodeOptions); err != nil {
		return invalidArg(typ+"Metadata", "cannot be encoded as JSON: %v", err)
	}
	return nil
}

// validColor reports whether s is a hex colour: "#" and 3 or 6 hex digits.
func validColor(s string) bool {
	if (len(s) != 4 && len(s) != 7) || s[0] != '#' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// checkPerson checks the email and names that both ways of making a magic
// link require.
func checkPerson(typ, email, firstName, lastName string) error {
	switch {
	case email == "":
		return invalidArg(typ+".Email", "is required")
	case !validEmail(email):
		return invalidArg(typ+".Email", "is not an email address")
	case strings.TrimSpace(firstName) == "":
		return invalidArg(typ+".FirstName", "is required")
	case strings.TrimSpace(lastName) == "":
		return invalidArg(typ+".LastName", "is required")
	}
	return nil
}

// checkContext refuses a nil context, which would panic deep in net/http.
// Every method and iterator checks its ctx with it before anything else.
func checkContext(ctx context.Context) error {
	if ctx == nil {
		return invalidArg("ctx", "is nil: use context.Background() or a context of your own")
	}
	return nil
}
