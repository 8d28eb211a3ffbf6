package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// Which field of the domain type each column holds, written from the migrations, not from the
// store's code.
var (
	connectionColumnMap = columnMap{
		"id": "ID", "name": "Name", "demo": "Demo", "version": "Version", "step": "Step",
		"authentik_url": "AuthentikURL", "app_slug": "AppSlug", "provider_name": "ProviderName",
		"issuer_url": "IssuerURL", "discovery_base": "DiscoveryBase", "token_url": "TokenURL",
		"client_id": "ClientID", "access_token_validity": "AccessTokenValidity", "subject_mode": "SubjectMode",
		"scope": "Scope", "token_field": "TokenField", "ca_pem": "CAPEM", "secret_ref": "SecretRef",
		"service_account_id": "ServiceAccountID", "issuer_name": "IssuerName", "jwks_source": "JWKSSource",
		"inline_jwks": "InlineJWKS", "rule_name": "RuleName", "subject_prefix": "SubjectPrefix",
		"audience": "Audience", "oauth_scope": "OAuthScope", "token_lifetime_s": "TokenLifetime",
		"max_identity_token_lifetime_s": "MaxIdentityTokenLifetime", "federation_rule_id": "FederationRuleID",
		"organization_id": "OrganizationID", "workspace_id": "WorkspaceID", "anthropic_base_url": "AnthropicBaseURL",
		"created_at": "CreatedAt", "updated_at": "UpdatedAt", "secret_ref_origin": "SecretRefOrigin",
		"claims_json": "Claims", "condition": "Condition", "issuer_id": "IssuerID", "console_token_ref": "ConsoleTokenRef",
		"console_token_ref_origin": "ConsoleTokenRefOrigin", "authentik_token_ref": "AuthentikTokenRef",
		"authentik_token_ref_origin": "AuthentikTokenRefOrigin", "provider_pk": "ProviderPK",
	}
	runColumnMap = columnMap{
		"id": "ID", "connection_id": "ConnectionID", "at": "At", "trigger": "Trigger", "ok": "OK",
		"summary": "Summary", "report_json": "ReportJSON", "token_fingerprint": "TokenFingerprint", "drift_json": "Drift",
		"kid": derivedColumn, // the token's kid, set from report_json by a trigger
	}
	eventColumnMap = columnMap{
		"id": "ID", "connection_id": "ConnectionID", "at": "At", "kind": "Kind", "actor": "Actor", "detail": "Detail",
		"fields": "Fields",
	}
	auditJobColumnMap = columnMap{
		"id": "ID", "started_at": "StartedAt", "finished_at": "FinishedAt", "state": "State",
		"trigger": "Trigger", "actor": "Actor", "total": "Total",
	}
	// job_id and seq are checked by the query that reads the row.
	auditResultColumnMap = columnMap{
		"job_id": "", "seq": "", "connection_id": "ConnectionID", "connection_name": "ConnectionName",
		"status": "Status", "run_id": "RunID", "summary": "Summary", "reason": "Reason", "drift_json": "Drift",
	}
)

// roundTrip is a store with a clock the test sets, and the same file opened without the store.
type roundTrip struct {
	db  *store.DB
	raw *sql.DB
	now time.Time
}

func newRoundTrip(t *testing.T) *roundTrip {
	path := tempPath(t)
	rt := &roundTrip{db: MustOpen(t, path), now: time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)}
	rt.db.Now = func() time.Time { return rt.now }
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	rt.raw = raw
	return rt
}

// tick moves the clock on, to a time no other step of the test used.
func (rt *roundTrip) tick() time.Time {
	rt.now = rt.now.Add(time.Hour + 7*time.Millisecond)
	return rt.now
}

// fullConnection is a connection with every field but those the store assigns set to a value
// of its own; the test fails when wif.Connection gains a field fillDistinct cannot fill.
func fullConnection(t *testing.T, tag string) *wif.Connection {
	var c wif.Connection
	fillDistinct(t, &c, tag, "ID", "Version", "CreatedAt", "UpdatedAt")
	return &c
}

