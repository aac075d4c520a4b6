#!/usr/bin/env bash
# Reproduces the tables of docs/PERFORMANCE.md: the Go benchmarks (floors),
# then authbench on SQLite and PostgreSQL with RS256 and EdDSA, then the report.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust). Takes ~20 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=docs/perf
pg=postgres://postgres@127.0.0.1:5432
dur=${DURATION:-10s}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT

go build -o "$bin/authapi" ./cmd/authapi
go build -o "$bin/authbench" ./cmd/authbench

if [ -z "${SKIP_BENCH:-}" ]; then # SKIP_BENCH=1 keeps the bench.txt of an earlier run
  TEST_DATABASE_URL="$pg/postgres?sslmode=disable" go test -run '^$' -bench . -skip StopTheWorld -count 3 \
    ./internal/token ./internal/password ./internal/store ./internal/httpapi | tee "$out/bench.txt"
  # Not a floor: the latency a running hash adds to a stop of the world (p99-µs, p50-µs).
  go test -run '^$' -bench StopTheWorld -count 3 ./internal/password | tee "$out/stw.txt"
fi

for alg in RS256 EdDSA; do
  a=$(echo "$alg" | tr 'A-Z' 'a-z')
  "$bin/authbench" run --server "$bin/authapi" --alg "$alg" --duration "$dur" --json "$out/sqlite-$a.json"
  dropdb -h 127.0.0.1 -U postgres --if-exists "authapi_bench_$a" # left by an interrupted run
  createdb -h 127.0.0.1 -U postgres "authapi_bench_$a"
  "$bin/authbench" run --server "$bin/authapi" --alg "$alg" --duration "$dur" \
    --database-url "$pg/authapi_bench_$a?sslmode=disable" --json "$out/postgres-$a.json"
  dropdb -h 127.0.0.1 -U postgres "authapi_bench_$a"
done

# Hashing inside the server's process instead of the hash worker (HASH_PROCESS=false).
"$bin/authbench" run --server "$bin/authapi" --alg EdDSA --duration "$dur" --label sqlite-eddsa-inprocess \
  --env HASH_PROCESS=false --scenarios login,register-1,flood --json "$out/sqlite-eddsa-inprocess.json"
# The hash pool: two hashes at once (as many as cores), and no pool at all.
"$bin/authbench" run --server "$bin/authapi" --alg EdDSA --duration "$dur" --label sqlite-eddsa-hash2 \
  --env HASH_CONCURRENCY=2 --scenarios register-1,register,flood --json "$out/sqlite-eddsa-hash2.json"
"$bin/authbench" run --server "$bin/authapi" --alg EdDSA --duration "$dur" --label sqlite-eddsa-nopool \
  --env HASH_CONCURRENCY=200,HASH_QUEUE=0 --scenarios flood --json "$out/sqlite-eddsa-nopool.json"
# me without the cache of verified tokens: every request checks the signature,
# as the first request with a new token does.
"$bin/authbench" run --server "$bin/authapi" --alg RS256 --duration "$dur" --label sqlite-rs256-nocache \
  --env TOKEN_CACHE_SIZE=0 --scenarios health,me,me-half,me-cookie --json "$out/sqlite-rs256-nocache.json"
# Memory over five minutes of the mix.
"$bin/authbench" run --server "$bin/authapi" --alg EdDSA --duration 5m --label sqlite-eddsa-5min \
  --scenarios mix --json "$out/sqlite-eddsa-5min.json"

"$bin/authbench" report --bench "$out/bench.txt" --out docs/PERFORMANCE.md \
  "$out"/sqlite-rs256.json "$out"/sqlite-eddsa.json "$out"/postgres-rs256.json "$out"/postgres-eddsa.json \
  "$out"/sqlite-eddsa-inprocess.json "$out"/sqlite-eddsa-hash2.json "$out"/sqlite-eddsa-nopool.json "$out"/sqlite-rs256-nocache.json \
  "$out"/sqlite-eddsa-5min.json
