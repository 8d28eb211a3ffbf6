package webhook_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/webhook"
)

func TestSenderRefusesAndHidesTheURL(t *testing.T) {
	s, err := webhook.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Send(ctx, "http://alerts.example.com/hook", []byte("{}")); err == nil {
		t.Error("plain http off loopback was sent")
	}
	// A closed loopback port: the error must not quote the path, which may be a credential.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if _, err := s.Send(ctx, "http://"+addr+"/services/s3cr3t", []byte("{}")); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %v", err)
	}
	// A receiver that redirects is not followed: its status is the answer.
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	if st, err := s.Send(ctx, srv.URL+"/hook", []byte("{}")); err != nil || st != http.StatusFound || hits != 1 {
		t.Errorf("redirect: status %d, %v, %d requests", st, err, hits)
	}
	// A self-signed https receiver is refused: TLS is always verified.
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tls.Close()
	if _, err := s.Send(ctx, tls.URL+"/hook", []byte("{}")); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
}
