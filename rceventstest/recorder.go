package rceventstest

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	rcevents "github.com/rcevents/rcevents-go"
)

// A Recorder records what a test's requests to the real API are answered into a cassette,
// a file beside the test, and answers them from it in later runs, which then need no network
// and no credentials:
//
//	rec, err := rceventstest.NewRecorder("testdata/attendees.cassette") // RCEVENTS_RECORD=1 records, else replays
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer rec.Close() // when recording, writes the cassette
//	c, err := rec.Client()
//
// With RCEVENTS_RECORD=1 in the environment (or WithRecorderMode(ModeRecord)) it records:
// requests go to the API, with the credentials of the environment (see Client), and Close
// writes the cassette. Otherwise it replays, and NewRecorder fails if the cassette does
// not exist.
//
// # What a cassette holds
//
// A cassette is a JSON file made to be reviewed: one interaction per request, sorted by
// method, path, query and body, with each body as indented JSON, or else as lines of text.
// It keeps a request's method, path, query and body, and an answer's status, body and
// Content-Type, Content-Disposition and Location headers: no other header, so no
// Authorization header, request ID or date. Recording the same answers again writes the
// same file, so that its diff shows what the API changed: the port of a loopback address
// (a fake or a proxy on this machine) is written as a rank, :1, :2 and so on, so that a
// random port changes nothing. A 429 answer is not recorded: the retry the client sends
// after it is.
//
// It holds no secret. The token exchange is not recorded at all; the client secret, the
// tokens and the credential of every Authorization header are replaced by "REDACTED"
// wherever else they appear, as are the query values of 8 characters or more of a URL on
// another origin than the API's (a report's pre-signed download URL, and the request for
// it), and a magic link (a login link for one person: the value of a magicLink or
// magic_link member, or of a CSV column so named) becomes its scheme and host followed by
// /REDACTED. Before it writes the file, Close looks for each secret it saw in every string
// the file holds, in the forms a server echoes a value in (escaped for JSON, a URL or
// HTML), and writes nothing if it finds one: its error names what kind of secret it was,
// never its value.
//
// It holds no attendee's personal data either. Every email address anywhere (in paths,
// queries, bodies, report files and headers), and the string values of the JSON members
// and CSV columns named email, firstName, lastName, fullName, phone, phoneNumber,
// linkedin, twitter, facebook or instagram, wherever they are (compared by their letters
// and digits, ignoring case: first_name and "First name" are firstName), or named by
// WithScrubbedFields, become pseudonyms: "anon-" and 12 hexadecimal digits, followed by
// "@example.invalid" for an email. A value gets the same pseudonym throughout the
// cassette, and in every recording of it; an email gets one whatever its case. Other
// attributes are kept: a registration's bio, headline and answers to the event's
// questions among them; name them with WithScrubbedFields to scrub them too.
//
// # Pseudonyms, and what they protect
//
// A pseudonym is HMAC-SHA256 of the value, keyed with a salt drawn at random for each new
// cassette and kept in it (a re-recording keeps it), cut to 48 bits. The salt must be in
// the file, since a replay computes the pseudonyms of the values its test sends, and so it
// protects attendees from readers of the file, not from guesses: whoever holds the
// cassette and a list of candidate emails or names can compute their pseudonyms and see
// which are in it. Each cassette's salt is its own: pseudonyms computed for one are worth
// nothing for another.
//
// # Replaying
//
// A replayed request is matched by its method, path, query parameters in any order and
// body (JSON compared as JSON), after its emails and names are turned into pseudonyms, so
// that the same test code replays: a look-up by an email finds the answer recorded for it,
// and that answer carries the pseudonym. Headers are never compared. Requests asked
// concurrently are answered whatever their order; the same request asked again gets the
// answers it got when recorded, in their order (a report's status: 202, 202, then 200). A
// request the cassette has no answer for, or no answer left for, fails at once with an
// error wrapping ErrNotRecorded that names its method and path but not its query's values;
// the client does not retry it (see rcevents.RetryPolicy).
//
// A value is known to be personal data where it is an email or the value of a field
// named above. When recording, what the answers held is known too; when replaying, only
// what the requests so far held. So a name that a test writes where the API takes no name
// (a metadata value, an event's title), which the recording knew from an answer but no
// request named before, becomes a pseudonym in the cassette but not in the replay, where
// the request then fails with ErrNotRecorded.
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	mode RecorderMode
	hc   *http.Client
	tape tape

	once sync.Once
	err  error // of Close
}

// tape is what a Recorder does: record or replay.
type tape interface {
	http.RoundTripper
	close() error
}

// RecorderMode says whether a Recorder records or replays.
type RecorderMode int

// ModeReplay answers requests from the cassette, with no network.
const ModeReplay RecorderMode = 0

// ModeRecord sends requests to the API and writes what they are answered to the cassette
// when the Recorder is closed.
const ModeRecord RecorderMode = 1

// recordEnv is the environment variable that makes recorders record when it is "1".
const recordEnv = "RCEVENTS_RECORD"

// ErrNotRecorded is wrapped by the error of a replayed request that the cassette holds no
// answer for.
var ErrNotRecorded = errors.New("rceventstest: request not recorded")

// A RecorderOption configures a Recorder made by NewRecorder.
type RecorderOption func(*recorderConfig)

type recorderConfig struct {
	mode   RecorderMode
	fields []string // WithScrubbedFields
}

