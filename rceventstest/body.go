package rceventstest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	rcevents "github.com/rcevents/rcevents-go"
)

// maxBody bounds what a request body may hold; the API's bodies are a few kilobytes.
const maxBody = 1 << 20

// attrs holds the attributes of a request body and collects what is wrong with them, so a
// handler reads every attribute it knows and then answers all the problems in one 422.
type attrs struct {
	raw  map[string]jsontext.Value
	base string // JSON pointer of the object holding the attributes
	errs []apiError
}

// begin is the prologue of the handlers that write: the resource the path names (what, id)
// must exist, as found tells under the read lock (404); the body must be a JSON:API
// document of type typ (see readBody); and its attributes must be among allowed (422,
// answered with the other problems the handler then finds).
func (s *Server) begin(w http.ResponseWriter, r *http.Request, what, id string, found func(string) bool, typ string, allowed ...string) (*attrs, bool) {
	if !s.exists(found, id) {
		writeNotFound(w, what, id)
		return nil, false
	}
	a, ok := readBody(w, r, typ)
	if ok {
		a.only(allowed...)
	}
	return a, ok
}

// readBody reads a JSON:API request body {"data":{"type","attributes"}} whose data.type
// must be typ (compared case-insensitively: the reference itself writes "Registration"
// once). An empty body stands for no attributes. It answers 400 for a body that is not
// JSON, and 422 for a missing or wrong type, and then reports false. As encoding/json/v2
// reads JSON by default, a member named twice or invalid UTF-8 is not JSON: accepting it,
// as encoding/json did, would store data the client never meant to send.
func readBody(w http.ResponseWriter, r *http.Request, typ string) (*attrs, bool) {
	var doc struct {
		Data *struct {
			Type       *string                   `json:"type"`
			Attributes map[string]jsontext.Value `json:"attributes"`
		} `json:"data"`
	}
	empty, ok := readJSON(w, r, &doc)
	a := &attrs{raw: map[string]jsontext.Value{}, base: "/data/attributes"}
	switch {
	case !ok:
		return nil, false
	case empty:
		return a, true
	case doc.Data == nil:
		a.fail("/data", "blank", "data can't be blank")
	case typ != "" && (doc.Data.Type == nil || *doc.Data.Type == ""):
		a.fail("/data/type", "blank", "type can't be blank")
	case typ != "" && !strings.EqualFold(*doc.Data.Type, typ):
		a.fail("/data/type", "invalid", fmt.Sprintf("type must be %q, not %q", typ, *doc.Data.Type))
	case doc.Data.Attributes != nil:
		a.raw = doc.Data.Attributes
	}
	return a, a.ok(w)
}

// readFlatBody reads a body whose attributes are the top-level object, as the deprecated
// POST /v1/magic_link sends them.
func readFlatBody(w http.ResponseWriter, r *http.Request) (*attrs, bool) {
	a := &attrs{raw: map[string]jsontext.Value{}}
	_, ok := readJSON(w, r, &a.raw)
	return a, ok
}

// readJSON decodes the request body into v, unless it is empty (only white space). It
// answers 413 for a body above maxBody and 400 for one that is not JSON, and then reports
// false.
func readJSON(w http.ResponseWriter, r *http.Request, v any) (empty, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Code: "payload_too_large", Detail: "the request body exceeds 1 MiB"})
	case err != nil:
		writeErrors(w, http.StatusBadRequest, apiError{Code: "bad_request", Detail: "reading the request body: " + err.Error()})
	case len(bytes.TrimSpace(body)) == 0:
		return true, true
	default:
		if err = json.Unmarshal(body, v); err == nil {
			return false, true
		}
		writeErrors(w, http.StatusBadRequest, apiError{Code: "bad_request", Detail: "the request body is not valid JSON: " + err.Error()})
	}
	return false, false
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
	for _, k := range slices.Sorted(maps.Keys(a.raw)) {
		if !slices.Contains(names, k) {
			a.failAttr(k, "unknown_attribute", fmt.Sprintf("%s is not an attribute of this request; known: %s", k, strings.Join(names, ", ")))
		}
	}
}

// has reports whether the attribute was sent with a value other than null.
func (a *attrs) has(name string) bool {
	v, ok := a.raw[name]
	return ok && v.Kind() != 'n'
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
	if ok := a.decode(name, "a string", &s); required && strings.TrimSpace(s) == "" && (ok || !a.has(name)) {
		a.failAttr(name, "blank", name+" can't be blank")
	}
	return s
}

// optStr reads an optional string attribute and reports whether it was sent.
func (a *attrs) optStr(name string) (string, bool) { return get[string](a, name, "a string") }

// enum reads a string attribute that must be one of allowed.
func enum[T ~string](a *attrs, name string, required bool, allowed ...T) T {
	s := T(a.str(name, required))
	if s != "" && !slices.Contains(allowed, s) {
		names := make([]string, len(allowed))
		for i, v := range allowed {
			names[i] = string(v)
		}
		a.failAttr(name, "inclusion", fmt.Sprintf("%s %q is not included in the list: %s", name, s, strings.Join(names, ", ")))
		return ""
	}
	return s
}

// email reads an e-mail address attribute. Like the SDK, the fake never repeats personal
// data in an error.
func (a *attrs) email(name string, required bool) string {
	s := a.str(name, required)
	if s != "" && !emailPattern.MatchString(s) {
		a.failAttr(name, "invalid", name+" is not an e-mail address")
	}
	return s
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// timezone reads a timezone attribute, which must be one of the API's documented names.
func (a *attrs) timezone(name string, required bool) string {
	s := a.str(name, required)
	if s != "" && !slices.Contains(rcevents.Timezones(), s) {
		a.failAttr(name, "inclusion", fmt.Sprintf("%s %q is not a supported timezone", name, s))
		return ""
	}
	return s
}

// time reads an RFC 3339 date-time attribute.
func (a *attrs) time(name string, required bool) (time.Time, bool) {
	s := a.str(name, required)
	t, err := time.Parse(time.RFC3339, s)
	if s != "" && err != nil {
		a.failAttr(name, "invalid", fmt.Sprintf("%s %q is not an RFC 3339 date-time", name, s))
	}
	return t, s != "" && err == nil
}

// get reads an attribute of type T (want describes it in the error when it has another)
// and reports whether it was sent.
func get[T any](a *attrs, name, want string) (T, bool) {
	var v T
	return v, a.decode(name, want, &v)
}
