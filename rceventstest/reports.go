package rceventstest

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	rcevents "github.com/rcevents/rcevents-go"
)

// segmentTypes are the values of segmentType and participationReportType.
var segmentTypes = rcevents.SegmentTypes()

// listReports answers GET /v1/events/{eventId}/reports; reports still being generated are
// listed with status "in_progress" and an empty url.
func (s *Server) listReports(w http.ResponseWriter, r *http.Request) {
	list(s, "report", "event", nil, func(st *store, id string, _ []condition) ([]reportAttrs, bool) {
		var out []reportAttrs
		for _, rep := range st.reports.all(id) {
			out = append(out, s.reportAttrs(r, rep))
		}
		return out, st.events.has(id)
	})(w, r)
}

// getReport answers GET /v1/reports/{reportId}: 202 with an in_progress_report for the
// first WithReportPolls requests after creation, then 200 with the report and its url.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("reportId")
	rep, found := s.pollReport(id)
	switch {
	case !found:
		writeNotFound(w, "report", id)
	case rep.pollsLeft > 0:
		writeOne(w, http.StatusAccepted, "in_progress_report", inProgressAttrs{ID: rep.id, Status: "in_progress"})
	default:
		writeOne(w, http.StatusOK, "report", s.reportAttrs(r, rep))
	}
}

// pollReport returns a report as it was before this poll, which uses up one of its polls.
func (s *Server) pollReport(id string) (report, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	rep, found := s.store.reports.value(id)
	if found && rep.pollsLeft > 0 {
		next := rep
		next.pollsLeft--
		s.store.reports.put(rep.eventID, id, &next)
	}
	return rep, found
}

// createReport answers POST /v1/events/{eventId}/reports/{reportType}[/{reportVersion}]
// with 201. The type must be one the SDK knows (rcevents.ReportTypes); the version defaults
// to "2", the only documented one. The body is optional.
func (s *Server) createReport(w http.ResponseWriter, r *http.Request) {
	eventID, reportType := r.PathValue("eventId"), r.PathValue("reportType")
	a, ok := s.begin(w, r, "event", eventID, s.store.events.has, "", "segmentType", "virtualSpaceId", "participationReportType", "participationTypeId")
	if !ok {
		return
	}
	rep := report{eventID: eventID, reportType: reportType, version: cmp.Or(r.PathValue("reportVersion"), "2"), pollsLeft: s.cfg.reportPolls,
		failed: slices.Contains(s.cfg.failedReports, rcevents.ReportType(reportType))}
	if types := rcevents.ReportTypes(); !slices.Contains(types, rcevents.ReportType(reportType)) {
		a.errs = append(a.errs, apiError{Code: "inclusion", Title: "Invalid Parameter", Source: errorSource{Parameter: "reportType"},
			Detail: fmt.Sprintf("report type %q is not one of: %v", reportType, types)})
	}
	if rep.version != "2" {
		a.errs = append(a.errs, apiError{Code: "inclusion", Title: "Invalid Parameter", Source: errorSource{Parameter: "reportVersion"},
			Detail: fmt.Sprintf("report version %q is not supported; the only version is \"2\"", rep.version)})
	}
	rep.segmentType = string(enum(a, "segmentType", false, segmentTypes...))
	rep.virtualSpaceID = a.str("virtualSpaceId", false)
	enum(a, "participationReportType", false, segmentTypes...)
	a.str("participationTypeId", false)
	if a.ok(w) {
		writeOne(w, http.StatusCreated, "report", s.reportAttrs(r, s.addReport(rep)))
	}
}

// addReport stores rep, a report of all the registrations its event has now, and returns
// it as stored.
func (s *Server) addReport(rep report) report {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ev, _ := s.store.events.get(rep.eventID)
	rep.id = s.store.newID(kindReport)
	rep.title = reportTitle(rep.reportType, ev.Name)
	rep.createdAt = at(s.now()).time()
	rep.rows = s.store.registrations[rep.eventID].count()
	s.store.reports.put(rep.eventID, rep.id, &rep)
	s.store.stats.ReportsCreated++
	return rep
}

// reportAttrs is what a report answers: a ready report has status "completed" and a url
// that downloads it, pre-signed on the storage origin (valid one minute) when there is one;
// a failed one has status "failed" and no url.
func (s *Server) reportAttrs(r *http.Request, rep report) reportAttrs {
	out := reportAttrs{ID: rep.id, Title: rep.title, Status: "in_progress"}
	switch {
	case rep.pollsLeft > 0:
	case rep.failed:
		out.Status = "failed"
	default:
		out.Status = "completed"
		out.URL = s.downloadURL(r, rep.id)
	}
	return out
}

