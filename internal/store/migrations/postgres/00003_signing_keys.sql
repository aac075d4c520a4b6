-- JWT signing keys, used when JWT_PRIVATE_KEY is not set: every instance loads
-- them from here and reloads them periodically, so `authapi keys rotate` on
-- one machine reaches all. seq numbers the keys (1, then one more per
-- rotation); its uniqueness makes two concurrent rotations, or two instances
-- creating the first key at once, end with exactly one winner.
-- private_key is PKCS#8 PEM, or "aes256gcm:..." when KEYS_ENCRYPTION_KEY is
-- set, and NULL once the key has been replaced and erased.

-- +goose Up
CREATE TABLE signing_keys (
    kid         text        PRIMARY KEY,
    seq         bigint      NOT NULL CONSTRAINT signing_keys_seq_key UNIQUE,
    alg         text        NOT NULL CHECK (alg IN ('RS256', 'ES256', 'EdDSA')),
    public_pem  text        NOT NULL,
    private_key text,
    created_at  timestamptz NOT NULL,
    active_from timestamptz NOT NULL,
    retired_at  timestamptz
);

-- +goose Down
DROP TABLE signing_keys;
