#!/usr/bin/env bash
# The load harness (issue 9): drives ExtAuthz and ExtProc, and a bare gRPC baseline in the same run, with
# h2load over HTTP/2 cleartext on loopback, and prints the table that bench/README.md records.
#
#   bench/load/run.sh                      # everything, about 20 minutes with the defaults
#   SCENARIOS="check-sample" ROUNDS=1 DURATION=5 bench/load/run.sh     # a quick look
#
# Settings (environment):
#   DURATION=15      seconds of each measured h2load run          WARMUP=5   seconds of the unmeasured run before it
#   PROCESS_WARMUP=20  seconds of load a freshly started server gets first (JIT tiers, PGO, pools)
#   ROUNDS=3         baseline and service measured alternately this many times; the table shows the medians
#   CLIENTS=4        HTTP/2 connections                            STREAMS=16 concurrent streams per connection
#   PACED_CONNECTIONS=2  HTTP/2 connections of the half-load runs (our paced driver; Envoy: one per worker)
#   SCENARIOS="check-sample check-1000 extproc-headers extproc-body-4k extproc-body-4k-crs check-sample-audit"
#   CRS_DIR=<repo>/../shared/data/crs   OWASP CRS for extproc-body-4k-crs (skipped when the directory is missing)
#   BODY_RATE=100   req/s (one stream) of the light-load runs that give the 4 KB body's added p50
#   AUDIT_STDOUT=/dev/null              where the services' stdout (the audit sink) goes
#   OUT=/tmp/envoygovern-load-<time>    results (results.md, runs.tsv) and the services' logs
#
# Every process it starts is stopped on exit, error or Ctrl-C; ports are picked free on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
PROCESS_WARMUP=${PROCESS_WARMUP:-20}
ROUNDS=${ROUNDS:-3}
BODY_RATE=${BODY_RATE:-100}
CLIENTS=${CLIENTS:-4}
STREAMS=${STREAMS:-16}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-2}
SCENARIOS=${SCENARIOS:-check-sample check-1000 extproc-headers extproc-body-4k extproc-body-4k-crs check-sample-audit}
CRS_DIR=${CRS_DIR:-$ROOT/../shared/data/crs}
AUDIT_STDOUT=${AUDIT_STDOUT:-/dev/null}
OUT=${OUT:-/tmp/envoygovern-load-$(date +%Y%m%d-%H%M%S)}
# Extra ExtProc settings for the ext_proc scenarios. Content inspection needs none: the sample policy turns on
# PII redaction, prompt-injection blocking and model governance for api.example.com /v1/*, the request's host
# and path, and verify checks that they ran (prompt injection armed, the body read by model governance).
EXTPROC_INSPECTION_ARGS=${EXTPROC_INSPECTION_ARGS:-}

export DURATION WARMUP ROUNDS CLIENTS STREAMS BODY_RATE PACED_CONNECTIONS
CHECK_PATH=/envoy.service.auth.v3.Authorization/Check
PROCESS_PATH=/envoy.service.ext_proc.v3.ExternalProcessor/Process
TICKS=$(getconf CLK_TCK)
FILES=$OUT/files
mkdir -p "$OUT/logs" "$FILES"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[load %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ensure_h2load() {
  command -v h2load >/dev/null && return
  log "installing h2load (Debian package nghttp2-client)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq nghttp2-client >/dev/null
}

build() {
  log "building in Release"
  local project
  for project in ExtAuthz/EnvoyGovern.ExtAuthz.csproj ExtProc/EnvoyGovern.ExtProc.csproj \
      bench/EnvoyGovern.LoadBaseline/EnvoyGovern.LoadBaseline.csproj bench/EnvoyGovern.LoadAuditOff/EnvoyGovern.LoadAuditOff.csproj \
      bench/EnvoyGovern.LoadRequests/EnvoyGovern.LoadRequests.csproj; do
    dotnet build "$ROOT/$project" -c Release -nologo -v q >"$OUT/logs/build.log" 2>&1 || { tail -30 "$OUT/logs/build.log" >&2; die "build of $project failed"; }
  done
}

bin() { echo "$ROOT/$1/bin/Release/net10.0/$2.dll"; }

# A port nobody listens on now. Another process may still take it before we bind: start() retries.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    [ -z "$(ss -Htln "sport = :$port")" ] && [ "$port" != "${TAKEN:-}" ] && { echo "$port"; return; }
  done
}

