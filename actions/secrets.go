package actions

import (
	"errors"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// SecretError is a stored secret reference that cannot be used. Its message is generic — safe to
// show a web user, since it says nothing of the server's files or environment; Detail says more,
// for the operator at the command line.
type SecretError struct {
	Message string
	Detail  error
}

func (e *SecretError) Error() string { return e.Message }

// Unwrap lets errors.Is/As reach the detail.
func (e *SecretError) Unwrap() error { return e.Detail }

// SecretDetail is the operator-facing message of err: the detail of a *SecretError, else err's.
func SecretDetail(err error) string {
	var se *SecretError
	if errors.As(err, &se) && se.Detail != nil {
		return se.Message + " (" + se.Detail.Error() + ")"
	}
	return err.Error()
}

// ErrNoSecret: neither a typed secret nor a usable reference.
var ErrNoSecret = errors.New("no client secret")

// HasUsableSecret reports whether c's recorded reference would give a secret now.
func (s *Service) HasUsableSecret(c wif.Connection) bool {
	_, err := s.storedSecret(c)
	return err == nil
}

// HasConsoleToken reports whether c's recorded Console token reference would give a token now.
func (s *Service) HasConsoleToken(c wif.Connection) bool {
	_, err := s.storedRef(c, consoleSlot)
	return err == nil
}

// HasAuthentikToken reports whether c's recorded authentik API token reference would give a
// token now.
func (s *Service) HasAuthentikToken(c wif.Connection) bool {
	_, err := s.storedRef(c, authentikSlot)
	return err == nil
}

// storedSecret resolves c's secret reference. The reference must be bound to the origin the
// secret is sent to now (wif.SecretOrigin), so that a changed issuer or token URL never receives
// a secret recorded for another one; in the server it must also be one the operator allowed
// (wif.SecretPolicy), since the server reads it with its own rights.
func (s *Service) storedSecret(c wif.Connection) (string, error) {
	return s.storedRef(c, secretSlot)
}

// refSlot is one reference a connection records — to its client secret or to an admin API
// token — with the origin it is bound to: the origin its secret is sent to.
type refSlot struct {
	field  string
	label  string
	ref    func(c *wif.Connection) *string
	origin func(c *wif.Connection) *string
	sendTo func(c wif.Connection) string
}

// The references a connection records: to its client secret and to the two admin API tokens.
var (
	secretSlot = refSlot{wif.FieldSecretRef, "client secret", func(c *wif.Connection) *string { return &c.SecretRef },
		func(c *wif.Connection) *string { return &c.SecretRefOrigin }, wif.SecretOrigin}
	consoleSlot = refSlot{wif.FieldConsoleTokenRef, "Console token", func(c *wif.Connection) *string { return &c.ConsoleTokenRef },
		func(c *wif.Connection) *string { return &c.ConsoleTokenRefOrigin }, wif.ConsoleOrigin}
	authentikSlot = refSlot{wif.FieldAuthentikTokenRef, "authentik API token", func(c *wif.Connection) *string { return &c.AuthentikTokenRef },
		func(c *wif.Connection) *string { return &c.AuthentikTokenRefOrigin }, wif.AuthentikOrigin}
	refSlots = []refSlot{secretSlot, consoleSlot, authentikSlot}
)

// bindRefs applies the reference rules to a connection about to be saved: a new or changed
// reference must be allowed by the policy when it comes from the web (refused otherwise, with a
// generic message) and is bound to the origin its secret goes to; a kept reference whose origin
// changed is dropped, and the result names it.
func (s *Service) bindRefs(stored, c *wif.Connection, fromWeb bool) (dropped []string, fe wif.FieldErrors) {
	fe = wif.FieldErrors{}
	for _, slot := range refSlots {
		ref, bound, origin := slot.ref(c), slot.origin(c), slot.sendTo(*c)
		switch {
		case *ref == "":
			*bound = ""
		case *ref != *slot.ref(stored):
			if fromWeb && !s.policy.Allows(*ref) {
				fe.Add(slot.field, "This server may read only "+s.policy.Describe()+". Ask its operator, or type the "+slot.label+" when you use it.")
				continue
			}
			*bound = origin
		case *slot.origin(stored) != "" && *slot.origin(stored) != origin:
			*ref, *bound = "", ""
			dropped = append(dropped, slot.label)
		default:
			*bound = origin
		}
	}
	return dropped, fe
}

// storedRef resolves one of c's references under the same rules as storedSecret.
func (s *Service) storedRef(c wif.Connection, slot refSlot) (string, error) {
	ref, bound, origin := *slot.ref(&c), *slot.origin(&c), slot.sendTo(c)
	what := "Enter the " + slot.label
	switch {
	case ref == "":
		return "", &SecretError{Message: what + ": no reference to it is recorded.", Detail: ErrNoSecret}
	case bound != "" && bound != origin:
		return "", &SecretError{Message: what + ": the URL it is sent to changed since its reference was recorded, so it is not used.",
			Detail: fmt.Errorf("reference recorded for %s, it would now go to %s", bound, origin)}
	case !s.anyRef && !s.policy.Allows(ref):
		return "", &SecretError{Message: what + ": the recorded reference is not one this server may read (" + s.policy.Describe() + ")."}
	}
	v, err := s.secrets.Resolve(ref)
	if err != nil {
		return "", &SecretError{Message: what + ": the recorded reference does not resolve here.", Detail: err}
	}
	return v, nil
}

// credentials fills what given lacks from c's references, for a verification that reads both
// sides; see givenOrStored.
func (s *Service) credentials(c wif.Connection, given Credentials) (Credentials, error) {
	console, err := s.givenOrStored(given.ConsoleToken, c, consoleSlot)
	if err != nil {
		return given, err
	}
	ak, err := s.givenOrStored(given.AuthentikToken, c, authentikSlot)
	if err != nil {
		return given, err
	}
	return Credentials{ConsoleToken: console, AuthentikToken: ak}, nil
}

// givenOrStored is the token given (typed, or given on the command line), else the one c's
// reference in slot gives; "" when there is neither. A reference that cannot be used is an error
// only when no token was given. A use of one side resolves only that side's reference.
func (s *Service) givenOrStored(given string, c wif.Connection, slot refSlot) (string, error) {
	if given != "" || *slot.ref(&c) == "" {
		return given, nil
	}
	return s.storedRef(c, slot)
}
