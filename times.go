package rcevents

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"time"
)

// looseTime decodes a date-time that the API types as a plain string (event
// createdAt, timeStart and timeEnd; registration firstCheckIn). RFC 3339
// gives the time; null, "" and anything that is not RFC 3339 give nil. It
// never fails, so one odd value cannot lose a whole page.
type looseTime struct {
	t *time.Time
}

func (l *looseTime) UnmarshalJSON(b []byte) error {
	l.t = nil
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil
	}
	s := string(b[1 : len(b)-1])
	if bytes.IndexByte(b, '\\') >= 0 && json.Unmarshal(b, &s) != nil {
		return nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		l.t = &t
	}
	return nil
}

// validEmail reports whether s looks like one plain email address,
// local@domain, with nothing around it.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
