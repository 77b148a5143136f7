#!/usr/bin/env bash
# glassnet beside PyTorch (Debian's python3-torch, CPU) on the workloads W1–W4, in one
# run: for each row of the table, `glassnet bench` and bench/torch_peer.py in PyTorch's
# default set-up and in its best one, the order alternating from row to row, and the
# GEMM-only ceiling of the workload measured by `glassnet bench --gemm-only`.
#
#   PyTorch default  the environment as it is (OPENBLAS_CORETYPE as set here), 2 threads
#   PyTorch best     the faster of OPENBLAS_CORETYPE unset with 2 threads, and unset with
#                    one thread everywhere (torch and OpenBLAS)
#
# Prints a markdown table: samples per second (median of the timed epochs), glassnet's
# ratio to PyTorch's best, and glassnet's fraction of the GEMM-only ceiling; the thread
# counts and the OpenBLAS core type in effect head it. EPOCHS (default 3) timed epochs
# after one warm-up; the raw JSON lines go to build/compare/. Takes about 10 minutes on
# 2 cores. Builds the release build first (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
make build > /dev/null
EPOCHS=${EPOCHS:-3}
out=build/compare
mkdir -p "$out"
: > "$out/results.jsonl"
python=/usr/bin/python3

rows=(
  "W1 relu --optimizer sgd"
  "W1 relu --optimizer adam"
  "W2 sigmoid --optimizer sgd"
  "W2 relu-bn --optimizer sgd"
  "W3 relu --optimizer sgd"
  "W3 relu --optimizer adam"
  "W4 relu --optimizer sgd"
  "W1 relu --inference"
  "W3 relu --inference"
)

record() {  # record ROW SYSTEM JSON
  printf '{"row": %s, "system": "%s", "result": %s}\n' "$1" "$2" "$3" >> "$out/results.jsonl"
}

run_glassnet() {
  record "$1" glassnet "$(build/glassnet bench --workload "$2" --variant "$3" $4 --epochs "$EPOCHS" --json)"
}

run_torch() {
  local args=(bench/torch_peer.py --workload "$2" --variant "$3" $4 --epochs "$EPOCHS")
  record "$1" torch-default "$($python "${args[@]}" --threads 2)"
  record "$1" torch-2t "$(env -u OPENBLAS_CORETYPE $python "${args[@]}" --threads 2)"
  record "$1" torch-1t "$(env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $python "${args[@]}" --threads 1)"
}

for i in "${!rows[@]}"; do
  read -r workload variant rest <<< "${rows[$i]}"
  echo "row $((i + 1)) of ${#rows[@]}: $workload $variant $rest" >&2
  if (( i % 2 == 0 )); then
    run_glassnet "$i" "$workload" "$variant" "$rest"
    run_torch "$i" "$workload" "$variant" "$rest"
  else
    run_torch "$i" "$workload" "$variant" "$rest"
    run_glassnet "$i" "$workload" "$variant" "$rest"
  fi
done
for workload in W1 W2 W3 W4; do
  record -1 "ceiling-$workload" "$(build/glassnet bench --workload "$workload" --gemm-only --json)"
done

$python - "$out/results.jsonl" "${OPENBLAS_CORETYPE:-unset}" "$(nproc)" <<'PY'
import collections, datetime, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
rows = collections.defaultdict(dict)
ceilings = {}
for l in lines:
    if l["row"] < 0:
        ceilings[l["result"]["workload"]] = l["result"]["gemm_only_samples_per_s"]
    else:
        rows[l["row"]][l["system"]] = l["result"]
def per_s(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    k = v / 1e3
    return f"{k:.0f} k" if k >= 100 else f"{k:.1f} k" if k >= 10 else f"{k:.2f} k"
def rate(r):
    return per_s(r["samples_per_s"]["median"])
print(f"glassnet beside PyTorch {datetime.date.today()}, {sys.argv[3]} cores, OPENBLAS_CORETYPE={sys.argv[2]} "
      f"(PyTorch default: as set, 2 threads; best: unset, 2 threads or 1 everywhere)\n")
print("| workload | glassnet (threads) | PyTorch default | PyTorch best (threads) | ratio to best | of the GEMM-only ceiling |")
print("|---|---|---|---|---|---|")
for i in sorted(rows):
    r = rows[i]
    g = r["glassnet"]
    best = max((r["torch-2t"], r["torch-1t"]), key=lambda t: t["samples_per_s"]["median"])
    name = f'{g["workload"]} {g["variant"] + " " if g["variant"] != "relu" else ""}' + \
           ("inference" if g["inference"] else g["optimizer"])
    ratio = g["samples_per_s"]["median"] / best["samples_per_s"]["median"]
    ceiling = "" if g["inference"] else f'{100 * g["samples_per_s"]["median"] / ceilings[g["workload"]]:.0f} % of {per_s(ceilings[g["workload"]])}'
    print(f'| {name} | {rate(g)} ({g["threads"]}) | {rate(r["torch-default"])} | {rate(best)} ({best["threads"]}) | '
          f'{ratio:.2f}× | {ceiling} |')
peak = {l["result"]["workload"]: l["result"]["peak_rss_mb"] for l in lines
        if l["row"] >= 0 and l["system"] == "glassnet" and not l["result"]["inference"]}
torch_peak = {}
for l in lines:
    if l["row"] >= 0 and l["system"].startswith("torch"):
        w = l["result"]["workload"]
        torch_peak[w] = max(torch_peak.get(w, 0), l["result"]["peak_rss_mb"])
print("\npeak memory (MB), glassnet / PyTorch: " +
      ", ".join(f"{w} {peak[w]:.0f} / {torch_peak[w]:.0f}" for w in sorted(peak)))
PY
