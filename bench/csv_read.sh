#!/usr/bin/env bash
# Reading a large CSV file, glassnet beside numpy: a million rows of `glassnet synth
# fraud` (9 columns, 2 of them text; 40 MB). glassnet as `train` reads it
# (build/bench/csv_read: parsed, each column's kind inferred, every value's position
# kept for messages); numpy.loadtxt (its C reader) with the columns' types given, so
# it infers nothing. Five rounds, the two in turn; prints each one's median seconds
# and peak memory (whole process), and their ratio. About 30 seconds on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
make build > /dev/null
file=build/bench/fraud-1m.csv
[ -f "$file" ] || build/glassnet synth fraud --rows 1000000 --seed 1 --out "$file" > /dev/null
/usr/bin/python3 - "$file" <<'PY'
import json, os, statistics, subprocess, sys

path = sys.argv[1]
numpy_reader = r'''
import sys, time, numpy as np
start = time.perf_counter()
types = [(n, "f8") for n in ("amount", "hour", "distance_km", "card_age_days", "transactions_24h",
                             "amount_vs_average")] + [("merchant_category", "U16"), ("country", "U2"), ("is_fraud", "f8")]
rows = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, dtype=types)
print(f'{{"seconds": {time.perf_counter() - start:.4f}, "rows": {len(rows)}}}')
'''

def timed(command):
    # seconds inside the process, and its peak memory (ru_maxrss, KiB)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        sys.exit(f"{command[0]} failed")
    return json.loads(out)["seconds"], usage.ru_maxrss / 1024

results = {"glassnet": [], "numpy.loadtxt": []}
for _ in range(5):
    results["glassnet"].append(timed(["build/bench/csv_read", path]))
    results["numpy.loadtxt"].append(timed(["/usr/bin/python3", "-c", numpy_reader, path]))
print("| reader | seconds (median of 5) | peak memory (MiB) |")
print("|---|---|---|")
medians = {}
for name, runs in results.items():
    medians[name] = statistics.median(s for s, _ in runs)
    print(f"| {name} | {medians[name]:.3f} | {statistics.median(m for _, m in runs):.0f} |")
print(f"\nglassnet / numpy.loadtxt: {medians['glassnet'] / medians['numpy.loadtxt']:.2f}x")
PY
