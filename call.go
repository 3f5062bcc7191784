package rcevents

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// A CallOption changes one call, and only that call: the client and other
// calls, in this goroutine or another, never see it. Every service method
// takes them last; an invalid one fails the call with ErrInvalidArgument
// before any request is sent.
type CallOption func(*callSettings)

// callSettings is what a call's options say.
type callSettings struct {
	response *Response
	header   http.Header
	retry    *RetryPolicy
	progress func(items, total int)

	pollFirst, pollMax time.Duration // Reports.Wait's pauses, 0 for the defaults
	personal           []string      // values errors and logs must not show (withPersonal)

	err error // the first invalid option
}

// newCallSettings reads a call's options.
func newCallSettings(opts []CallOption) (callSettings, error) {
	var cs callSettings
	for _, opt := range opts {
		if opt != nil {
			opt(&cs)
		}
	}
	return cs, cs.err
}

// WithResponse fills r with the metadata of the call's final answer (status,
// headers, request ID, rate-limit state, attempts and duration), on success
// and on error alike. For an All iterator it holds the last page's.
func WithResponse(r *Response) CallOption {
	return func(cs *callSettings) { cs.response = r }
}

// WithHeader adds a header to the call's requests; called again with the
// same key, it adds another value. Like the bearer token, the header goes
// to the API's origin only, never to another origin a redirect leads to (a
// report's storage). It refuses the headers the client sets itself
// (Accept, Accept-Encoding, Authorization, Connection, Content-Length,
// Content-Type, Host, Transfer-Encoding, User-Agent: name the application
// with WithUserAgent) and keys or values with control characters: an error
// wrapping ErrInvalidArgument, naming the header, fails the call.
func WithHeader(key, value string) CallOption {
	return func(cs *callSettings) {
		if cs.err != nil {
			return
		}
		if err := checkHeader(key, value); err != nil {
			cs.err = err
			return
		}
		if cs.header == nil {
			cs.header = http.Header{}
		}
		cs.header.Add(key, value)
	}
}

// ownHeaders are the headers the client sets itself, or that net/http
// does: one given per call would be overwritten, or would change how the
// answer is read (Accept-Encoding turns off net/http's transparent
// decompression), so WithHeader refuses them.
var ownHeaders = []string{
	"Accept",
	"Accept-Encoding",
	"Authorization",
	"Connection",
	"Content-Length",
	"Content-Type",
	"Host",
	"Transfer-Encoding",
	"User-Agent",
}

// checkHeader checks a header WithHeader would add. The value is never
// printed: a caller may pass a credential of its own.
func checkHeader(key, value string) error {
	const field = "WithHeader"
	canonical := textproto.CanonicalMIMEHeaderKey(key)
	switch {
	case key == "":
		return invalidArg(field, "header name is empty")
	case !validHeaderName(key):
		return invalidArg(field, "%q is not a valid header name", key)
	case slices.Contains(ownHeaders, canonical):
		return invalidArg(field, "%s is set by the client and cannot be set per call (the client sets %s)", canonical, strings.Join(ownHeaders, ", "))
	case hasControl(value, true):
		return invalidArg(field, "the value of %s holds a control character", canonical)
	}
	return nil
}

// WithCallRetry sets this call's retry policy, in place of the client's
// (WithRetry). Zero fields take DefaultRetryPolicy's values; MaxAttempts 1
// turns retries off, for a caller that must answer quickly.
func WithCallRetry(p RetryPolicy) CallOption {
	return func(cs *callSettings) {
		if cs.err != nil {
			return
		}
		if err := p.validate("WithCallRetry"); err != nil {
			cs.err = err
			return
		}
		q := p.withDefaults() // p is shared by every call the option is given to
		cs.retry = &q
	}
}

// withPersonal marks values the call was given that are personal data (an
// attendee's email and name): the call's errors and logs never show them,
// as they never show a credential.
func withPersonal(values ...string) CallOption {
	return func(cs *callSettings) { cs.personal = append(cs.personal, values...) }
}

// WithProgress calls fn after each page of an All iterator, once the page's
// items have been yielded, with the number of items yielded so far and the
// list's meta.count (0 when the API did not send one). It costs no request.
// Other calls ignore it.
func WithProgress(fn func(items, total int)) CallOption {
	return func(cs *callSettings) { cs.progress = fn }
}

