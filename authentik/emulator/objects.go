package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/wifwiz/wifwiz/wif"
)

// AddKeypair creates a certificate-key pair, as importing or generating one in authentik does;
// a provider can then select it (Provider.SigningKey, or signing_key through the admin API).
func (e *Emulator) AddKeypair(spec KeypairSpec) (Keypair, error) {
	k, err := newKeypair(spec, e.version.hashedKID())
	if err != nil {
		return Keypair{}, err
	}
	pub, err := k.public() // generates the key now, outside the lock
	if err != nil {
		return Keypair{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, other := range e.keypairs {
		if other.name == k.name {
			return Keypair{}, fmt.Errorf("a keypair named %q already exists", k.name)
		}
	}
	e.keypairs[k.uuid] = k
	return pub, nil
}

// Keypair returns a keypair by UUID; the default one is SelfSigned().UUID.
func (e *Emulator) Keypair(uuid string) (Keypair, bool) {
	k := e.keypair(uuid)
	if k == nil {
		return Keypair{}, false
	}
	pub, err := k.public()
	return pub, err == nil
}

// SelfSigned is the "authentik Self-signed Certificate" keypair (RSA) every instance has.
func (e *Emulator) SelfSigned() Keypair {
	e.mu.Lock()
	id := e.selfSigned
	e.mu.Unlock()
	k, _ := e.Keypair(id)
	return k
}

// FlowPK is the UUID of the flow with that slug, e.g. default-provider-authorization-implicit-consent.
func (e *Emulator) FlowPK(slug string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if f := e.flowBySlugLocked(slug); f != nil {
		return f.uuid, true
	}
	return "", false
}

// ScopeMappingPK is the UUID of the managed scope mapping for a scope name (openid, email,
// profile, entitlements, offline_access, goauthentik.io/api).
func (e *Emulator) ScopeMappingPK(scope string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := e.mappingsByScopeLocked(scope)
	if len(ids) == 0 {
		return "", false
	}
	return ids[0], true
}

// User is a person who can log in through the authorization code flow.
type User struct {
	Username string // unique
	Name     string // display name: name and given_name with the profile scope
	Email    string // with the email scope
	Groups   []string
	PK       int    // set by AddUser
	UUID     string // set by AddUser
}

// AddUser creates a user for authorization-code logins.
func (e *Emulator) AddUser(u User) (User, error) {
	if u.Username == "" {
		return User{}, fmt.Errorf("a user needs a username")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.userByNameLocked(u.Username) != nil {
		return User{}, fmt.Errorf("a user named %q already exists", u.Username)
	}
	e.nextUserPK++
	s := &userState{pk: e.nextUserPK, uuid: randomUUID(), username: u.Username, name: u.Name, email: u.Email, groups: cloneStrings(u.Groups)}
	e.users[s.pk] = s
	u.PK, u.UUID, u.Groups = s.pk, s.uuid, cloneStrings(u.Groups)
	return u, nil
}

// SetAutoLogin makes /application/o/authorize/ log username in at once, without a page, as a
// test-only auto-consent; "" restores the login page.
func (e *Emulator) SetAutoLogin(username string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if username != "" && e.userByNameLocked(username) == nil {
		return fmt.Errorf("no user named %q", username)
	}
	e.autoLogin = username
	return nil
}

// SetLoginAudience makes the provider behind slug put aud instead of its client ID into the
// tokens of authorization-code logins: a misissued token, which a relying party must refuse.
// "" restores the client ID. Tests only; authentik has no such setting.
func (e *Emulator) SetLoginAudience(slug, aud string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.providerForSlugLocked(slug)
	if p == nil {
		return fmt.Errorf("no provider for the application %q", slug)
	}
	p.loginAudience = aud
	return nil
}

// Subject is the sub a provider (named by its application's slug) gives a user in its tokens.
func (e *Emulator) Subject(slug, username string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.providerForSlugLocked(slug)
	u := e.userByNameLocked(username)
	if p == nil || u == nil {
		return "", fmt.Errorf("no provider %q or no user %q", slug, username)
	}
	return e.subject(p.subMode, u), nil
}

// subject is sub for a user under a subject mode.
func (e *Emulator) subject(mode string, u *userState) string {
	switch mode {
	case wif.SubUserID:
		return strconv.Itoa(u.pk)
	case wif.SubUserUUID:
		return u.uuid
	case wif.SubUsername:
		return u.username
	case wif.SubEmail:
		return u.email
	}
	// Hashed user ID, and UPN, which falls back to it for a user without one.
	sum := sha256.Sum256([]byte(strconv.Itoa(u.pk) + "-" + e.secretKey))
	return hex.EncodeToString(sum[:])
}
