package rceventstest

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// resource is one JSON:API resource object; its attributes repeat the id, as the API's do.
type resource[T any] struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes T      `json:"attributes"`
}

// newResources wraps items, attributes structs, all of which have an ID field.
func newResources[T any](typ string, items []T) []resource[T] {
	id, _ := reflect.TypeFor[T]().FieldByName("ID")
	out := make([]resource[T], len(items))
	for i := range items {
		out[i] = resource[T]{ID: reflect.ValueOf(&items[i]).Elem().FieldByIndex(id.Index).String(), Type: typ, Attributes: items[i]}
	}
	return out
}

func newResource[T any](typ string, v T) resource[T] { return newResources(typ, []T{v})[0] }

type document[T any] struct {
	Data T `json:"data"`
}

type listDocument[T any] struct {
	Data []resource[T] `json:"data"`
	Meta struct {
		Count int `json:"count"`
	} `json:"meta"`
	Links listLinks `json:"links"`
}

type listLinks struct {
	First string  `json:"first"`
	Self  string  `json:"self"`
	Last  string  `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

// writeOne answers a single resource.
func writeOne[T any](w http.ResponseWriter, status int, typ string, v T) {
	writeJSON(w, status, document[resource[T]]{Data: newResource(typ, v)})
}

// writeList answers one page of a list: items are the page, total counts every page.
func writeList[T any](w http.ResponseWriter, r *http.Request, p pageRequest, total int, typ string, items []T) {
	doc := listDocument[T]{Data: newResources(typ, items), Links: p.links(r, total)}
	doc.Meta.Count = total
	writeJSON(w, http.StatusOK, doc)
}

// writeJSON answers status with v, encoded first so that the answer carries a
// Content-Length and an encoding failure can still become a 500 instead of a truncated
// body. Map keys are sorted, so the same data always gives the same bytes, and nil slices
// are null (see models.go). An error may echo a query's invalid UTF-8, which becomes U+FFFD.
// Buffers are reused: a page of registrations takes 140 KB.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	if err := json.MarshalWrite(buf, v, json.Deterministic(true), json.FormatNilSliceAsNull(true), jsontext.AllowInvalidUTF8(true)); err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// apiError is one element of the API's errors[]; Status is a string, as in the reference.
type apiError struct {
	Code   string      `json:"code"`
	Detail string      `json:"detail"`
	Status string      `json:"status"`
	Title  string      `json:"title"`
	Source errorSource `json:"source"`
}

type errorSource struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
}

type errorDocument struct {
	Errors []apiError `json:"errors"`
}

// writeErrors answers status with errs, filling in each error's status and, when empty,
// its title from the status text.
func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	for i := range errs {
		errs[i].Status = strconv.Itoa(status)
		if errs[i].Title == "" {
			errs[i].Title = http.StatusText(status)
		}
	}
	writeJSON(w, status, errorDocument{Errors: errs})
}

func writeNotFound(w http.ResponseWriter, what, id string) {
	writeErrors(w, http.StatusNotFound, apiError{Code: "not_found", Detail: fmt.Sprintf("%s %q was not found", what, id)})
}

func writeBadParameter(w http.ResponseWriter, parameter, detail string) {
	writeErrors(w, http.StatusBadRequest, apiError{Code: "bad_request", Detail: detail, Source: errorSource{Parameter: parameter}})
}

func writeUnauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
	writeErrors(w, http.StatusUnauthorized, apiError{Code: "unauthorized", Detail: detail})
}
