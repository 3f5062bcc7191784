package rcevents

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestNextWatermark: the new watermark is the whole second on the API's
// clock at or before the run's start, newest less the run's duration, less
// the margin; never earlier than the old one.
func TestNextWatermark(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		old, newest string
		elapsed     time.Duration
		want        string
	}{
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10Z", 300 * time.Millisecond, "2026-01-05T09:00:07Z"},
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10Z", 0, "2026-01-05T09:00:08Z"},
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10Z", 10 * time.Minute, "2026-01-05T08:50:08Z"},
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10.900Z", 200 * time.Millisecond, "2026-01-05T09:00:08Z"},
		{"2026-01-05T09:00:09Z", "2026-01-05T09:00:10Z", 300 * time.Millisecond, "2026-01-05T09:00:09Z"}, // never back
		{"2026-01-05T09:00:00Z", "2026-01-05T09:00:10Z", 300 * time.Millisecond, "2026-01-05T09:00:07Z"},
	} {
		got := nextWatermark(at(tc.old), at(tc.newest), tc.elapsed)
		assert.Equal(t, at(tc.want), got, "old %s newest %s elapsed %s", tc.old, tc.newest, tc.elapsed)
		assert.Equal(t, time.UTC, got.Location())
	}
}

// TestSyncDropped: a count is certainly lower than an earlier one only when
// the earlier answer arrived before the later request was sent; answers to
// requests in flight together may have been made in either order.
func TestSyncDropped(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name    string
		answers []syncAnswer
		want    bool
	}{
		{"one by one, same count", []syncAnswer{{300, ms(0), ms(10)}, {300, ms(11), ms(20)}, {300, ms(21), ms(30)}}, false},
		{"one by one, grew", []syncAnswer{{300, ms(0), ms(10)}, {301, ms(11), ms(20)}}, false},
		{"one by one, shrank", []syncAnswer{{300, ms(0), ms(10)}, {299, ms(11), ms(20)}}, true},
		{"shrank, answers listed out of order", []syncAnswer{{299, ms(21), ms(30)}, {300, ms(0), ms(10)}}, true},
		{"in flight together", []syncAnswer{{300, ms(0), ms(10)}, {301, ms(11), ms(25)}, {300, ms(12), ms(20)}}, false},
		{"shrank after the overlap", []syncAnswer{{300, ms(0), ms(10)}, {301, ms(11), ms(25)}, {300, ms(26), ms(30)}}, true},
		{"counts without times are left out", []syncAnswer{{400, time.Time{}, time.Time{}}, {300, ms(0), ms(10)}}, false},
	} {
		r := &syncRun[Registration, *Registration]{answers: tc.answers}
		assert.Equal(t, tc.want, r.dropped(), tc.name)
	}
}

// TestSyncDigest: the digest tells versions apart by their content, and is
// the same for the same content.
func TestSyncDigest(t *testing.T) {
	a := Registration{ID: "reg_1", Email: "a@example.com", Metadata: map[string]string{"x": "1", "y": "2"}}
	b := a
	b.Metadata = map[string]string{"y": "2", "x": "1"}
	assert.Equal(t, digest(&a), digest(&b))
	b.Metadata = map[string]string{"x": "1", "y": "3"}
	assert.NotEqual(t, digest(&a), digest(&b))
	assert.Len(t, formatDigest(digest(&a)), 16)
}
