package rceventstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The storage origin stands for the object storage real report files live in. Its URLs
// are pre-signed like S3's: the query carries a date, a lifetime and an HMAC signature, and
// the request must carry no other credentials.

const (
	presignLifetime = time.Minute // "URL for the generated report. Expires after 1 minute."
	amzDateLayout   = "20060102T150405Z"
)

// presign returns a storage URL for the report's file, valid for a minute from now.
func (s *Server) presign(reportID string) string {
	path := "/reports/" + reportID + ".csv"
	date := s.now().Format(amzDateLayout)
	q := url.Values{
		"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"},
		"X-Amz-Date":      {date},
		"X-Amz-Expires":   {"60"},
		"X-Amz-Signature": {s.sign(path, date)},
	}
	return s.StorageURL + path + "?" + q.Encode()
}

func (s *Server) sign(path, date string) string {
	mac := hmac.New(sha256.New, s.signKey)
	mac.Write([]byte(path + "\n" + date))
	return hex.EncodeToString(mac.Sum(nil))
}

// serveStorage is the storage origin's handler; it is logged with Storage set, and faults
// reach it only when the scope includes ScopeStorage.
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, ScopeStorage, http.HandlerFunc(s.storageObject))
}

func (s *Server) storageObject(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeStorageError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	if r.Header.Get("Authorization") != "" {
		writeStorageError(w, http.StatusForbidden, "AccessDenied", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	q := r.URL.Query()
	date, err := time.Parse(amzDateLayout, q.Get("X-Amz-Date"))
	if err != nil || !hmac.Equal([]byte(q.Get("X-Amz-Signature")), []byte(s.sign(r.URL.Path, q.Get("X-Amz-Date")))) {
		writeStorageError(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if s.now().After(date.Add(presignLifetime)) {
		writeStorageError(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	id, _ := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/reports/"), ".csv")
	rep, found := lookup(s, s.store.reports.value, id)
	if !found || rep.failed {
		writeStorageError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	s.writeReport(w, rep)
}

// writeStorageError answers in the XML shape object storage uses.
func writeStorageError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>\n"))
}
