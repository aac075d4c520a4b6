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
	// EmailVerification makes new users unverified until they confirm their email.
	EmailVerification bool
}

// Deps are what a Service works with.
type Deps struct {
	Store  Store
	Hasher *password.Hasher
	Tokens *token.Manager
	Now    func() time.Time // the clock; nil means time.Now
	Log    *slog.Logger
	Events Events // optional
}

// Service implements the account and token flows on top of a Store.
type Service struct {
	store  Store
	hasher *password.Hasher
	tokens *token.Manager
	cfg    Config
	now    func() time.Time
	log    *slog.Logger
	events Events
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
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return User{}, fmt.Errorf("register: hash password: %w", err)
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

// Login checks the password, then the verified flag, and opens a session. An
// unknown email costs one dummy hash verification, so it takes as long as a
// wrong password and the answer is the same: nobody learns which accounts exist.
func (s *Service) Login(ctx context.Context, email, pw string, meta ClientMeta) (Tokens, error) {
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		s.hasher.VerifyDummy(pw)
		s.record(ctx, EventLogin, OutcomeBadCredentials, uuid.Nil)
		return Tokens{}, ErrBadCredentials
	}
	if err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	ok, rehash, err := s.hasher.Verify(u.PasswordHash, pw)
	if err != nil {
		s.log.ErrorContext(ctx, "stored password hash is unreadable", "user_id", u.ID, "error", err)
		ok = false
	}
	if !ok {
		s.record(ctx, EventLogin, OutcomeBadCredentials, u.ID)
		return Tokens{}, ErrBadCredentials
	}
	if !u.Verified {
		s.record(ctx, EventLogin, OutcomeNotVerified, u.ID)
		return Tokens{}, ErrLoginNotVerified
	}
	if rehash {
		s.upgradeHash(ctx, u.ID, pw)
	}
	now := s.clock()
	sess := Session{
		ID: mustV7(), UserID: u.ID, RefreshJTI: uuid.New(),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.cfg.SessionMaxLifetime),
		UserAgent: cleanText(meta.UserAgent, 512), IP: cleanText(meta.IP, 64),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	s.record(ctx, EventLogin, OutcomeSuccess, u.ID)
	return s.issue(u, sess.ID, sess.RefreshJTI, now)
}

// upgradeHash re-hashes a password stored with an old scheme (bcrypt from the
// reference server, or older argon2id parameters). Failure only costs the upgrade.
func (s *Service) upgradeHash(ctx context.Context, userID uuid.UUID, pw string) {
	hash, err := s.hasher.Hash(pw)
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

// Refresh rotates a refresh token: the presented one stops working and a new
// pair is issued. A token rotated less than ReuseGrace ago gets the session's
// current pair again (two tabs refreshing at once); an older one is a replay, and
// the whole session is revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Tokens, error) {
	c, err := s.tokens.Verify(refreshToken, token.Refresh)
	if err != nil {
		s.record(ctx, EventRefresh, OutcomeInvalid, uuid.Nil)
		return Tokens{}, ErrRefreshInvalid
	}
	now := s.clock()
	rot, err := s.store.RotateSession(ctx, RotateRequest{
		SessionID: c.SessionID, UserID: c.Subject, PresentedJTI: c.ID, NewJTI: uuid.New(),
		Now: now, GraceStart: now.Add(-s.cfg.ReuseGrace),
	})
	switch {
	case errors.Is(err, ErrNotFound):
		s.record(ctx, EventRefresh, OutcomeInvalid, uuid.Nil)
		return Tokens{}, ErrRefreshUserGone
	case errors.Is(err, ErrSessionInactive):
		s.record(ctx, EventRefresh, OutcomeInvalid, c.Subject)
		return Tokens{}, ErrRefreshInvalid
	case err != nil:
		return Tokens{}, fmt.Errorf("refresh: %w", err)
	}
	s.record(ctx, EventRefresh, rot.Outcome.String(), c.Subject)
	if rot.Outcome == Reused {
		s.log.WarnContext(ctx, "refresh token reuse detected; session revoked",
			"event", "refresh_reuse", "user_id", c.Subject, "session_id", c.SessionID)
		return Tokens{}, ErrRefreshReused
	}
	return s.issue(rot.User, c.SessionID, rot.CurrentJTI, now)
}

// Logout revokes the caller's session: its refresh token and every access token
// issued for it stop working immediately.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	err := s.store.RevokeSession(ctx, p.User.ID, p.SessionID, s.clock())
	if err != nil && !errors.Is(err, ErrSessionInactive) {
		return fmt.Errorf("logout: %w", err)
	}
	s.record(ctx, EventLogout, OutcomeRevoked, p.User.ID)
	return nil
}

// issue signs an access and a refresh token for a session.
func (s *Service) issue(u User, sessionID, refreshJTI uuid.UUID, now time.Time) (Tokens, error) {
	now = now.Truncate(time.Second)
	t := Tokens{AccessExpires: now.Add(s.cfg.AccessTTL), RefreshExpires: now.Add(s.cfg.RefreshTTL)}
	var err error
	t.Access, err = s.tokens.Issue(token.Claims{
		Subject: u.ID, SessionID: sessionID, ID: uuid.New(), Type: token.Access, Role: u.Role,
		IssuedAt: now, NotBefore: now, ExpiresAt: t.AccessExpires,
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("issue access token: %w", err)
	}
	t.Refresh, err = s.tokens.Issue(token.Claims{
		Subject: u.ID, SessionID: sessionID, ID: refreshJTI, Type: token.Refresh,
		IssuedAt: now, NotBefore: now, ExpiresAt: t.RefreshExpires,
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("issue refresh token: %w", err)
	}
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
