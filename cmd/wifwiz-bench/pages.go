package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/web"
	"github.com/wifwiz/wifwiz/wif"
)

// The pages' database (issue 7): 1,000 connections with a run each; the first has 100 runs.
const (
	pageConnections = 1000
	listPageRows    = 50 // the connections page shows this many a page (web.connectionsPerPage)
	pageDetailRuns  = 100
	pageIssuers     = 10
	serviceTimeLoad = 2 * time.Second // one client alone: the time a page costs without queueing
)

// pageFigures is the load on each page, served in this process by web.New.
type pageFigures struct {
	DBPath string
	Pages  []pageLoad
}

// pageLoad is one page under load.
type pageLoad struct {
	Name, Path   string
	Bytes        int
	Requests     int
	Errors       int
	RPS          float64
	Latency      spread
	Alone        spread        // one client: the page's own cost
	AloneCPU     time.Duration // CPU per request then, server and client: little moved by other work on the machine
	HeapBefore   uint64        // HeapInuse after a GC, before and after the load
	HeapAfter    uint64
	GoroutinesBF [2]int
	// Capacity is the most clients, of capacitySteps, under which p99 stayed below pageTarget.
	OtherCores  float64 // cores other processes kept busy during the load
	Capacity    int
	CapacityP99 time.Duration
}

// pageTarget is issue 7's p99 target; capacitySteps are the client counts tried against it, for
// serviceTimeLoad each.
const pageTarget = 20 * time.Millisecond

var capacitySteps = []int{1, 2, 4, 8, 16}

func measurePages(ctx context.Context, o options, work string) (pageFigures, error) {
	f := pageFigures{DBPath: filepath.Join(work, "pages.db")}
	rep, err := sampleReport(ctx)
	if err != nil {
		return f, err
	}
	detailID, err := seedPagesDB(ctx, f.DBPath, rep)
	if err != nil {
		return f, err
	}
	db, err := store.Open(ctx, f.DBPath)
	if err != nil {
		return f, err
	}
	defer db.Close()
	base, stop, err := servePages(db)
	if err != nil {
		return f, err
	}
	defer stop()
	targets := []struct{ name, path, marker string }{
		{"connections list (1,000 connections, first page of 50)", "/", `data-testid="connection-row"`},
		{"connection detail (100 runs)", fmt.Sprintf("/connections/%d", detailID), `data-testid="runs"`},
		{"verification report", fmt.Sprintf("/connections/%d/wizard/5", detailID), `data-testid="report"`},
	}
	for _, t := range targets {
		p := pageLoad{Name: t.name, Path: t.path}
		if err := loadPage(ctx, base, t.marker, o, &p); err != nil {
			return f, fmt.Errorf("%s: %w", t.path, err)
		}
		f.Pages = append(f.Pages, p)
	}
	return f, nil
}

// sampleReport is a real report of a passing check against the emulator.
func sampleReport(ctx context.Context) (verify.Report, error) {
	is, err := startIssuer(0, 1)
	if err != nil {
		return verify.Report{}, err
	}
	defer is.close()
	conn, err := is.connection(ctx, 0, "sample")
	if err != nil {
		return verify.Report{}, err
	}
	return is.runner().Verify(ctx, wif.ProbeRequest{Connection: conn, Secret: is.providers[0].ClientSecret})
}

// seedPagesDB stores the pages' connections, each with the CA and inline JWKS a real one
// records, and returns the ID of the one with pageDetailRuns runs.
func seedPagesDB(ctx context.Context, path string, rep verify.Report) (int64, error) {
	is, err := startIssuer(0, pageIssuers)
	if err != nil {
		return 0, err
	}
	defer is.close()
	db, err := store.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	body, err := json.Marshal(rep)
	if err != nil {
		return 0, err
	}
	templates := make([]wif.Connection, pageIssuers)
	for i := range templates {
		if templates[i], err = is.connection(ctx, i, ""); err != nil {
			return 0, err
		}
		templates[i].CAPEM = string(is.emu.CAPEM())
	}
	var detail int64
	for i := range pageConnections {
		c := templates[i%pageIssuers]
		c.Name = fmt.Sprintf("workload-%04d", i)
		if err := db.CreateConnection(ctx, &c, "bench"); err != nil {
			return 0, err
		}
		runs := 1
		if i == 0 {
			detail, runs = c.ID, pageDetailRuns
		}
		for range runs {
			r := &wif.Run{ConnectionID: c.ID, Trigger: wif.TriggerAudit, OK: rep.OK, Summary: actions.SummaryText(rep.Summary),
				ReportJSON: body, TokenFingerprint: rep.Token.SHA256}
			if err := db.AddRun(ctx, r, "bench"); err != nil {
				return 0, err
			}
		}
	}
	return detail, nil
}

