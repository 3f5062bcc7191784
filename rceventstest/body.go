package rceventstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
)

// maxBody bounds what a request body may hold; the API's bodies are a few kilobytes.
const maxBody = 1 << 20

// attrs holds the attributes of a request body and collects what is wrong with them, so a
// handler reads every attribute it knows and then answers all the problems in one 422.
type attrs struct {
	raw  map[string]json.RawMessage
	base string // JSON pointer of the object holding the attributes
	errs []apiError
}

// readBody reads a JSON:API request body {"data":{"type","attributes"}} whose data.type
// must be typ (compared case-insensitively: the reference itself writes "Registration"
// once). An empty body stands for no attributes. It answers 400 for malformed JSON and 422
// for a missing or wrong type, and then reports false.
func readBody(w http.ResponseWriter, r *http.Request, typ string) (*attrs, bool) {
	body, ok := readRaw(w, r)
	if !ok {
		return nil, false
	}
	a := &attrs{raw: map[string]json.RawMessage{}, base: "/data/attributes"}
	if len(bytes.TrimSpace(body)) == 0 {
		return a, true
	}
	var doc struct {
		Data *struct {
			Type       *string                    `json:"type"`
			Attributes map[string]json.RawMessage `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		writeMalformed(w, err)
		return nil, false
	}
	switch {
	case doc.Data == nil:
		a.fail("/data", "blank", "data can't be blank")
	case typ != "" && (doc.Data.Type == nil || *doc.Data.Type == ""):
		a.fail("/data/type", "blank", "type can't be blank")
	case typ != "" && !strings.EqualFold(*doc.Data.Type, typ):
		a.fail("/data/type", "invalid", fmt.Sprintf("type must be %q, not %q", typ, *doc.Data.Type))
	}
	if !a.ok(w) {
		return nil, false
	}
	if doc.Data.Attributes != nil {
		a.raw = doc.Data.Attributes
	}
	return a, true
}

// readFlatBody reads a body whose attributes are the top-level object, as the deprecated
// POST /v1/magic_link sends them.
func readFlatBody(w http.ResponseWriter, r *http.Request) (*attrs, bool) {
	body, ok := readRaw(w, r)
	if !ok {
		return nil, false
	}
	a := &attrs{raw: map[string]json.RawMessage{}}
	if len(bytes.TrimSpace(body)) == 0 {
		return a, true
	}
	if err := json.Unmarshal(body, &a.raw); err != nil {
		writeMalformed(w, err)
		return nil, false
	}
	return a, true
}

func readRaw(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Code: "payload_too_large", Detail: "the request body exceeds 1 MiB"})
		} else {
			writeErrors(w, http.StatusBadRequest, apiError{Code: "bad_request", Detail: "reading the request body: " + err.Error()})
		}
		return nil, false
	}
	return body, true
}

func writeMalformed(w http.ResponseWriter, err error) {
	writeErrors(w, http.StatusBadRequest, apiError{Code: "bad_request", Detail: "the request body is not valid JSON: " + err.Error()})
}

// fail records one problem with the attribute at pointer.
func (a *attrs) fail(pointer, code, detail string) {
	a.errs = append(a.errs, apiError{Code: code, Title: "Invalid Attribute", Detail: detail, Source: errorSource{Pointer: pointer}})
}

func (a *attrs) failAttr(name, code, detail string) { a.fail(a.base+"/"+name, code, detail) }

// ok reports whether no problem was recorded; otherwise it answers them all in a 422.
func (a *attrs) ok(w http.ResponseWriter) bool {
	if len(a.errs) == 0 {
		return true
	}
	writeErrors(w, http.StatusUnprocessableEntity, a.errs...)
	return false
}

// only rejects attributes the operation does not document. The real API ignores them; the
// fake refuses them so that a misspelled name fails a test instead of being dropped silently.
func (a *attrs) only(names ...string) {
	var unknown []string
	for k := range a.raw {
		if !slices.Contains(names, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		a.failAttr(k, "unknown_attribute", fmt.Sprintf("%s is not an attribute of this request; known: %s", k, strings.Join(names, ", ")))
	}
}

// has reports whether the attribute was sent with a value other than null.
func (a *attrs) has(name string) bool {
	v, ok := a.raw[name]
	return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// decode unmarshals the attribute into dst, recording a type error as "invalid".
func (a *attrs) decode(name, want string, dst any) bool {
	if !a.has(name) {
		return false
	}
	if err := json.Unmarshal(a.raw[name], dst); err != nil {
		a.failAttr(name, "invalid", fmt.Sprintf("%s must be %s", name, want))
		return false
	}
	return true
}

// str reads a string attribute; a required one must be present and not blank.
func (a *attrs) str(name string, required bool) string {
	var s string
	if !a.decode(name, "a string", &s) {
		if required && !a.has(name) {
			a.failAttr(name, "blank", name+" can't be blank")
		}
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		a.failAttr(name, "blank", name+" can't be blank")
	}
	return s
}

// optStr reads an optional string attribute and reports whether it was sent.
func (a *attrs) optStr(name string) (string, bool) {
	var s string
	return s, a.decode(name, "a string", &s)
}

// enum reads a string attribute that must be one of allowed.
func (a *attrs) enum(name string, required bool, allowed ...string) string {
	s := a.str(name, required)
	if s != "" && !slices.Contains(allowed, s) {
		a.failAttr(name, "inclusion", fmt.Sprintf("%s %q is not included in the list: %s", name, s, strings.Join(allowed, ", ")))
		return ""
	}
	return s
}

// email reads an e-mail address attribute.
func (a *attrs) email(name string, required bool) string {
	s := a.str(name, required)
	if s != "" && !emailPattern.MatchString(s) {
		a.failAttr(name, "invalid", fmt.Sprintf("%s %q is not an e-mail address", name, s))
	}
	return s
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// timezone reads a timezone attribute, which must be one of the API's documented names.
func (a *attrs) timezone(name string, required bool) string {
	s := a.str(name, required)
	if s != "" && !validTimezone(s) {
		a.failAttr(name, "inclusion", fmt.Sprintf("%s %q is not a supported timezone", name, s))
		return ""
	}
	return s
}

// time reads an RFC 3339 date-time attribute.
func (a *attrs) time(name string, required bool) (time.Time, bool) {
	s := a.str(name, required)
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		a.failAttr(name, "invalid", fmt.Sprintf("%s %q is not an RFC 3339 date-time", name, s))
		return time.Time{}, false
	}
	return t, true
}

func (a *attrs) integer(name string) (int, bool) {
	var n int
	return n, a.decode(name, "an integer", &n)
}

func (a *attrs) number(name string) (float64, bool) {
	var f float64
	return f, a.decode(name, "a number", &f)
}

func (a *attrs) boolean(name string) (bool, bool) {
	var b bool
	return b, a.decode(name, "a boolean", &b)
}

// stringMap reads an object whose values must all be strings (metadata, extraFields).
func (a *attrs) stringMap(name string) (map[string]string, bool) {
	var m map[string]string
	return m, a.decode(name, "an object of strings", &m)
}

// object reads any JSON object (event metadata).
func (a *attrs) object(name string) (map[string]any, bool) {
	var m map[string]any
	return m, a.decode(name, "an object", &m)
}

// validTimezone reports whether name is one of the documented timezone names.
func validTimezone(name string) bool {
	_, ok := timezoneSet[name]
	return ok
}

// timezoneSet holds the timezone names of the API reference, as the SDK lists them.
var timezoneSet = func() map[string]struct{} {
	names := rcevents.Timezones()
	m := make(map[string]struct{}, len(names))
	for _, tz := range names {
		m[tz] = struct{}{}
	}
	return m
}()

// validHTTPURL reports whether s is an absolute http or https URL.
func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
