package rule

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wifwiz/wifwiz/wif"
)

// MaxMatchLength is Anthropic's limit on subject_prefix and audience.
const MaxMatchLength = 1024

// Problem is one reason Anthropic's API would refuse a match block; Field is the API's field
// path and Error starts with it, as the API's messages do.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Problems is every problem found, in field order.
type Problems []Problem

// Err joins the problems, or is nil when there is none.
func (ps Problems) Err() error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Validate mirrors the API's validation of a rule's match block: at least one of subject_prefix,
// claims and condition (audience alone is refused); no '*' alone; the length limits; a condition
// that compiles to a bool and is not constant true.
func Validate(m wif.RuleMatch) Problems {
	var ps Problems
	add := func(field, msg string) { ps = append(ps, Problem{"match." + field, msg}) }
	if m.SubjectPrefix == "" && len(m.Claims) == 0 && m.Condition == "" {
		ps = append(ps, Problem{"match", "at least one of subject_prefix, claims or condition is required (audience alone is not enough)"})
	}
	switch {
	case m.SubjectPrefix == "*":
		add(MatcherSubject, "'*' alone would match every subject; give a prefix before the '*'")
	case utf8.RuneCountInString(m.SubjectPrefix) > MaxMatchLength:
		add(MatcherSubject, fmt.Sprintf("at most %d characters", MaxMatchLength))
	}
	if utf8.RuneCountInString(m.Audience) > MaxMatchLength {
		add(MatcherAudience, fmt.Sprintf("at most %d characters", MaxMatchLength))
	}
	for _, name := range slices.Sorted(maps.Keys(m.Claims)) {
		if strings.TrimSpace(name) == "" {
			add(MatcherClaims, "a claim name is empty")
		}
	}
	if m.Condition != "" {
		if _, err := Compile(m.Condition); err != nil {
			var ce *CompileError
			if errors.As(err, &ce) {
				add(MatcherCondition, ce.Problem)
			} else {
				add(MatcherCondition, err.Error())
			}
		}
	}
	return ps
}
