// A steady-state training step allocates no heap memory: every global operator new in
// this executable is counted, and training steps 2..N must add none.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "glassnet/diag/monitor.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  ++g_allocations;
  const auto a = static_cast<std::size_t>(alignment);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t alignment) { return operator new(size, alignment); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

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

// The real loop, with the training toolkit in play: allocations seen at the end of each
// step must not grow within an epoch after its second step.
struct AllocationsPerStep : Callback {
  std::vector<std::pair<Index, long>> seen;  // (epoch, allocations so far)
  std::string_view name() const override { return "allocations"; }
  void on_step_end(Trainer&, const StepLogs& logs) override {
    const long now = g_allocations.load();
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

TEST(SteadyStateAllocation, TheCounterSeesAllocations) {
  const long before = g_allocations.load();
  auto* p = new std::vector<int>(100);
  delete p;
  EXPECT_GE(g_allocations.load() - before, 2);
}

}  // namespace
}  // namespace glassnet