# start NAME DLL ARGS...: starts a server on fresh ports; sets STARTED_PID, GRPC_URL, ADMIN_URL.
start() {
  local name=$1 dll=$2 attempt grpc admin
  shift 2
  for attempt in 1 2 3; do
    grpc=$(free_port)
    TAKEN=$grpc
    admin=$(free_port)
    dotnet "$dll" \
      "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$grpc" "--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:$admin" "$@" \
      >"$AUDIT_STDOUT" 2>"$OUT/logs/$name.err" &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    GRPC_URL=http://127.0.0.1:$grpc
    ADMIN_URL=http://127.0.0.1:$admin
    local waited=0
    while kill -0 "$STARTED_PID" 2>/dev/null; do
      if curl -fs -o /dev/null "$ADMIN_URL/healthz"; then
        log "$name listening on $GRPC_URL (pid $STARTED_PID)"
        return
      fi
      sleep 0.5
      waited=$((waited + 1))
      [ "$waited" -lt 240 ] || die "$name did not start within 120 s (see $OUT/logs/$name.err)"
    done
    wait "$STARTED_PID" 2>/dev/null || true
    log "$name exited at start (attempt $attempt; port taken?): $(tail -c 300 "$OUT/logs/$name.err")"
  done
  die "$name did not start"
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
peak_rss_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# verify URL CALL [--baseline]: one call of the file the load uses, its answer checked; stops the run if wrong.
verify() {
  dotnet "$(bin bench/EnvoyGovern.LoadRequests EnvoyGovern.LoadRequests)" verify "$FILES" "$@" >&2 || die "wrong answer: the load would measure something else"
}

# wrong_answers ADMIN_URL: calls not answered as the harness intends, by the service's own counters: a gRPC
# status other than OK (an HTTP 200 to h2load), a denied Check, an ext_proc immediate response (a WAF block).
wrong_answers() {
  curl -fs "$1/metrics" | awk '
    /^envoygovern_grpc_calls_total\{/ && !/code="OK"/ { sum += $NF }
    /^envoygovern_extauthz_decisions_total\{/ && /outcome="deny"/ { sum += $NF }
    /^envoygovern_extproc_immediate_responses_total/ { sum += $NF }
    END { printf "%d", sum }'
}

# h2load_run OUTPUT URL PATH FILE OPTIONS...: one h2load run of a request file, stopped on any failure.
h2load_run() {
  local output=$1 url=$2 path=$3 file=$4
  shift 4
  h2load -c "$CLIENTS" -m "$STREAMS" -t 1 "$@" -d "$file" -H 'content-type: application/grpc' -H 'te: trailers' \
    "$url$path" >"$output" 2>&1 || die "h2load against $url failed: $(tail -5 "$output")"
  grep -q ' 0 failed, 0 errored, 0 timeout' "$output" || die "h2load saw failures against $url: $(grep '^requests' "$output")"
}

# h2load_seconds OUTPUT: the run's duration in seconds. h2load prints it with a unit ("12.5s", "917.33ms", "850us"):
# a run under a second is in ms, which read as seconds made a 1,000-request run look like 5 req/s.
h2load_seconds() {
  awk '/^finished in/ { d = $3; sub(/,$/, "", d); v = d + 0
    if (d ~ /us$/) v /= 1e6; else if (d ~ /ms$/) v /= 1e3
    print v }' "$1"
}

# measure SCENARIO SERVER ROUND PID URL ADMIN PATH FILE [--rps=N]: one measured run, a line in runs.tsv.
# A timed warm-up first; its rate sizes the measured run, which is a fixed number of requests (-n) so that
# it ends with every call answered: a timed h2load run resets the streams still open when time is up, and
# the service would count those as errors. ADMIN is "-" for the baseline (no metrics; verified by calls).
measure() {
  local scenario=$1 server=$2 round=$3 pid=$4 url=$5 admin=$6 path=$7 file=$8
  shift 8
  h2load_run "$OUT/h2load.out" "$url" "$path" "$file" -D "$WARMUP" "$@"
  local rate count
  rate=$(awk '/^finished in/ { print int($4) }' "$OUT/h2load.out")
  count=$(( rate * DURATION > 1000 ? rate * DURATION : 1000 ))
  sleep 0.5
  local before after errors=- log=$OUT/h2load.log
  [ "$admin" = - ] || errors=$(wrong_answers "$admin")
  before=$(cpu_ticks "$pid")
  h2load_run "$OUT/h2load.out" "$url" "$path" "$file" -n "$count" --log-file="$log" "$@"
  after=$(cpu_ticks "$pid")
  [ "$admin" = - ] || errors=$(( $(wrong_answers "$admin") - errors ))
  # h2load's log: start (µs since epoch), HTTP status, latency (µs). Only HTTP 200 counts; grpc-status and the
  # answers themselves are the service's own counters above (and verify before and after).
  awk '$2 == 200 { print $3 }' "$log" | sort -n | awk -v scenario="$scenario" -v server="$server" -v round="$round" \
      -v seconds="$(h2load_seconds "$OUT/h2load.out")" -v cpu="$((after - before))" -v ticks="$TICKS" -v errors="$errors" '
    { latency[NR] = $1 }
    function pct(p,   i) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return latency[i] / 1000 }
    END {
      if (NR == 0) exit 1
      printf "%s\t%s\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.4f\t%d\t%s\n", scenario, server, round, NR / seconds,
        pct(0.50), pct(0.90), pct(0.99), (cpu / ticks) / (NR / 1000), NR, errors
    }' >>"$OUT/runs.tsv" || die "no successful request against $server"
  rm -f "$log"
  tail -1 "$OUT/runs.tsv" | awk -F'\t' '{ printf "  %-24s %-9s round %s: %6s req/s  p50 %s ms  p99 %s ms  CPU %s s/1k  wrong answers %s\n", $1, $2, $3, $4, $5, $7, $8, $10 }' >&2
}

# warm URL PATH FILE: load for PROCESS_WARMUP seconds, so that measured runs see tier-1 code, not the JIT at work.
warm() {
  h2load_run "$OUT/h2load.out" "$1" "$2" "$3" -D "$PROCESS_WARMUP"
}

# in_turn ROUND FIRST SECOND: runs the two commands of a round, FIRST first in odd rounds and SECOND first in even
# ones, so that neither side always takes the slot after the other (on this VM a later slot costs more).
in_turn() {
  if (( $1 % 2 )); then "$2"; "$3"; else "$3"; "$2"; fi
}

# scenario NAME CALL PATH DLL ARGS...: baseline and service alternately, ROUNDS times, then their checks.
scenario() {
  local name=$1 call=$2 path=$3 dll=$4
  shift 4
  log "scenario $name"
  start "$name" "$dll" "$@"
  local pid=$STARTED_PID url=$GRPC_URL admin=$ADMIN_URL round
  # Warmed first: a cold first call may miss a budget (the WAF's 150 ms) that the warm service keeps.
  warm "$BASELINE_URL" "$path" "$FILES/$call.bin"
  warm "$url" "$path" "$FILES/$call.bin"
  verify "$url" "$call"
  verify "$BASELINE_URL" "$call" --baseline
  for round in $(seq 1 "$ROUNDS"); do
    base_run() { measure "$name" baseline "$round" "$BASELINE_PID" "$BASELINE_URL" - "$path" "$FILES/$call.bin"; }
    service_run() { measure "$name" service "$round" "$pid" "$url" "$admin" "$path" "$FILES/$call.bin"; }
    in_turn "$round" base_run service_run
  done
  case $name in
    check-sample) half_load "$pid" "$url" "$admin" ;;
    extproc-body-4k) body_added "$pid" "$url" "$admin" ;;
  esac
  verify "$url" "$call"
  verify "$BASELINE_URL" "$call" --baseline
  printf '%s/service\t%s\n%s/baseline\t%s\n' "$name" "$(peak_rss_mb "$pid")" "$name" "$(peak_rss_mb "$BASELINE_PID")" >>"$OUT/processes.tsv"
  stop "$pid"
}

