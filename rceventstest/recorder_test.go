package rceventstest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// cassettePath returns a cassette's path in the test's temporary directory.
func cassettePath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "testdata", "test.cassette")
}

// session runs fn with a client of a recorder of path in mode, made with opts, and
// closes the recorder, which must succeed.
func session(t *testing.T, path string, mode rceventstest.RecorderMode, fn func(c *rcevents.Client), opts ...rcevents.Option) {
	t.Helper()
	rec, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(mode))
	require.NoError(t, err)
	c, err := rec.Client(opts...)
	require.NoError(t, err)
	fn(c)
	require.NoError(t, rec.Close())
}

// newFake starts a fake with opts for the test, to record from.
func newFake(t *testing.T, opts ...rceventstest.Option) *rceventstest.Server {
	srv := rceventstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// fakeOptions are the client options of a fake, to record from it.
func fakeOptions(srv *rceventstest.Server, more ...rcevents.Option) []rcevents.Option {
	return append([]rcevents.Option{rcevents.WithBaseURL(srv.URL), rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret)}, more...)
}

// startedAt is the clock of the fakes recorded from, so that what they write is the same
// at every recording.
var startedAt = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// readCassette returns a cassette's text.
func readCassette(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

// emailPattern finds email addresses.
var emailPattern = regexp.MustCompile(`[\p{L}\p{N}._+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)

// assertNoRealEmail checks that every email text holds is a pseudonym.
func assertNoRealEmail(t *testing.T, text string) {
	t.Helper()
	for _, e := range emailPattern.FindAllString(text, -1) {
		assert.Regexp(t, `^anon-[0-9a-f]{12}@example\.invalid$`, e)
	}
}

// TestRecorderReplaysWhatItRecorded records a session with the fake, then replays it
// with the fake gone: the same calls get the same answers, but for emails and names.
func TestRecorderReplaysWhatItRecorded(t *testing.T) {
	ctx := context.Background()
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(30), rceventstest.WithStorageRedirect(), rceventstest.WithClock(rceventstest.NewClock(startedAt).Now))
	path := cassettePath(t)
	type seen struct {
		reg    *rcevents.Registration
		found  []rcevents.Registration
		report *rcevents.Report
		csv    string
	}
	calls := func(got *seen) func(c *rcevents.Client) {
		return func(c *rcevents.Client) {
			var err error
			got.reg, err = c.Registrations.Get(ctx, srv.Fixtures.RegistrationID)
			require.NoError(t, err)
			page, err := c.Registrations.List(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{Email: &rcevents.StringFilter{Eq: "ingrid.kowalski1@cobaltinsure.com"}})
			require.NoError(t, err)
			got.found = page.Items
			got.report, err = c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
			require.NoError(t, err)
			got.report, err = c.Reports.Wait(ctx, got.report.ID, rcevents.WithPollInterval(time.Millisecond, time.Millisecond))
			require.NoError(t, err)
			var buf bytes.Buffer
			_, err = c.Reports.Download(ctx, got.report.ID, &buf)
			require.NoError(t, err)
			got.csv = buf.String()
		}
	}
	var live, replayed seen
	session(t, path, rceventstest.ModeRecord, calls(&live), fakeOptions(srv)...)
	srv.Close() // the replay cannot reach it
	session(t, path, rceventstest.ModeReplay, calls(&replayed), fakeOptions(srv)...)

	require.Equal(t, "ingrid.kowalski1@cobaltinsure.com", live.reg.Email)
	pseudonym := replayed.reg.Email
	assert.Regexp(t, `^anon-[0-9a-f]{12}@example\.invalid$`, pseudonym)
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, replayed.reg.FirstName)
	assert.Equal(t, live.reg.ID, replayed.reg.ID)
	assert.Equal(t, live.reg.CreatedAt, replayed.reg.CreatedAt)
	assert.Equal(t, live.reg.TicketID, replayed.reg.TicketID)

	// The look-up by the real email found the answer recorded for it, which carries
	// the same pseudonym.
	require.Len(t, replayed.found, 1)
	assert.Equal(t, live.found[0].ID, replayed.found[0].ID)
	assert.Equal(t, pseudonym, replayed.found[0].Email)

	assert.True(t, replayed.report.Ready())
	assert.Equal(t, live.report.Title, replayed.report.Title)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d/reports/\w+\.csv\?X-Amz-Algorithm=REDACTED&X-Amz-Date=REDACTED&X-Amz-Expires=60&X-Amz-Signature=REDACTED$`, replayed.report.URL)

	// The report file: the same rows, each person's email and names as pseudonyms,
	// the same as in the JSON answers.
	liveRows, replayedRows := strings.Split(live.csv, "\n"), strings.Split(replayed.csv, "\n")
	require.Len(t, replayedRows, len(liveRows))
	assert.Equal(t, liveRows[0], replayedRows[0])
	assert.Equal(t, "Registration ID,First name,Last name,Email", strings.Join(strings.Split(replayedRows[0], ",")[:4], ","))
	assert.Equal(t, strings.Join([]string{replayed.reg.ID, replayed.reg.FirstName, replayed.reg.LastName, pseudonym}, ","),
		strings.Join(strings.Split(replayedRows[1], ",")[:4], ","))
	assert.NotContains(t, replayed.csv, "Ingrid")
	assertNoRealEmail(t, replayed.csv)
	assert.Equal(t, strings.SplitN(liveRows[1], ",", 5)[4], strings.SplitN(replayedRows[1], ",", 5)[4], "the rest of the row")
}

