package rceventstest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// reportTypes are the 28 report types of the reference, in its order.
var reportTypes = []string{
	"all", "attendees", "attendeeLog", "attendeeActivity", "attendeeFeedback", "attendeeScore",
	"postEventSurvey", "feedback", "boothAttendee", "boothInteraction", "chat", "connection", "noShows",
	"participation", "timeSpentOnline", "registrations", "registrants", "schedule", "schedules", "summary",
	"referrals", "viewership", "onlineAttendeeCounts", "segmentRegistrations", "agenda", "replayRecordings",
	"replayViewers", "engagement",
}

var segmentTypes = []string{"schedule", "session", "expo", "stage", "all"}

const (
	reportInProgress = "in_progress"
	reportCompleted  = "completed"
)

// listReports answers GET /v1/events/{eventId}/reports; reports still being generated are
// listed with status "in_progress" and an empty url.
func (s *Server) listReports(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	serveList(s, w, r, "report", "event", id, nil, func(st *store, _ []condition) ([]reportAttrs, bool) {
		if !st.events.has(id) {
			return nil, false
		}
		reps := st.reports.all(id)
		out := make([]reportAttrs, len(reps))
		for i, rep := range reps {
			out[i] = s.reportAttrs(r, rep)
		}
		return out, true
	})
}

// getReport answers GET /v1/reports/{reportId}: 202 with an in_progress_report for the
// first WithReportPolls requests after creation, then 200 with the report and its url.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("reportId")
	s.store.mu.Lock()
	rep, found := s.store.reports.value(id)
	if found && rep.pollsLeft > 0 {
		next := rep
		next.pollsLeft--
		s.store.reports.put(rep.eventID, id, &next)
	}
	s.store.mu.Unlock()
	switch {
	case !found:
		writeNotFound(w, "report", id)
	case rep.pollsLeft > 0:
		writeOne(w, http.StatusAccepted, "in_progress_report", inProgressAttrs{ID: rep.id, Status: reportInProgress})
	default:
		writeOne(w, http.StatusOK, "report", s.reportAttrs(r, rep))
	}
}

// createReport answers POST /v1/events/{eventId}/reports/{reportType}[/{reportVersion}]
// with 201. The version defaults to "2", the only documented one; an unknown type or
// version is answered 422. The body is optional.
func (s *Server) createReport(w http.ResponseWriter, r *http.Request) {
	eventID, reportType := r.PathValue("eventId"), r.PathValue("reportType")
	version := r.PathValue("reportVersion")
	if version == "" {
		version = "2"
	}
	if !s.exists(&s.store.events, eventID) {
		writeNotFound(w, "event", eventID)
		return
	}
	var errs []apiError
	if !slices.Contains(reportTypes, reportType) {
		errs = append(errs, apiError{Code: "inclusion", Title: "Invalid Parameter", Source: errorSource{Parameter: "reportType"},
			Detail: fmt.Sprintf("report type %q is not one of: %s", reportType, strings.Join(reportTypes, ", "))})
	}
	if version != "2" {
		errs = append(errs, apiError{Code: "inclusion", Title: "Invalid Parameter", Source: errorSource{Parameter: "reportVersion"},
			Detail: fmt.Sprintf("report version %q is not supported; the only version is \"2\"", version)})
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, errs...)
		return
	}
	a, ok := readBody(w, r, "")
	if !ok {
		return
	}
	a.only("segmentType", "virtualSpaceId", "participationReportType", "participationTypeId")
	rep := &report{eventID: eventID, reportType: reportType, version: version, pollsLeft: s.cfg.reportPolls}
	rep.segmentType = a.enum("segmentType", false, segmentTypes...)
	rep.virtualSpaceID = a.str("virtualSpaceId", false)
	a.enum("participationReportType", false, segmentTypes...)
	a.str("participationTypeId", false)
	if !a.ok(w) {
		return
	}
	s.store.mu.Lock()
	ev, _ := s.store.events.value(eventID)
	rep.id = s.store.newID(kindReport)
	rep.title = reportTitle(reportType, ev.Name)
	rep.createdAt = s.now()
	rep.rows = s.store.registrations[eventID].count()
	s.store.reports.put(eventID, rep.id, rep)
	s.store.stats.ReportsCreated++
	created := *rep
	s.store.mu.Unlock()
	writeOne(w, http.StatusCreated, "report", s.reportAttrs(r, created))
}

// reportAttrs is what a report answers: a ready report has status "completed" and a url
// that downloads it, pre-signed on the storage origin (valid one minute) when there is one.
func (s *Server) reportAttrs(r *http.Request, rep report) reportAttrs {
	out := reportAttrs{ID: rep.id, Title: rep.title, Status: reportInProgress}
	if rep.pollsLeft == 0 {
		out.Status = reportCompleted
		out.URL = s.downloadURL(r, rep.id)
	}
	return out
}

