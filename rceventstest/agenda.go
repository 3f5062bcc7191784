package rceventstest

import "net/http"

// listScheduleItems answers GET /v1/events/{eventId}/scheduleItems.
func (s *Server) listScheduleItems(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	serveList(s, w, r, "scheduleItem", "event", id, nil, children(&s.store.scheduleItems, &s.store.events, id))
}

// getScheduleItem answers GET /v1/scheduleItems/{scheduleItemId}.
func (s *Server) getScheduleItem(w http.ResponseWriter, r *http.Request) {
	serveOne(s, w, "scheduleItem", "schedule item", r.PathValue("scheduleItemId"), s.store.scheduleItems.value)
}

// listSessions answers GET /v1/events/{eventId}/sessions.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	serveList(s, w, r, "session", "event", id, nil, children(&s.store.sessions, &s.store.events, id))
}

// listStages answers GET /v1/events/{eventId}/stages.
func (s *Server) listStages(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	serveList(s, w, r, "stage", "event", id, nil, children(&s.store.stages, &s.store.events, id))
}

// listBooths answers GET /v1/events/{eventId}/booths.
func (s *Server) listBooths(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	serveList(s, w, r, "booth", "event", id, nil, children(&s.store.booths, &s.store.events, id))
}

// listBoothTags answers GET /v1/booths/{boothId}/tags.
func (s *Server) listBoothTags(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("boothId")
	serveList(s, w, r, "tag", "booth", id, nil, func(st *store, _ []condition) ([]tag, bool) {
		b, ok := st.booths.get(id)
		if !ok {
			return nil, false
		}
		return st.tags.pick(b.tagIDs), true
	})
}

// listScheduleItemTags answers GET /v1/scheduleItems/{scheduleItemId}/tags.
func (s *Server) listScheduleItemTags(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("scheduleItemId")
	serveList(s, w, r, "tag", "schedule item", id, nil, func(st *store, _ []condition) ([]tag, bool) {
		it, ok := st.scheduleItems.get(id)
		if !ok {
			return nil, false
		}
		return st.tags.pick(it.tagIDs), true
	})
}
