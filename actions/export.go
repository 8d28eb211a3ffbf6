package actions

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// Handoff assembles conn's hand-off checklist from its history: who recorded each setting and
// when, who made the last change, its newest run, whether its secret reference resolves here,
// and the warnings the run's checks do not carry (drift, settings changed since that run).
func (s *Service) Handoff(ctx context.Context, conn wif.Connection) (workload.Checklist, error) {
	cl := workload.Checklist{Connection: conn, GeneratedAt: s.now().UTC(), RecordedAt: conn.UpdatedAt,
		SecretUsable: s.HasUsableSecret(conn)}
	events, err := s.store.ListEvents(ctx, conn.ID)
	if err != nil {
		return cl, fmt.Errorf("read the timeline of %q: %w", conn.Name, err)
	}
	if at, by := lastRecorded(events); !at.IsZero() {
		cl.RecordedBy, cl.RecordedAt = by, at
	}
	cl.Recorded = settingRecords(events)
	last, err := s.LastRun(ctx, conn.ID)
	if err != nil || last == nil {
		return cl, err
	}
	run, rep := last.Run, last.Report
	cl.LastRun = &workload.LastRun{At: run.At, Trigger: run.Trigger, OK: run.OK, Summary: rep.Summary, Checks: rep.Checks,
		Stale: run.At.Before(cl.RecordedAt)}
	cl.Warnings = handoffWarnings(cl.RecordedAt, run)
	return cl, nil
}

// settingRecords finds, for each setting, the newest event that set it: events come newest
// first and name the fields they recorded.
func settingRecords(events []wif.Event) map[string]workload.SettingRecord {
	out := map[string]workload.SettingRecord{}
	for _, e := range events {
		if e.Kind != wif.EventCreated && e.Kind != wif.EventEdited {
			continue
		}
		for _, f := range e.Fields {
			if _, seen := out[f]; !seen {
				out[f] = workload.SettingRecord{By: e.Actor, At: e.At}
			}
		}
	}
	return out
}

// handoffWarnings are what the run's checks do not say: settings changed since the run, and drift.
func handoffWarnings(recordedAt time.Time, run wif.Run) []string {
	var out []string
	if run.At.Before(recordedAt) {
		out = append(out, fmt.Sprintf("The settings changed on %s, after the last verification: verify again.", recordedAt.UTC().Format("2006-01-02 15:04 UTC")))
	}
	for _, d := range run.Drift {
		out = append(out, fmt.Sprintf("Changed since the last passing run (%s): %s (before %q, now %q).", d.Kind, d.Message, d.Before, d.After))
	}
	return out
}

// ExportRequest is one export of a connection.
type ExportRequest struct {
	Connection wif.Connection
	Format     string
	Actor      string
	Via        string // how it was asked for, for the timeline: "download", "wifwiz export"
	Image      string // the image with wifwiz for the Kubernetes refresher; empty: WorkloadOptions'
	// Credentials, for the authentik exports: with an authentik API token (given, or from the
	// connection's reference) authentik's version and the provider's signing key are read.
	Credentials Credentials
}

// WorkloadOptions are the options the exports render with: the wifwiz image is the one this
// binary's `make image` names (Deps.Image).
func (s *Service) WorkloadOptions() workload.Options {
	return workload.Options{Image: s.image}
}

// Export renders the document of req.Format and records the export in the connection's
// timeline. An unknown format is EINVALID.
func (s *Service) Export(ctx context.Context, req ExportRequest) (workload.Export, error) {
	if !slices.Contains(workload.ExportFormats(), req.Format) {
		return workload.Export{}, wif.Errorf(wif.EINVALID, "Choose an export format: %s.", strings.Join(workload.ExportFormats(), ", "))
	}
	cl, err := s.Handoff(ctx, req.Connection)
	if err != nil {
		return workload.Export{}, err
	}
	opts := workload.Options{Image: cmp.Or(req.Image, s.image)}
	if slices.Contains(workload.AuthentikFormats(), req.Format) {
		opts.Authentik = s.authentikFacts(ctx, req.Connection, req.Credentials)
	}
	exp, err := workload.RenderExport(cl, req.Format, opts)
	switch {
	case wif.ErrorCode(err) == wif.EINVALID:
		return exp, err
	case err != nil:
		return exp, &wif.Error{Code: wif.EINVALID, Message: "This connection cannot be exported as recorded: " + err.Error()}
	}
	detail := req.Format
	if req.Via != "" {
		detail += " via " + req.Via
	}
	err = s.store.AddEvent(ctx, &wif.Event{ConnectionID: req.Connection.ID, Kind: wif.EventExported, Actor: req.Actor, Detail: detail})
	if err != nil {
		return exp, fmt.Errorf("record the export of %q: %w", req.Connection.Name, err)
	}
	return exp, nil
}

// authentikFacts reads, when an authentik API token is at hand, authentik's version and the
// keypair the connection's provider signs with. Without a token, or when the read fails, they
// are unknown and the export says why.
func (s *Service) authentikFacts(ctx context.Context, c wif.Connection, given Credentials) workload.AuthentikFacts {
	token, err := s.givenOrStored(given.AuthentikToken, c, authentikSlot)
	switch {
	case err != nil:
		return workload.AuthentikFacts{Note: "the authentik API token reference could not be used"}
	case token == "":
		return workload.AuthentikFacts{Note: "no authentik API token was given to read it"}
	}
	ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
	defer cancel()
	st, err := s.authentik.ReadAuthentik(ctx, targetOf(c, token),
		wif.AuthentikLookup{ProviderPK: c.ProviderPK, ClientID: c.ClientID, ProviderName: c.ProviderName})
	if err != nil {
		return workload.AuthentikFacts{Note: "authentik's admin API could not be read"}
	}
	f := workload.AuthentikFacts{Version: st.Version}
	if p := st.Provider; p != nil {
		if ok, _ := p.SigningKey.CanSignJWTs(); ok {
			f.SigningKey = p.SigningKey.Name
		}
		if has, known := st.GrantTypesSupported(); known && has && f.Version == "" {
			f.Version = "2026.5"
		}
	}
	return f
}
