package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/rcevents/rcevents-go/examples/internal/exampletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestQuickstartAgainstTheFake(t *testing.T) {
	exampletest.NoCredentials(t)
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, false))

	assert.Contains(t, stderr.String(), "using the built-in fake API at http://127.0.0.1:")
	out := stdout.String()
	for _, want := range []string{
		"API health: ok", "Organizations:", "Event: ", "First registrations that were not refunded:",
		"Tickets (", "Magic link for quickstart+", "Deleted it again.", "Report ", "Downloaded ",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "string", "placeholder values from the reference")
	t.Log("\n" + out)
}
