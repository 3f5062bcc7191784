package rcevents

import "io"

// DecodeRegistrationsPage decodes a registrations list answer as
// RegistrationsService.List does once the answer has arrived, for the decode
// benchmark.
func DecodeRegistrationsPage(body io.Reader) (*Page[Registration], error) {
	return decodePage[Registration](body, &ListOptions{PerPage: MaxPerPage})
}
