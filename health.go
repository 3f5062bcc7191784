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
func (c *Client) Health(ctx context.Context, callOpts ...CallOption) (*Health, error) {
	var h Health
	if err := c.Do(ctx, http.MethodGet, "/v1/health", nil, &h, callOpts...); err != nil {
		return nil, err
	}
	return &h, nil
}
