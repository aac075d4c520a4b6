-- Users and their sessions. The constraint name users_email_key is what the
-- store matches to report a taken email; keep it if the table changes.

-- +goose Up
CREATE TABLE users (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    email      text        NOT NULL CONSTRAINT users_email_key UNIQUE,
    password   text        NOT NULL,
    photo      text        NOT NULL,
    verified   boolean     NOT NULL,
    role       text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE sessions (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_jti  uuid        NOT NULL,
    previous_jti uuid,
    rotated_at   timestamptz,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    user_agent   text        NOT NULL DEFAULT '',
    ip           text        NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
