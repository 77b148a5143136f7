#!/bin/sh
# The diagnosis benchmark (bench/diagnosis/diagnosis.cpp): faulty and sound training
# set-ups through glassnet; prints a table per fault and, last,
#   detection=P% right_fix=P% false_alarms=P% repaired=P% repair_time=Rx
# Builds the release build first (make build); then about 30 s on 2 cores. With
# --trials, every trial of each repair is printed as it ends.
set -eu
cd "$(dirname "$0")/../.."
make build >/dev/null
exec build/bench/diagnosis "$@"