// Response is what the API answered to a call: see WithResponse.
type Response struct {
	// StatusCode is the final answer's status, or 0 when no answer came.
	StatusCode int

	// URL is the request's URL, whole: errors and logs leave the values of
	// its filters out, since they may be attendees' data; here they are, for
	// a caller who asks. String does not print it.
	URL string

	// Header holds the final answer's headers as the server sent them.
	Header http.Header

	// RequestID is the ID the server gave the request (X-Request-Id, or
	// X-Request-ID, Request-Id, X-Correlation-Id), "" when it sent none.
	// Give it to the API's support when a call misbehaves.
	RequestID string

	// Attempts counts the requests sent, the first included.
	Attempts int

	// Duration is the time from the first attempt to the end of the call.
	Duration time.Duration

	// RateLimit is the rate-limit state the answer announced; zero when it
	// announced none.
	RateLimit RateLimit
}

// String describes the response without its headers, which may carry
// values the server echoed, and without its URL.
func (r Response) String() string {
	s := fmt.Sprintf("%d %s, %d attempts in %s", r.StatusCode, http.StatusText(r.StatusCode), r.Attempts, r.Duration.Round(time.Millisecond))
	if r.RequestID != "" {
		s += ", request " + r.RequestID
	}
	return s
}

// Format prints the response as String does, whatever the verb, so that %v
// and %+v never print its headers or its URL.
func (r Response) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, r.String())
}

// RateLimit is a rate-limit state the API announced: in RateLimit-Limit,
// -Remaining and -Reset headers (the IETF draft), their X-RateLimit- forms,
// or RingCentral's X-Rate-Limit-Limit, -Remaining and -Window. It is the zero
// RateLimit when the answer announced none, or counts no server means
// (beyond a billion); a reset beyond a year, or not a number, is left zero.
type RateLimit struct {
	Limit     int           // requests allowed in the window
	Remaining int           // requests left in the window
	Reset     time.Time     // when the quota is whole again; zero if not announced
	Window    time.Duration // the length of a fixed window (X-Rate-Limit-Window); zero if not announced
}

// requestIDHeaders are the headers a request ID may come in, most common first.
var requestIDHeaders = [...]string{"X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-Requestid"}

// requestID returns the request ID h carries, or "".
func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// Do sends a request to an endpoint the SDK does not wrap, through the same
// pipeline as every typed call: the bearer token (sent only to the API's
// origin), the rate limit, the retry rules of its method, errors as
// *APIError, and the call options.
//
// path is below the base URL ("/v1/events/evt_1/things"), with an optional
// query. Do refuses, with ErrInvalidArgument and no request, an absolute
// URL; a path or query holding a space, a control character, '#' or '\'
// (written as it is or percent-encoded, once or more); and a "." or ".."
// segment in any spelling ("%2e%2e", "..;"), in the path or in a query
// value: a server may read any of these as a way out of the base URL.
//
// body, when not nil, is sent as JSON exactly as it marshals: Do adds no
// envelope, so build the JSON:API one the API's writes take with
// RequestBody. A json.RawMessage, jsontext.Value or []byte is JSON text
// already, sent byte for byte; Do refuses one that is not valid JSON
// (RFC 8259, which allows an object to repeat a name).
//
// out is nil or a non-nil pointer, else Do refuses the call before sending
// it. It receives the answer's JSON: a *json.RawMessage or
// *jsontext.Value gets it as it came, any other pointer is decoded into as
// the SDK decodes its models. An answer without a body (204) leaves out as
// it is.
//
// Do takes the values of the query's parameters (but a page or perPage
// number) and the email addresses in body for personal data: its errors and
// logs never show them, in any form a server may echo them in. Which other
// strings of body are personal (a name) Do cannot tell: an error that
// repeats them shows them.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, opts ...CallOption) error {
	if method == "" || !validHeaderName(method) {
		return invalidArg("method", "%q is not an HTTP method", method)
	}
	p, query, err := checkDoPath(path)
	if err != nil {
		return err
	}
	if body, err = checkDoBody(body); err != nil {
		return err
	}
	if v := reflect.ValueOf(out); out != nil && (v.Kind() != reflect.Pointer || v.IsNil()) {
		return invalidArg("out", "must be nil or a non-nil pointer, got %T", out)
	}
	if text, ok := body.(jsontext.Value); ok {
		opts = append(slices.Clip(opts), withPersonal(bodyEmails(text)...)) // the query's: see exchange.build
	}
	r := call{method: strings.ToUpper(method), path: p, rawQuery: query, body: body, opts: opts}
	return c.do(ctx, r, func(resp *http.Response) error {
		if out == nil || resp.StatusCode == http.StatusNoContent {
			return nil
		}
		return decodeJSON(resp.Body, out)
	})
}

