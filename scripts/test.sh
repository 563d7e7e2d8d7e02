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
  --logger "console;verbosity=normal" --logger trx --results-directory "$results" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project totals that each test run prints ("Total tests: 13", "     Passed: 12", "    Skipped: 1", ...).
read -r passed failed skipped < <(awk '
  /^[[:space:]]+Passed: [0-9]+[[:space:]]*$/  {p += $2}
  /^[[:space:]]+Failed: [0-9]+[[:space:]]*$/  {f += $2}
  /^[[:space:]]+Skipped: [0-9]+[[:space:]]*$/ {s += $2}
  END {print p+0, f+0, s+0}' "$log")

# The suites drive real ffmpeg, RTSP servers, browsers and silos on a shared machine. A test that fails is run once
# more on its own: if it passes then, it is reported by name as flaky (and counted as passed); if it fails again, it
# fails the run. Either way each failure's first message is repeated here, where a short log tail still shows it.
flaky=()
if [[ $failed -ne 0 ]]; then
  echo
  echo "Failed tests (first run):"
  awk '/^[[:space:]]+Failed [A-Za-z]/ {show = 40} /^[[:space:]]+Passed [A-Za-z]/ {show = 0} show > 0 {print; show--}' "$log"
  rerun_log="$results/rerun.log"
  : > "$rerun_log"
  rerun_failed=0
  while IFS=$'\t' read -r dll filter; do
    [[ -n "$dll" ]] || continue
    echo
    echo "Rerunning the failed tests of $(basename "$dll")"
    dotnet test "$dll" --nologo --logger "console;verbosity=normal" --filter "$filter" 2>&1 | tee -a "$rerun_log"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || rerun_failed=1
  done < <(python3 scripts/failed-tests.py "$results")
  if [[ $rerun_failed -eq 0 && -s "$rerun_log" ]] && ! grep -qE '^[[:space:]]+Failed [A-Za-z]' "$rerun_log"; then
    mapfile -t flaky < <(awk '/^[[:space:]]+Failed [A-Za-z]/ {sub(/^[[:space:]]+Failed /, ""); sub(/ \[[^]]*\]$/, ""); print}' "$log")
    passed=$((passed + failed))
    failed=0
    status=0
  fi
fi
echo
if [[ ${#flaky[@]} -ne 0 ]]; then
  echo "Flaky: ${#flaky[@]} test(s) failed once and passed when run again:"
  printf '  %s\n' "${flaky[@]}"
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then exit 1; fi
