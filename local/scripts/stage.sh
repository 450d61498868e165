#!/usr/bin/env bash
# stage.sh NAME COMMAND...: runs COMMAND and says how long stage NAME took
# (make test prints one line per stage, so a slow CI run says where).
set -uo pipefail
name=$1
shift
start=$(date +%s)
"$@"
rc=$?
echo "== make test: $name took $(( $(date +%s) - start )) s$( [ $rc -eq 0 ] || echo " and FAILED ($rc)")" >&2
exit $rc
