package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

const alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomString returns n characters from alphanumeric, as authentik's generate_id does.
func randomString(n int) string {
	b := make([]byte, n)
	mustRead(b)
	for i := range b {
		b[i] = alphanumeric[int(b[i])%len(alphanumeric)] // the modulo bias is irrelevant for a test double
	}
	return string(b)
}

func randomHex(nBytes int) string {
	b := make([]byte, nBytes)
	mustRead(b)
	return hex.EncodeToString(b)
}

// randomUUID returns a version 4 UUID.
func randomUUID() string {
	b := make([]byte, 16)
	mustRead(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func mustRead(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
}