# Audit on (records built, hash-chained and written by the stdout pipeline into AUDIT_STDOUT) against off (the same
# ExtAuthz with a decision audit that does nothing: no record, no chain, no sink), alternately in the same rounds:
# what audit as a whole costs the throughput at full load.
audit_scenario() {
  log "scenario check-sample-audit (audit on against off)"
  start audit-on "$EXTAUTHZ" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-sample"
  local on=$STARTED_PID on_url=$GRPC_URL on_admin=$ADMIN_URL
  start audit-off "$(bin bench/EnvoyGovern.LoadAuditOff EnvoyGovern.LoadAuditOff)" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-sample"
  local off=$STARTED_PID off_url=$GRPC_URL off_admin=$ADMIN_URL round
  warm "$on_url" "$CHECK_PATH" "$FILES/check-sample.bin"
  warm "$off_url" "$CHECK_PATH" "$FILES/check-sample.bin"
  verify "$on_url" check-sample
  verify "$off_url" check-sample
  for round in $(seq 1 "$ROUNDS"); do
    on_run() { measure check-sample-audit audit-on "$round" "$on" "$on_url" "$on_admin" "$CHECK_PATH" "$FILES/check-sample.bin"; }
    off_run() { measure check-sample-audit audit-off "$round" "$off" "$off_url" "$off_admin" "$CHECK_PATH" "$FILES/check-sample.bin"; }
    in_turn "$round" on_run off_run
  done
  verify "$on_url" check-sample
  verify "$off_url" check-sample
  printf 'check-sample-audit/audit-on\t%s\ncheck-sample-audit/audit-off\t%s\n' "$(peak_rss_mb "$on")" "$(peak_rss_mb "$off")" >>"$OUT/processes.tsv"
  stop "$on"
  stop "$off"
}