// newTestServer starts h on loopback for the test.
func newTestServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

const (
	clientID     = "client-7"
	clientSecret = "cs_Zq8v+Lr2/Wm5=Xp0Ny4"    // escaped in a form and in HTTP Basic
	accessToken  = "at_5f2b9c1e7d4a8f3b6c0e2d" // the token exchange's answer
	refreshToken = "rt_91c0d7e4b2a85f6e3d1c"
	staticToken  = "st_0a9b8c7d6e5f4a3b2c1d"
	signature    = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	credential   = "AKIAIOSFODNN7EXAMPLE/20260301/us-east-1/s3/aws4_request"
	magicLink    = "https://events.example.com/magic/3f2c9a7b1e8d4c6a0b5f"
	csvLink      = "https://events.example.com/magic/77aa0e1c9b3d5f2e8c4a" // only in a report file
)

// TestRecorderKeepsNoSecret records every kind of secret, echoed in several forms, and
// finds none in the cassette, which replays.
func TestRecorderKeepsNoSecret(t *testing.T) {
	ctx := context.Background()
	storage := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("Registration ID,Signed,Magic link\nreg_1," + r.URL.Query().Get("X-Amz-Signature") + "," + csvLink + "\n"))
	}))
	signed := storage.URL + "/reports/rep_1.csv?X-Amz-Credential=" + strings.ReplaceAll(credential, "/", "%2F") + "&X-Amz-Expires=60&X-Amz-Signature=" + signature
	api := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/auth/token":
			require.NoError(t, r.ParseForm())
			id, secret, _ := r.BasicAuth()
			id, _ = url.QueryUnescape(id) // RFC 6749, 2.3.1
			secret, _ = url.QueryUnescape(secret)
			if (id != clientID || secret != clientSecret) && r.PostForm.Get("client_secret") != clientSecret {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Write([]byte(`{"access_token":"` + accessToken + `","refresh_token":"` + refreshToken + `","token_type":"Bearer","expires_in":3600}`))
		case "/v1/echo": // the credential as it is, JSON-escaped and URL-escaped
			auth := r.Header.Get("Authorization")
			escaped := ""
			for _, c := range []byte(strings.TrimPrefix(auth, "Bearer ")) {
				escaped += fmt.Sprintf(`\u%04x`, c)
			}
			w.Write([]byte(`{"data":{"authorization":"` + auth + `","escaped":"` + escaped + `","link":"http://` + r.Host + `/v1/echo?t=` + strings.ReplaceAll(auth, " ", "%20") + `"}}`))
		case "/v1/refused": // an error that repeats the client secret, as a misconfigured gateway might
			secret := "of a static token"
			if r.Header.Get("Authorization") == "Bearer "+accessToken {
				secret = clientSecret
			}
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"errors":[{"code":"invalid","detail":"client secret ` + secret + ` is not allowed here","status":"422"}]}`))
		case "/v1/reports/rep_1":
			w.Write([]byte(`{"data":{"id":"rep_1","type":"report","attributes":{"id":"rep_1","status":"completed","title":"Registrations","url":"` + signed + `"}}}`))
		case "/v1/reports/rep_1/download":
			http.Redirect(w, r, signed, http.StatusFound)
		case "/v1/magicLinks/ml_1":
			w.Write([]byte(`{"data":{"id":"ml_1","type":"magicLink","attributes":{"id":"ml_1","magicLink":"` + magicLink + `","headline":"<a href=\"` + magicLink + `\">join</a>"}}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))

	path := cassettePath(t)
	calls := func(c *rcevents.Client) (echo map[string]any, report *rcevents.Report, csv string, link *rcevents.MagicLink) {
		var out struct {
			Data map[string]any `json:"data"`
		}
		require.NoError(t, c.Do(ctx, http.MethodGet, "/v1/echo", nil, &out))
		require.ErrorIs(t, c.Do(ctx, http.MethodGet, "/v1/refused", nil, nil), rcevents.ErrUnprocessable)
		report, err := c.Reports.Get(ctx, "rep_1")
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = c.Reports.Download(ctx, "rep_1", &buf)
		require.NoError(t, err)
		link, err = c.MagicLinks.Get(ctx, "ml_1")
		require.NoError(t, err)
		return out.Data, report, buf.String(), link
	}
	for _, tc := range []struct {
		name string
		opts []rcevents.Option
	}{
		{"client credentials in HTTP Basic", []rcevents.Option{rcevents.WithClientCredentials(clientID, clientSecret)}},
		{"client credentials in the form", []rcevents.Option{rcevents.WithClientCredentials(clientID, clientSecret), rcevents.WithAuthStyle(oauth2.AuthStyleInParams)}},
		{"static token", []rcevents.Option{rcevents.WithToken(staticToken)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]rcevents.Option{rcevents.WithBaseURL(api.URL)}, tc.opts...)
			var liveEcho map[string]any
			session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
				liveEcho, _, _, _ = calls(c)
			}, opts...)
			require.Contains(t, liveEcho["authorization"], "Bearer ", "the API saw the token")

			text := readCassette(t, path)
			for _, secret := range []string{clientSecret, accessToken, refreshToken, staticToken, signature, credential, magicLink,
				csvLink, "cs_Zq8v", "at_5f2b", "st_0a9b", "9f86d0818", "AKIAIOSFODNN7EXAMPLE", "magic/", "auth/token", "Authorization"} {
				assert.False(t, strings.Contains(text, secret), "the cassette holds %q", secret)
			}
			if !strings.Contains(text, `"detail": "client secret of a static token is not allowed here"`) {
				assert.Contains(t, text, `"detail": "client secret REDACTED is not allowed here"`)
			}
			assert.Contains(t, text, `"escaped": "REDACTED"`)

			session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
				echo, report, csv, link := calls(c)
				assert.Equal(t, "Bearer REDACTED", echo["authorization"])
				assert.Equal(t, "REDACTED", echo["escaped"])
				assert.Regexp(t, `^http://127\.0\.0\.1:\d/v1/echo\?t=Bearer%20REDACTED$`, echo["link"])
				assert.Regexp(t, `^http://127\.0\.0\.1:\d/reports/rep_1\.csv\?X-Amz-Credential=REDACTED&X-Amz-Expires=60&X-Amz-Signature=REDACTED$`, report.URL)
				assert.Equal(t, "Registration ID,Signed,Magic link\nreg_1,REDACTED,https://events.example.com/REDACTED\n", csv, "the download followed the redirect, scrubbed")
				assert.Equal(t, "https://events.example.com/REDACTED", link.URL)
				assert.Equal(t, `<a href="https://events.example.com/REDACTED">join</a>`, *link.Headline)
			})
		})
	}
}

