-- JWT signing keys, with the meaning of the PostgreSQL schema: see
-- migrations/postgres/00003_signing_keys.sql. Times are TEXT in the
-- fixed-width UTC form 2006-01-02T15:04:05.000000Z.

-- +goose Up
CREATE TABLE signing_keys (
    kid         TEXT    NOT NULL PRIMARY KEY,
    seq         INTEGER NOT NULL CONSTRAINT signing_keys_seq_key UNIQUE,
    alg         TEXT    NOT NULL CHECK (alg IN ('RS256', 'ES256', 'EdDSA')),
    public_pem  TEXT    NOT NULL,
    private_key TEXT,
    created_at  TEXT    NOT NULL,
    active_from TEXT    NOT NULL,
    retired_at  TEXT
) STRICT;

-- +goose Down
DROP TABLE signing_keys;