// queryPersonal returns what errors and logs must not show of a query, as
// they show none of its values in a URL: each value but page numbers, whole
// and the email addresses in it ("a@x.org,b@y.org").
func queryPersonal(query string) []string {
	var values []string
	params, _ := url.ParseQuery(query)
	for name, vs := range params {
		for _, v := range vs {
			if (name != "page" && name != "perPage") || strings.Trim(v, "0123456789") != "" {
				values = append(append(values, v), emailsIn(v)...)
			}
		}
	}
	return values
}

// bodyEmails returns the email addresses in the strings of body.
func bodyEmails(body jsontext.Value) []string {
	var emails []string
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for tok, err := dec.ReadToken(); err == nil; tok, err = dec.ReadToken() {
		if tok.Kind() == '"' {
			emails = append(emails, emailsIn(tok.String())...)
		}
	}
	return emails
}

// emailsIn returns the words of t that hold an "@".
func emailsIn(t string) []string {
	var emails []string
	for _, f := range strings.FieldsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`,;:<>()[]"'`, r) }) {
		if strings.Contains(f, "@") {
			emails = append(emails, f)
		}
	}
	return emails
}

// checkDoPath checks a path given to Do and returns its escaped path and
// its query. Its errors quote the path without its query, which may hold
// an attendee's email, or a credential in a refused absolute URL.
func checkDoPath(raw string) (path, query string, err error) {
	const field = "path"
	shown, _, _ := strings.Cut(raw, "?")
	switch {
	case !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//"):
		return "", "", invalidArg(field, "must begin with a single '/': it is a path below the base URL")
	case hasControl(raw, false) || strings.ContainsAny(raw, " \\#"):
		return "", "", invalidArg(field, "holds a control character, a space, '\\' or '#'")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "", "", invalidArg(field, "%q is not a path below the base URL", shown)
	}
	if what := unsafePath(u.EscapedPath()); what != "" {
		return "", "", invalidArg(field, "%q holds %s", shown, what)
	}
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if what := unsafePath(pair); what != "" {
			return "", "", invalidArg(field, "%q has a query that holds %s", shown, what)
		}
	}
	return u.EscapedPath(), u.RawQuery, nil
}

// unsafePath says what in s, a path or a query's name=value pair, a server
// might read as a way out of the base URL, or "" when nothing is. s is
// percent-decoded as often as it decodes, so that "%255C" counts as '\\'
// and "%252e%252e" as "..". A segment is what lies between slashes, or
// after a query name's '='; one whose part before a ';' is "." or ".."
// counts, as a Java servlet container reads "..;" as "..". What it says
// never quotes s, which may hold an attendee's email.
func unsafePath(s string) string {
	for {
		d, err := url.PathUnescape(s)
		if err != nil || d == s {
			break
		}
		s = d
	}
	switch {
	case !utf8.ValidString(s):
		return "bytes that are not UTF-8" // "%c0%ae" is an overlong '.'
	case strings.ContainsRune(s, '\\'):
		return "an encoded '\\'"
	case hasControl(s, false):
		return "an encoded control character"
	}
	for _, seg := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '=' }) {
		if dots, _, _ := strings.Cut(seg, ";"); dots == "." || dots == ".." {
			return fmt.Sprintf("a %q segment", dots)
		}
	}
	return ""
}

// checkDoBody returns the body Do sends: JSON text (json.RawMessage,
// jsontext.Value, []byte), once checked, or any other value encoded, as a
// jsontext.Value, which the pipeline sends byte for byte; nil, or a value
// that cannot be encoded, which the pipeline refuses naming the request.
func checkDoBody(body any) (any, error) {
	var text jsontext.Value
	switch b := body.(type) {
	case stdjson.RawMessage:
		text = jsontext.Value(b)
	case jsontext.Value:
		text = b
	case []byte:
		text = jsontext.Value(b)
	case nil:
		return nil, nil
	default:
		encoded, err := encodeBody(body)
		if err != nil {
			return body, nil
		}
		return jsontext.Value(encoded), nil
	}
	if !text.IsValid(jsontext.AllowDuplicateNames(true)) {
		return nil, invalidArg("body", "is not valid JSON (RFC 8259), and JSON text is sent as it is")
	}
	return text, nil
}

// RequestBody wraps attributes in the envelope the API's writes take,
// {"data": {"type": typ, "attributes": attributes}}, for Client.Do. An empty
// typ is left out.
func RequestBody(typ string, attributes any) any {
	return requestDocument{Data: requestResource{Type: typ, Attributes: attributes}}
}

// requestDocument is the body of a create or update request.
type requestDocument struct {
	Data requestResource `json:"data"`
}

type requestResource struct {
	Type       string `json:"type,omitempty"`
	Attributes any    `json:"attributes"`
}
