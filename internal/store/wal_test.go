package store

import (
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authapi/authapi/internal/auth"
)

// Past its limit the write-ahead log is checkpointed and truncated, while
// writes go on; left alone, SQLite never shrinks the file (and under load
// never restarts it either: a 246 MiB log after 12 s of refreshes).
func TestWALStaysSmall(t *testing.T) {
	t.Parallel()
	db := openSQLiteTest(t)
	const limit = 64 << 10
	db.wal.stopWAL()
	db.keepWALSmall(limit, 10*time.Millisecond)

	ctx, now := t.Context(), time.Now()
	u := auth.User{
		ID: uuid.Must(uuid.NewV7()), Name: "Ada", Email: "ada@example.com", Photo: auth.DefaultPhoto,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Role: auth.RoleUser, CreatedAt: now, UpdatedAt: now,
	}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	s := auth.Session{ID: uuid.Must(uuid.NewV7()), UserID: u.ID, RefreshJTI: uuid.New(), CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	walSize := func() int64 {
		fi, err := os.Stat(db.sqlitePath + "-wal")
		if err != nil {
			return 0 // truncated away or not yet created
		}
		return fi.Size()
	}
	// Each commit appends at least a page (4 KiB): 300 rotations write far
	// more than the limit.
	var biggest int64
	for i := range 300 {
		next := uuid.New()
		rot, err := db.RotateSession(ctx, auth.RotateRequest{SessionID: s.ID, UserID: u.ID, PresentedJTI: s.RefreshJTI, NewJTI: next, Now: now})
		if err != nil || rot.Outcome != auth.Rotated {
			t.Fatalf("rotation %d: %v, %v", i, rot.Outcome, err)
		}
		s.RefreshJTI = next
		biggest = max(biggest, walSize())
	}
	if biggest < limit {
		t.Fatalf("the log never passed the limit (%d bytes at most): the test wrote too little", biggest)
	}
	for deadline := time.Now().Add(5 * time.Second); walSize() > limit; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the log is %d bytes 5 s after the writes, over the limit of %d (at most %d during them)", walSize(), limit, biggest)
		}
	}
	if _, err := db.SessionUser(ctx, u.ID, s.ID, now); err != nil {
		t.Fatalf("read after the checkpoint: %v", err)
	}
}
