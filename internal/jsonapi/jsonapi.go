// Package jsonapi holds the JSON:API envelope types that the Events API wraps
// its resources, lists, request bodies and errors in. Users of rcevents never
// see these types: services unwrap them into the public models.
package jsonapi

// Resource is one JSON:API resource object. Attributes decode straight into
// the public model T, so no intermediate copy is made.
type Resource[T any] struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes T      `json:"attributes"`
}

// Document is the answer for a single resource: {"data": {...}}.
type Document[T any] struct {
	Data Resource[T] `json:"data"`
}

// ListDocument is the answer for a list:
// {"data": [...], "meta": {"count": N}, "links": {...}}.
type ListDocument[T any] struct {
	Data  []Resource[T] `json:"data"`
	Meta  *Meta         `json:"meta"`
	Links *Links        `json:"links"`
}

// Meta carries the total count of a list across all its pages.
type Meta struct {
	Count int `json:"count"`
}

// Links are a list's pagination links. A null or absent link decodes as "".
type Links struct {
	First string `json:"first"`
	Self  string `json:"self"`
	Last  string `json:"last"`
	Prev  string `json:"prev"`
	Next  string `json:"next"`
}

// RequestResource is the body of a create or update request:
// {"data": {"type": "...", "attributes": {...}}}.
type RequestResource struct {
	Type       string `json:"type,omitempty"`
	Attributes any    `json:"attributes"`
}

// RequestDocument wraps a RequestResource.
type RequestDocument struct {
	Data RequestResource `json:"data"`
}

// NewRequest wraps attributes in a request envelope of the given type. An
// empty type is left out, as the report body has none.
func NewRequest(typ string, attributes any) RequestDocument {
	return RequestDocument{Data: RequestResource{Type: typ, Attributes: attributes}}
}
