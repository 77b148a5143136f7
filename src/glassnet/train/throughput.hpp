#pragma once
// Training and inference throughput on the standard workloads (`glassnet bench`), the
// same as the PyTorch peer's (bench/torch_peer.py), so that the two compare as ratios:
//
//   W1 tabular           30 → 64 → 64 → 1, ReLU, BCE with logits, batch 64, 50,000 random rows
//   W2 deep              30 → 15 × 64 → 1, sigmoid or (Linear + BatchNorm + ReLU), batch 256, 50,000 rows
//   W3 Fashion-MNIST     784 → 256 → 128 → 10, ReLU, softmax cross-entropy, batch 128, the 60,000
//                        training images (IDX files from Debian's dataset-fashion-mnist)
//   W4 wide              1024 → 2048 → 2048 → 10, ReLU, softmax cross-entropy, batch 512, 16,384 rows
//
// Random rows are N(0, 1) features; a binary label is the sign of a fixed random
// projection, a class label uniform. SGD without momentum (lr 0.1 on W3, 0.01
// elsewhere) or Adam (lr 1e-3). An epoch is what a training epoch is in glassnet: a
// shuffle, then every batch's forward, loss, backward and optimizer step (and the
// monitor's work, at the level asked for). Samples per second = rows / the epoch's wall
// time, over the timed epochs after the warm-up. GFLOP/s counts 6 × (weights + biases)
// per sample for training, 2 × for inference.
//
// The GEMM-only ceiling: the wall time of a training step's matrix products alone
// (forward, backward to the input except for the first layer, backward to the weights),
// through glassnet's gemm, at the same shapes — what no implementation on this engine
// can beat.

#include <filesystem>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/diag/monitor.hpp"

namespace glassnet {

struct Workload {
  std::string name;
  Index inputs = 0;
  std::vector<Index> hidden;
  Index outputs = 1;
  Index batch = 64;
  Index rows = 0;
  Index parameters() const;  // weights and biases of the dense layers
};

// W1 … W4; throws Error naming the choices for anything else.
Workload workload(const std::string& name);

struct ThroughputOptions {
  std::string workload = "W1";
  std::string variant;  // W2: "sigmoid" or "relu-bn"; the others: "relu"; empty: the first
  std::string optimizer = "sgd";  // sgd or adam
  bool inference = false;
  int threads = 0;  // 0: glassnet's default
  Index warmup = 1, epochs = 5;
  MonitorLevel monitor = MonitorLevel::light;
  std::filesystem::path fashion_mnist = "/usr/share/datasets/fashion-mnist";
};

struct Throughput {
  std::string workload, variant, optimizer;
  bool inference = false;
  int threads = 1;
  std::vector<double> samples_per_s;  // one per timed epoch (or pass)
  double median = 0, min = 0, max = 0;
  double gflops = 0;  // at the median
  double peak_rss_mb = 0;  // of the process, so far
};

Throughput measure_throughput(const ThroughputOptions& options);

struct GemmCeiling {
  std::string workload;
  double samples_per_s = 0;  // the faster of one and two threads
  int threads = 1;
  double step_seconds = 0;
};

// The GEMM-only training ceiling of a workload: the median of `repeats` timings of one
// step's products, at one and at two threads.
GemmCeiling gemm_ceiling(const std::string& workload, Index repeats = 50);

}  // namespace glassnet