# median_rps SCENARIO SERVER: the median req/s of this run's full-load rounds of SERVER in SCENARIO.
median_rps() {
  awk -F'\t' -v scenario="$1" -v server="$2" '$1 == scenario && $2 == server { print $4 }' "$OUT/runs.tsv" | sort -n \
    | awk '{ v[NR] = $1 } END { print int(v[int((NR + 1) / 2)]) }'
}

# paced_measure SCENARIO SERVER ROUND PID URL ADMIN PATH FILE RATE: one run of our paced driver (LoadRequests paced:
# RATE req/s evenly spread over PACED_CONNECTIONS HTTP/2 connections, WARMUP s unmeasured, then DURATION s), a line
# in runs.tsv like measure's (CPU is the server's over the measured part) and one in paced.tsv (max latency, the
# driver's send lag p99, the driver's own CPU s / 1k).
paced_measure() {
  local scenario=$1 server=$2 round=$3 pid=$4 url=$5 admin=$6 path=$7 file=$8 rate=$9 line errors=-
  [ "$admin" = - ] || errors=$(wrong_answers "$admin")
  line=$(dotnet "$(bin bench/EnvoyGovern.LoadRequests EnvoyGovern.LoadRequests)" paced "$url$path" "$file" "$rate" "$PACED_CONNECTIONS" \
    "$WARMUP" "$DURATION" "$pid" 2>"$OUT/paced.err") || die "paced run against $url failed: $line $(tail -3 "$OUT/paced.err")"
  [ "$admin" = - ] || errors=$(( $(wrong_answers "$admin") - errors ))
  # line: calls, req/s, p50, p90, p99, max, send lag p99 (ms), server CPU s / 1k, driver CPU s / 1k, failed calls
  awk -v scenario="$scenario" -v server="$server" -v round="$round" -v errors="$errors" -v out="$OUT/paced.tsv" '{
    printf "%s\t%s\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.4f\t%d\t%s\n", scenario, server, round, $2, $3, $4, $5, $8, $1, errors
    printf "%s\t%s\t%d\t%.3f\t%.3f\t%.4f\n", scenario, server, round, $6, $7, $9 >>out
  }' <<<"$line" >>"$OUT/runs.tsv"
  tail -1 "$OUT/runs.tsv" | awk -F'\t' -v lag="$(cut -f7 <<<"$line")" '{ printf "  %-24s %-9s round %s: %6s req/s  p50 %s ms  p99 %s ms  CPU %s s/1k  send lag p99 %s ms  wrong answers %s\n", $1, $2, $3, $4, $5, $7, $8, lag, $10 }' >&2
}

# The p99 of the sample-policy Check at half the load it reached (issue 9: "reaches >= 85% of the baseline, and
# its p99 at half that load is under 1 ms"): half the service's median req/s of this run's full-load rounds, with
# the bare baseline at the same rate as the control, both driven by our paced driver as Envoy calls ext_authz:
# evenly spread calls over PACED_CONNECTIONS HTTP/2 connections (one per Envoy worker), latency from the time each
# call was due. h2load stays the full-load generator; it cannot pace (see bench/README.md).
half_load() {
  local pid=$1 url=$2 admin=$3 rate
  rate=$(( $(median_rps check-sample service) / 2 ))
  log "check-sample at half the rate it reached: $rate req/s over $PACED_CONNECTIONS connections (paced driver)"
  local round
  for round in $(seq 1 "$ROUNDS"); do
    base_run() { paced_measure check-sample-half baseline "$round" "$BASELINE_PID" "$BASELINE_URL" - "$CHECK_PATH" "$FILES/check-sample.bin" "$rate"; }
    service_run() { paced_measure check-sample-half service "$round" "$pid" "$url" "$admin" "$CHECK_PATH" "$FILES/check-sample.bin" "$rate"; }
    in_turn "$round" base_run service_run
  done
}