// TestRecorderPseudonyms: emails, names and phone numbers in a query, in a request body,
// in answers and in a report file become one pseudonym a value, whatever the email's
// case, and a field named by WithScrubbedFields is scrubbed too; the same code replays
// with the real values.
func TestRecorderPseudonyms(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(3), rceventstest.WithReportPolls(0), rceventstest.WithClock(rceventstest.NewClock(startedAt).Now))
	path := cassettePath(t)
	const email, phone = "ada.lovelace@analytical-engines.co.uk", "+44 20 7946 0018"
	type seen struct {
		created  *rcevents.Registration
		found    []rcevents.Registration
		upper    []rcevents.Registration
		csv      string
		response rcevents.Response
	}
	calls := func(got *seen) func(c *rcevents.Client) {
		return func(c *rcevents.Client) {
			var err error
			got.created, err = c.Registrations.Create(ctx, srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{
				Email: email, FirstName: "Ada", LastName: "Lovelace", Metadata: map[string]string{"phone": phone, "badge_name": "Countess of Lovelace"},
			})
			require.NoError(t, err)
			page, err := c.Registrations.List(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{Email: &rcevents.StringFilter{Eq: email}}, rcevents.WithResponse(&got.response))
			require.NoError(t, err)
			got.found = page.Items
			page, err = c.Registrations.List(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{Email: &rcevents.StringFilter{Eq: strings.ToUpper(email)}})
			require.NoError(t, err)
			got.upper = page.Items
			report, err := c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
			require.NoError(t, err)
			var buf bytes.Buffer
			_, err = c.Reports.Download(ctx, report.ID, &buf)
			require.NoError(t, err)
			got.csv = buf.String()
		}
	}
	record := func(fn func(*rcevents.Client), mode rceventstest.RecorderMode) {
		rec, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(mode), rceventstest.WithScrubbedFields("Badge name"))
		require.NoError(t, err)
		c, err := rec.Client(fakeOptions(srv)...)
		require.NoError(t, err)
		fn(c)
		require.NoError(t, rec.Close())
	}
	var live, replayed seen
	record(calls(&live), rceventstest.ModeRecord)
	record(calls(&replayed), rceventstest.ModeReplay)

	require.Len(t, live.found, 1)
	assert.Empty(t, live.upper, "the fake matches emails as they are")
	text := readCassette(t, path)
	for _, personal := range []string{"Ada", "Lovelace", "lovelace", "LOVELACE", "analytical", phone, "+44", "Countess"} {
		assert.NotContains(t, text, personal)
	}
	assertNoRealEmail(t, text)

	p := replayed.created.Email
	assert.Regexp(t, `^anon-[0-9a-f]{12}@example\.invalid$`, p)
	first, last := replayed.created.FirstName, replayed.created.LastName
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, first)
	assert.NotEqual(t, first, last)
	assert.Len(t, replayed.created.Metadata, 2)
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, replayed.created.Metadata["phone"], "a field personal by default")
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, replayed.created.Metadata["badge_name"], "a field of WithScrubbedFields")

	// One pseudonym a person: in the request's body and query (whatever the case), in
	// the answers, in the report file.
	assert.Contains(t, text, `"email": "`+p+`"`)
	assert.Contains(t, text, `"firstName": "`+first+`"`)
	assert.Equal(t, 2, strings.Count(text, `"filter[email][eq]": [`+"\n            \""+p+`"`), "both look-ups, in either case")
	require.Len(t, replayed.found, 1)
	assert.Equal(t, live.found[0].ID, replayed.found[0].ID)
	assert.Equal(t, p, replayed.found[0].Email)
	assert.Empty(t, replayed.upper)
	assert.Contains(t, replayed.csv, "\n"+replayed.created.ID+","+first+","+last+","+p+",")
	assert.Equal(t, strings.Count(live.csv, "\n"), strings.Count(replayed.csv, "\n"))
	assertNoRealEmail(t, replayed.csv)
	assert.Equal(t, 1, replayed.response.Attempts)
}

