-- Failed logins per account, shared by every instance: after a few failures
-- the account is locked for a time that doubles with each further failure.
-- The key is the normalised email as typed, whether or not such a user
-- exists, so a lockout never tells an attacker which accounts exist.

-- +goose Up
CREATE TABLE login_failures (
    account      TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TEXT,
    updated_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX login_failures_updated_at_idx ON login_failures (updated_at);

-- +goose Down
DROP TABLE login_failures;
