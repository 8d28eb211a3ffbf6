// Package webhook posts alerts to webhooks: https only (plain http to loopback alone), TLS always
// verified (an extra CA may be trusted), no redirects followed, a timeout on every request and a
// bound on what is read back. Its errors never quote the URL, whose path may be a credential.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/wif"
)

// Timeout bounds one delivery, connection included.
const Timeout = 10 * time.Second

// maxResponse is how much of a receiver's answer is read (and discarded).
const maxResponse = 1 << 20

// Sender posts JSON bodies to webhooks.
type Sender struct {
	client *http.Client
}

// New builds a Sender that also trusts extraCA (PEM; nil for none).
func New(extraCA []byte) (*Sender, error) {
	tc, err := tlsconf.Client(extraCA)
	if err != nil {
		return nil, fmt.Errorf("webhook TLS: %w", err)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tc
	t.Proxy = nil
	return &Sender{client: &http.Client{Transport: t, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// Send posts body to target and returns the receiver's status.
func (s *Sender) Send(ctx context.Context, target string, body []byte) (int, error) {
	if err := wif.ValidateWebhookURL(target); err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "wifwiz-alerts")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, withoutURL(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	return resp.StatusCode, nil
}

// withoutURL drops the URL net/http puts in its errors.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no answer within %v", Timeout)
		}
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