// TestRecorderMatching: query parameters match in any order, JSON bodies as JSON, and
// headers not at all; another body is not recorded.
func TestRecorderMatching(t *testing.T) {
	ctx := context.Background()
	api := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_"+r.URL.RawQuery)
		w.Write([]byte(`{"query":"` + r.URL.RawQuery + `","method":"` + r.Method + `"}`))
	}))
	path := cassettePath(t)
	session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
		require.NoError(t, c.Do(ctx, http.MethodGet, "/v1/things?b=2&a=1&a=0", nil, nil))
		require.NoError(t, c.Do(ctx, http.MethodPost, "/v1/things", jsontext.Value(`{"x":1,"y":{"b":[1,2],"a":"é"}}`), nil))
	}, rcevents.WithBaseURL(api.URL), rcevents.WithToken("t1"), rcevents.WithUserAgent("recording/1"))

	text := readCassette(t, path)
	assert.Equal(t, 2, strings.Count(text, `"header": {`+"\n          \"Content-Type\": [\n            \"application/json\"\n          ]\n        }"), "no other header")
	assert.NotContains(t, text, "req_")

	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		var out map[string]string
		require.NoError(t, c.Do(ctx, http.MethodGet, "/v1/things?a=0&b=2&a=1", nil, &out, rcevents.WithHeader("X-Trace", "abc")))
		assert.Equal(t, map[string]string{"query": "b=2&a=1&a=0", "method": "GET"}, out, "the recorded answer")
		require.NoError(t, c.Do(ctx, http.MethodPost, "/v1/things", jsontext.Value("{ \"y\": {\"a\": \"\\u00e9\", \"b\": [1.0, 2e0]},\n \"x\": 1 }"), &out))
		assert.Equal(t, "POST", out["method"])

		err := c.Do(ctx, http.MethodPost, "/v1/things", jsontext.Value(`{"x":2,"y":{"b":[1,2],"a":"é"}}`), nil)
		require.ErrorIs(t, err, rceventstest.ErrNotRecorded)
		err = c.Do(ctx, http.MethodGet, "/v1/things?b=2&a=1", nil, nil)
		require.ErrorIs(t, err, rceventstest.ErrNotRecorded)
	}, rcevents.WithUserAgent("replaying/2"))
}

// TestRecorderPathPrefix: the base URL is not matched, but a path prefix of it is.
func TestRecorderPathPrefix(t *testing.T) {
	ctx := context.Background()
	api := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	}))
	path := cassettePath(t)
	session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
		_, err := c.Health(ctx)
		require.NoError(t, err)
	}, rcevents.WithBaseURL(api.URL+"/gateway"), rcevents.WithToken("t"))
	assert.Contains(t, readCassette(t, path), `"path": "/gateway/v1/health"`)

	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		_, err := c.Health(ctx)
		require.NoError(t, err)
	}, rcevents.WithBaseURL("https://elsewhere.example.com/gateway"))
	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		_, err := c.Health(ctx)
		require.ErrorIs(t, err, rceventstest.ErrNotRecorded)
	})
}

