package rceventstest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rcevents/rcevents-go/internal/redact"
)

// This file holds the cassette's format: what a Recorder writes and replays.

// cassetteFormat is the version of the format, the value of rceventsCassette.
const cassetteFormat = 1

type cassette struct {
	Format       int           `json:"rceventsCassette"`
	Salt         string        `json:"pseudonymSalt"` // see Recorder
	Interactions []interaction `json:"interactions"`
}

type interaction struct {
	Request  request  `json:"request"`
	Response response `json:"response"`
}

// request is a request as a cassette holds it: scrubbed, without its origin.
type request struct {
	Method string     `json:"method"`
	Path   string     `json:"path"` // escaped, as sent
	Query  url.Values `json:"query,omitzero"`
	body
}

type response struct {
	Status int         `json:"status"`
	Header http.Header `json:"header,omitzero"` // only keptHeaders
	body
}

// body is a body as a cassette holds it: JSON as JSON, else text as its lines.
type body struct {
	JSON jsontext.Value `json:"json,omitzero"`
	Text []string       `json:"text,omitzero"`
}

// keptHeaders are the headers of an answer a cassette keeps: what a client reads of an
// answer but its rate-limit headers, and none that changes at every request.
var keptHeaders = []string{"Content-Type", "Content-Disposition", "Location"}

// readCassette reads the cassette at path.
func readCassette(path string) (*cassette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c cassette
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("rceventstest: %s is not a cassette: %w", path, err)
	}
	if c.Format != cassetteFormat {
		return nil, fmt.Errorf("rceventstest: %s is not a cassette of format %d (rceventsCassette: %d)", path, cassetteFormat, c.Format)
	}
	return &c, nil
}

// encode returns the cassette's file: indented, with map keys in order.
func (c *cassette) encode() ([]byte, error) {
	data, err := json.Marshal(c, json.Deterministic(true), jsontext.WithIndent("  "))
	return append(data, '\n'), err
}

// writeFile writes data to path in full or not at all.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(0o644), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// key is what a request is matched by: its method, path, query parameters in any order
// and body, JSON compared as JSON.
func (r *request) key() string {
	var pairs []string
	for k, vs := range r.Query {
		for _, v := range vs {
			pairs = append(pairs, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	slices.Sort(pairs)
	return r.Method + " " + r.Path + "?" + strings.Join(pairs, "&") + "\n" + r.body.canonical()
}

// canonical is the body as it is matched.
func (b *body) canonical() string {
	if b.JSON != nil {
		v := b.JSON.Clone()
		if v.Canonicalize() == nil {
			return "json " + string(v)
		}
	}
	return "text " + strings.Join(b.Text, "\n")
}

// bytes returns the body as a server sends it: JSON compact.
func (b *body) bytes() []byte {
	if b.JSON != nil {
		v := b.JSON.Clone()
		if v.Compact() == nil {
			return v
		}
	}
	return []byte(strings.Join(b.Text, "\n"))
}

// errNotText is the error of a body that is neither JSON nor UTF-8 text.
var errNotText = errors.New("not text: the recorder cannot scrub it")

// scrubBody returns b as a cassette holds it, each string of a JSON body and a text
// body replaced by rep.
func scrubBody(rep *redact.Replacer, b []byte) (body, error) {
	switch {
	case len(b) == 0:
		return body{}, nil
	case jsontext.Value(b).IsValid():
		v, err := rewriteJSON(b, func(_ jsontext.Pointer, s string, _ bool) string { return rep.Replace(s) })
		return body{JSON: v}, err
	case utf8.Valid(b):
		return body{Text: strings.Split(rep.Replace(string(b)), "\n")}, nil
	}
	return body{}, errNotText
}

// rewriteJSON returns the JSON value b, compact, with each string, object names
// included, replaced by what fn returns for it; p is where the string is: for a name,
// the member it names.
func rewriteJSON(b []byte, fn func(p jsontext.Pointer, s string, name bool) string) (jsontext.Value, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	var out bytes.Buffer
	// Two names may become one pseudonym: an email in two cases.
	enc := jsontext.NewEncoder(&out, jsontext.AllowDuplicateNames(true))
	for {
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return out.Bytes(), nil
		} else if err != nil {
			return nil, err
		}
		if tok.Kind() == '"' {
			kind, n := dec.StackIndex(dec.StackDepth())
			tok = jsontext.String(fn(dec.StackPointer(), tok.String(), kind == '{' && n%2 == 1))
		}
		if err := enc.WriteToken(tok); err != nil {
			return nil, err
		}
	}
}
