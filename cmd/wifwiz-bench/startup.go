package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// startupFigures: the built binary serving an existing 1,000-connection database.
type startupFigures struct {
	Binary   builtBinary
	ToHealth spread // process start → /healthz answers 200
	ToPage   spread // process start → the connections list served in full
	IdleRSS  uint64 // VmRSS one second after the page, median of the runs
	PeakRSS  uint64 // VmHWM at that time, median
}

// measureStartup starts the binary on the pages' database, or on a new one like it when the
// pages were not measured.
func measureStartup(ctx context.Context, o options, work, dbPath string, f *startupFigures) error {
	if dbPath == "" {
		dbPath = filepath.Join(work, "startup.db")
		rep, err := sampleReport(ctx)
		if err != nil {
			return err
		}
		if _, err := seedPagesDB(ctx, dbPath, rep); err != nil {
			return err
		}
	}
	var health, page []time.Duration
	var idle, peak []uint64
	for range o.startups {
		s, err := startOnce(ctx, f.Binary.Path, dbPath)
		if err != nil {
			return err
		}
		health, page = append(health, s.health), append(page, s.page)
		idle, peak = append(idle, s.idleRSS), append(peak, s.peakRSS)
	}
	f.ToHealth, f.ToPage = spreadOf(health), spreadOf(page)
	f.IdleRSS, f.PeakRSS = median(idle), median(peak)
	return nil
}

type startup struct {
	health, page     time.Duration
	idleRSS, peakRSS uint64
}

// startOnce starts `wifwiz serve` on a free loopback port and polls it every millisecond.
func startOnce(ctx context.Context, bin, dbPath string) (startup, error) {
	var s startup
	addr, err := freeLoopbackAddr()
	if err != nil {
		return s, err
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--db", dbPath)
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return s, fmt.Errorf("start wifwiz serve: %w", err)
	}
	defer stopServer(cmd)
	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + addr
	if err := pollHealthy(ctx, client, base+"/healthz", 10*time.Second); err != nil {
		return s, fmt.Errorf("%w; stderr: %s", err, stderr.String())
	}
	s.health = time.Since(start)
	body, err := fetchPage(ctx, client, base+"/", `data-testid="connection-row"`)
	if err != nil {
		return s, fmt.Errorf("first page: %w", err)
	}
	s.page = time.Since(start)
	if n := strings.Count(string(body), `data-testid="connection-row"`); n != listPageRows {
		return s, fmt.Errorf("the first page lists %d connections, want %d", n, listPageRows)
	}
	client.CloseIdleConnections()
	time.Sleep(time.Second)
	s.idleRSS, s.peakRSS = procStatusBytes(cmd.Process.Pid, "VmRSS"), procStatusBytes(cmd.Process.Pid, "VmHWM")
	return s, nil
}

func pollHealthy(ctx context.Context, c *http.Client, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within %s", url, limit)
}

// stopServer interrupts the server as Ctrl-C would and waits for it.
func stopServer(cmd *exec.Cmd) {
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// procStatusBytes reads a "kB" field of /proc/PID/status in bytes; 0 when unavailable.
func procStatusBytes(pid int, field string) uint64 {
	v := procField("/proc/"+strconv.Itoa(pid)+"/status", field)
	n, err := strconv.ParseUint(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0
	}
	return n * 1024
}
