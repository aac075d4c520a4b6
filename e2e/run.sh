#!/usr/bin/env bash
# Checks authapi with the clients people use: the Postman collection (newman)
# and the account page, cookies, CORS and docs in Chromium (Playwright).
#
# Builds authapi, starts it on free ports on SQLite, and on PostgreSQL too when
# TEST_DATABASE_URL is set (in a fresh database, dropped afterwards), runs the
# collection against each and then the browser tests, and stops only what it
# started. Needs node_modules (npm ci in e2e/) and Chromium (/usr/bin/chromium
# or CHROMIUM_PATH). Output, logs and screenshots go to e2e/output/.
set -euo pipefail
e2e="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$e2e")"
out="$e2e/output"
export PATH="$PATH:/usr/local/go/bin"

rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d)"
pids=()
pgdb=""

cleanup() {
  status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$pgdb" ]; then
    psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$pgdb\" WITH (FORCE)" >/dev/null 2>&1 \
      || echo "e2e: could not drop database $pgdb" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

echo "== e2e: the Postman collection is what build-collection.mjs makes"
node "$e2e/postman/build-collection.mjs" --check

echo "== e2e: build authapi"
(cd "$root" && go build -o "$work/authapi" ./cmd/authapi)

allowed_port="$(free_port)"
export ALLOWED_ORIGIN_PORT="$allowed_port"

# start NAME DATABASE_URL: runs authapi in its own folder (so no .env is read)
# with lifetimes short enough to test expiry and rotation, and notes its URL in
# targets. Every test client is 127.0.0.1, so the per-address limit of
# register/login attempts is off (the Go tests cover it); the per-account
# lockout stays on, and the tests check how clients see it.
start() {
  local name="$1" db="$2" dir="$work/$1" log="$out/authapi-$1.log"
  mkdir -p "$dir"
  (
    cd "$dir"
    exec env DATABASE_URL="$db" KEYS_DIR="$dir/keys" \
      ACCESS_TOKEN_EXPIRES_IN=1 REFRESH_TOKEN_EXPIRES_IN=10 REFRESH_REUSE_GRACE=1s RATE_LIMIT_AUTH=0 \
      CLIENT_ORIGIN="http://127.0.0.1:$allowed_port" LOG_LEVEL=info \
      "$work/authapi" serve --addr 127.0.0.1:0
  ) >"$log" 2>&1 &
  pids+=("$!")
  local addr=""
  for _ in $(seq 1 100); do
    addr="$(sed -n 's/.*authapi listening.* addr=\([^ ]*\).*/\1/p' "$log" | head -n1)"
    [ -n "$addr" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    echo "e2e: authapi ($name) did not start:" >&2
    cat "$log" >&2
    return 1
  fi
  targets+=("$name=http://$addr")
}

targets=()
start sqlite "$work/sqlite/authapi.db"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pgdb="authapi_e2e_$$_$RANDOM"
  psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE \"$pgdb\""
  pgurl="$(node -e 'const u=new URL(process.argv[1]); u.pathname="/"+process.argv[2]; console.log(u.href)' "$TEST_DATABASE_URL" "$pgdb")"
  start postgres "$pgurl"
else
  echo "e2e: TEST_DATABASE_URL is not set: PostgreSQL is not tested"
fi

failed=0
cd "$e2e"
for t in "${targets[@]}"; do
  name="${t%%=*}" base="${t#*=}"
  echo "== e2e: Postman collection (newman) against $name at $base"
  if ! npx --no-install newman run "$root/docs/postman/authapi.postman_collection.json" \
      -e "$root/docs/postman/authapi.postman_environment.json" \
      --env-var "baseUrl=$base" --env-var reuseGraceMs=1000 --reporters cli,junit \
      --reporter-junit-export "$out/newman-$name.xml" --color off; then
    failed=1
  fi
done

echo "== e2e: browser tests (Playwright + Chromium) against ${targets[*]}"
if ! AUTHAPI_TARGETS="${targets[*]}" node --test --test-reporter=spec tests/ 2>&1 | tee "$out/browser.txt"; then
  failed=1
fi

if [ "$failed" != 0 ]; then
  for t in "${targets[@]}"; do
    echo "---- last lines of authapi-${t%%=*}.log"
    tail -n 30 "$out/authapi-${t%%=*}.log"
  done
  # Last, so that a CI log cut to its tail still shows why each test failed.
  if grep -q "failing tests:" "$out/browser.txt"; then
    echo "---- why the browser tests failed"
    sed -n '/failing tests:/,$p' "$out/browser.txt"
  fi
  echo "e2e: FAILED (output in $out)" >&2
  exit 1
fi
echo "e2e: all passed (screenshots in $out/screenshots)"