func TestConnectionRoundTripEveryField(t *testing.T) {
	ctx := context.Background()
	rt := newRoundTrip(t)
	created := rt.tick()
	a := fullConnection(t, "a")
	if err := rt.db.CreateConnection(ctx, a, "test"); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Version != 1 || !a.CreatedAt.Equal(created) || !a.UpdatedAt.Equal(created) {
		t.Fatalf("create set ID %d, version %d, created %v, updated %v; want an ID, 1 and %v", a.ID, a.Version, a.CreatedAt, a.UpdatedAt, created)
	}
	assertAllSet(t, "written connection", a)
	rt.tick()
	b := fullConnection(t, "b")
	if err := rt.db.CreateConnection(ctx, b, "test"); err != nil {
		t.Fatal(err)
	}

	for _, want := range []*wif.Connection{a, b} {
		got, err := rt.db.GetConnection(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertAllSet(t, "GetConnection", got)
		assertSameFields(t, "GetConnection", got, want)
		byName, err := rt.db.GetConnectionByName(ctx, want.Name)
		if err != nil {
			t.Fatal(err)
		}
		assertSameFields(t, "GetConnectionByName", byName, want)
		assertColumns(t, rt.raw, "connections", "id = ?", []any{want.ID}, connectionColumnMap, want)
	}
	listed, err := rt.db.ListConnections(ctx, store.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || listed[0].ID != a.ID {
		t.Fatalf("ListConnections = %d connections, want a then b", len(listed))
	}
	assertSameFields(t, "ListConnections[0]", &listed[0], a)
	assertSameFields(t, "ListConnections[1]", &listed[1], b)

	// An update writes every field again.
	edited := fullConnection(t, "a2")
	edited.ID, edited.Version, edited.CreatedAt = a.ID, a.Version, a.CreatedAt
	updated := rt.tick()
	if err := rt.db.UpdateConnection(ctx, edited, "test"); err != nil {
		t.Fatal(err)
	}
	if edited.Version != 2 || !edited.UpdatedAt.Equal(updated) {
		t.Fatalf("update set version %d, updated %v; want 2 and %v", edited.Version, edited.UpdatedAt, updated)
	}
	got, err := rt.db.GetConnection(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameFields(t, "GetConnection after update", got, edited)
	assertColumns(t, rt.raw, "connections", "id = ?", []any{a.ID}, connectionColumnMap, edited)
}

// fullRun is a run with every field but its ID set to a value of its own.
func fullRun(t *testing.T, tag string, connectionID int64) *wif.Run {
	var r wif.Run
	fillDistinct(t, &r, tag, "ID", "ConnectionID")
	r.ConnectionID = connectionID
	return &r
}

func TestRunRoundTripEveryField(t *testing.T) {
	ctx := context.Background()
	rt := newRoundTrip(t)
	c := fullConnection(t, "c")
	if err := rt.db.CreateConnection(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	pass := fullRun(t, "pass", c.ID)
	if err := rt.db.AddRun(ctx, pass, "test"); err != nil {
		t.Fatal(err)
	}
	assertAllSet(t, "written run", pass)
	fail := fullRun(t, "fail", c.ID)
	fail.OK, fail.At = false, pass.At.Add(time.Minute)
	if err := rt.db.AddRun(ctx, fail, "test"); err != nil {
		t.Fatal(err)
	}

	for _, want := range []*wif.Run{pass, fail} {
		got, err := rt.db.GetRun(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSameFields(t, "GetRun", got, want)
		assertColumns(t, rt.raw, "runs", "id = ?", []any{want.ID}, runColumnMap, want)
	}
	runs, err := rt.db.ListRuns(ctx, c.ID, 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("ListRuns = %d runs, %v; want 2", len(runs), err)
	}
	assertSameFields(t, "ListRuns[0]", &runs[0], fail)
	assertSameFields(t, "ListRuns[1]", &runs[1], pass)
	last, err := rt.db.LastPassingRun(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertAllSet(t, "LastPassingRun", last)
	assertSameFields(t, "LastPassingRun", last, pass)

	// Summaries are the runs without their reports.
	withoutReport := func(r *wif.Run) *wif.Run { cp := *r; cp.ReportJSON = nil; return &cp }
	brief, err := rt.db.ListRunSummaries(ctx, c.ID, 0)
	if err != nil || len(brief) != 2 {
		t.Fatalf("ListRunSummaries = %d runs, %v; want 2", len(brief), err)
	}
	assertSameFields(t, "ListRunSummaries[0]", &brief[0], withoutReport(fail))
	assertSameFields(t, "ListRunSummaries[1]", &brief[1], withoutReport(pass))

	// A connection summary carries the connection's listed fields and its newest run.
	sums, err := rt.db.ListConnectionSummaries(ctx, store.ListFilter{})
	if err != nil || len(sums) != 1 {
		t.Fatalf("ListConnectionSummaries = %d, %v; want 1", len(sums), err)
	}
	assertSummaryOf(t, sums[0], c)
	assertSameFields(t, "ConnectionSummary.LastRun", sums[0].LastRun, withoutReport(fail))
}

// assertSummaryOf compares every field of a summary with the connection's field of the same
// name; a summary field the connection lacks must be LastRun, checked by the caller.
func assertSummaryOf(t *testing.T, s wif.ConnectionSummary, c *wif.Connection) {
	t.Helper()
	sv, cv := valueOf(&s), valueOf(c)
	for i := range sv.NumField() {
		name := sv.Type().Field(i).Name
		if name == "LastRun" {
			continue
		}
		f := cv.FieldByName(name)
		if !f.IsValid() {
			t.Errorf("ConnectionSummary.%s has no counterpart in wif.Connection; teach the test where it comes from", name)
			continue
		}
		if sv.Field(i).IsZero() {
			t.Errorf("ConnectionSummary.%s is zero", name)
		}
		for _, d := range fieldDiffs(sv.Field(i), f, "ConnectionSummary."+name) {
			t.Error(d)
		}
	}
}

func TestEventRoundTripEveryField(t *testing.T) {
	ctx := context.Background()
	rt := newRoundTrip(t)
	c := fullConnection(t, "c")
	if err := rt.db.CreateConnection(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	var e wif.Event
	fillDistinct(t, &e, "e", "ID", "ConnectionID")
	e.ConnectionID = c.ID
	if err := rt.db.AddEvent(ctx, &e); err != nil {
		t.Fatal(err)
	}
	assertAllSet(t, "written event", &e)
	events, err := rt.db.ListEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for i := range events {
		if events[i].ID == e.ID {
			found = true
			assertSameFields(t, "ListEvents", &events[i], &e)
		}
	}
	if !found {
		t.Fatalf("event %d not listed: %+v", e.ID, events)
	}
	assertColumns(t, rt.raw, "events", "id = ?", []any{e.ID}, eventColumnMap, &e)
}

// fullAuditJob is an audit with every field set to a value of its own and two results; it is
// running, so FinishedAt is zero until FinishAuditJob sets it.
func fullAuditJob(t *testing.T, tag string) *wif.AuditJob {
	var j wif.AuditJob
	fillDistinct(t, &j, tag, "FinishedAt")
	return &j
}

func createAuditJob(t *testing.T, rt *roundTrip, j *wif.AuditJob) {
	t.Helper()
	ctx := context.Background()
	stored := *j
	stored.Results = nil // results arrive one by one
	if err := rt.db.CreateAuditJob(ctx, &stored); err != nil {
		t.Fatal(err)
	}
	for _, r := range j.Results {
		if err := rt.db.AddAuditResult(ctx, j.ID, r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditJobRoundTripEveryField(t *testing.T) {
	ctx := context.Background()
	rt := newRoundTrip(t)
	if j, err := rt.db.LatestAuditJob(ctx); j != nil || err != nil {
		t.Fatalf("latest audit of an empty database = %+v, %v; want nil, nil", j, err)
	}
	older, newer := fullAuditJob(t, "older"), fullAuditJob(t, "newer")
	newer.StartedAt = older.StartedAt.Add(time.Minute)
	createAuditJob(t, rt, newer) // created first: LatestAuditJob must order by start, not by insertion
	createAuditJob(t, rt, older)

	got, err := rt.db.GetAuditJob(ctx, older.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameFields(t, "GetAuditJob (running)", got, older)
	latest, err := rt.db.LatestAuditJob(ctx)
	if err != nil || latest == nil {
		t.Fatalf("LatestAuditJob = %v, %v", latest, err)
	}
	assertSameFields(t, "LatestAuditJob", latest, newer)

	finished := rt.tick()
	if err := rt.db.FinishAuditJob(ctx, older.ID, "finished-state"); err != nil {
		t.Fatal(err)
	}
	older.State, older.FinishedAt = "finished-state", finished
	assertAllSet(t, "finished audit", older)
	if got, err = rt.db.GetAuditJob(ctx, older.ID); err != nil {
		t.Fatal(err)
	}
	assertSameFields(t, "GetAuditJob (finished)", got, older)
	assertColumns(t, rt.raw, "audit_jobs", "id = ?", []any{older.ID}, auditJobColumnMap, older, "Results")
	for i, r := range older.Results {
		assertColumns(t, rt.raw, "audit_results", "job_id = ? AND seq = ?", []any{older.ID, i}, auditResultColumnMap, &r)
	}
	if _, err := rt.db.GetAuditJob(ctx, "no-such-audit"); wif.ErrorCode(err) != wif.ENOTFOUND {
		t.Fatalf("unknown audit: %v, want ENOTFOUND", err)
	}
}

func TestInterruptRunningAuditJobs(t *testing.T) {
	ctx := context.Background()
	rt := newRoundTrip(t)
	var jobs []*wif.AuditJob
	for _, tag := range []string{"run1", "run2", "done"} {
		j := fullAuditJob(t, tag)
		j.State = wif.AuditRunning
		createAuditJob(t, rt, j)
		jobs = append(jobs, j)
	}
	doneAt := rt.tick()
	if err := rt.db.FinishAuditJob(ctx, jobs[2].ID, wif.AuditDone); err != nil {
		t.Fatal(err)
	}
	jobs[2].State, jobs[2].FinishedAt = wif.AuditDone, doneAt

	interruptedAt := rt.tick()
	n, err := rt.db.InterruptRunningAuditJobs(ctx)
	if err != nil || n != 2 {
		t.Fatalf("interrupted %d audits, %v; want the 2 running", n, err)
	}
	jobs[0].State, jobs[0].FinishedAt = wif.AuditInterrupted, interruptedAt
	jobs[1].State, jobs[1].FinishedAt = wif.AuditInterrupted, interruptedAt
	for _, want := range jobs {
		got, err := rt.db.GetAuditJob(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSameFields(t, "after InterruptRunningAuditJobs", got, want)
	}
	if n, err := rt.db.InterruptRunningAuditJobs(ctx); n != 0 || err != nil {
		t.Fatalf("second call interrupted %d, %v; want 0", n, err)
	}
}
