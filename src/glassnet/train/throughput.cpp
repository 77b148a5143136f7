#include "glassnet/train/throughput.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "glassnet/core/error.hpp"
#include "glassnet/core/gemm.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/data/idx.hpp"
#include "glassnet/diag/median.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double peak_rss_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

// The workload's rows: Fashion-MNIST for W3, random for the others (see the header).
Dataset workload_data(const Workload& w, const ThroughputOptions& options) {
  if (w.name == "W3") {
    const std::filesystem::path images = options.fashion_mnist / "train-images-idx3-ubyte.gz";
    Dataset d = read_idx(images, options.fashion_mnist / "train-labels-idx1-ubyte.gz");
    // The workload is those images: other counts or sizes would be read past (a crash)
    // or timed as 60,000 rows.
    if (d.x.rows() != w.rows || d.x.cols() != w.inputs) {
      throw Error(fmt::format("{}: W3 is Fashion-MNIST's {} training images of {} pixels; the file holds {} of {}",
                              images.string(), w.rows, w.inputs, d.x.rows(), d.x.cols()));
    }
    return d;
  }
  Rng rng(0);
  Dataset d{Matrix(w.rows, w.inputs), Matrix(w.rows, 1)};
  for (Index i = 0; i < d.x.size(); ++i) d.x.data()[i] = static_cast<Scalar>(rng.normal());
  if (w.outputs == 1) {
    std::vector<double> projection(static_cast<std::size_t>(w.inputs));
    for (double& p : projection) p = rng.normal();
    for (Index i = 0; i < w.rows; ++i) {
      double s = 0;
      for (Index j = 0; j < w.inputs; ++j) s += d.x(i, j) * projection[static_cast<std::size_t>(j)];
      d.y(i, 0) = s > 0 ? Scalar(1) : Scalar(0);
    }
  } else {
    for (Index i = 0; i < w.rows; ++i) d.y(i, 0) = static_cast<Scalar>(rng.below(static_cast<std::uint64_t>(w.outputs)));
  }
  return d;
}

void summarise(Throughput& t, double flops_per_sample) {
  if (t.samples_per_s.empty()) throw Error("bench: no timed epochs (--epochs must be at least 1)");
  std::vector<double> sorted = t.samples_per_s;  // the median: of an even count, the mean of the middle two
  std::sort(sorted.begin(), sorted.end());
  const std::size_t half = sorted.size() / 2;
  t.median = sorted.size() % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2.0;
  const auto [lo, hi] = std::minmax_element(t.samples_per_s.begin(), t.samples_per_s.end());
  t.min = *lo;
  t.max = *hi;
  t.gflops = flops_per_sample * t.median / 1e9;
  t.peak_rss_mb = peak_rss_mb();
}

}  // namespace

Index Workload::parameters() const {
  Index n = 0, in = inputs;
  for (Index width : hidden) {
    n += in * width + width;
    in = width;
  }
  return n + in * outputs + outputs;
}

Workload workload(const std::string& name) {
  if (name == "W1") return {"W1", 30, {64, 64}, 1, 64, 50000};
  if (name == "W2") return {"W2", 30, std::vector<Index>(15, 64), 1, 256, 50000};
  if (name == "W3") return {"W3", 784, {256, 128}, 10, 128, 60000};
  if (name == "W4") return {"W4", 1024, {2048, 2048}, 10, 512, 16384};
  throw Error(fmt::format("--workload: '{}' is not one of W1, W2, W3, W4", name));
}