// WithRecorderMode sets the mode, whatever RCEVENTS_RECORD says.
func WithRecorderMode(m RecorderMode) RecorderOption {
	return func(c *recorderConfig) { c.mode = m }
}

// WithScrubbedFields names more JSON members and CSV columns whose string values are
// personal data, as firstName is: a phone number, an answer to a registration question.
// Names are compared by their letters and digits, ignoring case. Every string within such
// a member's value (an object or a list) becomes a pseudonym, wherever in the cassette it
// appears. A replay must be made with the same names as the recording.
func WithScrubbedFields(names ...string) RecorderOption {
	return func(c *recorderConfig) { c.fields = append(c.fields, names...) }
}

// NewRecorder returns a Recorder of the cassette at path, recording if RCEVENTS_RECORD is
// "1" and replaying otherwise, unless WithRecorderMode says which. To replay, it reads the
// cassette, and fails with an error wrapping fs.ErrNotExist, which says how to record it,
// if there is none. To record, it reads the cassette only for its salt (see Recorder), if
// there is one, and writes nothing before Close.
func NewRecorder(path string, opts ...RecorderOption) (*Recorder, error) {
	cfg := recorderConfig{mode: ModeReplay}
	if os.Getenv(recordEnv) == "1" {
		cfg.mode = ModeRecord
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	old, err := readCassette(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && cfg.mode == ModeReplay:
		return nil, fmt.Errorf("rceventstest: no cassette %s to replay (%w): record it by running the test with %s=1 and the API's credentials in the environment (RCEVENTS_CLIENT_ID and RCEVENTS_CLIENT_SECRET, or RCEVENTS_TOKEN)",
			path, fs.ErrNotExist, recordEnv)
	case errors.Is(err, fs.ErrNotExist):
		old = &cassette{Salt: newSalt()}
	case err != nil:
		return nil, err
	}
	salt, err := base64.RawURLEncoding.DecodeString(old.Salt)
	if err != nil || len(salt) < saltBytes {
		return nil, fmt.Errorf("rceventstest: cassette %s: its pseudonymSalt is not %d bytes or more in unpadded base64url", path, saltBytes)
	}
	r := &Recorder{mode: cfg.mode}
	s := newScrubber(salt, cfg.fields)
	if cfg.mode == ModeRecord {
		r.tape = newRecording(path, s)
	} else {
		r.tape = newReplay(path, s, old)
	}
	r.hc = &http.Client{Transport: r.tape}
	return r, nil
}

// saltBytes is the length of a cassette's salt: 128 bits, as NIST SP 800-132 asks of a salt.
const saltBytes = 16

func newSalt() string {
	b := make([]byte, saltBytes)
	_, _ = rand.Read(b) // crypto/rand's Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// replayToken is the token of a replaying client made by Client without credentials. The
// recorder answers a token exchange with it too.
const replayToken = "rceventstest-replay"

// Client returns a client that talks to the API through the recorder.
//
// When recording, it is made as rcevents.NewClientFromEnv makes one: with the credentials
// and base URL of opts or, where opts have none, of the environment. When replaying, it
// needs no credentials and reads no environment: opts may hold credentials (the same test
// code then records and replays), whose token exchange the recorder answers itself, and
// without any the client has a placeholder token; its base URL is
// rcevents.DefaultBaseURL unless opts say otherwise (the base URL is not matched, but a
// path prefix of it is). Either way, an rcevents.WithHTTPClient among opts is overridden.
func (r *Recorder) Client(opts ...rcevents.Option) (*rcevents.Client, error) {
	opts = append(slices.Clip(opts), rcevents.WithHTTPClient(r.hc))
	if r.mode == ModeRecord {
		return rcevents.NewClientFromEnv(opts...)
	}
	if c, err := rcevents.NewClient(opts...); err == nil {
		return c, nil
	}
	// Without credentials of its own: errors that come before the credentials are
	// checked are the same on this try.
	return rcevents.NewClient(append([]rcevents.Option{rcevents.WithToken(replayToken)}, opts...)...)
}

// HTTPClient returns the HTTP client the recorder's clients send their requests through,
// for a client made otherwise than by Client: rcevents.WithHTTPClient(rec.HTTPClient()).
// When replaying, such a client may hold any credentials: the recorder answers a token
// exchange (a POST to a path ending in /v1/auth/token) with a placeholder token, and
// records none when recording. It is the same client at every call.
func (r *Recorder) HTTPClient() *http.Client { return r.hc }

// Close ends the recorder: requests through it fail from then on. When recording, it
// writes the cassette, in full or not at all, unless it would hold a secret it saw (see
// Recorder) or an answer that is not text (a binary file, which cannot be scrubbed), in
// which case it writes nothing and says why. When replaying, it returns nil. Calls after
// the first return what the first did.
func (r *Recorder) Close() error {
	r.once.Do(func() { r.err = r.tape.close() })
	return r.err
}

// errClosed fails requests through a closed recorder.
func errClosed(path string) error {
	return fmt.Errorf("rceventstest: the recorder of %s is closed", path)
}

// requestBody reads and closes a request's body, as a RoundTripper must close it.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// isTokenExchange reports whether req asks for a token: the API's token endpoint is
// {base URL}/v1/auth/token.
func isTokenExchange(req *http.Request) bool {
	return req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, tokenPath)
}
