package rceventstest

import "net/http"

// health answers GET /v1/health, the one answer that is not an envelope.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
	}{"ok"})
}

// listOrganizations answers GET /v1/organizations.
func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	serveList(s, w, r, "organization", "", "", nil, func(st *store, _ []condition) ([]organization, bool) {
		return st.orgs.all(""), true
	})
}

// getOrganization answers GET /v1/organizations/{organizationId}.
func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) {
	serveOne(s, w, "organization", "organization", r.PathValue("organizationId"), s.store.orgs.value)
}

// listTemplates answers GET /v1/organizations/{organizationId}/templates. The reference
// documents this list without meta and links, and without paging: it is answered whole.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("organizationId")
	s.store.mu.RLock()
	found := s.store.orgs.has(id)
	items := s.store.templates.all(id)
	s.store.mu.RUnlock()
	if !found {
		writeNotFound(w, "organization", id)
		return
	}
	writeJSON(w, http.StatusOK, document[[]resource[template]]{Data: newResources("template", items)})
}
