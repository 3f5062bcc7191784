package rcevents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file holds the few steps every service method is made of: check the
// IDs, build the path, and get one resource, list a page, or send a body
// through the pipeline. Answers decode straight into the models.

// model is a pointer to a public model that knows where its ID lives, so the
// resource's envelope ID can fill it when the attributes lack one.
type model[T any] interface {
	*T
	resourceID() *string
}

// validated returns req once it passes its checks: a nil request is the
// zero one, in every service, so that a nil request where fields are
// required fails on the first of them and elsewhere sends no attributes.
func validated[T any, PT interface {
	*T
	validate() error
}](req PT) (PT, error) {
	if req == nil {
		req = new(T)
	}
	return req, req.validate()
}

// getOne gets the single resource at path.
func getOne[T any, PT model[T]](ctx context.Context, c *Client, path string, opts []CallOption) (*T, error) {
	return send[T, PT](ctx, c, http.MethodGet, path, nil, opts)
}

// errNoResource is the error of an answer that is JSON but holds no
// resource: {}, null, an error document. Taken for one, it would give the
// caller an empty model to act on.
var errNoResource = errors.New(`decoding the answer: no "data" resource`)

// send sends body (nil for none) to path and decodes the single resource of
// the answer.
func send[T any, PT model[T]](ctx context.Context, c *Client, method, path string, body any, opts []CallOption) (v *T, err error) {
	r := call{method: method, path: path, body: body, opts: opts}
	err = c.do(ctx, r, func(resp *http.Response) error {
		v, err = decodeOne[T, PT](resp.Body)
		return err
	})
	return v, err
}

// decodeOne decodes an answer holding a single resource.
func decodeOne[T any, PT model[T]](body io.Reader) (*T, error) {
	var doc struct {
		Data one[T, PT] `json:"data"`
	}
	if err := decodeJSON(body, &doc); err != nil {
		return nil, err
	}
	if !doc.Data.present {
		return nil, errNoResource
	}
	return &doc.Data.v, nil
}

// errNoData is the error of a list answer that is JSON but holds no list:
// {}, null, an error document. Taken for an empty page, it would end a walk
// quietly, before its last page.
var errNoData = errors.New(`decoding the answer: no "data" list`)

// pager is an options type that selects a page: ListOptions, or one that
// embeds it beside its filters. A nil one selects the API's first page.
type pager interface {
	listOptions() *ListOptions
}

// listPage gets the page of the list at path that opts, already validated,
// selects, with opts's filters as the query.
func listPage[T any, PT model[T]](ctx context.Context, c *Client, path string, opts pager, callOpts []CallOption) (p *Page[T], err error) {
	r := call{method: http.MethodGet, path: path, query: opts, opts: callOpts}
	err = c.do(ctx, r, func(resp *http.Response) error {
		p, err = decodePage[T, PT](resp.Body, opts.listOptions())
		return err
	})
	return p, err
}

// decodePage decodes a list answer into the page lo selected, its items
// decoded straight into a slice sized for the page.
func decodePage[T any, PT model[T]](body io.Reader, lo *ListOptions) (*Page[T], error) {
	var doc struct {
		Data many[T, PT] `json:"data"`
		Meta struct {
			Count int `json:"count"`
		} `json:"meta"`
		Links Links `json:"links"`
	}
	doc.Data.items = make([]T, 0, lo.size())
	if err := decodeJSON(body, &doc); err != nil {
		return nil, err
	}
	if !doc.Data.present {
		return nil, errNoData
	}
	return &Page[T]{Items: doc.Data.items, Count: doc.Meta.Count, Number: lo.number(), Links: doc.Links}, nil
}

// listAll gets a list that the API does not paginate.
func listAll[T any, PT model[T]](ctx context.Context, c *Client, path string, opts []CallOption) ([]T, error) {
	p, err := listPage[T, PT](ctx, c, path, (*ListOptions)(nil), opts)
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}

// one is the data of an answer holding one resource, decoded straight into
// the model v.
type one[T any, PT model[T]] struct {
	v       T
	present bool // the answer had a data resource, not null or nothing
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (o *one[T, PT]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		return dec.SkipValue()
	}
	o.present = true
	return decodeResource[T, PT](dec, &o.v)
}

// many is the data of a list answer, decoded straight into the page's items.
type many[T any, PT model[T]] struct {
	items   []T
	present bool // the answer had a data list, not null or nothing
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (m *many[T, PT]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '[':
	default:
		return errors.New(`"data" is not a list`)
	}
	m.present = true
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		var zero T
		m.items = append(m.items, zero)
		if err := decodeResource[T, PT](dec, &m.items[len(m.items)-1]); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// decodeResource decodes a JSON:API resource object into v: its attributes
// into the model, its id where the attributes have none. Its type is not
// checked, the path says it; other members are skipped.
func decodeResource[T any, PT model[T]](dec *jsontext.Decoder, v *T) error {
	if dec.PeekKind() == 'n' {
		return dec.SkipValue()
	}
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return fmt.Errorf("a resource is a JSON %s, not an object", tok.Kind())
	}
	var idBuf [64]byte
	var id jsontext.Value // the id member as it came, until the attributes are read
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if bytes.IndexByte(name, '\\') >= 0 {
			name, _ = jsontext.AppendUnquote(jsontext.Value(`"`), name)
			name = append(name, '"')
		}
		switch string(name[1 : len(name)-1]) {
		case "id":
			if k := dec.PeekKind(); k != '"' {
				return fmt.Errorf("a resource's id is a JSON %s, not a string", k)
			}
			raw, err := dec.ReadValue()
			if err != nil {
				return err
			}
			id = append(jsontext.Value(idBuf[:0]), raw...)
		case "attributes":
			if err := json.UnmarshalDecode(dec, v); err != nil {
				return err
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if own := PT(v).resourceID(); *own == "" && id != nil {
		unquoted, err := jsontext.AppendUnquote(nil, id)
		if err != nil {
			return err
		}
		*own = string(unquoted)
	}
	return nil
}

// Ptr returns a pointer to v, for the optional fields of requests where the
// zero value means something: rcevents.Ptr(0), rcevents.Ptr(false).
func Ptr[T any](v T) *T {
	return &v
}