// TestRecorderNameOnlyAnAnswerHeld: a name that a request holds where the API takes no
// name, known as a name only from an answer of the recording, is replayed as it is and
// so not matched; the request matches when it names the person in a name field.
func TestRecorderNameOnlyAnAnswerHeld(t *testing.T) {
	ctx := context.Background()
	api := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":{"firstName":"Ingrid"}}`))
	}))
	path := cassettePath(t)
	notes := func(c *rcevents.Client) (errs []error) {
		require.NoError(t, c.Do(ctx, http.MethodGet, "/v1/people/1", nil, nil))
		for _, body := range []string{`{"text":"Call Ingrid"}`, `{"firstName":"Ingrid","text":"Call Ingrid"}`} {
			errs = append(errs, c.Do(ctx, http.MethodPost, "/v1/notes", jsontext.Value(body), nil))
		}
		return errs
	}
	session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
		assert.Equal(t, []error{nil, nil}, notes(c))
	}, rcevents.WithBaseURL(api.URL), rcevents.WithToken("t"))
	assert.NotContains(t, readCassette(t, path), "Ingrid")

	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		errs := notes(c)
		assert.ErrorIs(t, errs[0], rceventstest.ErrNotRecorded)
		assert.NoError(t, errs[1])
	})
}

// TestRecorderRefusesWhatIsNotACassette: NewRecorder refuses a file at the cassette's
// path that is not one, in either mode, rather than replay or overwrite it.
func TestRecorderRefusesWhatIsNotACassette(t *testing.T) {
	path := cassettePath(t)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	for _, content := range []string{"package main\n", `{"rceventsCassette":2,"pseudonymSalt":"xWkxuvtt4cFMKjrLuEOvOg"}`, `{"rceventsCassette":1,"pseudonymSalt":"short"}`} {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		for _, mode := range []rceventstest.RecorderMode{rceventstest.ModeRecord, rceventstest.ModeReplay} {
			_, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(mode))
			require.Error(t, err, content)
			assert.Contains(t, err.Error(), path)
		}
		assert.Equal(t, content, readCassette(t, path))
	}
}

// TestRecorderConcurrentPages: pages recorded one by one replay fetched concurrently,
// and the other way round, in the API's order.
func TestRecorderConcurrentPages(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(95))
	walk := func(c *rcevents.Client) []string {
		var ids []string
		for reg, err := range c.Registrations.All(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 10}}) {
			require.NoError(t, err)
			ids = append(ids, reg.ID)
		}
		return ids
	}
	for _, tc := range []struct{ record, replay int }{{1, 8}, {8, 1}, {8, 8}} {
		path := cassettePath(t)
		var want, got []string
		session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) { want = walk(c) }, fakeOptions(srv, rcevents.WithPageConcurrency(tc.record))...)
		session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) { got = walk(c) }, rcevents.WithPageConcurrency(tc.replay))
		require.Len(t, want, 95)
		assert.Equal(t, want, got, "recorded %d at once, replayed %d at once", tc.record, tc.replay)
	}
}

// TestRecorderRepeatedRequests: a report's status polls replay in recorded order, and
// a poll more than recorded fails at once, naming the request but not its query's values.
func TestRecorderRepeatedRequests(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithReportPolls(2), rceventstest.WithRegistrations(3))
	path := cassettePath(t)
	var reportID string
	session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
		report, err := c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
		require.NoError(t, err)
		reportID = report.ID
		for range 3 {
			_, err := c.Reports.Get(ctx, reportID)
			require.NoError(t, err)
		}
	}, fakeOptions(srv)...)
	assert.Equal(t, 3, strings.Count(readCassette(t, path), `"path": "/v1/reports/`+reportID+`"`))

	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		_, err := c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
		require.NoError(t, err)
		var ready []bool
		for range 3 {
			report, err := c.Reports.Get(ctx, reportID)
			require.NoError(t, err)
			ready = append(ready, report.Ready())
		}
		assert.Equal(t, []bool{false, false, true}, ready, "202, 202, then 200")

		var resp rcevents.Response
		_, err = c.Reports.Get(ctx, reportID, rcevents.WithResponse(&resp))
		require.ErrorIs(t, err, rceventstest.ErrNotRecorded)
		assert.Contains(t, err.Error(), "GET /v1/reports/"+reportID+" was recorded in "+path+" 3 times, and is asked once more")
		assert.Equal(t, 1, resp.Attempts, "not retried")
	})
}

