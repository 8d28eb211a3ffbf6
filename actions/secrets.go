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

// storedSecret resolves c's secret reference. The reference must be bound to the origin the
// secret is sent to now (wif.SecretOrigin), so that a changed issuer or token URL never receives
// a secret recorded for another one; in the server it must also be one the operator allowed
// (wif.SecretPolicy), since the server reads it with its own rights.
func (s *Service) storedSecret(c wif.Connection) (string, error) {
	switch {
	case c.SecretRef == "":
		return "", &SecretError{Message: "Enter the client secret: no secret reference is recorded.", Detail: ErrNoSecret}
	case c.SecretRefOrigin != "" && c.SecretRefOrigin != wif.SecretOrigin(c):
		return "", &SecretError{Message: "Enter the client secret: the issuer or token URL changed since the secret reference was recorded, so it is not used.",
			Detail: fmt.Errorf("reference recorded for %s, the secret now goes to %s", c.SecretRefOrigin, wif.SecretOrigin(c))}
	case !s.anyRef && !s.policy.Allows(c.SecretRef):
		return "", &SecretError{Message: "Enter the client secret: the recorded secret reference is not one this server may read (" + s.policy.Describe() + ")."}
	}
	secret, err := s.secrets.Resolve(c.SecretRef)
	if err != nil {
		return "", &SecretError{Message: "Enter the client secret: the recorded secret reference does not resolve here.", Detail: err}
	}
	return secret, nil
}

// bindSecretRef applies the secret-reference rules to a connection about to be saved from the
// web: a new or changed reference must be allowed by the policy (refused otherwise, with a
// generic message); a kept reference whose origin changed is dropped, and the result says so.
func (s *Service) bindSecretRef(stored, c *wif.Connection, fromWeb bool) (dropped bool, fe wif.FieldErrors) {
	origin := wif.SecretOrigin(*c)
	switch {
	case c.SecretRef == "":
		c.SecretRefOrigin = ""
	case c.SecretRef != stored.SecretRef:
		if fromWeb && !s.policy.Allows(c.SecretRef) {
			return false, wif.FieldErrors{wif.FieldSecretRef: "This server may read only " + s.policy.Describe() + ". Ask its operator, or type the secret when you verify."}
		}
		c.SecretRefOrigin = origin
	case stored.SecretRefOrigin != "" && stored.SecretRefOrigin != origin:
		c.SecretRef, c.SecretRefOrigin = "", ""
		return true, nil
	default:
		c.SecretRefOrigin = origin
	}
	return false, nil
}
