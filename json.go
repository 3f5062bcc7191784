package rcevents

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Every answer and request body goes through encoding/json/v2 (the
// go-json-experiment module, which becomes the standard library's
// encoding/json/v2 on Go 1.27) with these options. JSON names match exactly,
// as the API sends them; unknown names are ignored, duplicate names and
// invalid UTF-8 (read and written as U+FFFD) are tolerated, as encoding/json
// did.
var (
	decodeOptions = json.JoinOptions(
		jsontext.AllowDuplicateNames(true),
		jsontext.AllowInvalidUTF8(true),
	)
	encodeOptions = json.JoinOptions(
		jsontext.AllowInvalidUTF8(true),
		json.Deterministic(true), // map keys in order, so a body is the same every time
		json.WithMarshalers(json.MarshalToFunc(encodeTime)),
	)
)

// encodeBody encodes a request body. A jsontext.Value is JSON text that
// Client.Do checked already, sent byte for byte: marshalled, it would be
// reformatted.
func encodeBody(v any) ([]byte, error) {
	if text, ok := v.(jsontext.Value); ok {
		return text, nil
	}
	return json.Marshal(v, encodeOptions)
}

// encodeTime writes a time of a request body in RFC 3339, in UTC, with
// fractional seconds only when it has them.
func encodeTime(enc *jsontext.Encoder, t time.Time) error {
	return enc.WriteToken(jsontext.String(formatTime(t)))
}

// maxBody bounds a successful JSON answer. The largest page the API serves
// is far below it; a body past it is an error, not a reason to fill memory.
const maxBody = 32 << 20

// errBodyTooLarge ends a decode that reached maxBody.
var errBodyTooLarge = fmt.Errorf("answer larger than %d bytes", maxBody)

// decoders holds decoders for reuse, with the buffers they grew.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(eof{}) }}

// maxPooledDecode is the largest answer whose decoder is kept for reuse, so
// that one unusual answer does not hold its memory for good.
const maxPooledDecode = 1 << 20

// eof is a reader with nothing to read, for a decoder at rest.
type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

// decodeJSON decodes the first JSON value of body, read up to maxBody, into
// out, and ignores what follows it, as a stream decoder does.
func decodeJSON(body io.Reader, out any) error {
	lr := &limitedReader{r: body, n: maxBody + 1}
	dec := decoders.Get().(*jsontext.Decoder)
	dec.Reset(lr, decodeOptions)
	err := json.UnmarshalDecode(dec, out)
	dec.Reset(eof{}) // drop the body
	if maxBody+1-lr.n <= maxPooledDecode {
		decoders.Put(dec)
	}
	switch {
	case err == nil:
		return nil
	case lr.n <= 0:
		return errBodyTooLarge
	case errors.Is(err, io.EOF):
		return errors.New("decoding the answer: empty body")
	}
	return fmt.Errorf("decoding the answer: %w", err)
}

// limitedReader is io.LimitReader that reports reaching its limit.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// looseTime decodes a date-time that the API types as a plain string (event
// createdAt, timeStart and timeEnd; registration firstCheckIn; a legacy
// magic link's created_at). RFC 3339 gives the time; null, "" and anything
// that is not RFC 3339 give nil. It never fails on a valid JSON value, so
// one odd value cannot lose a whole page.
//
// It is the one way the SDK decodes such a time: a model with one shadows
// the field with a looseTime in its UnmarshalJSONFrom.
type looseTime struct {
	t *time.Time
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (l *looseTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	l.t = nil
	if dec.PeekKind() != '"' {
		return dec.SkipValue()
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if t, err := time.Parse(time.RFC3339Nano, tok.String()); err == nil {
		l.t = &t
	}
	return nil
}

// formatTime writes t in RFC 3339 in UTC, with fractional seconds only when
// t has them.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
