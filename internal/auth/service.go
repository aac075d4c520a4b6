package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/authapi/authapi/internal/password"
	"github.com/authapi/authapi/internal/token"
	"github.com/google/uuid"
)

// Config holds the service's policy settings.
type Config struct {
	AccessTTL  time.Duration // lifetime of access tokens
	RefreshTTL time.Duration // lifetime of refresh tokens
	// ReuseGrace is how long a rotated refresh token stays usable, so that two tabs
	// refreshing at once both succeed. After it, presenting that token revokes the session.
	ReuseGrace time.Duration
	// SessionMaxLifetime ends a session this long after login, however often it refreshes.
	SessionMaxLifetime time.Duration
	// SessionIdleTimeout ends a session not refreshed for this long (0: no limit).
	SessionIdleTimeout time.Duration
	// EmailVerification makes new users unverified until they confirm their email.
	EmailVerification bool
	// Lockout is the per-account back-off after failed logins.
	Lockout LockoutPolicy
}

// Deps are what a Service works with.
type Deps struct {
	Store  Store
	Hasher *password.Pool
	Tokens *token.Manager
	Now    func() time.Time // the clock; nil means time.Now
	Log    *slog.Logger
	Events Events // optional
}

// Service implements the account and token flows on top of a Store.
type Service struct {
	store  Store
	hasher *password.Pool
	tokens *token.Manager
	cfg    Config
	now    func() time.Time
	log    *slog.Logger
	events Events
	// checks serialises the password checks of each account (attempts.go).
	checks attempts
	// floor is the least time a failed login takes (failfloor.go).
	floor failFloor
}

// NewService returns a Service.
func NewService(d Deps, cfg Config) *Service {
	s := &Service{store: d.Store, hasher: d.Hasher, tokens: d.Tokens, cfg: cfg, now: d.Now, log: d.Log, events: d.Events}
	if s.now == nil {
		s.now = time.Now
	}
	if s.events == nil {
		s.events = noEvents{}
	}
	return s
}

func (s *Service) record(ctx context.Context, name, outcome string, userID uuid.UUID) {
	s.events.Record(ctx, Event{Name: name, Outcome: outcome, UserID: userID})
}

// RegisterInput is a validated registration. Email is already normalised (ParseEmail).
type RegisterInput struct {
	Name, Email, Photo        string
	Password, PasswordConfirm string
}

// ClientMeta describes the client that opens a session, for the user's session list.
type ClientMeta struct {
	UserAgent string
	IP        string
}

// Tokens is a freshly issued access and refresh token pair.
type Tokens struct {
	Access, Refresh               string
	AccessExpires, RefreshExpires time.Time
}

// Principal is an authenticated caller: the user and the session its token belongs to.
type Principal struct {
	User      User
	SessionID uuid.UUID
}

// clock returns the current time at the database's precision.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Register creates an account. The order of checks is the reference server's:
// a used email wins over a password mismatch.
func (s *Service) Register(ctx context.Context, in RegisterInput) (User, error) {
	if _, err := s.store.UserByEmail(ctx, in.Email); err == nil {
		s.record(ctx, EventRegister, OutcomeExists, uuid.Nil)
		return User{}, ErrAccountExists
	} else if !errors.Is(err, ErrNotFound) {
		return User{}, fmt.Errorf("register: %w", err)
	}
	if in.Password != in.PasswordConfirm {
		return User{}, ErrPasswordMismatch
	}
	// Unlike Login, no place in the hash pool is taken before the read:
	// 409 and 400 stay what they are however busy the pool.
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return User{}, hashError("register", err)
	}
	now := s.clock()
	u := User{
		ID: mustV7(), Name: in.Name, Email: in.Email, Photo: in.Photo, PasswordHash: hash,
		Verified: !s.cfg.EmailVerification, Role: RoleUser, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		// Two registrations raced past the first check: the unique index decides.
		if errors.Is(err, ErrEmailTaken) {
			s.record(ctx, EventRegister, OutcomeExists, uuid.Nil)
			return User{}, ErrAccountExists
		}
		return User{}, fmt.Errorf("register: %w", err)
	}
	s.record(ctx, EventRegister, OutcomeCreated, u.ID)
	return u, nil
}

