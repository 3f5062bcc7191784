package rceventstest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const tokenPath = "/v1/auth/token"

// tokenStore holds the access tokens the server accepts. Revoking them all starts a new
// epoch: the tokens of earlier epochs are revoked.
type tokenStore struct {
	tokens sync.Map // token → tokenInfo
	epoch  atomic.Int64
	issued atomic.Int64 // by the token endpoint
}

type tokenInfo struct {
	expires time.Time // zero: never
	write   bool      // granted the write scope
	epoch   int64     // of the store when the token was issued
}

// newToken returns a fresh opaque token; tokens need no determinism, only uniqueness.
func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (ts *tokenStore) add(tok string, info tokenInfo) {
	info.epoch = ts.epoch.Load()
	ts.tokens.Store(tok, info)
}

// lookup finds a token and tells whether it was revoked.
func (ts *tokenStore) lookup(tok string) (info tokenInfo, found, revoked bool) {
	v, found := ts.tokens.Load(tok)
	if found {
		info = v.(tokenInfo)
	}
	return info, found, info.epoch < ts.epoch.Load()
}

// RevokeTokens makes every token issued so far invalid, Server.Token included: requests
// carrying one are answered 401 from now on. Tokens issued afterwards work.
func (s *Server) RevokeTokens() { s.tokens.epoch.Add(1) }

// issueToken answers POST /v1/auth/token, the OAuth 2.0 client-credentials grant. The
// client authenticates with HTTP Basic or with client_id and client_secret form fields;
// scope, when sent, is a space-separated subset of "read write" (default: both).
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded: "+err.Error())
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: Basic credentials are form-encoded first.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if !s.validClient(id, secret) {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		}
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported, not "+gt)
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = []string{"read", "write"}
	}
	if i := slices.IndexFunc(scopes, func(sc string) bool { return sc != "read" && sc != "write" }); i >= 0 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_scope", "unknown scope "+scopes[i]+"; the scopes are read and write")
		return
	}
	tok := newToken()
	s.tokens.add(tok, tokenInfo{expires: s.now().Add(s.cfg.tokenTTL), write: slices.Contains(scopes, "write")})
	s.tokens.issued.Add(1)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope"`
	}{tok, "Bearer", int64(s.cfg.tokenTTL / time.Second), strings.Join(scopes, " ")})
}

func (s *Server) validClient(id, secret string) bool {
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.ClientSecret)) == 1
	return idOK && secretOK
}

// writeOAuthError answers the token endpoint's errors in the OAuth 2.0 shape (RFC 6749 §5.2),
// not the JSON:API one.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, description})
}

// authorize wraps an API handler: the request must carry a valid bearer token, and one
// granted the write scope when it is not a GET.
func (s *Server) authorize(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if header == "" {
			writeUnauthorized(w, "Authentication failed: no bearer token was sent.")
			return
		}
		scheme, tok, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Bearer") || tok == "" {
			writeUnauthorized(w, "Authentication failed: the Authorization header must be \"Bearer <token>\".")
			return
		}
		info, found, revoked := s.tokens.lookup(strings.TrimSpace(tok))
		switch {
		case !found:
			writeUnauthorized(w, "Authentication failed: the access token is not valid.")
			return
		case revoked:
			writeUnauthorized(w, "Authentication failed: the access token was revoked.")
			return
		case !info.expires.IsZero() && !s.now().Before(info.expires):
			writeUnauthorized(w, "Authentication failed: the access token has expired.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !info.write {
			writeErrors(w, http.StatusForbidden, apiError{Code: "forbidden", Detail: "The access token was not granted the write scope."})
			return
		}
		h(w, r)
	}
}
