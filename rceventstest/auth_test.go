package rceventstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go/rceventstest"
)

type tokenJSON struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
}

// requestToken posts a client-credentials request; basic selects HTTP Basic over form fields.
func requestToken(t *testing.T, srv *rceventstest.Server, id, secret, scope string, basic bool) (int, tokenJSON) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/auth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok tokenJSON
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, tok
}

func TestTokenEndpoint(t *testing.T) {
	srv, c := start(t)
	for _, basic := range []bool{true, false} {
		status, tok := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", basic)
		if status != http.StatusOK || tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
			t.Fatalf("basic=%v: %d %+v", basic, status, tok)
		}
		c.token = tok.AccessToken
		expect[map[string]string](c, http.StatusOK, http.MethodGet, "/v1/health", nil)
	}
	if got := srv.Stats().TokensIssued; got != 2 {
		t.Errorf("TokensIssued = %d, want 2", got)
	}

	for _, basic := range []bool{true, false} {
		status, tok := requestToken(t, srv, srv.ClientID, "wrong", "", basic)
		if status != http.StatusUnauthorized || tok.Error != "invalid_client" {
			t.Errorf("bad secret, basic=%v: %d %+v", basic, status, tok)
		}
	}
	if status, tok := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "admin", true); status != http.StatusBadRequest || tok.Error != "invalid_scope" {
		t.Errorf("unknown scope: %d %+v", status, tok)
	}

	form := url.Values{"grant_type": {"password"}, "client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret}}
	resp, err := srv.HTTPClient().PostForm(srv.URL+"/v1/auth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("password grant: %d, want 400", resp.StatusCode)
	}
}

func TestCustomCredentials(t *testing.T) {
	srv, _ := start(t, rceventstest.WithCredentials("my-id", "my secret/+"))
	if status, _ := requestToken(t, srv, "my-id", "my secret/+", "read write", true); status != http.StatusOK {
		t.Fatalf("custom credentials over Basic: %d", status)
	}
}

func TestReadScopeCannotWrite(t *testing.T) {
	srv, c := start(t)
	_, tok := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "read", false)
	c.token = tok.AccessToken
	c.get("/v1/events/" + srv.Fixtures.EventID)
	c.failure(http.StatusForbidden, http.MethodDelete, "/v1/magicLinks/"+srv.Fixtures.MagicLinkID, nil)
}

func TestBearerRequired(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, c := start(t, rceventstest.WithClock(clock), rceventstest.WithTokenTTL(10*time.Minute))
	path := "/v1/events/" + srv.Fixtures.EventID

	c.token = ""
	if errs := c.failure(http.StatusUnauthorized, http.MethodGet, path, nil); errs[0].Code != "unauthorized" {
		t.Errorf("no token: %+v", errs)
	}
	c.token = "not-a-token"
	c.failure(http.StatusUnauthorized, http.MethodGet, path, nil)

	_, tok := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", true)
	c.token = tok.AccessToken
	c.get(path)
	mu.Lock()
	now = now.Add(10 * time.Minute)
	mu.Unlock()
	if errs := c.failure(http.StatusUnauthorized, http.MethodGet, path, nil); !strings.Contains(errs[0].Detail, "expired") {
		t.Errorf("expired token: %+v", errs)
	}

	// The static token does not expire, but is revoked with every other token.
	c.token = srv.Token
	c.get(path)
	srv.RevokeTokens()
	if errs := c.failure(http.StatusUnauthorized, http.MethodGet, path, nil); !strings.Contains(errs[0].Detail, "revoked") {
		t.Errorf("revoked token: %+v", errs)
	}
	_, tok = requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", false)
	c.token = tok.AccessToken
	c.get(path)

	r := c.do(http.MethodGet, path, nil)
	if r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
}