// TestRecorderNotRecorded: a request the cassette lacks fails at once, whatever its
// method, with an error that names its method, path and query parameters, and none of
// their values.
func TestRecorderNotRecorded(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(3))
	path := cassettePath(t)
	session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
		_, err := c.Registrations.Get(ctx, srv.Fixtures.RegistrationID)
		require.NoError(t, err)
	}, fakeOptions(srv)...)

	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		var resp rcevents.Response
		start := time.Now()
		_, err := c.Registrations.List(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{
			Email: &rcevents.StringFilter{Eq: "grace.hopper@navy-records.us"}, ListOptions: rcevents.ListOptions{PerPage: 7},
		}, rcevents.WithResponse(&resp))
		require.ErrorIs(t, err, rceventstest.ErrNotRecorded)
		assert.Less(t, time.Since(start), rcevents.DefaultRetryPolicy().MinBackoff, "no backoff")
		assert.Equal(t, 1, resp.Attempts)
		_, ours, _ := strings.Cut(err.Error(), "rceventstest: ")
		assert.Equal(t, "GET /v1/events/"+srv.Fixtures.EventID+"/registrations (query: filter[email][eq], perPage) is not recorded in "+path+"; record it again with RCEVENTS_RECORD=1", ours)
		for _, value := range []string{"grace", "hopper", "navy", "anon-"} {
			assert.NotContains(t, err.Error(), value)
		}
		var permanent interface{ Permanent() bool }
		require.ErrorAs(t, err, &permanent)
		assert.True(t, permanent.Permanent())

		_, err = c.Registrations.Update(ctx, srv.Fixtures.RegistrationID, &rcevents.RegistrationUpdateRequest{LastName: "Hopper"})
		require.ErrorIs(t, err, rceventstest.ErrNotRecorded)
		assert.NotErrorIs(t, err, rcevents.ErrOutcomeUnknown, "nothing was sent")
		assert.Contains(t, err.Error(), "PATCH /v1/registrations/"+srv.Fixtures.RegistrationID+" is not recorded")
		assert.NotContains(t, err.Error(), "Hopper")
	})
}

// TestRecorderMissingCassette: replaying a cassette that does not exist fails with an
// error that says how to record it.
func TestRecorderMissingCassette(t *testing.T) {
	path := cassettePath(t)
	_, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(rceventstest.ModeReplay))
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, "rceventstest: no cassette "+path+" to replay (file does not exist): record it by running the test with RCEVENTS_RECORD=1 and the API's credentials in the environment (RCEVENTS_CLIENT_ID and RCEVENTS_CLIENT_SECRET, or RCEVENTS_TOKEN)", err.Error())
}

// TestRecorderEnvironment: RCEVENTS_RECORD=1 records, anything else replays, and
// WithRecorderMode overrides it either way. Recording reads the environment's
// credentials; replaying does not.
func TestRecorderEnvironment(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(3))
	t.Setenv("RCEVENTS_BASE_URL", srv.URL)
	t.Setenv("RCEVENTS_CLIENT_ID", srv.ClientID)
	t.Setenv("RCEVENTS_CLIENT_SECRET", srv.ClientSecret)
	t.Setenv("RCEVENTS_TOKEN", "")
	path := cassettePath(t)

	for _, v := range []string{"", "0", "true", "yes", " 1"} {
		t.Setenv("RCEVENTS_RECORD", v)
		_, err := rceventstest.NewRecorder(path)
		require.ErrorIs(t, err, fs.ErrNotExist, "RCEVENTS_RECORD=%q replays", v)
	}
	t.Setenv("RCEVENTS_RECORD", "1")
	_, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(rceventstest.ModeReplay))
	require.ErrorIs(t, err, fs.ErrNotExist, "the option overrides RCEVENTS_RECORD=1")

	rec, err := rceventstest.NewRecorder(path)
	require.NoError(t, err)
	c, err := rec.Client()
	require.NoError(t, err)
	_, err = c.Health(ctx)
	require.NoError(t, err)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, fs.ErrNotExist, "nothing written before Close")
	require.NoError(t, rec.Close())
	assert.Contains(t, readCassette(t, path), `"path": "/v1/health"`)
	assert.Len(t, srv.Requests(), 2, "the token exchange and the health check")

	t.Setenv("RCEVENTS_RECORD", "")
	t.Setenv("RCEVENTS_BASE_URL", "not a URL") // not read when replaying
	rec, err = rceventstest.NewRecorder(path)
	require.NoError(t, err)
	c, err = rec.Client()
	require.NoError(t, err)
	_, err = c.Health(ctx)
	require.NoError(t, err)
	require.NoError(t, rec.Close())
	assert.Len(t, srv.Requests(), 2, "replayed, not sent")

	t.Setenv("RCEVENTS_RECORD", "")
	rec, err = rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(rceventstest.ModeRecord))
	require.NoError(t, err)
	require.NoError(t, rec.Close())
	assert.NotContains(t, readCassette(t, path), "/v1/health", "recorded anew, empty")
}

