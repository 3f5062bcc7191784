package rcevents

import (
	"io"

	"github.com/rcevents/rcevents-go/internal/jsonapi"
)

// DecodeRegistrationsPage decodes a registrations list answer as
// RegistrationsService.List does once the answer has arrived, for the decode
// benchmark.
func DecodeRegistrationsPage(body io.Reader) (*Page[Registration], error) {
	var doc jsonapi.ListDocument[registrationWire]
	if err := decodeJSON(body, &doc); err != nil {
		return nil, err
	}
	return newPage(&doc, nil, registrationItem), nil
}
