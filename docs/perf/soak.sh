#!/usr/bin/env bash
# The soak of docs/RELIABILITY.md: one authapi on a private PostgreSQL 15 cluster
# under authbench's mix (90 % me, 8 % refresh, 2 % login) at a steady rate for
# 10 minutes, the cluster stopped at minute 5 and started again OUTAGE seconds
# later, errors counted per 10-second window and /metrics scraped every 10 s.
#
#   docs/perf/soak.sh              # ~11 minutes; results in docs/perf/soak/
#
# Settings (environment): RATE (400 requests/s), DURATION (10m), RESTART_AT
# (300: seconds into the attack), OUTAGE (10: seconds the cluster stays down),
# CONNS (32), USERS (64), ALG (RS256), PGBIN (/usr/lib/postgresql/15/bin), OUT.
#
# It touches nothing it did not start: the cluster lives in a temporary
# directory on a free port (owned by the postgres user when run as root, as in
# internal/faulttest), and everything is stopped and removed on exit, failure
# included. Needs go, curl, jq and python3 (for a free port).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
out=${OUT:-$repo/docs/perf/soak}
rate=${RATE:-400}
duration=${DURATION:-10m}
restart_at=${RESTART_AT:-300}
outage=${OUTAGE:-10}
conns=${CONNS:-32}
users=${USERS:-64}
alg=${ALG:-RS256}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
window=10s

work=$(mktemp -d /tmp/authapi-soak-XXXXXX)
mkdir -p "$out" "$work/pg"
chmod 711 "$work" # the postgres user must reach pg/
authapi_pid='' bench_pid='' scrape_pid='' ready_pid=''

as_pg=()
if [ "$(id -u)" = 0 ]; then # initdb refuses root: the cluster belongs to postgres
  chown postgres: "$work/pg"
  as_pg=(runuser -u postgres --)
fi
pg() { "${as_pg[@]}" "$pgbin/$1" "${@:2}"; }

