package rcevents

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/rcevents/rcevents-go/internal/jsonapi"
)

// This file holds the few steps every service method is made of: check the
// IDs, build the path, and get, list or send a resource through the
// pipeline.

// model is a pointer to a public model that knows where its ID lives, so the
// resource's envelope ID can fill it when the attributes lack one.
type model[T any] interface {
	*T
	resourceID() *string
}

// pathID checks an ID that goes into a URL path and returns it escaped. An
// ID that is empty, "." or "..", or holds "/", "?", "#" or a control
// character is refused: it would address another resource than the one
// named, or none.
func pathID(field, id string) (string, error) {
	switch {
	case id == "":
		return "", invalidArg(field, "must not be empty")
	case id == "." || id == "..":
		return "", invalidArg(field, "%q is not an ID", id)
	case strings.ContainsAny(id, "/?#\\"):
		return "", invalidArg(field, "%q must not contain '/', '\\', '?' or '#'", id)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return "", invalidArg(field, "%q must not contain control characters", id)
		}
	}
	return url.PathEscape(id), nil
}

// getResource gets the single resource at path.
func getResource[T any, PT model[T]](ctx context.Context, c *Client, path string) (*T, error) {
	return sendResource[T, PT](ctx, c, http.MethodGet, path, nil)
}

// errNoResource is the error of an answer that is JSON but holds no
// resource: {}, null, an error document. Taken for one, it would give the
// caller an empty model to act on.
var errNoResource = errors.New(`decoding the answer: no "data" resource`)

// sendResource sends body (nil for none) to path and decodes the single
// resource of the answer.
func sendResource[T any, PT model[T]](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	var doc struct {
		Data *jsonapi.Resource[T] `json:"data"`
	}
	r := call{method: method, path: path, body: body}
	if err := c.doData(ctx, r, &doc, func() bool { return doc.Data != nil }, errNoResource); err != nil {
		return nil, err
	}
	return unwrap[T, PT](doc.Data), nil
}

// doData sends r and decodes the answer into doc, which present must then
// find holding the answer's data: JSON without it (an empty object, null, an
// error document sent with 200) is the error missing.
func (c *Client) doData(ctx context.Context, r call, doc any, present func() bool, missing error) error {
	return c.do(ctx, r, func(resp *http.Response) error {
		if err := decodeJSON(resp.Body, doc); err != nil {
			return err
		}
		if !present() {
			return missing
		}
		return nil
	})
}

// unwrap returns a resource's attributes, with the envelope's ID where the
// attributes have none.
func unwrap[T any, PT model[T]](r *jsonapi.Resource[T]) *T {
	v := &r.Attributes
	if id := PT(v).resourceID(); *id == "" {
		*id = r.ID
	}
	return v
}

// errNoData is the error of a list answer that is JSON but holds no list:
// {}, null, an error document. Taken for an empty page, it would end a walk
// quietly, before its last page.
var errNoData = errors.New(`decoding the answer: no "data" list`)

// listPage gets one page of the list at path. opts is the caller's options
// value for the query (filters included) and lo its ListOptions, both
// already validated.
func listPage[T any, PT model[T]](ctx context.Context, c *Client, path string, opts any, lo *ListOptions) (*Page[T], error) {
	return listPageVia(ctx, c, path, opts, lo, unwrapped[T, PT])
}

// listPageVia is listPage for a model whose items decode faster as W, and
// which item makes into a T.
func listPageVia[W, T any](ctx context.Context, c *Client, path string, opts any, lo *ListOptions, item func(*jsonapi.Resource[W]) T) (*Page[T], error) {
	var doc jsonapi.ListDocument[W]
	r := call{method: http.MethodGet, path: path, query: opts}
	if err := c.doData(ctx, r, &doc, func() bool { return doc.Data != nil }, errNoData); err != nil {
		return nil, err
	}
	return newPage(&doc, lo, item), nil
}

// newPage makes a decoded list answer into the page lo selected.
func newPage[W, T any](doc *jsonapi.ListDocument[W], lo *ListOptions, item func(*jsonapi.Resource[W]) T) *Page[T] {
	p := &Page[T]{Items: make([]T, len(doc.Data)), Number: lo.number()}
	for i := range doc.Data {
		p.Items[i] = item(&doc.Data[i])
	}
	if doc.Meta != nil {
		p.Count = doc.Meta.Count
	}
	if doc.Links != nil {
		p.Links = Links(*doc.Links)
	}
	return p
}

// unwrapped is unwrap for newPage.
func unwrapped[T any, PT model[T]](r *jsonapi.Resource[T]) T {
	return *unwrap[T, PT](r)
}

// listAll gets a list that the API does not paginate.
func listAll[T any, PT model[T]](ctx context.Context, c *Client, path string) ([]T, error) {
	p, err := listPage[T, PT](ctx, c, path, nil, nil)
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}

// Ptr returns a pointer to v, for the optional fields of requests where the
// zero value means something: rcevents.Ptr(0), rcevents.Ptr(false).
func Ptr[T any](v T) *T {
	return &v
}