// TestRecorderFile: two recordings of the same answers, from two fakes on other ports,
// write the same file, which holds bodies as JSON or lines of text and a loopback origin
// by its rank.
func TestRecorderFile(t *testing.T) {
	ctx := context.Background()
	path := cassettePath(t)
	var files []string
	var ports []string
	for range 2 {
		srv := rceventstest.NewServer(rceventstest.WithRegistrations(40), rceventstest.WithStorageRedirect(), rceventstest.WithReportPolls(1), rceventstest.WithClock(rceventstest.NewClock(startedAt).Now))
		session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
			for _, err := range c.Registrations.All(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 10}}) {
				require.NoError(t, err)
			}
			report, err := c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
			require.NoError(t, err)
			report, err = c.Reports.Wait(ctx, report.ID, rcevents.WithPollInterval(time.Millisecond, time.Millisecond))
			require.NoError(t, err)
			_, err = c.Reports.Download(ctx, report.ID, &bytes.Buffer{})
			require.NoError(t, err)
		}, fakeOptions(srv, rcevents.WithPageConcurrency(4))...)
		srv.Close()
		files = append(files, readCassette(t, path))
		ports = append(ports, srv.URL[strings.LastIndex(srv.URL, ":"):], srv.StorageURL[strings.LastIndex(srv.StorageURL, ":"):])
	}
	assert.Equal(t, files[0], files[1])

	text := files[0]
	for _, port := range ports {
		assert.NotContains(t, text, "127.0.0.1"+port)
	}
	assert.Contains(t, text, "http://127.0.0.1:1/")
	assert.Contains(t, text, "http://127.0.0.1:2/")
	assert.True(t, strings.HasPrefix(text, "{\n  \"rceventsCassette\": 1,\n  \"pseudonymSalt\": \""), text[:80])
	assert.Contains(t, text, "\n        \"json\": {\n          \"data\": [\n            {\n              \"id\": \"")
	assert.Contains(t, text, "\n        \"text\": [\n          \"Registration ID,First name,Last name,Email,Ticket ID,Registered at,Attended,Refunded\",\n")
	assert.NotContains(t, text, `"json": "`, "no JSON body as a string")
	assert.Equal(t, 1, strings.Count(text, `"status": 202`))

	var requests []string
	for _, m := range regexp.MustCompile(`"method": "(\w+)",\s+"path": "([^"]+)"(?:,\s+"query": \{\s+"page": \[\s+"(\d+)")?`).FindAllStringSubmatch(text, -1) {
		requests = append(requests, m[1]+" "+m[2]+"?"+m[3]) // as the key reads
	}
	assert.True(t, slices.IsSorted(requests), "sorted by method, path and query: %q", requests)
	assert.Len(t, requests, 4+1+3+1, "4 pages, the report's creation, its 2 polls and download, its file")
}

// TestRecorderSaltIsKept: re-recording keeps the cassette's salt, so that its
// pseudonyms stay the same; a new cassette gets a new salt.
func TestRecorderSaltIsKept(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(3))
	get := func(c *rcevents.Client) {
		_, err := c.Registrations.Get(ctx, srv.Fixtures.RegistrationID)
		require.NoError(t, err)
	}
	salt := regexp.MustCompile(`"pseudonymSalt": "([A-Za-z0-9_-]{22})"`)
	path, other := cassettePath(t), cassettePath(t)
	session(t, path, rceventstest.ModeRecord, get, fakeOptions(srv)...)
	first := readCassette(t, path)
	session(t, path, rceventstest.ModeRecord, get, fakeOptions(srv)...)
	assert.Equal(t, first, readCassette(t, path))
	session(t, other, rceventstest.ModeRecord, get, fakeOptions(srv)...)
	require.Regexp(t, salt, first)
	assert.NotEqual(t, salt.FindStringSubmatch(first)[1], salt.FindStringSubmatch(readCassette(t, other))[1])
	assert.NotEqual(t, emailPattern.FindString(first), emailPattern.FindString(readCassette(t, other)))
}

// TestRecorderSkipsTooManyRequests: a 429 is not recorded; the retry after it is, and
// replays at the first attempt.
func TestRecorderSkipsTooManyRequests(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(3))
	path := cassettePath(t)
	session(t, path, rceventstest.ModeRecord, func(c *rcevents.Client) {
		srv.FailNext(1, rceventstest.FaultRateLimit)
		var resp rcevents.Response
		_, err := c.Health(ctx, rcevents.WithResponse(&resp))
		require.NoError(t, err)
		require.Equal(t, 2, resp.Attempts)
	}, fakeOptions(srv)...)
	text := readCassette(t, path)
	assert.Equal(t, 1, strings.Count(text, `"path": "/v1/health"`))
	assert.NotContains(t, text, "429")

	session(t, path, rceventstest.ModeReplay, func(c *rcevents.Client) {
		var resp rcevents.Response
		_, err := c.Health(ctx, rcevents.WithResponse(&resp))
		require.NoError(t, err)
		assert.Equal(t, 1, resp.Attempts)
	})
}

