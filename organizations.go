package rcevents

import (
	"context"
	"iter"
	"time"
)

// OrganizationsService reads the organizations the credentials belong to.
type OrganizationsService service

// Organization is an organization that owns events.
type Organization struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Website   *string   `json:"website"`
	Facebook  *string   `json:"facebook"`
	Twitter   *string   `json:"twitter"`
	CreatedAt time.Time `json:"createdAt"`
}

func (o *Organization) resourceID() *string { return &o.ID }

// List returns one page of the organizations of the user.
//
// API: GET /v1/organizations
func (s *OrganizationsService) List(ctx context.Context, opts *ListOptions, callOpts ...CallOption) (*Page[Organization], error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Organization](ctx, s.client, "/v1/organizations", opts, callOpts)
}

// All iterates over the organizations of the user, from opts.Page on.
//
// API: GET /v1/organizations
func (s *OrganizationsService) All(ctx context.Context, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Organization, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Organization], error) {
		return s.List(ctx, o, co...)
	}, callOpts)
}

// Get returns an organization.
//
// API: GET /v1/organizations/{organizationId}
func (s *OrganizationsService) Get(ctx context.Context, organizationID string, callOpts ...CallOption) (*Organization, error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	return getOne[Organization](ctx, s.client, "/v1/organizations/"+id, callOpts)
}
