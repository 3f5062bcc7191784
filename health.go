package rcevents

import (
	"context"
	"net/http"
)

// Health is the API's answer to a health check.
type Health struct {
	Status string `json:"status"`
}

// Health checks whether all systems of the API are operational.
//
// API: GET /v1/health
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if _, err := c.doJSON(ctx, call{method: http.MethodGet, path: "/v1/health"}, &h); err != nil {
		return nil, err
	}
	return &h, nil
}
