// Sync keeps a local SQLite copy of an event's registrations up to date. Each
// run asks the API only for the registrations created or updated since the
// previous run, and stores them together with the sync cursor, in one
// transaction: a run that fails or is interrupted changes neither, and the
// next run does its work again.
//
//	cd examples/sync && go run . [-db FILE] [-event ID] [-concurrency N]
//
// The copy is the table registrations of the SQLite database FILE
// (registrations.db by default); the cursor is in its table sync_cursors.
// Without -event it syncs the first event it finds. With no credentials in
// the environment it runs against the built-in fake API, in a temporary
// database unless -db is given, and syncs twice, changing a few
// registrations in between, to show the second run fetching only those.
//
// The API reports no deletions: a registration that disappears stays in the
// copy.
//
// It is a module of its own, so that its SQLite driver (modernc.org/sqlite,
// pure Go) stays out of the SDK's dependencies.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// config holds the flags.
type config struct {
	db          string
	event       string
	concurrency int

	fake exampleenv.Fake   // the fake to use without credentials; tests set it
	opts []rcevents.Option // more options for the client; tests set them
}

func main() {
	var cfg config
	flag.StringVar(&cfg.db, "db", "", "the SQLite database holding the copy (default: registrations.db; a temporary one against the built-in fake)")
	flag.StringVar(&cfg.event, "event", "", "the event whose registrations to sync (default: the first event found)")
	flag.IntVar(&cfg.concurrency, "concurrency", 4, "pages a first run fetches at once (later runs read them one by one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, cfg config) error {
	if cfg.concurrency < 1 {
		return fmt.Errorf("-concurrency %d: want at least 1", cfg.concurrency)
	}
	env, err := exampleenv.Connect(stderr, "rcevents-sync/"+rcevents.Version, cfg.fake,
		append([]rcevents.Option{rcevents.WithPageConcurrency(cfg.concurrency)}, cfg.opts...)...)
	if err != nil {
		return err
	}
	defer env.Close()
	event, err := env.Event(ctx, cfg.event)
	if err != nil {
		return err
	}

	path := cfg.db
	if path == "" && env.Live() {
		path = "registrations.db"
	}
	if path == "" {
		dir, err := os.MkdirTemp("", "rcevents-sync-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "registrations.db")
	}
	db, err := openCopy(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()

	fmt.Fprintf(stdout, "Syncing the registrations of %q (%s) into %s.\n", event.Name, event.ID, path)
	res, err := syncRegistrations(ctx, env.Client, db, event.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	if env.Live() {
		return nil
	}

	// Against the fake: a few changes, as registrants and organizers would
	// make between two runs, and a second run, which fetches only them.
	changed, err := changeSome(ctx, env.Client, event.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Changed %d registrations and registered someone new.\n", changed)
	res, err = syncRegistrations(ctx, env.Client, db, event.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	return nil
}

// schema is the copy: one row per registration, and the cursor of each
// event's sync.
const schema = `
CREATE TABLE IF NOT EXISTS registrations (
	id         TEXT PRIMARY KEY,
	event_id   TEXT NOT NULL,
	email      TEXT NOT NULL,
	first_name TEXT NOT NULL,
	last_name  TEXT NOT NULL,
	ticket_id  TEXT NOT NULL,
	refunded   INTEGER NOT NULL,
	attended   INTEGER NOT NULL,
	metadata   TEXT NOT NULL, -- JSON
	created_at TEXT NOT NULL, -- RFC 3339, UTC
	updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_cursors (
	event_id TEXT PRIMARY KEY,
	cursor   TEXT NOT NULL -- an rcevents.SyncCursor, as JSON
);`

// openCopy opens the database at path, creating it and its tables if need be.
func openCopy(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the tables of %s: %w", path, err)
	}
	return db, nil
}

// result is what one sync did.
type result struct {
	fetched, added, updated int
	rows                    int // in the copy of the event, after the sync
	took                    time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("Fetched %d registrations (%d new, %d updated) in %s; the copy holds %d.",
		r.fetched, r.added, r.updated, r.took.Round(time.Millisecond), r.rows)
}

// syncRegistrations brings the copy of the event's registrations up to date,
// in one transaction with the cursor that says how far it is.
func syncRegistrations(ctx context.Context, c *rcevents.Client, db *sql.DB, eventID string) (res result, err error) {
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			tx.Rollback() // neither the rows nor the cursor move: the next run does this work again
		}
	}()

	var cur rcevents.SyncCursor
	var stored string
	switch err := tx.QueryRowContext(ctx, `SELECT cursor FROM sync_cursors WHERE event_id = ?`, eventID).Scan(&stored); {
	case errors.Is(err, sql.ErrNoRows): // a first run: the zero cursor reads everything
	case err != nil:
		return res, err
	default:
		if err := json.Unmarshal([]byte(stored), &cur); err != nil {
			return res, fmt.Errorf("reading the stored cursor: %w", err)
		}
	}

	exists, err := tx.PrepareContext(ctx, `SELECT COUNT(*) FROM registrations WHERE id = ?`)
	if err != nil {
		return res, err
	}
	defer exists.Close()
	upsert, err := tx.PrepareContext(ctx, `
INSERT INTO registrations (id, event_id, email, first_name, last_name, ticket_id, refunded, attended, metadata, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
	email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
	ticket_id = excluded.ticket_id, refunded = excluded.refunded, attended = excluded.attended,
	metadata = excluded.metadata, updated_at = excluded.updated_at`)
	if err != nil {
		return res, err
	}
	defer upsert.Close()

	for reg, err := range c.Registrations.Sync(ctx, eventID, &cur) {
		if err != nil {
			return res, err
		}
		res.fetched++
		var n int
		if err := exists.QueryRowContext(ctx, reg.ID).Scan(&n); err != nil {
			return res, err
		}
		if n == 0 {
			res.added++
		} else {
			res.updated++
		}
		metadata, err := json.Marshal(reg.Metadata)
		if err != nil {
			return res, err
		}
		if _, err := upsert.ExecContext(ctx, reg.ID, eventID, reg.Email, reg.FirstName, reg.LastName, reg.TicketID,
			reg.Refunded, reg.Attended, string(metadata), utc(reg.CreatedAt), utc(reg.UpdatedAt)); err != nil {
			return res, err
		}
	}

	// The loop completed: cur now covers every row written above.
	b, err := json.Marshal(cur)
	if err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors (event_id, cursor) VALUES (?, ?)
ON CONFLICT (event_id) DO UPDATE SET cursor = excluded.cursor`, eventID, string(b)); err != nil {
		return res, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM registrations WHERE event_id = ?`, eventID).Scan(&res.rows); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, err
	}
	res.took = time.Since(start)
	return res, nil
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// changeSome changes two registrations of the event and registers a new
// person, through the API, and returns how many it changed.
func changeSome(ctx context.Context, c *rcevents.Client, eventID string) (int, error) {
	page, err := c.Registrations.List(ctx, eventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 2}})
	if err != nil {
		return 0, err
	}
	for _, reg := range page.Items {
		if _, err := c.Registrations.Update(ctx, reg.ID, &rcevents.RegistrationUpdateRequest{Metadata: map[string]string{"crmStatus": "contacted"}}); err != nil {
			return 0, err
		}
	}
	_, err = c.Registrations.Create(ctx, eventID, &rcevents.RegistrationCreateRequest{Email: "new.attendee@example.com", FirstName: "New", LastName: "Attendee"})
	return len(page.Items), err
}
