#!/usr/bin/env bash
# Interleaved A/B of two ExtAuthz builds on the check-sample files: CPU per call (server utime + stime) at a
# fixed rate or at full load, audit on (stdout to /dev/null) and off (bench/EnvoyGovern.LoadAuditOff), each
# server driven in turn so that the machine's load hits all four alike. Both trees must be built in Release
# (bench/load/run.sh builds them) and FILES must hold the harness's request files (run.sh writes them to OUT/files).
#
#   BEFORE=/path/to/old/clone AFTER=/path/to/new/clone FILES=/tmp/envoygovern-load-.../files bench/load/ab-check.sh
#   MODE=full N_FULL=60000 ...   # full load: N_FULL calls per run instead of RATE req/s for DUR seconds
#   SCENARIO=1000 ...              # the check-1000 files and policy (JWT, 1,000 rules, quota, canary) instead of check-sample
#   AUDIT_OFF=0 ...                # the two audited servers only
#   SERVICE=extproc ...            # ExtProc on the extproc-headers file (sample policy) instead, with the bare baseline
#                                  # (bench/EnvoyGovern.LoadBaseline of AFTER) as the third server in the rotation
set -uo pipefail
BEFORE=${BEFORE:?old tree}; AFTER=${AFTER:?new tree}; FILES=${FILES:?request files}
RATE=${RATE:-3000}; DUR=${DUR:-5}; ROUNDS=${ROUNDS:-3}; MODE=${MODE:-rate}; N_FULL=${N_FULL:-60000}; BASE_PORT=${BASE_PORT:-47011}
SCENARIO=${SCENARIO:-sample}; AUDIT_OFF=${AUDIT_OFF:-1}; SERVICE=${SERVICE:-extauthz}
CALL_PATH=/envoy.service.auth.v3.Authorization/Check; CALL_FILE=$FILES/check-$SCENARIO.bin
if [ "$SERVICE" = extproc ]; then
  CALL_PATH=/envoy.service.ext_proc.v3.ExternalProcessor/Process; CALL_FILE=$FILES/extproc-headers.bin; SCENARIO=sample
fi
# Named by the base port: helpers running ab-check at the same time on other ports must not read each other's h2load
# output or server logs.
LOGS=/tmp/ab-check-$BASE_PORT; mkdir -p "$LOGS"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait' EXIT
declare -A PID PORT
start() { # NAME DLL PORT
  dotnet "$2" "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$3" "--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:$(($3 + 100))" \
    --Logging:MinimumLevel=Information "--Policy:Directory=$FILES/policy-$SCENARIO" >/dev/null 2>"$LOGS/$1.err" &
  PIDS+=($!); PID[$1]=$!; PORT[$1]=$3
  # A server that died (a port taken) is not waited for, nor taken for another process answering on its admin port.
  for _ in $(seq 1 240); do
    kill -0 "${PID[$1]}" 2>/dev/null || break
    curl -fs -o /dev/null "http://127.0.0.1:$(($3 + 100))/healthz" && sleep 1 && kill -0 "${PID[$1]}" 2>/dev/null && return
    sleep 0.5
  done
  echo "$1 did not start ($LOGS/$1.err)" >&2; exit 1
}
run() { # NAME MODE
  local pid=${PID[$1]} t0 t1 out=$LOGS/h2load.out load=(-n "$N_FULL")
  [ "$2" = rate ] && load=(--rps $((RATE / 4)) -n $((RATE * DUR)))
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  h2load -c 4 -m 16 -t 1 "${load[@]}" -d "$CALL_FILE" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:${PORT[$1]}$CALL_PATH" >"$out" 2>&1
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local done rps
  done=$(grep -o '[0-9]* succeeded' "$out" | cut -d' ' -f1)
  rps=$(grep -o 'finished in [0-9.]*m\?s, [0-9.]* req/s' "$out" | awk '{print $4}')
  printf '%s\t%s\t%s calls\t%s req/s\t%s CPU us/call\n' "$1" "$2" "$done" "$rps" \
    "$(awk -v t=$((t1 - t0)) -v n="$done" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')"
}
if [ "$SERVICE" = extproc ]; then
  start before "$BEFORE/ExtProc/bin/Release/net10.0/EnvoyGovern.ExtProc.dll" "$BASE_PORT"
  start after "$AFTER/ExtProc/bin/Release/net10.0/EnvoyGovern.ExtProc.dll" $((BASE_PORT + 2))
  start bare "$AFTER/bench/EnvoyGovern.LoadBaseline/bin/Release/net10.0/EnvoyGovern.LoadBaseline.dll" $((BASE_PORT + 4))
  SERVERS=(before after bare)
else
  start before-on "$BEFORE/ExtAuthz/bin/Release/net10.0/EnvoyGovern.ExtAuthz.dll" "$BASE_PORT"
  start after-on "$AFTER/ExtAuthz/bin/Release/net10.0/EnvoyGovern.ExtAuthz.dll" $((BASE_PORT + 2))
  SERVERS=(before-on after-on)
fi
if [ "$SERVICE" != extproc ] && [ "$AUDIT_OFF" = 1 ]; then
  start before-off "$BEFORE/bench/EnvoyGovern.LoadAuditOff/bin/Release/net10.0/EnvoyGovern.LoadAuditOff.dll" $((BASE_PORT + 1))
  start after-off "$AFTER/bench/EnvoyGovern.LoadAuditOff/bin/Release/net10.0/EnvoyGovern.LoadAuditOff.dll" $((BASE_PORT + 3))
  SERVERS=(before-on before-off after-on after-off)
fi
for s in "${SERVERS[@]}"; do N_FULL=60000 run "$s" full >/dev/null; done   # warm-up: JIT tiers, PGO, pools
# Each round starts one server later than the last: a server measured in the same slot every round carries that
# slot's bias (later runs in a round cost more on this VM), which showed as a before/after gap between two
# identical audit-off builds.
for round in $(seq 0 $((ROUNDS - 1))); do
  for i in "${!SERVERS[@]}"; do run "${SERVERS[$(( (i + round) % ${#SERVERS[@]} ))]}" "$MODE"; done
done
