#!/usr/bin/env bash
# Runs each libFuzzer target of a build for SECONDS over its corpus (fuzz/corpus/<name>;
# new findings go to a scratch copy in the build directory), two at a time on the two
# cores CI has. A crash, leak or sanitizer report fails the run and leaves the input in
# the build directory; each target's last lines are printed either way.
#   fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1
seconds=$2
corpus=$(cd "$(dirname "$0")/corpus" && pwd)
run() {
  local target=$1
  rm -rf "$build/corpus-$target" && mkdir -p "$build/corpus-$target"
  (cd "$build" && "./fuzz/${target}_fuzzer" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
    "corpus-$target" "$corpus/$target" > "fuzz-$target.log" 2>&1)
}
status=0
for pair in "csv model" "config log"; do
  pids=()
  for target in $pair; do
    echo "fuzzing the $target reader for $seconds s"
    run "$target" &
    pids+=($!)
  done
  for i in 0 1; do
    target=$(echo "$pair" | cut -d' ' -f$((i + 1)))
    if ! wait "${pids[$i]}"; then
      echo "the $target fuzzer failed:"
      status=1
    fi
    tail -n 12 "$build/fuzz-$target.log"
  done
done
exit $status