Throughput measure_throughput(const ThroughputOptions& options) {
  const Workload w = workload(options.workload);
  const bool w2 = w.name == "W2";
  const std::string variant = !options.variant.empty() ? options.variant : w2 ? "sigmoid" : "relu";
  if (w2 ? variant != "sigmoid" && variant != "relu-bn" : variant != "relu") {
    throw Error(fmt::format("--variant: {} takes {}", w.name, w2 ? "sigmoid or relu-bn" : "relu"));
  }
  if (options.optimizer != "sgd" && options.optimizer != "adam") {
    throw Error(fmt::format("--optimizer: '{}' is not sgd or adam", options.optimizer));
  }
  if (options.threads > 0) set_thread_count(options.threads);
  const Dataset data = workload_data(w, options);
  Rng rng(1);
  NetworkSpec spec{.in_features = w.inputs,
                   .hidden = w.hidden,
                   .activation = variant == "sigmoid" ? Activation::sigmoid : Activation::relu,
                   .out_features = w.outputs,
                   .output = w.outputs == 1 ? OutputTransform::sigmoid : OutputTransform::softmax,
                   .norm = variant == "relu-bn" ? Normalization::batch : Normalization::none};
  const auto network = make_network(spec, rng);
  Throughput t{.workload = w.name,
               .variant = variant,
               .optimizer = options.optimizer,
               .inference = options.inference,
               .threads = thread_count()};
  const auto parameters = static_cast<double>(w.parameters());
  const Index passes = options.warmup + options.epochs;
  if (options.inference) {
    for (Index pass = 0; pass < passes; ++pass) {
      const auto start = Clock::now();
      for (Index i = 0; i < w.rows; i += w.batch) {
        const Index rows = std::min(w.batch, w.rows - i);
        network->forward(ConstMatrixView(data.x.data() + i * w.inputs, rows, w.inputs), Mode::eval);
      }
      if (pass >= options.warmup) t.samples_per_s.push_back(static_cast<double>(w.rows) / seconds_since(start));
    }
    summarise(t, 2 * parameters);
    return t;
  }
  std::unique_ptr<Loss> loss;
  if (w.outputs == 1) {
    loss = std::make_unique<BceWithLogits>();
  } else {
    loss = std::make_unique<SoftmaxCrossEntropy>();
  }
  std::unique_ptr<Optimizer> optimizer;
  if (options.optimizer == "sgd") {
    optimizer = std::make_unique<Sgd>(w.name == "W3" ? 0.1 : 0.01);
  } else {
    optimizer = std::make_unique<Adam>(1e-3);
  }
  Trainer trainer(*network, *loss, *optimizer);
  std::optional<Monitor> monitor;
  if (options.monitor != MonitorLevel::off) {
    monitor.emplace(MonitorOptions{.level = options.monitor});
    monitor->reserve(passes * ((w.rows + w.batch - 1) / w.batch));
    trainer.add_callback(*monitor);
  }
  const auto history = trainer.fit({data.x, data.y}, {.epochs = passes, .batch_size = w.batch, .seed = 1});
  for (std::size_t e = static_cast<std::size_t>(options.warmup); e < history.size(); ++e) {
    t.samples_per_s.push_back(static_cast<double>(w.rows) / history[e].seconds);
  }
  summarise(t, 6 * parameters);
  return t;
}

GemmCeiling gemm_ceiling(const std::string& name, Index repeats) {
  const Workload w = workload(name);
  std::vector<Index> sizes{w.inputs};
  sizes.insert(sizes.end(), w.hidden.begin(), w.hidden.end());
  sizes.push_back(w.outputs);
  // Per layer: its input x:[B, in], weights W:[out, in], output and gradients.
  struct Shapes {
    Matrix x, weight, out, grad_out, grad_in, grad_weight;
  };
  Rng rng(2);
  std::vector<Shapes> layers;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const Index in = sizes[l], out = sizes[l + 1];
    Shapes s{Matrix(w.batch, in), Matrix(out, in), Matrix(w.batch, out), Matrix(w.batch, out), Matrix(w.batch, in),
             Matrix(out, in)};
    for (Matrix* m : {&s.x, &s.weight, &s.grad_out}) {
      for (Index i = 0; i < m->size(); ++i) m->data()[i] = static_cast<Scalar>(rng.normal());
    }
    layers.push_back(std::move(s));
  }
  const int before = thread_count();
  GemmCeiling best{.workload = w.name};
  for (int threads : {1, 2}) {
    set_thread_count(threads);
    std::vector<double> times;
    for (Index r = 0; r < repeats + 3; ++r) {
      const auto start = Clock::now();
      for (std::size_t l = 0; l < layers.size(); ++l) {
        Shapes& s = layers[l];
        gemm(Transpose::no, Transpose::yes, 1, s.x, s.weight, 0, view(s.out));                  // forward
        if (l > 0) gemm(Transpose::no, Transpose::no, 1, s.grad_out, s.weight, 0, view(s.grad_in));  // to the input
        gemm(Transpose::yes, Transpose::no, 1, s.grad_out, s.x, 0, view(s.grad_weight));       // to the weights
      }
      if (r >= 3) times.push_back(seconds_since(start));
    }
    const double step = median(times);
    const double rate = static_cast<double>(w.batch) / step;
    if (rate > best.samples_per_s) best = {.workload = w.name, .samples_per_s = rate, .threads = threads, .step_seconds = step};
  }
  set_thread_count(before);
  return best;
}

}  // namespace glassnet