// servePages serves web.New on a loopback port, logging to nowhere (the formatting is kept).
func servePages(db *store.DB) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	app := actions.New(actions.Deps{Store: db, Verifier: &probe.Runner{}, Secrets: secretref.Resolver{Getenv: func(string) string { return "" }}})
	h := web.New(web.Config{App: app, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// loadPage measures the page alone, then under o.clients concurrent clients for o.duration.
func loadPage(ctx context.Context, base, marker string, o options, p *pageLoad) error {
	url := base + p.Path
	warm := newLoadClient(1)
	body, err := fetchPage(ctx, warm, url, marker)
	if err != nil {
		return err
	}
	p.Bytes = len(body)
	cpu := selfCPU()
	alone := hammer(ctx, warm, url, marker, 1, serviceTimeLoad)
	p.AloneCPU = (selfCPU() - cpu) / time.Duration(max(1, len(alone.latencies)))
	p.Alone = spreadOf(alone.latencies)
	warm.CloseIdleConnections()

	p.HeapBefore, p.GoroutinesBF[0] = settledHeap()
	client := newLoadClient(o.clients)
	others := startOtherLoad()
	r := hammer(ctx, client, url, marker, o.clients, o.duration)
	p.OtherCores = others.cores(0)
	client.CloseIdleConnections()
	p.HeapAfter, p.GoroutinesBF[1] = settledHeap()
	p.Requests, p.Errors = len(r.latencies)+r.errors, r.errors
	p.RPS = float64(len(r.latencies)) / r.took.Seconds()
	p.Latency = spreadOf(r.latencies)
	if r.firstErr != nil {
		return fmt.Errorf("%d errors under load, the first: %w", r.errors, r.firstErr)
	}
	if !o.capacity {
		return nil
	}
	return p.findCapacity(ctx, url, marker)
}

// findCapacity raises the clients until p99 reaches pageTarget.
func (p *pageLoad) findCapacity(ctx context.Context, url, marker string) error {
	for _, n := range capacitySteps {
		c := newLoadClient(n)
		r := hammer(ctx, c, url, marker, n, serviceTimeLoad)
		c.CloseIdleConnections()
		if r.firstErr != nil {
			return fmt.Errorf("%d clients: %w", n, r.firstErr)
		}
		p99 := spreadOf(r.latencies).P99
		if p99 >= pageTarget {
			return nil
		}
		p.Capacity, p.CapacityP99 = n, p99
	}
	return nil
}

func newLoadClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost, t.MaxConnsPerHost = conns, conns
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// hammered is what the clients of one load saw.
type hammered struct {
	latencies []time.Duration
	errors    int
	firstErr  error
	took      time.Duration
}

// hammer requests url from clients goroutines, each waiting for its answer before the next
// request, until d has passed. Bounded: clients goroutines, one loopback address.
func hammer(ctx context.Context, c *http.Client, url, marker string, clients int, d time.Duration) hammered {
	type seen struct {
		lat []time.Duration
		err error
		n   int
	}
	results := make(chan seen, clients)
	start := time.Now()
	deadline := start.Add(d)
	for range clients {
		go func() {
			var s seen
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				if _, err := fetchPage(ctx, c, url, marker); err != nil {
					s.n++
					s.err = cmpErr(s.err, err)
					continue
				}
				s.lat = append(s.lat, time.Since(t0))
			}
			results <- s
		}()
	}
	var h hammered
	for range clients {
		s := <-results
		h.latencies = append(h.latencies, s.lat...)
		h.errors += s.n
		h.firstErr = cmpErr(h.firstErr, s.err)
	}
	h.took = time.Since(start)
	return h
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// fetchPage gets url and insists on a 200 whose body holds marker.
func fetchPage(ctx context.Context, c *http.Client, url, marker string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	case !bytes.Contains(body, []byte(marker)):
		return nil, errors.New("the page lacks " + marker)
	}
	return body, nil
}

// settledHeap is HeapInuse and the goroutine count after a collection, once idle connections
// have had time to close.
func settledHeap() (uint64, int) {
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, runtime.NumGoroutine()
}