// TestRecorderHTTPClient: a client made with the recorder's HTTP client and client
// credentials replays: the recorder answers its token exchange.
func TestRecorderHTTPClient(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, rceventstest.WithRegistrations(3))
	path := cassettePath(t)
	for _, mode := range []rceventstest.RecorderMode{rceventstest.ModeRecord, rceventstest.ModeReplay} {
		rec, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(mode))
		require.NoError(t, err)
		assert.Same(t, rec.HTTPClient(), rec.HTTPClient())
		c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret), rcevents.WithHTTPClient(rec.HTTPClient()))
		require.NoError(t, err)
		h, err := c.Health(ctx)
		require.NoError(t, err)
		assert.Equal(t, "ok", h.Status)

		// Client overrides an HTTP client among its options.
		broken := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("not this client") })}
		c, err = rec.Client(append(fakeOptions(srv), rcevents.WithHTTPClient(broken))...)
		require.NoError(t, err)
		_, err = c.Health(ctx)
		require.NoError(t, err)
		require.NoError(t, rec.Close())
	}
	assert.Len(t, srv.Requests(), 4, "the replay sent nothing")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRecorderRefusesBinaryAnswers: an answer that is not text cannot be scrubbed: Close
// writes nothing and says which answer it was.
func TestRecorderRefusesBinaryAnswers(t *testing.T) {
	api := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/zip")
		w.Write([]byte("PK\x03\x04\xff\xfe\x00ada@example.org"))
	}))
	path := cassettePath(t)
	rec, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(rceventstest.ModeRecord))
	require.NoError(t, err)
	resp, err := rec.HTTPClient().Get(api.URL + "/v1/reports/rep_1/download?token=abc")
	require.NoError(t, err)
	resp.Body.Close()
	err = rec.Close()
	require.Error(t, err)
	assert.Equal(t, "rceventstest: Recorder.Close: the answer to GET /v1/reports/rep_1/download: not text: the recorder cannot scrub it; "+path+" is not written", err.Error())
	assert.Equal(t, err, rec.Close(), "the first Close's error")
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	entries, err := os.ReadDir(filepath.Dir(path))
	if err == nil {
		assert.Empty(t, entries, "no temporary file left")
	}
}

// TestRecorderClosed: requests through a closed recorder fail, in either mode.
func TestRecorderClosed(t *testing.T) {
	path := cassettePath(t)
	for _, mode := range []rceventstest.RecorderMode{rceventstest.ModeRecord, rceventstest.ModeReplay} {
		rec, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(mode))
		require.NoError(t, err)
		require.NoError(t, rec.Close())
		_, err = rec.HTTPClient().Get("http://127.0.0.1:1/v1/health")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "rceventstest: the recorder of "+path+" is closed")
		assert.False(t, errors.Is(err, rceventstest.ErrNotRecorded))
	}
}

// TestRecorderScrubbedFields: the strings within a member named by WithScrubbedFields,
// whatever the spelling of its name and whatever its value holds, become pseudonyms;
// numbers, and members of other names, stay.
func TestRecorderScrubbedFields(t *testing.T) {
	ctx := context.Background()
	api := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="bob.roe@corp.example.com.json"`)
		w.Write([]byte(`{"data":{"passport_number":"X1234567","emergency":{"contact":"Bob Roe","phones":["+1 555 0199",7]},"note":"X1234567 is Bob Roe's"}}`))
	}))
	path := cassettePath(t)
	var live, replayed map[string]any
	for _, mode := range []rceventstest.RecorderMode{rceventstest.ModeRecord, rceventstest.ModeReplay} {
		rec, err := rceventstest.NewRecorder(path, rceventstest.WithRecorderMode(mode), rceventstest.WithScrubbedFields("Passport Number", "EMERGENCY"))
		require.NoError(t, err)
		c, err := rec.Client(rcevents.WithBaseURL(api.URL), rcevents.WithToken("t"))
		require.NoError(t, err)
		var out struct {
			Data map[string]any `json:"data"`
		}
		require.NoError(t, c.Do(ctx, http.MethodGet, "/v1/people/bob.roe@corp.example.com", nil, &out))
		require.NoError(t, rec.Close())
		live, replayed = replayed, out.Data
	}
	require.Equal(t, "X1234567", live["passport_number"])
	passport, contact := replayed["passport_number"].(string), replayed["emergency"].(map[string]any)["contact"].(string)
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, passport)
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, contact)
	assert.Equal(t, map[string]any{
		"passport_number": passport,
		"emergency":       map[string]any{"contact": contact, "phones": []any{replayed["emergency"].(map[string]any)["phones"].([]any)[0], 7.0}},
		"note":            passport + " is " + contact + "'s",
	}, replayed)
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, replayed["emergency"].(map[string]any)["phones"].([]any)[0])
	text := readCassette(t, path)
	assert.Regexp(t, `"path": "/v1/people/anon-[0-9a-f]{12}@example.invalid"`, text)
	assert.Regexp(t, `"attachment; filename=\\"anon-[0-9a-f]{12}@example.invalid\\""`, text)
	for _, personal := range []string{"X1234567", "555", "Bob", "Roe", "bob.roe", "corp."} {
		assert.NotContains(t, text, personal)
	}
}
