// A steady-state training step allocates no heap memory: every malloc of the process
// is counted, and training steps 2..N must add none. The bytes are
// counted too, to check the layers' own account of their buffers (floats_per_row).

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>

#include "glassnet/core/threads.hpp"
#include "glassnet/diag/monitor.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

// Every allocation of the process goes through these: glibc lets a program replace
// malloc and its family, and operator new, Eigen's aligned allocator and the standard
// containers all end up here.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* p);
}

namespace {
std::atomic<long> g_allocations{0};
std::atomic<std::size_t> g_bytes{0};
long g_trap_at = -1;
void count(std::size_t bytes) {
  if (g_trap_at >= 0 && g_allocations.load() == g_trap_at) __builtin_trap();
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(bytes, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(std::size_t size) {
  count(size);
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) {
  count(n * size);
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) {
  count(size);
  return __libc_realloc(p, size);
}
void free(void* p) { __libc_free(p); }
void* aligned_alloc(std::size_t alignment, std::size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) {
  count(size);
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  count(size);
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}

namespace glassnet {
namespace {

struct Case {
  const char* name;
  NetworkSpec spec;
  Index batch;
};

Matrix targets_for(const NetworkSpec& spec, Index rows, Rng& rng) {
  Matrix t(rows, 1);
  for (Index i = 0; i < rows; ++i) {
    t(i, 0) =
        static_cast<Scalar>(rng.below(spec.out_features == 1 ? 2 : static_cast<std::uint64_t>(spec.out_features)));
  }
  return t;
}

TEST(SteadyStateAllocation, TrainingStepsAfterTheFirstAllocateNothing) {
  NetworkSpec tabular{.in_features = 30, .hidden = {64, 64}, .activation = Activation::relu, .out_features = 1};
  NetworkSpec deep_sigmoid{
      .in_features = 20, .hidden = std::vector<Index>(15, 64), .activation = Activation::sigmoid, .out_features = 1};
  NetworkSpec images{.in_features = 784,
                     .hidden = {256, 128},
                     .activation = Activation::relu,
                     .out_features = 10,
                     .output = OutputTransform::softmax};
  NetworkSpec gelu{.in_features = 8,
                   .hidden = {16},
                   .activation = Activation::gelu,
                   .out_features = 3,
                   .output = OutputTransform::softmax};
  for (const Case& c : {Case{"tabular", tabular, 64}, Case{"deep_sigmoid", deep_sigmoid, 256},
                        Case{"images", images, 128}, Case{"gelu", gelu, 7}}) {
    SCOPED_TRACE(c.name);
    const ThreadCountScope two(2);  // tabular and deep_sigmoid batches are split across them
    Rng rng(1);
    auto network = make_network(c.spec, rng);
    const BceWithLogits bce;
    const SoftmaxCrossEntropy cross_entropy;
    const Loss& loss = c.spec.out_features == 1 ? static_cast<const Loss&>(bce) : cross_entropy;
    Sgd sgd(0.01);
    Trainer trainer(*network, loss, sgd);
    Matrix x(c.batch, c.spec.in_features);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
    const Matrix y = targets_for(c.spec, c.batch, rng);
    // A smaller last batch too, as at the end of an epoch.
    const ConstMatrixView tail_x(x.data(), c.batch / 2 + 1, x.cols());
    const ConstMatrixView tail_y(y.data(), c.batch / 2 + 1, 1);

    trainer.step(view(x), view(y));  // step 1 sizes the buffers
    const long before = g_allocations.load();
    for (int step = 2; step <= 20; ++step) {
      if (step % 5 == 0) {
        trainer.step(tail_x, tail_y);
      } else {
        trainer.step(view(x), view(y));
      }
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << "heap allocations during steps 2..20";
  }
}

// The bytes the first training forward and backward of a fresh network allocate at
// batch `rows`: its layer buffers, plus what does not depend on the batch.
std::size_t first_pass_bytes(const NetworkSpec& spec, Index rows) {
  Rng rng(3);
  auto network = make_network(spec, rng);
  Matrix x(rows, spec.in_features), dy(rows, spec.out_features);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
  dy.setConstant(Scalar(0.01));
  const std::size_t before = g_bytes.load();
  network->forward(view(x), Mode::train);
  network->layers().backward(view(dy));
  return g_bytes.load() - before;
}

TEST(LayerMemory, FloatsPerRowIsWhatTheBuffersTakePerBatchRow) {
  const std::vector<std::pair<const char*, NetworkSpec>> cases{
      {"relu", {.in_features = 30, .hidden = {64, 64}, .out_features = 1}},
      {"batch norm, dropout, residual",
       {.in_features = 12,
        .hidden = {32, 32, 32},
        .activation = Activation::gelu,
        .out_features = 3,
        .output = OutputTransform::softmax,
        .norm = Normalization::batch,
        .dropout = 0.2,
        .residual = true}},
      {"layer norm, tanh", {.in_features = 7, .hidden = {16, 8}, .activation = Activation::tanh,
                            .norm = Normalization::layer}},
  };
  for (const auto& [name, spec] : cases) {
    SCOPED_TRACE(name);
    Rng rng(1);
    const auto network = make_network(spec, rng);
    // What does not depend on the batch cancels in the difference; the matrix products'
    // workspace, which each thread keeps from its first product on, is taken first.
    first_pass_bytes(spec, 96);
    const std::size_t measured = first_pass_bytes(spec, 96) - first_pass_bytes(spec, 32);
    EXPECT_EQ(measured, static_cast<std::size_t>(network->floats_per_row() * 64) * sizeof(Scalar));
  }
}

// The real loop, with the training toolkit in play: allocations seen at the end of each
// step must not grow within an epoch after its second step.
struct AllocationsPerStep : Callback {
  std::vector<std::pair<Index, long>> seen;  // (epoch, allocations so far)
  std::string_view name() const override { return "allocations"; }
  void on_step_end(Trainer&, const StepLogs& logs) override {
    const long now = g_allocations.load();
    if (logs.step == 10 && std::getenv("TRAP")) g_trap_at = now + 1;
    if (seen.size() == seen.capacity()) return;  // recording must not allocate either
    seen.emplace_back(logs.epoch, now);
  }
};

TEST(SteadyStateAllocation, FitWithNormalisationDropoutResidualAdamClippingAccumulationAndTheMonitor) {
  for (MonitorLevel level : {MonitorLevel::light, MonitorLevel::full}) {
    SCOPED_TRACE(std::string(monitor_level_name(level)));
    Rng rng(2);
    auto network = make_network({.in_features = 12,
                                 .hidden = {32, 32, 32},
                                 .activation = Activation::gelu,
                                 .out_features = 1,
                                 .norm = Normalization::batch,
                                 .dropout = 0.2,
                                 .residual = true},
                                rng);
    const BceWithLogits loss;
    Adam adam(1e-3, {.weight_decay = {.rate = 1e-4}});
    Trainer trainer(*network, loss, adam);
    trainer.set_schedule(std::make_unique<CosineSchedule>(3, 1));
    Monitor monitor({.level = level, .probe_every = 3});
    monitor.reserve(3 * 16);  // 3 epochs of 500 rows in steps of 32
    trainer.add_callback(monitor);
    AllocationsPerStep recorder;  // after the monitor: it sees the monitor's allocations
    recorder.seen.reserve(1000);
    trainer.add_callback(recorder);
    Matrix x(500, 12), y(500, 1);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
    for (Index i = 0; i < 500; ++i) y(i, 0) = x(i, 0) > 0 ? 1 : 0;
    trainer.fit({x, y}, {.epochs = 3, .batch_size = 16, .seed = 1, .accumulation_steps = 2, .clip_norm = 1.0});
    EXPECT_EQ(monitor.series().step_count(), 48) << "the monitor saw every step";
    int checked = 0;
    for (std::size_t k = 2; k < recorder.seen.size(); ++k) {
      if (recorder.seen[k].first != recorder.seen[k - 1].first ||
          recorder.seen[k - 1].first != recorder.seen[k - 2].first) {
        continue;  // an epoch boundary (logs, validation) lies between these steps
      }
      EXPECT_EQ(recorder.seen[k].second, recorder.seen[k - 1].second) << "step " << k + 1;
      ++checked;
    }
    EXPECT_GT(checked, 40);
  }
}

// Batches split across two threads (train/split_step.hpp), batch norm exchanging its
// sums between them, the monitor probing the parts every third step.
TEST(SteadyStateAllocation, FitSplitAcrossTheThreadsWithTheMonitor) {
  const ThreadCountScope two(2);
  Rng rng(2);
  auto network = make_network(
      {.in_features = 12, .hidden = {32, 32}, .out_features = 1, .norm = Normalization::batch, .residual = true}, rng);
  const BceWithLogits loss;
  Adam adam(1e-3);
  Trainer trainer(*network, loss, adam);
  Monitor monitor({.level = MonitorLevel::light, .probe_every = 3});
  monitor.reserve(3 * 16);  // 3 epochs of 1000 rows in steps of 64
  trainer.add_callback(monitor);
  AllocationsPerStep recorder;
  recorder.seen.reserve(1000);
  trainer.add_callback(recorder);
  Matrix x(1000, 12), y(1000, 1);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
  for (Index i = 0; i < 1000; ++i) y(i, 0) = x(i, 0) > 0 ? 1 : 0;
  trainer.fit({x, y}, {.epochs = 3, .batch_size = 64, .seed = 1});
  int checked = 0;
  for (std::size_t k = 2; k < recorder.seen.size(); ++k) {
    if (recorder.seen[k].first != recorder.seen[k - 1].first ||
        recorder.seen[k - 1].first != recorder.seen[k - 2].first) {
      continue;
    }
    EXPECT_EQ(recorder.seen[k].second, recorder.seen[k - 1].second) << "step " << k + 1;
    ++checked;
  }
  EXPECT_GT(checked, 35);
}

TEST(SteadyStateAllocation, TheCounterSeesAllocations) {
  const long before = g_allocations.load();
  void* volatile raw = std::malloc(64);  // volatile: the call cannot be elided
  std::free(raw);
  Buffer eigen_aligned(100, 100);  // Eigen's aligned allocator, as the layers' buffers
  EXPECT_GE(g_allocations.load() - before, 2);
}

}  // namespace
}  // namespace glassnet