cleanup() {
  set +e
  for p in $bench_pid $scrape_pid $ready_pid; do kill "$p" 2>/dev/null; done
  if [ -n "$authapi_pid" ] && kill -0 "$authapi_pid" 2>/dev/null; then
    kill -TERM "$authapi_pid"
    for _ in $(seq 50); do kill -0 "$authapi_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$authapi_pid" 2>/dev/null
  fi
  wait 2>/dev/null
  if [ -f "$work/pg/data/postmaster.pid" ]; then
    pg pg_ctl -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
event() { echo "$(now),$1" | tee -a "$out/events.csv" >&2; }
echo "time_utc,event" >"$out/events.csv"

# 1. The private cluster and its database.
pgport=$(free_port)
pg initdb -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
pgopts="-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
pg pg_ctl -D "$work/pg/data" -o "$pgopts" -l "$work/pg/log" -w -t 60 start >/dev/null
pg createdb -h 127.0.0.1 -p "$pgport" -U postgres authapi_soak
dsn="postgres://postgres@127.0.0.1:$pgport/authapi_soak?sslmode=disable"
event "cluster started on port $pgport"

# 2. One authapi on it, rate limits off (all the load comes from one address).
go build -o "$work/authapi" ./cmd/authapi
go build -o "$work/authbench" ./cmd/authbench
"$work/authapi" keys generate --alg "$alg" | grep -E '^[A-Z_]+=' >"$work/keys.env"
addr=127.0.0.1:$(free_port)
metrics=127.0.0.1:$(free_port)
(
  cd "$work" # no .env of the checkout
  # shellcheck disable=SC2046 # one KEY=VALUE per line, no spaces
  exec env -i PATH="$PATH" HOME="$work" $(cat keys.env) DATABASE_URL="$dsn" \
    METRICS_ADDR="$metrics" RATE_LIMIT_AUTH=0 RATE_LIMIT_REFRESH=0 \
    ./authapi serve --addr "$addr" >"$work/server.log" 2>&1
) &
authapi_pid=$!
for _ in $(seq 150); do
  curl -fs "http://$addr/readyz" >/dev/null && break
  kill -0 "$authapi_pid" || { tail -20 "$work/server.log"; exit 1; }
  sleep 0.2
done
event "authapi $(git rev-parse --short HEAD) pid $authapi_pid ready at $addr, metrics $metrics"

# 5. /metrics every 10 s, and /readyz every second (changes only).
scrape() {
  echo "time_utc,rss_mib,heap_inuse_mib,goroutines,db_in_use,db_idle,requests,status_2xx,status_503,status_other"
  while :; do
    t=$(now)
    curl -fs --max-time 5 "http://$metrics/metrics" | awk -v t="$t" '
      /^process_resident_memory_bytes / { rss = $2 }
      /^go_memstats_heap_inuse_bytes / { heap = $2 }
      /^go_goroutines / { gr = $2 }
      /^authapi_db_connections\{.*state="in_use"/ { inuse += $2 }
      /^authapi_db_connections\{.*state="idle"/ { idle += $2 }
      /^authapi_http_requests_total\{/ {
        n = $NF; total += n
        if ($0 ~ /status="2/) ok += n; else if ($0 ~ /status="503"/) s503 += n; else other += n
      }
      END { printf "%s,%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d\n", t, rss/1048576, heap/1048576, gr, inuse, idle, total, ok, s503, other }' || echo "$t,,,,,,,,,"
    sleep 10
  done
}
scrape >"$out/metrics.csv" &
scrape_pid=$!
watch_ready() {
  last=''
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$addr/readyz" || true)
    [ "$code" != "$last" ] && event "readyz $code" && last=$code
    sleep 1
  done
}
watch_ready &
ready_pid=$!

# 3. The load: authbench attached to this server, one attack cut into windows.
"$work/authbench" run --url "http://$addr" --pid "$authapi_pid" --database-url "$dsn" \
  --label soak-postgres --scenarios mix --rate "$rate" --conns "$conns" --users "$users" \
  --duration "$duration" --warmup 1s --window "$window" --json "$work/soak.json" \
  >"$work/bench.out" 2>"$work/bench.err" &
bench_pid=$!
until grep -q '^authbench: mix:' "$work/bench.err" 2>/dev/null; do
  kill -0 "$bench_pid" 2>/dev/null || { cat "$work/bench.err"; exit 1; }
  sleep 0.1
done
sleep 1 # the warm-up
event "attack started ($rate requests/s, $duration)"

# 4. At minute 5 the database goes away for OUTAGE seconds.
sleep "$restart_at"
event "pg_ctl stop -m fast: begin"
pg pg_ctl -D "$work/pg/data" -m fast -w stop >/dev/null
event "pg_ctl stop -m fast: done"
sleep "$outage"
event "pg_ctl start: begin"
pg pg_ctl -D "$work/pg/data" -o "$pgopts" -l "$work/pg/log" -w -t 60 start >/dev/null
event "pg_ctl start: done"

status=0
wait "$bench_pid" || status=$?
bench_pid=''
event "attack ended (authbench exit $status)"
sleep 11 # one more scrape after the load
kill "$scrape_pid" "$ready_pid" 2>/dev/null || true
wait "$scrape_pid" "$ready_pid" 2>/dev/null || true
scrape_pid='' ready_pid=''

# 6. Results: the run, the windows against the outage, the log's story.
cp "$work/soak.json" "$out/soak.json"
cat "$work/bench.out"
stop_at=$(grep 'stop -m fast: begin' "$out/events.csv" | cut -d, -f1)
start_at=$(grep 'pg_ctl start: done' "$out/events.csv" | cut -d, -f1)
jq -r --arg stop "$stop_at" --arg start "$start_at" '
  def secs: sub("\\.[0-9]+Z$"; "Z") as $s | ($s | fromdateiso8601) + ((capture("\\.(?<f>[0-9]+)Z$").f // "0") | "0." + . | tonumber);
  ($stop | secs) as $t0 | ($start | secs) as $t1 |
  "window,start_utc,from_stop_s,phase,requests,errors,status_503,status_other,p50_ms,p99_ms,max_ms",
  (.scenarios[0].windows | to_entries[] | .key as $i | .value as $w | ($w.start | secs) as $s |
    (if $s + 10 <= $t0 then "before" elif $s >= $t1 then "after" else "outage" end) as $phase |
    [$i, ($w.start | sub("\\.[0-9]+Z$"; "Z")), (($s - $t0) * 10 | round / 10), $phase, $w.requests, $w.errors,
     ($w.status["503"] // 0), ($w.errors - ($w.status["503"] // 0)),
     ($w.p50_ms * 100 | round / 100), ($w.p99_ms * 100 | round / 100), ($w.max_ms * 10 | round / 10)] | @csv)
' "$work/soak.json" | tr -d '"' >"$out/windows.csv"
{
  echo "log lines: $(wc -l <"$work/server.log")"
  for s in '"status":5' 'status=5' 'dependency unavailable' 'request failed' 'panic' 'level=ERROR' '"level":"ERROR"'; do
    echo "lines with '$s': $(grep -c -- "$s" "$work/server.log" || true)"
  done
  echo "first 'dependency unavailable': $(grep -m1 'dependency unavailable' "$work/server.log" | cut -c1-300)"
  echo "last  'dependency unavailable': $(grep 'dependency unavailable' "$work/server.log" | tail -1 | cut -c1-300)"
  echo "postgres log:"; grep -E 'shut|ready|start' "$work/pg/log" | cut -c1-200
} >"$out/log-summary.txt"
echo
awk -F, 'NR > 1 { n[$4]++; e[$4] += $6; r[$4] += $5 } END { for (p in n) printf "%-7s windows %2d  requests %7d  errors %5d\n", p, n[p], r[p], e[p] }' "$out/windows.csv"
after=$(awk -F, 'NR > 1 && $4 != "outage" { e += $6 } END { print e + 0 }' "$out/windows.csv")
echo "errors outside the outage windows: $after"
exit "$status"