// Login checks the password, then the verified flag, and opens a session.
// Every failure path does the same work — two reads, one password hash, one
// write — so an unknown email, a wrong password and a locked account take the
// same time and give nothing away; the lockout is keyed by the email as
// typed, so unknown addresses lock exactly like real ones.
func (s *Service) Login(ctx context.Context, email, pw string, meta ClientMeta) (Tokens, error) {
	floor := s.floor.get(ctx, s.measureFailFloor)
	// A place in the hash pool before any read: a login the pool refuses,
	// as it refuses most of a flood, costs the database nothing.
	slot, err := s.hasher.Reserve()
	if err != nil {
		return Tokens{}, hashError("login", err)
	}
	defer slot.Release()
	done, err := s.checks.take(ctx, email)
	if err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	defer done()
	now := s.clock()
	th, err := s.store.LoginThrottle(ctx, email, now)
	if err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	u, err := s.store.UserByEmail(ctx, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	// Every answer but success takes at least floor from here: see failFloor.
	began := time.Now()
	if th.Locked(now) || !known {
		if err := slot.VerifyDummy(ctx, pw); err != nil {
			return Tokens{}, hashError("login", err)
		}
		err := s.loginFailed(ctx, email, u.ID, th.Locked(now), now)
		waitOut(ctx, began, floor)
		return Tokens{}, err
	}
	ok, rehash, err := slot.Verify(ctx, u.PasswordHash, pw)
	if err != nil && !errors.Is(err, password.ErrInvalidHash) {
		return Tokens{}, hashError("login", err) // pool busy, or the caller gave up
	}
	if _, imported := password.BcryptCost(u.PasswordHash); imported {
		s.floor.observe(time.Since(began))
	}
	if err != nil {
		s.log.ErrorContext(ctx, "stored password hash is unreadable", "user_id", u.ID, "error", err)
		ok = false
	}
	if !ok {
		err := s.loginFailed(ctx, email, u.ID, false, now)
		waitOut(ctx, began, floor)
		return Tokens{}, err
	}
	if th.Failures > 0 {
		if err := s.store.ClearLoginFailures(ctx, email); err != nil {
			return Tokens{}, fmt.Errorf("login: %w", err)
		}
	}
	if !u.Verified {
		s.record(ctx, EventLogin, OutcomeNotVerified, u.ID)
		waitOut(ctx, began, floor)
		return Tokens{}, ErrLoginNotVerified
	}
	if rehash {
		s.upgradeHash(ctx, u.ID, pw)
	}
	sess := Session{
		ID: mustV7(), UserID: u.ID, RefreshJTI: uuid.New(),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.cfg.SessionMaxLifetime),
		UserAgent: cleanText(meta.UserAgent, 512), IP: cleanText(meta.IP, 64),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	s.record(ctx, EventLogin, OutcomeSuccess, u.ID)
	return s.issue(u.ID, u.Role, sess.ID, sess.RefreshJTI, now)
}

// upgradeHash re-hashes a password stored with an old scheme (bcrypt from the
// reference server, or older argon2id parameters). Failure only costs the upgrade.
func (s *Service) upgradeHash(ctx context.Context, userID uuid.UUID, pw string) {
	hash, err := s.hasher.Hash(ctx, pw)
	if err == nil {
		err = s.store.SetPasswordHash(ctx, userID, hash, s.clock())
	}
	if err != nil {
		s.log.WarnContext(ctx, "password hash upgrade failed", "user_id", userID, "error", err)
	}
}

// Authenticate checks an access token and, in one query, that its user exists
// and its session is still active, so logout and revocation take effect at once.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (Principal, error) {
	c, err := s.tokens.Verify(accessToken, token.Access)
	if err != nil {
		return Principal{}, ErrInvalidToken
	}
	u, err := s.store.SessionUser(ctx, c.Subject, c.SessionID, s.clock())
	switch {
	case errors.Is(err, ErrNotFound):
		return Principal{}, ErrUserGone
	case errors.Is(err, ErrSessionInactive):
		return Principal{}, ErrInvalidToken
	case err != nil:
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	if !u.Verified {
		return Principal{}, ErrNotVerified
	}
	return Principal{User: u, SessionID: c.SessionID}, nil
}

// issue signs an access and a refresh token for a session. The two
// signatures are made at once, on two cores when there are: with RS256 each
// takes about a millisecond, which a login or refresh would otherwise wait
// for twice.
func (s *Service) issue(userID uuid.UUID, role string, sessionID, refreshJTI uuid.UUID, now time.Time) (Tokens, error) {
	now = now.Truncate(time.Second)
	t := Tokens{AccessExpires: now.Add(s.cfg.AccessTTL), RefreshExpires: now.Add(s.cfg.RefreshTTL)}
	var (
		refreshErr error
		panicked   any
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A panic here would kill the process; raise it again below, in
		// the request's goroutine, where the server recovers from it.
		defer func() { panicked = recover() }()
		t.Refresh, refreshErr = s.tokens.Issue(token.Claims{
			Subject: userID, SessionID: sessionID, ID: refreshJTI, Type: token.Refresh,
			IssuedAt: now, NotBefore: now, ExpiresAt: t.RefreshExpires,
		})
	}()
	access, err := s.tokens.Issue(token.Claims{
		Subject: userID, SessionID: sessionID, ID: uuid.New(), Type: token.Access, Role: role,
		IssuedAt: now, NotBefore: now, ExpiresAt: t.AccessExpires,
	})
	<-done
	if panicked != nil {
		panic(panicked)
	}
	switch {
	case err != nil:
		return Tokens{}, fmt.Errorf("issue access token: %w", err)
	case refreshErr != nil:
		return Tokens{}, fmt.Errorf("issue refresh token: %w", refreshErr)
	}
	t.Access = access
	return t, nil
}

// mustV7 returns a time-ordered UUID; NewV7 fails only if the system's random
// source does, and then nothing else in this program can work either.
func mustV7() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// cleanText makes client-supplied text safe to store: valid UTF-8 (PostgreSQL
// refuses anything else) cut to at most n bytes on a character boundary.
func cleanText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	// The cut may split the last character; drop its partial bytes.
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
