// The monitor's cost: one training epoch of the same network and data with the monitor
// off, light (the default) and full, on a small and a large network. Compare the
// steps per second across levels (docs/monitor.md has the figures):
//   build/bench/monitor_overhead --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <memory>

#include "glassnet/diag/monitor.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

struct Workload {
  Index inputs;
  std::vector<Index> hidden;
  Index outputs;
  Index batch;
  Index rows;
};

// small: 30→64→64→1, batch 64; large: 784→256→128→10, batch 128.
const Workload kSmall{30, {64, 64}, 1, 64, 8192};
const Workload kLarge{784, {256, 128}, 10, 128, 4096};

void train_epochs(benchmark::State& state, const Workload& w, MonitorLevel level) {
  Rng rng(1);
  auto network = make_network({.in_features = w.inputs,
                               .hidden = w.hidden,
                               .activation = Activation::relu,
                               .out_features = w.outputs,
                               .output = w.outputs == 1 ? OutputTransform::sigmoid : OutputTransform::softmax},
                              rng);
  Matrix x(w.rows, w.inputs), y(w.rows, 1);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
  for (Index i = 0; i < w.rows; ++i) y(i, 0) = static_cast<Scalar>(i % w.outputs == 0 ? 0 : i % w.outputs);
  if (w.outputs == 1) {
    for (Index i = 0; i < w.rows; ++i) y(i, 0) = x(i, 0) > 0 ? 1 : 0;
  }
  const std::unique_ptr<Loss> loss =
      w.outputs == 1 ? std::unique_ptr<Loss>(new BceWithLogits) : std::unique_ptr<Loss>(new SoftmaxCrossEntropy);
  Adam adam(1e-3);
  Trainer trainer(*network, *loss, adam);
  Monitor monitor({.level = level});
  if (level != MonitorLevel::off) trainer.add_callback(monitor);
  const Index steps_per_epoch = (w.rows + w.batch - 1) / w.batch;
  for (auto _ : state) {
    trainer.fit({x, y}, {.epochs = trainer.epoch() + 1, .batch_size = w.batch, .seed = 1});
  }
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * steps_per_epoch), benchmark::Counter::kIsRate);
}

void BM_Small(benchmark::State& state) { train_epochs(state, kSmall, static_cast<MonitorLevel>(state.range(0))); }
void BM_Large(benchmark::State& state) { train_epochs(state, kLarge, static_cast<MonitorLevel>(state.range(0))); }

// Arguments: 0 off, 1 light, 2 full.
BENCHMARK(BM_Small)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Large)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace glassnet

BENCHMARK_MAIN();
