// Micro-benchmarks of the kernels a training step of W1–W4 (train/throughput.hpp) spends
// its time in: the matrix products at every shape of the four workloads (forward, to the
// input, to the weights), a Linear layer and an activation layer forward and backward
// (bias and activation included), batch normalisation, the losses, and the optimizer
// update over a whole parameter store, and the per-parameter gradient norms of every
// step. The monitor's other statistics are measured by monitor_overhead.
//   build/bench/kernels --benchmark_filter=Gemm/W3 --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <memory>

#include "glassnet/core/gemm.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/throughput.hpp"

namespace glassnet {
namespace {

Matrix random(Index rows, Index cols, Rng& rng) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(rng.normal());
  return m;
}

// One product of a layer in:[B, in] → out: forward y = x Wᵀ, to the input dx = dy W, to
// the weights dW = dyᵀ x. FLOP/s as the counter "flops".
enum class Product { forward, to_input, to_weights };

void gemm_product(benchmark::State& state, Index batch, Index in, Index out, Product product) {
  Rng rng(1);
  const Matrix x = random(batch, in, rng), w = random(out, in, rng), dy = random(batch, out, rng);
  Matrix y(batch, out), dx(batch, in), dw(out, in);
  for (auto _ : state) {
    switch (product) {
      case Product::forward: gemm(Transpose::no, Transpose::yes, 1, x, w, 0, view(y)); break;
      case Product::to_input: gemm(Transpose::no, Transpose::no, 1, dy, w, 0, view(dx)); break;
      case Product::to_weights: gemm(Transpose::yes, Transpose::no, 1, dy, x, 0, view(dw)); break;
    }
    benchmark::ClobberMemory();
  }
  state.counters["flops"] = benchmark::Counter(2.0 * double(batch * in * out), benchmark::Counter::kIsIterationInvariantRate);
}

// A one-hidden-layer network in → width → 1: layer 0 is the Linear, 1 the activation (or
// the batch norm, with `norm`).
struct Layers {
  std::unique_ptr<Network> network;
  Matrix x, dy;
  Layers(Index batch, Index in, Index width, Activation activation, Normalization norm) {
    Rng rng(1);
    network = make_network({.in_features = in, .hidden = {width}, .activation = activation, .norm = norm}, rng);
    x = random(batch, in, rng);
    dy = random(batch, width, rng);
  }
};

void layer_pass(benchmark::State& state, Index batch, Index in, Index width, Activation activation,
                Normalization norm, Index layer) {
  Layers l(batch, in, width, activation, norm);
  Sequential& layers = l.network->layers();
  ConstMatrixView input = layer == 0 ? ConstMatrixView(l.x) : layers.layer(0).forward(l.x, Mode::train);
  const Matrix held = input;  // the layer's input stays put while it runs
  for (auto _ : state) {
    benchmark::DoNotOptimize(layers.layer(layer).forward(held, Mode::train).data());
    benchmark::DoNotOptimize(layers.layer(layer).backward(l.dy).data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void loss_gradient(benchmark::State& state, Index batch, Index classes) {
  Rng rng(1);
  const Matrix logits = random(batch, classes, rng);
  Matrix targets(batch, 1), grad(batch, classes);
  for (Index i = 0; i < batch; ++i) targets(i, 0) = classes == 1 ? Scalar(i % 2) : static_cast<Scalar>(i % classes);
  const BceWithLogits bce;
  const SoftmaxCrossEntropy ce;
  const Loss& loss = classes == 1 ? static_cast<const Loss&>(bce) : static_cast<const Loss&>(ce);
  for (auto _ : state) benchmark::DoNotOptimize(loss.value_and_gradient(logits, targets, {}, view(grad)));
  state.SetItemsProcessed(state.iterations() * batch);
}

void optimizer_update(benchmark::State& state, const std::string& name, bool adam) {
  const Workload w = workload(name);
  Rng rng(1);
  auto network = make_network({.in_features = w.inputs, .hidden = w.hidden, .out_features = w.outputs}, rng);
  ParamStore& params = network->params();
  for (Scalar& g : params.grads()) g = static_cast<Scalar>(rng.normal() * 1e-3);
  std::unique_ptr<Optimizer> optimizer = adam ? std::unique_ptr<Optimizer>(std::make_unique<Adam>(1e-3))
                                              : std::make_unique<Sgd>(0.01);
  for (auto _ : state) optimizer->step(params);
  state.SetItemsProcessed(state.iterations() * params.trainable_size());
}

// The per-parameter gradient norms every step computes (the monitor's, clipping's).
void gradient_norms(benchmark::State& state, const std::string& name) {
  const Workload w = workload(name);
  Rng rng(1);
  auto network = make_network({.in_features = w.inputs, .hidden = w.hidden, .out_features = w.outputs}, rng);
  ParamStore& params = network->params();
  for (Scalar& g : params.grads()) g = static_cast<Scalar>(rng.normal() * 1e-3);
  std::vector<double> norms(params.params().size());
  for (auto _ : state) benchmark::DoNotOptimize(params.grad_norms(norms));
  state.SetItemsProcessed(state.iterations() * params.trainable_size());
}

void register_all() {
  for (const char* name : {"W1", "W2", "W3", "W4"}) {
    const Workload w = workload(name);
    std::vector<Index> sizes{w.inputs};
    sizes.insert(sizes.end(), w.hidden.begin(), w.hidden.end());
    sizes.push_back(w.outputs);
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
      if (name == std::string("W2") && l > 1 && l + 2 < sizes.size()) continue;  // the 64 × 64 layers are alike
      const Index in = sizes[l], out = sizes[l + 1];
      for (auto [product, label] : {std::pair{Product::forward, "forward"}, std::pair{Product::to_input, "to_input"},
                                    std::pair{Product::to_weights, "to_weights"}}) {
        if (product == Product::to_input && l == 0) continue;  // no gradient for the data
        benchmark::RegisterBenchmark(fmt::format("Gemm/{}/b{}/{}x{}/{}", name, w.batch, in, out, label).c_str(),
                                     [=](benchmark::State& s) { gemm_product(s, w.batch, in, out, product); });
      }
    }
  }
  struct LayerCase {
    const char* name;
    Index batch, in, width;
  };
  for (const LayerCase c : {LayerCase{"W1", 64, 30, 64}, LayerCase{"W3", 128, 784, 256}}) {
    benchmark::RegisterBenchmark(fmt::format("Linear/{}/b{}/{}x{}", c.name, c.batch, c.in, c.width).c_str(),
                                 [=](benchmark::State& s) {
                                   layer_pass(s, c.batch, c.in, c.width, Activation::relu, Normalization::none, 0);
                                 });
    for (auto [activation, label] : {std::pair{Activation::relu, "relu"}, std::pair{Activation::sigmoid, "sigmoid"}}) {
      benchmark::RegisterBenchmark(fmt::format("Activation/{}/{}/b{}x{}", label, c.name, c.batch, c.width).c_str(),
                                   [=](benchmark::State& s) {
                                     layer_pass(s, c.batch, c.in, c.width, activation, Normalization::none, 1);
                                   });
    }
  }
  benchmark::RegisterBenchmark("BatchNorm/W2/b256x64", [](benchmark::State& s) {
    layer_pass(s, 256, 30, 64, Activation::relu, Normalization::batch, 1);
  });
  benchmark::RegisterBenchmark("Loss/bce/b64", [](benchmark::State& s) { loss_gradient(s, 64, 1); });
  benchmark::RegisterBenchmark("Loss/softmax_ce/b128x10", [](benchmark::State& s) { loss_gradient(s, 128, 10); });
  for (const char* name : {"W1", "W3"}) {
    benchmark::RegisterBenchmark(fmt::format("Optimizer/sgd/{}", name).c_str(),
                                 [=](benchmark::State& s) { optimizer_update(s, name, false); });
    benchmark::RegisterBenchmark(fmt::format("Optimizer/adam/{}", name).c_str(),
                                 [=](benchmark::State& s) { optimizer_update(s, name, true); });
    benchmark::RegisterBenchmark(fmt::format("GradNorms/{}", name).c_str(),
                                 [=](benchmark::State& s) { gradient_norms(s, name); });
  }
}

}  // namespace
}  // namespace glassnet

int main(int argc, char** argv) {
  glassnet::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
