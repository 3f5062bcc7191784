package exampleenv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func noCredentials(t *testing.T) {
	for _, k := range []string{"RCEVENTS_CLIENT_ID", "RCEVENTS_CLIENT_SECRET", "RCEVENTS_TOKEN", "RCEVENTS_BASE_URL"} {
		t.Setenv(k, "")
	}
}

func TestConnectStartsAndStopsItsOwnFake(t *testing.T) {
	noCredentials(t)
	var w bytes.Buffer
	env, err := Connect(&w, "test/1", Fake{Options: []rceventstest.Option{rceventstest.WithRegistrations(7)}})
	require.NoError(t, err)
	assert.False(t, env.Live())
	assert.Contains(t, w.String(), "using the built-in fake API at "+env.Fake.URL)
	event, err := env.Event(context.Background(), "")
	require.NoError(t, err)
	page, err := env.Client.Registrations.List(context.Background(), event.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 7, page.Count)

	env.Close()
	_, err = http.Get(env.Fake.URL + "/v1/health")
	assert.Error(t, err, "the fake is stopped")
}

func TestConnectLeavesAGivenFakeRunning(t *testing.T) {
	// The given fake wins over credentials in the environment.
	t.Setenv("RCEVENTS_TOKEN", "not-a-token")
	srv := rceventstest.NewServer()
	defer srv.Close()
	var w bytes.Buffer
	env, err := Connect(&w, "test/1", Fake{Server: srv})
	require.NoError(t, err)
	assert.Same(t, srv, env.Fake)
	assert.Equal(t, "Using the fake API at "+srv.URL+".\n", w.String())
	env.Close()

	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken(srv.Token))
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	assert.NoError(t, err, "the fake still serves")
}

func TestWriteOutputToStdout(t *testing.T) {
	for _, name := range []string{"", "-"} {
		var stdout bytes.Buffer
		require.NoError(t, WriteOutput(&stdout, name, func(w io.Writer) error {
			_, err := io.WriteString(w, "a,b\n")
			return err
		}))
		assert.Equal(t, "a,b\n", stdout.String())
	}
}

func TestWriteOutputToAFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.csv")
	require.NoError(t, os.WriteFile(name, []byte("old"), 0o600))
	var stdout bytes.Buffer
	require.NoError(t, WriteOutput(&stdout, name, func(w io.Writer) error {
		_, err := io.WriteString(w, "new\n")
		return err
	}))
	assert.Empty(t, stdout.String())
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")

	// A failed write leaves the file as it was, and nothing else.
	failed := errors.New("interrupted")
	err = WriteOutput(&stdout, name, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return failed
	})
	require.ErrorIs(t, err, failed)
	got, err = os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(got))
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")
}

func TestParseEnum(t *testing.T) {
	valid := []rcevents.SegmentType{rcevents.SegmentTypeStage, rcevents.SegmentTypeExpo}
	got, err := ParseEnum("segment type", "expo", valid)
	require.NoError(t, err)
	assert.Equal(t, rcevents.SegmentTypeExpo, got)

	_, err = ParseEnum("segment type", "Expo", valid)
	assert.EqualError(t, err, `unknown segment type "Expo"; valid ones are: stage, expo`)
}