// downloadURL is where a ready report can be fetched from.
func (s *Server) downloadURL(r *http.Request, id string) string {
	if s.storage != nil {
		return s.presign(id)
	}
	return origin(r) + "/v1/reports/" + id + "/download"
}

// downloadReport answers GET /v1/reports/{reportId}/download: the CSV itself, or with
// WithStorageRedirect a 302 to a pre-signed URL on the storage origin. A report still being
// generated is answered as GET /v1/reports/{reportId} answers it: 202, in_progress_report;
// a failed one 422 (the reference lists no answer for either case).
func (s *Server) downloadReport(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("reportId")
	rep, found := lookup(s, s.store.reports.value, id)
	switch {
	case !found:
		writeNotFound(w, "report", id)
	case rep.pollsLeft > 0:
		writeOne(w, http.StatusAccepted, "in_progress_report", inProgressAttrs{ID: rep.id, Status: "in_progress"})
	case rep.failed:
		writeErrors(w, http.StatusUnprocessableEntity, apiError{Code: "report_failed", Detail: fmt.Sprintf("report %q could not be generated", id)})
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
	if rows, ok := lookup(s, s.store.reportRows, rep.id); ok {
		return w.WriteAll(rows)
	}
	if err := w.Write([]string{"Registration ID", "First name", "Last name", "Email", "Ticket ID", "Registered at", "Attended", "Refunded"}); err != nil {
		return err
	}
	// Rows are built in batches, so a large report never holds the lock for long.
	const batch = 1000
	for lo := 0; lo < rep.rows; lo += batch {
		rows, _ := lookup(s, func(eventID string) ([][]string, bool) {
			var rows [][]string
			rs := s.store.registrations[eventID]
			for i := lo; i < min(lo+batch, rep.rows, rs.count()); i++ {
				reg := rs.at(i)
				rows = append(rows, []string{reg.ID, reg.FirstName, reg.LastName, reg.Email, reg.TicketID,
					reg.CreatedAt.String(), strconv.FormatBool(reg.Attended), strconv.FormatBool(reg.Refunded)})
			}
			return rows, true
		}, rep.eventID)
		if err := w.WriteAll(rows); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// reportRows returns the rows, a header first, of a report about an event's schedule,
// booths or figures, or false for a report of its registrations. The caller holds a lock.
func (st *store) reportRows(id string) ([][]string, bool) {
	rep, _ := st.reports.value(id)
	switch rep.reportType {
	case "schedule", "schedules", "agenda", "replayRecordings":
		rows := [][]string{{"Schedule item ID", "Name", "Area", "Starts at", "Ends at", "Speakers"}}
		for _, it := range st.scheduleItems.all(rep.eventID) {
			names := make([]string, len(it.Speakers))
			for i, sp := range it.Speakers {
				names[i] = sp.Name
			}
			rows = append(rows, []string{it.ID, it.Name, it.Area, it.TimeStart.String(), it.TimeEnd.String(), strings.Join(names, "; ")})
		}
		return rows, true
	case "boothAttendee", "boothInteraction":
		rows := [][]string{{"Booth ID", "Booth", "Size", "Priority"}}
		for _, b := range st.booths.all(rep.eventID) {
			rows = append(rows, []string{b.ID, b.Name, b.BoothSize, strconv.Itoa(b.Priority)})
		}
		return rows, true
	case "summary", "onlineAttendeeCounts", "engagement", "viewership":
		ev, _ := st.events.value(rep.eventID)
		return [][]string{
			{"Metric", "Value"},
			{"Event", ev.Name},
			{"Registrations", strconv.Itoa(rep.rows)},
			{"Tickets", strconv.Itoa(st.tickets.count(rep.eventID))},
			{"Schedule items", strconv.Itoa(st.scheduleItems.count(rep.eventID))},
			{"Booths", strconv.Itoa(st.booths.count(rep.eventID))},
			{"Generated at", at(rep.createdAt).String()},
		}, true
	}
	return nil, false
}

// reportTitle names a report: "Attendee log report — Harborview DevCon 2025".
func reportTitle(reportType, eventName string) string {
	words := capital.ReplaceAllStringFunc(reportType, func(c string) string { return " " + strings.ToLower(c) })
	return strings.ToUpper(words[:1]) + words[1:] + " report — " + eventName
}

var capital = regexp.MustCompile(`[A-Z]`)