# What buffering and inspecting the 4 KB body adds to an exchange's p50 (issue 9: "adds under 300 µs at p50 over
# headers-only"): the same ExtProc process driven with the headers-only file and with the body file, alternately, at
# a light rate (BODY_RATE, one stream, one request per 10 ms tick), so that what the p50s differ by is what one
# exchange costs. At full load they differ by the queue that the lower throughput builds (Little's law); and at
# half the body's full-load rate the body's own CPU (~0.3-0.4 ms per exchange, 1.2 cores at 3k req/s over spread
# connections) plus the generator saturated the two cores, so that run measured queueing too.
body_added() {
  local pid=$1 url=$2 admin=$3
  log "extproc headers-only and 4 KB body at light load: $BODY_RATE req/s, one stream"
  local round
  for round in $(seq 1 "$ROUNDS"); do
    headers_run() { measure extproc-light headers "$round" "$pid" "$url" "$admin" "$PROCESS_PATH" "$FILES/extproc-headers.bin" -c 1 -m 1 --rps="$BODY_RATE"; }
    body_run() { measure extproc-light body-4k "$round" "$pid" "$url" "$admin" "$PROCESS_PATH" "$FILES/extproc-body-4k.bin" -c 1 -m 1 --rps="$BODY_RATE"; }
    in_turn "$round" headers_run body_run
  done
}

for tool in dotnet curl ss awk getconf; do
  command -v "$tool" >/dev/null || die "$tool is required (Debian: curl, iproute2, mawk, libc-bin)"
done
ensure_h2load
build
log "request files and policies"
dotnet "$(bin bench/EnvoyGovern.LoadRequests EnvoyGovern.LoadRequests)" write "$FILES" >&2
: >"$OUT/runs.tsv"
: >"$OUT/processes.tsv"
: >"$OUT/paced.tsv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

start baseline "$(bin bench/EnvoyGovern.LoadBaseline EnvoyGovern.LoadBaseline)"
BASELINE_PID=$STARTED_PID
BASELINE_URL=$GRPC_URL

EXTAUTHZ=$(bin ExtAuthz EnvoyGovern.ExtAuthz)
EXTPROC=$(bin ExtProc EnvoyGovern.ExtProc)
# Information level, as deployed: per-call events are Debug, so nothing is logged per allowed call.
COMMON=(--Logging:MinimumLevel=Information)
for name in $SCENARIOS; do
  case $name in
    check-sample) scenario "$name" check-sample "$CHECK_PATH" "$EXTAUTHZ" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-sample" ;;
    check-1000) scenario "$name" check-1000 "$CHECK_PATH" "$EXTAUTHZ" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-1000" ;;
    extproc-headers) scenario "$name" extproc-headers "$PROCESS_PATH" "$EXTPROC" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-sample" $EXTPROC_INSPECTION_ARGS ;;
    extproc-body-4k) scenario "$name" extproc-body-4k "$PROCESS_PATH" "$EXTPROC" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-sample" $EXTPROC_INSPECTION_ARGS ;;
    extproc-body-4k-crs)
      if [ -d "$CRS_DIR/rules" ]; then
        scenario "$name" extproc-body-4k "$PROCESS_PATH" "$EXTPROC" "${COMMON[@]}" "--Policy:Directory=$FILES/policy-sample" "--Waf:CrsDirectory=$CRS_DIR" $EXTPROC_INSPECTION_ARGS
      else
        log "skipping $name: no OWASP CRS at $CRS_DIR"
      fi ;;
    check-sample-audit) audit_scenario ;;
    *) die "unknown scenario $name" ;;
  esac
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

"$ROOT/bench/load/report.sh" "$OUT" "$LOAD_BEFORE" "$LOAD_AFTER" | tee "$OUT/results.md"
log "results in $OUT"
