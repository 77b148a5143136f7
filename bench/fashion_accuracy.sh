#!/usr/bin/env bash
# Fashion-MNIST test accuracy, glassnet beside PyTorch, on the same configuration:
# 784 → 256 → 128 → 10 (ReLU), Adam lr 1e-3, batch 128, 10 epochs, 90 % of the training
# images (10 % held out), for seeds 1–3. glassnet through its command line (`train`,
# then `eval` on the test files); PyTorch through bench/torch_fashion.py (its own
# initialisation and batch order). Prints a markdown table. About 2 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
make build > /dev/null
F=/usr/share/datasets/fashion-mnist
out=build/fashion
mkdir -p "$out"
echo "| seed | glassnet test accuracy | glassnet \`train\`, whole command (s) | PyTorch test accuracy | PyTorch training loop (s) |"
echo "|---|---|---|---|---|"
for seed in 1 2 3; do
  start=$(date +%s.%N)
  build/glassnet train --data $F/train-images-idx3-ubyte.gz --labels $F/train-labels-idx1-ubyte.gz \
    --layers 256,128 --optimizer adam --lr 0.001 --batch-size 128 --epochs 10 \
    --val-split 0.1 --early-stopping 0 --seed "$seed" --out "$out/fashion-$seed.safetensors" > "$out/train-$seed.log"
  end=$(date +%s.%N)
  ours=$(build/glassnet eval --model "$out/fashion-$seed.safetensors" --data $F/t10k-images-idx3-ubyte.gz \
    --labels $F/t10k-labels-idx1-ubyte.gz --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["metrics"]["accuracy"])')
  theirs=$(/usr/bin/python3 bench/torch_fashion.py --seed "$seed")
  /usr/bin/python3 - "$seed" "$ours" "$start" "$end" "$theirs" <<'PY'
import json, sys
seed, ours, start, end, theirs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), json.loads(sys.argv[5])
print(f"| {seed} | {100 * ours:.2f} % | {end - start:.1f} | {100 * theirs['test_accuracy']:.2f} % | {theirs['seconds']:.1f} |")
PY
done
