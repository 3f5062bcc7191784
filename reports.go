package rcevents

// ReportsService creates, waits for and downloads the reports of events.
type ReportsService service
