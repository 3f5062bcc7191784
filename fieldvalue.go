package rcevents

import (
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FieldValue is the answer to a registration question: a string, or a list
// of strings for questions that take several answers (multiSelect). It
// marshals back to the JSON it was decoded from. The zero FieldValue is
// JSON null, an unanswered question.
//
// The API documents no other kind of answer. Should one come (a number, a
// boolean, an object, or a list holding anything but strings), it is kept
// as it came rather than failing the whole page: String returns its JSON
// text, Strings returns nil, IsList returns false, and MarshalJSON writes it
// back.
type FieldValue struct {
	str  string
	list []string
	kind fieldValueKind
}

type fieldValueKind uint8

const (
	fieldNull   fieldValueKind = iota
	fieldString                // str holds the value
	fieldList                  // list holds the values
	fieldOther                 // str holds the compact JSON text
)

// StringFieldValue returns the FieldValue that is the string s.
func StringFieldValue(s string) FieldValue {
	return FieldValue{str: s, kind: fieldString}
}

// ListFieldValue returns the FieldValue that is the list of values (an empty
// list, [], when there are none).
func ListFieldValue(values ...string) FieldValue {
	return FieldValue{list: append([]string{}, values...), kind: fieldList}
}

// IsNull reports whether the value is JSON null (or absent).
func (v FieldValue) IsNull() bool { return v.kind == fieldNull }

// IsList reports whether the value is a list of strings.
func (v FieldValue) IsList() bool { return v.kind == fieldList }

// String returns the value as one string: the string itself, a list's
// values joined with ", ", "" for null, and the JSON text of any other
// kind of value.
func (v FieldValue) String() string {
	if v.kind == fieldList {
		return strings.Join(v.list, ", ")
	}
	return v.str
}

// Strings returns the value as a list: a copy of a list's values, a string
// as a list of one, and nil for null or any other kind of value.
func (v FieldValue) Strings() []string {
	switch v.kind {
	case fieldString:
		return []string{v.str}
	case fieldList:
		return append([]string{}, v.list...)
	}
	return nil
}

// MarshalJSONTo writes the value as it was decoded or made.
func (v FieldValue) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch v.kind {
	case fieldString:
		return enc.WriteToken(jsontext.String(v.str))
	case fieldList:
		return json.MarshalEncode(enc, v.list, json.FormatNilSliceAsNull(false))
	case fieldOther:
		return enc.WriteValue(jsontext.Value(v.str))
	}
	return enc.WriteToken(jsontext.Null)
}

// UnmarshalJSONFrom decodes a string, a list of strings or null, and keeps
// any other JSON value as it came (see FieldValue).
func (v *FieldValue) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*v = FieldValue{}
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '"':
		tok, err := dec.ReadToken()
		*v = FieldValue{str: tok.String(), kind: fieldString}
		return err
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		list := []string{}
		for dec.PeekKind() == '"' {
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			list = append(list, tok.String())
		}
		if dec.PeekKind() == ']' {
			_, err := dec.ReadToken()
			*v = FieldValue{list: list, kind: fieldList}
			return err
		}
		return v.keepList(dec, list)
	}
	val, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return v.keep(val)
}

// keepList keeps a list that turned out to hold more than strings as its
// JSON text: the strings already read, then the rest of the list.
func (v *FieldValue) keepList(dec *jsontext.Decoder, read []string) error {
	val := jsontext.Value("[")
	for _, s := range read {
		val, _ = jsontext.AppendQuote(val, s)
		val = append(val, ',')
	}
	for dec.PeekKind() != ']' {
		elem, err := dec.ReadValue()
		if err != nil {
			return err
		}
		val = append(append(val, elem...), ',')
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	return v.keep(append(val[:len(val)-1], ']'))
}

// keep keeps a value of another kind as its compact JSON text. A value
// that names a member twice or holds invalid UTF-8 is kept as the decoder
// reads it (the last of each name, U+FFFD), so that any encoder can write
// it back.
func (v *FieldValue) keep(val jsontext.Value) error {
	if !val.IsValid() { // the decoder read it already: neither call can fail
		var x any
		json.Unmarshal(val, &x, decodeOptions)
		val, _ = json.Marshal(x, encodeOptions)
	} else {
		val = val.Clone()
		val.Compact() // valid: cannot fail
	}
	*v = FieldValue{str: string(val), kind: fieldOther}
	return nil
}

// MarshalJSON writes the value as MarshalJSONTo does, for callers of
// encoding/json.
func (v FieldValue) MarshalJSON() ([]byte, error) {
	return json.Marshal(v, encodeOptions)
}

// UnmarshalJSON decodes the value as UnmarshalJSONFrom does, for callers of
// encoding/json.
func (v *FieldValue) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, v, decodeOptions)
}
