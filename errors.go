package rcevents

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
)

// Sentinel errors that an *APIError matches with errors.Is, by status code.
var (
	ErrBadRequest    = errors.New("rcevents: bad request")          // 400
	ErrUnauthorized  = errors.New("rcevents: unauthorized")         // 401
	ErrForbidden     = errors.New("rcevents: forbidden")            // 403
	ErrNotFound      = errors.New("rcevents: not found")            // 404
	ErrUnprocessable = errors.New("rcevents: unprocessable entity") // 422
	ErrRateLimited   = errors.New("rcevents: rate limited")         // 429
	ErrServer        = errors.New("rcevents: server error")         // 5xx
)

// ErrInvalidArgument is wrapped by every error of client-side validation. When
// a call returns it, no request was sent.
var ErrInvalidArgument = errors.New("rcevents: invalid argument")

// ErrOutcomeUnknown is wrapped by the error of a write that may or may not
// have taken effect: the request was sent and no answer said what happened
// (the connection was lost after sending, the attempt timed out, a 5xx
// other than 503, or a 2xx answer that could not be read). A 429, another
// 4xx, a 503, and a failure before the request was sent leave the outcome
// known: nothing was done. Such a write is never retried, since the API has
// no idempotency keys; look before writing again, or use an Ensure method.
var ErrOutcomeUnknown = errors.New("rcevents: outcome unknown")

// outcomeError marks an error with ErrOutcomeUnknown.
type outcomeError struct{ err error }

func (e *outcomeError) Error() string {
	return e.err.Error() + " (outcome unknown: the server may have acted on the request)"
}

func (e *outcomeError) Unwrap() []error { return []error{e.err, ErrOutcomeUnknown} }

// APIError is an answer from the API, or a gateway in front of it, with a
// status outside 2xx.
type APIError struct {
	StatusCode int
	Method     string

	// URL is the request's, as errors show it: without credentials, and
	// with the value of every query parameter but page and perPage
	// replaced by "…" (filter[email][eq]=…), as filter values may be
	// personal data.
	URL string

	// RequestID is the ID the server gave the request, "" if it sent none:
	// see Response.RequestID.
	RequestID string

	// Header holds the answer's headers as the server sent them.
	Header http.Header

	// Errors are the JSON:API error objects of the answer, if it had any.
	Errors []ErrorObject

	// RetryAfter is the wait the server asked for with Retry-After, or zero.
	RetryAfter time.Duration

	// Body holds the first bytes of an answer that was not a JSON:API error
	// document, such as the HTML page of a gateway. It is empty otherwise.
	Body string
}

// ErrorObject is one JSON:API error object.
type ErrorObject struct {
	Code   string       `json:"code"`
	Detail string       `json:"detail"`
	Status string       `json:"status"` // the status code, as a string
	Title  string       `json:"title"`
	Source *ErrorSource `json:"source,omitempty"`
}

// ErrorSource points at the part of the request an error is about.
type ErrorSource struct {
	Pointer   string `json:"pointer,omitempty"`   // a JSON pointer into the request body
	Parameter string `json:"parameter,omitempty"` // a query parameter
}

// Error names the request, the status and what the API said about it.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rcevents: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	for i, o := range e.Errors {
		if i == 0 {
			b.WriteString(":")
		} else {
			b.WriteString(";")
		}
		if msg := o.message(); msg != "" {
			b.WriteString(" ")
			b.WriteString(msg)
		}
	}
	if len(e.Errors) == 0 && e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

func (o ErrorObject) message() string {
	msg := o.Detail
	if msg == "" {
		msg = o.Title
	}
	if o.Source != nil {
		switch {
		case o.Source.Pointer != "":
			msg = o.Source.Pointer + ": " + msg
		case o.Source.Parameter != "":
			msg = o.Source.Parameter + ": " + msg
		}
	}
	return msg
}

// Format prints the error as Error does, whatever the verb: %+v and %#v
// would print Header, which holds what the server sent, echoes included.
func (e *APIError) Format(f fmt.State, _ rune) {
	io.WriteString(f, e.Error())
}

// Is reports whether the sentinel target stands for e's status code, so that
// errors.Is(err, ErrNotFound) works on any *APIError.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnprocessable:
		return e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

const (
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 64 << 10
	// maxErrorSnippet bounds APIError.Body.
	maxErrorSnippet = 512
)

// newAPIError reads a failed answer, up to maxErrorBody bytes, into an
// *APIError, with r's secrets cut out of everything it shows. rawURL is the
// request's URL as it is to be shown. The caller closes the body.
func newAPIError(resp *http.Response, method, rawURL string, now time.Time, r *redactor) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     method,
		URL:        rawURL,
		RequestID:  requestID(resp.Header),
		Header:     resp.Header,
	}
	e.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e.Errors, e.Body = decodeErrorBody(body, r)
	return e
}

// decodeErrorBody returns the JSON:API errors of body, or, when body is not
// such a document, a bounded, printable snippet of it; either way with r's
// secrets cut out. They are cut from the decoded text, where the escapes of
// JSON no longer hide them, and from the body before the snippet is taken,
// so that a cut cannot leave the start of a secret.
func decodeErrorBody(body []byte, r *redactor) ([]ErrorObject, string) {
	var doc struct {
		Errors []ErrorObject `json:"errors"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &doc, decodeOptions) == nil && len(doc.Errors) > 0 {
		for i := range doc.Errors {
			doc.Errors[i].cut(r.redact)
		}
		return doc.Errors, ""
	}
	return nil, r.redactSnippet(trimmed)
}

// cut passes every field of o through cut, which takes out what must not
// be shown: the client's secrets, an email.
func (o *ErrorObject) cut(cut func(string) string) {
	o.Code, o.Detail, o.Status, o.Title = cut(o.Code), cut(o.Detail), cut(o.Status), cut(o.Title)
	if o.Source != nil {
		src := *o.Source
		src.Pointer, src.Parameter = cut(src.Pointer), cut(src.Parameter)
		o.Source = &src
	}
}

// snippet returns at most n bytes of b as valid UTF-8, marking a cut with "…".
// Bytes that are not UTF-8 become U+FFFD first, so that they neither stretch
// the snippet past n nor cut it short.
func snippet(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// invalidArg returns an error wrapping ErrInvalidArgument that names the field
// at fault.
func invalidArg(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidArgument, field, fmt.Sprintf(format, args...))
}
