package wif

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// MaxConditionLength is the longest CEL condition the Console accepts (in characters).
const MaxConditionLength = 4096

// claimNamePattern: a top-level claim name as a rule's claims matcher names it.
var claimNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.:/-]*$`)

// FormatClaims writes claims matchers one per line as NAME=VALUE, sorted by name.
func FormatClaims(m map[string]string) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	lines := make([]string, len(names))
	for i, k := range names {
		lines[i] = k + "=" + m[k]
	}
	return strings.Join(lines, "\n")
}

// ParseClaims reads claims matchers written as NAME=VALUE, one per line (or separated by ';' on
// the command line). Blank lines are skipped; the error names the line to change.
func ParseClaims(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := addClaim(out, line); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// addClaim adds one NAME=VALUE matcher to m.
func addClaim(m map[string]string, nv string) error {
	name, value, ok := strings.Cut(nv, "=")
	name = strings.TrimSpace(name)
	switch {
	case !ok:
		return fmt.Errorf("%q is not NAME=VALUE", nv)
	case !claimNamePattern.MatchString(name):
		return fmt.Errorf("%q is not a claim name (letters, digits, _ . : / -)", name)
	case value == "":
		return fmt.Errorf("claim %s has no value: a claims matcher compares with an exact string", name)
	}
	if _, dup := m[name]; dup {
		return fmt.Errorf("claim %s is given twice", name)
	}
	m[name] = value
	return nil
}

// AddClaim adds one NAME=VALUE matcher (the command line's repeatable --claim) to m.
func AddClaim(m map[string]string, nv string) error { return addClaim(m, nv) }

func claimsProblem(m map[string]string) string {
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if !claimNamePattern.MatchString(name) {
			return fmt.Sprintf("Claims matchers: %q is not a claim name — use a top-level claim such as groups or azp.", name)
		}
		if m[name] == "" {
			return fmt.Sprintf("Claims matchers: %s has no value — a claims matcher compares with an exact string.", name)
		}
		if p := textProblem(FieldClaims, "Claims matchers", m[name]); p != "" {
			return p
		}
	}
	return ""
}

func conditionProblem(v string) string {
	if n := len([]rune(v)); n > MaxConditionLength {
		return fmt.Sprintf("CEL condition is %d characters long — the Console accepts at most %d.", n, MaxConditionLength)
	}
	return ""
}
