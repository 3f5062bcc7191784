package rceventstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLeak: Close's last check finds a secret it saw in any string of the file, in the
// forms a server echoes it in, names its kind, and passes over a value that is not a
// secret (a pseudonym's real value is replaced, not looked for again).
func TestLeak(t *testing.T) {
	var f finds
	f.add("at_5f2b9c1e7d4a8f3b6c0e2d", redacted, secretToken)
	f.add("https://events.example.com/magic/3f2c9a7b1e8d", "https://events.example.com/"+redacted, secretMagicLink)
	f.add("ada@example.org", "anon-000000000000@example.invalid", "")
	for _, tc := range []struct{ file, kind string }{
		{`{"interactions":[{"response":{"json":{"token":"at_5f2b9c1e7d4a8f3b6c0e2d"}}}]}`, secretToken},
		{`{"interactions":[{"response":{"json":{"token":"\u0061t_5f2b9c1e7d4a8f3b6c0e2d"}}}]}`, secretToken},
		{`{"interactions":[{"response":{"text":["see https://x.example/?t=at_5f2b9c1e7d4a8f3b6c0e2d%26"]}}]}`, secretToken},
		{`{"interactions":[{"response":{"json":{"at%5F5f2b9c1e7d4a8f3b6c0e2d":1}}}]}`, secretToken},
		{`{"interactions":[{"response":{"header":{"Location":["https:\/\/events.example.com\/magic\/3f2c9a7b1e8d"]}}}]}`, secretMagicLink},
		{`{"interactions":[{"response":{"text":["<a href=\"https://events.example.com/magic/3f2c9a7b1e8d\">"]}}]}`, secretMagicLink},
		{`{"interactions":[{"response":{"json":{"email":"ada@example.org","token":"REDACTED"}}}]}`, ""},
	} {
		kind, err := f.leak([]byte(tc.file))
		require.NoError(t, err)
		assert.Equal(t, tc.kind, kind, tc.file)
	}
}

// TestNormalize: a field's name is its letters and digits in lower case.
func TestNormalize(t *testing.T) {
	for _, name := range []string{"firstName", "first_name", "First name", "FIRST-NAME", " first.name "} {
		assert.Equal(t, "firstname", normalize(name), name)
	}
	assert.Equal(t, "émail2", normalize("Émail 2"))
}
