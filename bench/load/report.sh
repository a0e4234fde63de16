#!/usr/bin/env bash
# Turns a run's runs.tsv and processes.tsv (written by run.sh) into the markdown of bench/README.md:
#   bench/load/report.sh OUT_DIR "LOAD_BEFORE" "LOAD_AFTER"
# Each figure is the median of the run's rounds.
set -euo pipefail
OUT=$1
LOAD_BEFORE=${2:-?}
LOAD_AFTER=${3:-?}

cat <<EOF
Run $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average
(1/5/15 min) $LOAD_BEFORE before and $LOAD_AFTER after. Settings: DURATION=${DURATION:-15} s per run after
WARMUP=${WARMUP:-5} s, ROUNDS=${ROUNDS:-3} (baseline and service alternately; medians shown), h2load -c ${CLIENTS:-4} -m ${STREAMS:-16} -t 1; half load:
the paced driver over ${PACED_CONNECTIONS:-2} HTTP/2 connections.

EOF

awk -F'\t' -v body_rate="${BODY_RATE:-100}" -v paced_connections="${PACED_CONNECTIONS:-2}" '
  function median(key, column,   n, i, j, v, t) {
    n = split(values[key, column], v, " ")
    for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  FILENAME ~ /processes/ { rss[$1] = $2; next }
  FILENAME ~ /paced/ { for (c = 4; c <= 6; c++) paced[$1 SUBSEP $2, c] = paced[$1 SUBSEP $2, c] " " $c; next }
  {
    key = $1 SUBSEP $2
    if (!(key in seen)) { seen[key] = 1; order[++count] = key }
    for (c = 4; c <= 8; c++) values[key, c] = values[key, c] " " $c
    errors[key] = $10 == "-" ? "-" : errors[key] + $10
  }
  END {
    halves[1] = "baseline"; halves[2] = "service"
    print "| scenario | server | req/s | of baseline | p50 ms | p90 ms | p99 ms | CPU s / 1k req | peak RSS MB | wrong answers |"
    print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= count; i++) {
      split(order[i], k, SUBSEP)
      scenario = k[1]; server = k[2]
      rps = median(order[i], 4)
      share = ""
      if (server == "service" && scenario != "check-sample-half" && (scenario SUBSEP "baseline") in seen) share = sprintf("%.0f%%", 100 * rps / median(scenario SUBSEP "baseline", 4))
      memory = (scenario "/" server) in rss ? rss[scenario "/" server] : ""
      label = scenario == "check-sample-half" ? "check-sample at half its full-load rate (paced driver, " paced_connections " connections)" : scenario == "extproc-light" ? "extproc at light load (one stream, " body_rate " req/s)" : scenario
      printf "| %s | %s | %.0f | %s | %.2f | %.2f | %.2f | %.3f | %s | %s |\n", label, server, rps, share,
        median(order[i], 5), median(order[i], 6), median(order[i], 7), median(order[i], 8), memory, errors[order[i]]
    }

    print ""
    print "Targets (issue 9 and, for the audit, issue 7):"
    print ""
    target("check-sample", 85)
    if (("check-sample-half" SUBSEP "service") in seen) {
      p99 = median("check-sample-half" SUBSEP "service", 7)
      printf "- check-sample p99 at half the load it reached under 1 ms: %.2f ms, %s", p99, (p99 < 1 ? "met" : "NOT met")
      if (("check-sample-half" SUBSEP "baseline") in seen) printf " (the bare baseline at the same paced rate: %.2f ms)", median("check-sample-half" SUBSEP "baseline", 7)
      printf "\n"
      for (h = 1; h <= 2; h++) if (("check-sample-half" SUBSEP halves[h], 4) in paced) {
        key = "check-sample-half" SUBSEP halves[h]
        printf "  - %s: max %.2f ms; the paced driver sent its p99 call %.3f ms late and used %.4f CPU s / 1k calls (medians)\n", halves[h],
          paced_median(key, 4), paced_median(key, 5), paced_median(key, 6)
      }
    }
    target("check-1000", 70)
    target("extproc-headers", 80)
    if (("extproc-light" SUBSEP "body-4k") in seen) {
      added = 1000 * (median("extproc-light" SUBSEP "body-4k", 5) - median("extproc-light" SUBSEP "headers", 5))
      printf "- extproc-body-4k adds under 300 µs at p50 over headers-only (same process, light load: one stream, %s req/s): %.0f µs, %s", body_rate, added, (added < 300 ? "met" : "NOT met")
      if (("extproc-body-4k" SUBSEP "service") in seen && ("extproc-headers" SUBSEP "service") in seen) {
        printf " (at full load, where the lower throughput queues: %.0f µs)", 1000 * (median("extproc-body-4k" SUBSEP "service", 5) - median("extproc-headers" SUBSEP "service", 5))
      }
      printf "\n"
    } else if (("extproc-body-4k" SUBSEP "service") in seen && ("extproc-headers" SUBSEP "service") in seen) {
      added = 1000 * (median("extproc-body-4k" SUBSEP "service", 5) - median("extproc-headers" SUBSEP "service", 5))
      printf "- extproc-body-4k adds under 300 µs at p50 over headers-only (full load): %.0f µs, %s\n", added, (added < 300 ? "met" : "NOT met")
    }
    worst = 0
    for (s in rss) if (s !~ /baseline$/ && rss[s] + 0 > worst) { worst = rss[s] + 0; at = s }
    if (worst > 0) printf "- peak RSS under 300 MB per service: largest %d MB (%s), %s\n", worst, at, (worst < 300 ? "met" : "NOT met")
    if (("check-sample-audit" SUBSEP "audit-on") in seen) {
      on = median("check-sample-audit" SUBSEP "audit-on", 4); off = median("check-sample-audit" SUBSEP "audit-off", 4)
      cost = 100 * (off - on) / off
      cpu_on = median("check-sample-audit" SUBSEP "audit-on", 8); cpu_off = median("check-sample-audit" SUBSEP "audit-off", 8)
      printf "- audit (record, hash chain and stdout sink; audit-off writes no record) adds under 5%% to ExtAuthz throughput at full load: %.1f%% (%.0f req/s on, %.0f off), %s; CPU per call %+.1f%% (%.3f against %.3f CPU s / 1k req)\n", cost, on, off, (cost < 5 ? "met" : "NOT met"), 100 * (cpu_on - cpu_off) / cpu_off, cpu_on, cpu_off
    }
    for (s in errors) if (errors[s] != "0" && errors[s] != "-") {
      split(s, k, SUBSEP)
      printf "- WARNING: %s (%s) gave %s answers other than intended during measured runs (gRPC errors, denials, WAF blocks): its figures are suspect, see its log\n", k[1], k[2], errors[s]
    }
  }
  function paced_median(key, column) {
    values[key, 99] = paced[key, column]
    return median(key, 99)
  }
  function target(scenario, percent,   share) {
    if (!((scenario SUBSEP "service") in seen)) return
    share = 100 * median(scenario SUBSEP "service", 4) / median(scenario SUBSEP "baseline", 4)
    printf "- %s at least %d%% of the baseline req/s: %.0f%%, %s\n", scenario, percent, share, (share >= percent ? "met" : "NOT met")
  }
' "$OUT/processes.tsv" "$OUT/runs.tsv" "$OUT/paced.tsv"
