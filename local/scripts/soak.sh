#!/usr/bin/env bash
# soak.sh RUNS [TARGET]: clones this repository's HEAD afresh RUNS times and
# runs `make TARGET` (default web-test) in each clone, one after the other,
# while a CPU-heavy job (one busy loop per CPU) runs beside them; stops at
# the first failure. A flaky test shows here: find whether the test or the
# product is wrong, never retry it away.
#   make soak RUNS=10 [SOAK_TARGET=web-test]
set -euo pipefail
runs=${1:-10}
target=${2:-web-test}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/macro-soak-XXXXXX)
busy=()
cleanup() {
  [ ${#busy[@]} -eq 0 ] || kill "${busy[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  busy+=($!)
done
echo "[soak] $runs fresh clones of $(git -C "$repo" rev-parse --short HEAD), make $target, beside $(nproc) busy loops"
for i in $(seq "$runs"); do
  git clone -q "$repo" "$work/run-$i"
  start=$(date +%s)
  if ! make -C "$work/run-$i" --no-print-directory "$target" >"$work/run-$i.log" 2>&1; then
    tail -60 "$work/run-$i.log"
    mkdir -p "$repo/.local" && cp "$work/run-$i.log" "$repo/.local/soak-failure.log"
    echo "[soak] run $i of $runs FAILED after $(( $(date +%s) - start )) s (log: .local/soak-failure.log)"
    exit 1
  fi
  echo "[soak] run $i of $runs passed in $(( $(date +%s) - start )) s"
  rm -rf "$work/run-$i"
done
echo "[soak] all $runs runs passed"