// downloadURL is where a ready report can be fetched from.
func (s *Server) downloadURL(r *http.Request, id string) string {
	if s.storage != nil {
		return s.presign(id)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/v1/reports/" + id + "/download"
}

// downloadReport answers GET /v1/reports/{reportId}/download: the CSV itself, or with
// WithStorageRedirect a 302 to a pre-signed URL on the storage origin. A report still being
// generated is answered as GET /v1/reports/{reportId} answers it: 202, in_progress_report
// (the reference lists no answer for that case).
func (s *Server) downloadReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("reportId")
	rep, found := lookup(s, s.store.reports.value, id)
	switch {
	case !found:
		writeNotFound(w, "report", id)
	case rep.pollsLeft > 0:
		writeOne(w, http.StatusAccepted, "in_progress_report", inProgressAttrs{ID: rep.id, Status: reportInProgress})
	case s.storage != nil:
		http.Redirect(w, r, s.presign(id), http.StatusFound)
	default:
		s.writeReport(w, rep)
	}
}

// writeReport streams a report as CSV. What the rows hold depends on the report type.
func (s *Server) writeReport(w http.ResponseWriter, rep report) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, rep.reportType, rep.id))
	bw := bufio.NewWriterSize(w, 32<<10)
	_ = s.reportCSV(bw, rep)
	_ = bw.Flush()
}

// reportCSV writes the report's rows: the event's schedule or booths for the report types
// about them, a few figures for the summaries, and a row per registration (as many as the
// event had when the report was requested) for every other type.
func (s *Server) reportCSV(out io.Writer, rep report) error {
	w := csv.NewWriter(out)
	st := s.store
	switch rep.reportType {
	case "schedule", "schedules", "agenda", "replayRecordings":
		st.mu.RLock()
		items := st.scheduleItems.all(rep.eventID)
		st.mu.RUnlock()
		_ = w.Write([]string{"Schedule item ID", "Name", "Area", "Starts at", "Ends at", "Speakers"})
		for _, it := range items {
			names := make([]string, len(it.Speakers))
			for i, sp := range it.Speakers {
				names[i] = sp.Name
			}
			_ = w.Write([]string{it.ID, it.Name, it.Area, it.TimeStart.String(), it.TimeEnd.String(), strings.Join(names, "; ")})
		}
	case "boothAttendee", "boothInteraction":
		st.mu.RLock()
		booths := st.booths.all(rep.eventID)
		st.mu.RUnlock()
		_ = w.Write([]string{"Booth ID", "Booth", "Size", "Priority"})
		for _, b := range booths {
			_ = w.Write([]string{b.ID, b.Name, b.BoothSize, strconv.Itoa(b.Priority)})
		}
	case "summary", "onlineAttendeeCounts", "engagement", "viewership":
		st.mu.RLock()
		ev, _ := st.events.value(rep.eventID)
		figures := [][]string{
			{"Event", ev.Name},
			{"Registrations", strconv.Itoa(rep.rows)},
			{"Tickets", strconv.Itoa(st.tickets.count(rep.eventID))},
			{"Schedule items", strconv.Itoa(st.scheduleItems.count(rep.eventID))},
			{"Booths", strconv.Itoa(st.booths.count(rep.eventID))},
			{"Generated at", at(rep.createdAt).String()},
		}
		st.mu.RUnlock()
		_ = w.Write([]string{"Metric", "Value"})
		_ = w.WriteAll(figures)
	default:
		_ = w.Write([]string{"Registration ID", "First name", "Last name", "Email", "Ticket ID", "Registered at", "Attended", "Refunded"})
		// Rows are built in batches, so a large report never holds the lock for long.
		const batch = 1000
		rows := make([][]string, 0, batch)
		for lo := 0; lo < rep.rows; lo += batch {
			rows = rows[:0]
			st.mu.RLock()
			rs := st.registrations[rep.eventID]
			for i := lo; i < min(lo+batch, rep.rows, rs.count()); i++ {
				reg := rs.at(i)
				rows = append(rows, []string{reg.ID, reg.FirstName, reg.LastName, reg.Email, reg.TicketID,
					reg.CreatedAt.String(), strconv.FormatBool(reg.Attended), strconv.FormatBool(reg.Refunded)})
			}
			st.mu.RUnlock()
			for _, row := range rows {
				if err := w.Write(row); err != nil {
					return err
				}
			}
		}
	}
	w.Flush()
	return w.Error()
}

// reportTitle names a report: "Attendee log report — Harborview DevCon 2025".
func reportTitle(reportType, eventName string) string {
	return humanize(reportType) + " report — " + eventName
}

// humanize turns a camelCase report type into words: "attendeeLog" → "Attendee log".
func humanize(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case i == 0:
			b.WriteRune(unicode.ToUpper(r))
		case unicode.IsUpper(r):
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
