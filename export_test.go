package rcevents

import (
	"io"
	"maps"
	"time"
)

// DecodeRegistrationsPage decodes a registrations list answer as
// RegistrationsService.List does once the answer has arrived, for the decode
// benchmark.
func DecodeRegistrationsPage(body io.Reader) (*Page[Registration], error) {
	return decodePage[Registration](body, &ListOptions{PerPage: MaxPerPage})
}

// SetEnsureSettle sets how long after a lost answer c's Ensure and
// EnsureAll read the list to learn what the create stored, for tests
// against a fake that lists every write at once. Call it before c's first
// Ensure.
func SetEnsureSettle(c *Client, d time.Duration) { c.people.settle = d }

// EnsureCursor returns a copy of the Sync cursor of c's index of a list,
// named as "magic links of tkt_1" or "registrations of evt_1", so that a
// test can count what the index's next read costs.
func EnsureCursor(c *Client, list string) SyncCursor {
	x, _ := c.people.lists.Load(list)
	switch x := x.(type) {
	case *personIndex[MagicLink, *MagicLink, MagicLinkCreateRequest, *MagicLinkCreateRequest]:
		return cursorOf(x)
	case *personIndex[Registration, *Registration, RegistrationCreateRequest, *RegistrationCreateRequest]:
		return cursorOf(x)
	}
	return SyncCursor{}
}

func cursorOf[T any, PT personItem[T], R any, PR personRequest[R]](x *personIndex[T, PT, R, PR]) SyncCursor {
	x.reading <- struct{}{}
	defer func() { <-x.reading }()
	return SyncCursor{List: x.cur.List, Watermark: x.cur.Watermark, Seen: maps.Clone(x.cur.Seen)}
}
