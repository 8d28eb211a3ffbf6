package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/store"
)

// runWorker runs one measurement in this child process and prints its figures as JSON.
func runWorker(ctx context.Context, o options, stdout io.Writer) error {
	if o.worker != "audit" {
		return fmt.Errorf("%w: unknown -worker %q", errUsage, o.worker)
	}
	f, err := auditWorker(ctx, o.workerDB, o.workerCA)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(f)
}

// auditWorker audits every stored connection the way `wifwiz audit` does: the connections
// listed from the store, verified DefaultConcurrency at a time, each run recorded.
func auditWorker(ctx context.Context, dbPath, caPath string) (workerFigures, error) {
	var f workerFigures
	ca, err := os.ReadFile(caPath)
	if err != nil {
		return f, err
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return f, err
	}
	defer db.Close()
	heap := startHeapSampler(5 * time.Millisecond)
	start := time.Now()
	app := actions.New(actions.Deps{Store: db, Verifier: &probe.Runner{ExtraCA: ca}, Secrets: secretref.Resolver{}, ResolveAnyRef: true})
	out, err := app.Audit(ctx, actions.AuditRequest{})
	if err != nil {
		return f, err
	}
	f.Wall = time.Since(start)
	f.PeakHeapInuse = heap.stop()
	f.Summary = out.Summary
	return f, nil
}

// heapSampler records the largest HeapInuse seen.
type heapSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	h := &heapSampler{done: make(chan struct{})}
	h.sample()
	h.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-t.C:
				h.sample()
			}
		}
	})
	return h
}

func (h *heapSampler) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, m.HeapInuse)
}

func (h *heapSampler) stop() uint64 {
	close(h.done)
	h.wg.Wait()
	h.sample()
	return h.peak
}
