package rceventstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// resource is one JSON:API resource object; its attributes repeat the id, as the API's do.
type resource[T any] struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes T      `json:"attributes"`
}

// identified is what every attributes struct implements, so resources can be built generically.
type identified interface{ resourceID() string }

func (v organization) resourceID() string     { return v.ID }
func (v template) resourceID() string         { return v.ID }
func (v event) resourceID() string            { return v.ID }
func (v registration) resourceID() string     { return v.ID }
func (v ticket) resourceID() string           { return v.ID }
func (v bankQuestion) resourceID() string     { return v.ID }
func (v magicLink) resourceID() string        { return v.ID }
func (v legacyMagicLink) resourceID() string  { return v.ID }
func (v reportAttrs) resourceID() string      { return v.ID }
func (v inProgressAttrs) resourceID() string  { return v.ID }
func (v scheduleItem) resourceID() string     { return v.ID }
func (v segment) resourceID() string          { return v.ID }
func (v booth) resourceID() string            { return v.ID }
func (v tag) resourceID() string              { return v.ID }
func (v dataSubscription) resourceID() string { return v.ID }

func newResource[T identified](typ string, v T) resource[T] {
	return resource[T]{ID: v.resourceID(), Type: typ, Attributes: v}
}

func newResources[T identified](typ string, items []T) []resource[T] {
	out := make([]resource[T], len(items))
	for i, v := range items {
		out[i] = newResource(typ, v)
	}
	return out
}

type document[T any] struct {
	Data T `json:"data"`
}

type listDocument[T any] struct {
	Data  []resource[T] `json:"data"`
	Meta  listMeta      `json:"meta"`
	Links listLinks     `json:"links"`
}

type listMeta struct {
	Count int `json:"count"`
}

type listLinks struct {
	First string  `json:"first"`
	Self  string  `json:"self"`
	Last  string  `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

// writeOne answers a single resource.
func writeOne[T identified](w http.ResponseWriter, status int, typ string, v T) {
	writeJSON(w, status, document[resource[T]]{Data: newResource(typ, v)})
}

// writeList answers one page of a list: items are the page, total counts every page.
func writeList[T identified](w http.ResponseWriter, r *http.Request, p pageRequest, total int, typ string, items []T) {
	writeJSON(w, http.StatusOK, listDocument[T]{
		Data:  newResources(typ, items),
		Meta:  listMeta{Count: total},
		Links: p.links(r, total),
	})
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON encodes v into a pooled buffer first, so the answer carries a Content-Length
// and an encoding failure can still become a 500 instead of a truncated body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // do not keep unusually large buffers alive
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, status, buf.Bytes())
}

// writeBody answers status with an encoded JSON body.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

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
	writeErrors(w, http.StatusNotFound, apiError{
		Code:   "not_found",
		Detail: fmt.Sprintf("%s %q was not found", what, id),
	})
}

func writeBadParameter(w http.ResponseWriter, parameter, detail string) {
	writeErrors(w, http.StatusBadRequest, apiError{
		Code:   "bad_request",
		Detail: detail,
		Source: errorSource{Parameter: parameter},
	})
}

func writeUnauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
	writeErrors(w, http.StatusUnauthorized, apiError{Code: "unauthorized", Detail: detail})
}

func writeForbidden(w http.ResponseWriter, detail string) {
	writeErrors(w, http.StatusForbidden, apiError{Code: "forbidden", Detail: detail})
}
