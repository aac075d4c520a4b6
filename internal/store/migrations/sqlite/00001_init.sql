-- Users and their sessions, with the meaning of the PostgreSQL schema.
-- UUIDs are TEXT in canonical lower-case form. Times are TEXT in the
-- fixed-width UTC form 2006-01-02T15:04:05.000000Z, so comparing the text
-- compares the instants. STRICT makes SQLite reject values of the wrong type.

-- +goose Up
CREATE TABLE users (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL CONSTRAINT users_email_key UNIQUE,
    password   TEXT    NOT NULL,
    photo      TEXT    NOT NULL,
    verified   INTEGER NOT NULL CHECK (verified IN (0, 1)),
    role       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE sessions (
    id           TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_jti  TEXT NOT NULL,
    previous_jti TEXT,
    rotated_at   TEXT,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
