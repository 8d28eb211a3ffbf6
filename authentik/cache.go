package authentik

import (
	"context"
	"fmt"
	"sync"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// IssuerCache remembers discovery, JWKS and host resolution for the life of one audit, so
// connections sharing an issuer cost one fetch of each, even when checked concurrently.
// Failures are remembered too: an audit sees one consistent answer per issuer. The zero
// value is ready; a nil *IssuerCache caches nothing. Safe for concurrent use.
type IssuerCache struct {
	discovery memo[discovered]
	jwksets   memo[verify.Fetch]
	hosts     memo[resolution]
}

type resolution struct {
	addrs []string
	err   string
}

// Keys include the client: clients may trust different CAs, so their answers may differ.
func cacheKey(c *Client, s string) string { return fmt.Sprintf("%p %s", c, s) }

func (ic *IssuerCache) discover(ctx context.Context, c *Client, base string) discovered {
	if ic == nil {
		return c.discover(ctx, base)
	}
	d, err := ic.discovery.do(ctx, cacheKey(c, base), func(ctx context.Context) discovered { return c.discover(ctx, base) })
	if err != nil {
		return discovered{Fetch: verify.Fetch{URL: wif.DiscoveryURLFor(base), Err: c.describe(err)}}
	}
	return d
}

func (ic *IssuerCache) jwks(ctx context.Context, c *Client, u string) verify.Fetch {
	if ic == nil {
		return c.get(ctx, u)
	}
	f, err := ic.jwksets.do(ctx, cacheKey(c, u), func(ctx context.Context) verify.Fetch { return c.get(ctx, u) })
	if err != nil {
		return verify.Fetch{URL: u, Err: c.describe(err)}
	}
	return f
}

func (ic *IssuerCache) resolve(ctx context.Context, c *Client, host string) ([]string, string) {
	if ic == nil {
		return c.resolve(ctx, host)
	}
	r, err := ic.hosts.do(ctx, cacheKey(c, host), func(ctx context.Context) resolution {
		addrs, msg := c.resolve(ctx, host)
		return resolution{addrs, msg}
	})
	if err != nil {
		return nil, c.describe(err)
	}
	return r.addrs, r.err
}

// memo computes a value once per key; callers arriving meanwhile wait for it.
type memo[T any] struct {
	mu    sync.Mutex
	calls map[string]*call[T]
}

type call[T any] struct {
	done  chan struct{}
	value T
}

// do returns the value for key, computing it with fn the first time. The computation runs
// detached from the first caller's cancellation, since others may be waiting for it (the
// client's timeout still bounds it); a caller whose ctx ends stops waiting with ctx's error.
func (m *memo[T]) do(ctx context.Context, key string, fn func(context.Context) T) (T, error) {
	m.mu.Lock()
	if m.calls == nil {
		m.calls = map[string]*call[T]{}
	}
	cl, found := m.calls[key]
	if !found {
		cl = &call[T]{done: make(chan struct{})}
		m.calls[key] = cl
		go func() {
			defer close(cl.done)
			cl.value = fn(context.WithoutCancel(ctx))
		}()
	}
	m.mu.Unlock()
	select {
	case <-cl.done: // a value already there wins over a cancelled ctx
		return cl.value, nil
	default:
	}
	select {
	case <-cl.done:
		return cl.value, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
