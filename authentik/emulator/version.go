package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultVersion is the authentik release the emulator behaves as unless WithVersion says otherwise.
const DefaultVersion = "2026.2.2"

// version is an authentik release as year.minor[.patch]; behaviour that changed between releases
// is gated on it.
type version struct {
	raw         string
	year, minor int
}

func parseVersion(s string) (version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return version{}, fmt.Errorf("authentik version %q: write it as year.minor[.patch], e.g. 2026.2.2", s)
	}
	year, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || year < 2000 || minor < 1 || minor > 12 {
		return version{}, fmt.Errorf("authentik version %q: write it as year.minor[.patch], e.g. 2026.2.2", s)
	}
	return version{raw: s, year: year, minor: minor}, nil
}

func (v version) atLeast(year, minor int) bool {
	return v.year > year || v.year == year && v.minor >= minor
}

// Behaviour that changed between releases.
func (v version) hasJTI() bool          { return v.atLeast(2026, 2) }  // id_token jti
func (v version) hashedKID() bool       { return v.atLeast(2026, 2) }  // kid of new keys: SHA-512, not MD5
func (v version) hasRequestID() bool    { return v.atLeast(2025, 8) }  // request_id in token errors
func (v version) hasGrantTypes() bool   { return v.atLeast(2026, 5) }  // provider grant_types
func (v version) redirectURIList() bool { return v.atLeast(2024, 12) } // redirect_uris as a list
func (v version) keypairKeyType() bool  { return v.atLeast(2025, 12) } // key_type on keypairs
