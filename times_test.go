package rcevents

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

func TestLooseTime(t *testing.T) {
	want := time.Date(2025, 6, 3, 14, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want *time.Time
	}{
		{`"2025-06-03T14:30:00Z"`, &want},
		{`"2025-06-03T16:30:00+02:00"`, &want},
		{`null`, nil},
		{`""`, nil},
		{`"2025-06-03 14:30"`, nil},
		{`"June 3rd"`, nil},
		{`1749047400`, nil},
		{`"2025-06-03T14:30:00\u005a"`, &want},
	} {
		var l looseTime
		assert.NoError(t, json.Unmarshal([]byte(tc.in), &l, decodeOptions), tc.in)
		if tc.want == nil {
			assert.Nil(t, l.t, tc.in)
		} else if assert.NotNil(t, l.t, tc.in) {
			assert.True(t, tc.want.Equal(*l.t), tc.in)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for _, s := range []string{"ada@example.com", "a.b+c@sub.example.org"} {
		assert.True(t, validEmail(s), s)
	}
	for _, s := range []string{"", "ada", "ada@", "@example.com", "Ada <ada@example.com>", " ada@example.com", "ada@example.com, bob@example.com"} {
		assert.False(t, validEmail(s), s)
	}
}

func FuzzLooseTime(f *testing.F) {
	for _, s := range []string{`"2025-06-03T14:30:00Z"`, `null`, `""`, `"x"`, `1`, `[]`, `{}`, `"\u0000"`, `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var l looseTime
		err := json.Unmarshal(b, &l, decodeOptions)
		if jsontext.Value(b).IsValid(decodeOptions) && err != nil {
			t.Fatalf("looseTime failed on the JSON value %q: %v", b, err)
		}
		if err != nil && l.t != nil {
			t.Fatalf("looseTime failed on %q and kept a time", b)
		}
	})
}
