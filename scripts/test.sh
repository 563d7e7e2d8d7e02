#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test project; ends with one summary line "N passed, N failed, N skipped".
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
scripts/setup.sh || exit 1

results="$repo/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"
log="$results/dotnet-test.log"
# One test project at a time: the machine has 2 cores and several suites start ffmpeg/RTSP servers.
dotnet test VideoFace.sln -c Release --no-build --nologo -m:1 \
  --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project totals that each test run prints ("Total tests: 13", "     Passed: 12", "    Skipped: 1", ...).
read -r passed failed skipped < <(awk '
  /^[[:space:]]+Passed: [0-9]+[[:space:]]*$/  {p += $2}
  /^[[:space:]]+Failed: [0-9]+[[:space:]]*$/  {f += $2}
  /^[[:space:]]+Skipped: [0-9]+[[:space:]]*$/ {s += $2}
  END {print p+0, f+0, s+0}' "$log")
# Repeat each failed test with its message at the end, where a short log tail still shows it.
if [[ $failed -ne 0 ]]; then
  echo
  echo "Failed tests:"
  awk '/^[[:space:]]+Failed [A-Za-z]/ {show = 40} /^[[:space:]]+Passed [A-Za-z]/ {show = 0} show > 0 {print; show--}' "$log"
fi
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then exit 1; fi
