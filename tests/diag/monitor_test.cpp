#include "glassnet/diag/monitor.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

Matrix rows_of(std::initializer_list<std::initializer_list<double>> values) {
  Matrix m(static_cast<Index>(values.size()), static_cast<Index>(values.begin()->size()));
  Index i = 0;
  for (const auto& row : values) {
    Index j = 0;
    for (double v : row) m(i, j++) = static_cast<Scalar>(v);
    ++i;
  }
  return m;
}

TEST(ActivationStats, SaturationDeadUnitsAndMoments) {
  // Sigmoid: two of the eight pre-activations have |z| > 5.
  const Matrix z = rows_of({{6, -7, 0, 1}, {0.5, -0.5, 2, -2}});
  const Matrix a = z;  // the statistics of a are independent of which function made it
  const ActivationStats s = activation_stats(Activation::sigmoid, z, a);
  EXPECT_DOUBLE_EQ(s.saturated, 2.0 / 8.0);
  EXPECT_TRUE(std::isnan(s.dead));
  EXPECT_NEAR(s.pre_mean, 0.0, 1e-12);
  EXPECT_NEAR(s.pre_std, std::sqrt((36 + 49 + 0 + 1 + 0.25 + 0.25 + 4 + 4) / 8.0), 1e-6);
  EXPECT_NEAR(s.post_std, s.pre_std, 1e-12);
  // ReLU: a unit is dead when no row of the batch reaches z > 0 (columns 2 and 4).
  const Matrix zr = rows_of({{1, -1, -3, 0}, {-2, 4, -1, -5}});
  const ActivationStats r = activation_stats(Activation::relu, zr, Matrix(zr.cwiseMax(Scalar(0))));
  EXPECT_DOUBLE_EQ(r.dead, 0.5);
  EXPECT_TRUE(std::isnan(r.saturated));
}

TEST(ActivationStats, LogHistogramBinsByDecade) {
  const std::vector<Scalar> values = {
      0, 1, -1, Scalar(1e-3), Scalar(2e-3), Scalar(1e-13), Scalar(1e5), std::numeric_limits<Scalar>::infinity()};
  const LogHistogram h = log_histogram(values.data(), static_cast<Index>(values.size()));
  EXPECT_EQ(h.zeros, 1u);
  EXPECT_EQ(h.below, 1u);
  EXPECT_EQ(h.above, 1u);
  EXPECT_EQ(h.non_finite, 1u);
  EXPECT_EQ(h.bins[24], 2u) << "|x| = 1: log10 0 → bin (0 + 12) / 0.5";
  EXPECT_EQ(h.bins[18], 2u) << "1e-3 and 2e-3 share the half-decade bin [1e-3, 10^-2.5)";
}

struct MonitoredRun {
  std::unique_ptr<Network> network;
  Matrix x, y;
};

MonitoredRun make_run(const NetworkSpec& spec, Index rows, std::uint64_t seed) {
  Rng rng(seed);
  MonitoredRun run{make_network(spec, rng), Matrix(rows, spec.in_features), Matrix(rows, 1)};
  for (Index i = 0; i < run.x.size(); ++i) run.x.data()[i] = static_cast<Scalar>(rng.normal());
  for (Index i = 0; i < rows; ++i) run.y(i, 0) = run.x(i, 0) * run.x(i, 1) > 0 ? 1 : 0;
  return run;
}

// Plain SGD takes the step lr·g, so every recorded number can be checked against the
// gradient norm it came from: ‖Δθ‖ / ‖θ‖ · ‖θ‖ = lr · ‖g‖, on every step.
TEST(Monitor, RecordsEveryStepsNormsAndUpdateRatios) {
  MonitoredRun run =
      make_run({.in_features = 4, .hidden = {8, 8}, .activation = Activation::tanh, .out_features = 1}, 100, 1);
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*run.network, loss, sgd);
  Monitor monitor({.probe_every = 4});
  trainer.add_callback(monitor);
  trainer.fit({run.x, run.y}, {.epochs = 3, .batch_size = 16, .seed = 1});
  const MonitorSeries& s = monitor.series();
  ASSERT_EQ(s.step_count(), 3 * 7);
  EXPECT_EQ(s.params, (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                                "layers.4.weight", "layers.4.bias"}));
  ASSERT_EQ(s.param_grad_norm.size(), 21u * 6u);
  for (Index step = 0; step < s.step_count(); ++step) {
    EXPECT_EQ(s.steps[static_cast<std::size_t>(step)], step + 1);
    double sum = 0.0;
    for (std::size_t k = 0; k < 6; ++k) {
      const std::size_t at = static_cast<std::size_t>(step) * 6 + k;
      const double g = s.param_grad_norm[at], w = s.param_weight_norm[at], r = s.param_update_ratio[at];
      EXPECT_NEAR(r * w, 0.1 * g, 1e-4 * (0.1 * g) + 1e-9) << s.params[k] << " step " << step + 1;
      sum += g * g;
    }
    EXPECT_NEAR(std::sqrt(sum), s.grad_norm[static_cast<std::size_t>(step)], 1e-5 * std::sqrt(sum));
  }
  // The last step's gradients are still in the store: its recorded norms are theirs.
  const ParamStore& store = run.network->params();
  for (std::size_t k = 0; k < 6; ++k) {
    const double direct = store.grad(store.find(s.params[k])).cast<double>().norm();
    EXPECT_NEAR(s.param_grad_norm[20 * 6 + k], direct, 1e-5 * direct);
    const double weight = store.value(store.find(s.params[k])).cast<double>().norm();
    EXPECT_NEAR(s.param_weight_norm[20 * 6 + k], weight, 1e-5 * weight);
  }
  // Probes on step 1 and every 4th step, one entry per tanh layer.
  EXPECT_EQ(s.probe_steps, (std::vector<Index>{1, 4, 8, 12, 16, 20}));
  ASSERT_EQ(s.probed.size(), 2u);
  EXPECT_EQ(s.probed[0].name, "layers.1");
  EXPECT_EQ(s.probed[1].name, "layers.3");
  EXPECT_EQ(s.activation.size(), 12u);
  EXPECT_EQ(s.epoch_logs.size(), 3u);
  EXPECT_FALSE(s.first_non_finite.has_value());
}

// The default interval: from the network's cost, and at most a tenth of the steps the
// run announced (a tiny network's k is in the hundreds: a short run was probed once, at
// step 1). A monitor that starts on a later step — a resumed run's — probes that step.
TEST(Monitor, AShortRunIsProbedTenTimesAndAResumedRunAtItsFirstStep) {
  const NetworkSpec tiny{.in_features = 2, .hidden = {8}, .activation = Activation::relu, .out_features = 1};
  MonitoredRun run = make_run(tiny, 96, 2);
  EXPECT_GT(default_probe_every(*run.network), 100) << "the cost alone";
  EXPECT_EQ(default_probe_every(*run.network, 36), 3);
  EXPECT_EQ(default_probe_every(*run.network, 5), 1);
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*run.network, loss, sgd);
  Monitor monitor;
  monitor.reserve(36);  // 6 epochs of 6 steps
  trainer.add_callback(monitor);
  trainer.fit({run.x, run.y}, {.epochs = 3, .batch_size = 16, .seed = 1});
  EXPECT_EQ(monitor.series().probe_steps, (std::vector<Index>{1, 3, 6, 9, 12, 15, 18}));
  // A second monitor, joining after step 18.
  Monitor joined({.probe_every = 4});
  trainer.add_callback(joined);
  trainer.fit({run.x, run.y}, {.epochs = 5, .batch_size = 16, .seed = 1});
  EXPECT_EQ(joined.series().probe_steps, (std::vector<Index>{19, 20, 24, 28}));
}

// The symptoms the doctor reasons about are visible in the series.
TEST(Monitor, SeesVanishingGradientsDeadUnitsAndSaturation) {
  {  // Ten sigmoid layers: the first layer's gradient is orders of magnitude below the last.
    MonitoredRun run = make_run(
        {.in_features = 8, .hidden = std::vector<Index>(10, 32), .activation = Activation::sigmoid, .out_features = 1},
        256, 2);
    const BceWithLogits loss;
    Sgd sgd(0.01);
    Trainer trainer(*run.network, loss, sgd);
    Monitor monitor;
    trainer.add_callback(monitor);
    trainer.fit({run.x, run.y}, {.epochs = 1, .batch_size = 64, .seed = 1});
    const MonitorSeries& s = monitor.series();
    const std::size_t n = s.params.size();
    const double first = s.param_grad_norm[0], last = s.param_grad_norm[n - 2];
    EXPECT_LT(first, 1e-4 * last) << "first " << first << " last " << last;
  }
  {  // ReLU with large negative biases in the first layer: every unit there is dead.
    MonitoredRun run =
        make_run({.in_features = 4, .hidden = {16, 16}, .activation = Activation::relu, .out_features = 1}, 128, 3);
    ParamStore& store = run.network->params();
    store.value(store.find("layers.0.bias")).setConstant(-100);
    const BceWithLogits loss;
    Sgd sgd(0.01);
    Trainer trainer(*run.network, loss, sgd);
    Monitor monitor({.probe_every = 1});
    trainer.add_callback(monitor);
    trainer.fit({run.x, run.y}, {.epochs = 1, .batch_size = 32, .seed = 1});
    const MonitorSeries& s = monitor.series();
    EXPECT_EQ(s.activation[0].dead, 1.0) << "layers.1";
    EXPECT_EQ(s.param_grad_norm[0], 0.0) << "a dead layer's weights get no gradient";
  }
  {  // Sigmoid behind weights twenty times too large: most units are saturated.
    MonitoredRun run =
        make_run({.in_features = 16, .hidden = {32}, .activation = Activation::sigmoid, .out_features = 1}, 128, 4);
    ParamStore& store = run.network->params();
    store.value(store.find("layers.0.weight")) *= Scalar(20);
    const BceWithLogits loss;
    Sgd sgd(0.01);
    Trainer trainer(*run.network, loss, sgd);
    Monitor monitor({.probe_every = 1});
    trainer.add_callback(monitor);
    trainer.fit({run.x, run.y}, {.epochs = 1, .batch_size = 32, .seed = 1});
    EXPECT_GT(monitor.series().activation[0].saturated, 0.5);
  }
}

TEST(Monitor, WritesTheMetricsLogAsJsonLines) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("glassnet-monitor-" + std::to_string(::getpid()) + ".jsonl");
  {
    MonitoredRun run =
        make_run({.in_features = 4, .hidden = {8}, .activation = Activation::relu, .out_features = 1}, 64, 5);
    const BceWithLogits loss;
    Sgd sgd(0.1);
    Trainer trainer(*run.network, loss, sgd);
    MetricsLog log(path);
    log.write_run({{"config", {{"layers", {8}}}}});
    Monitor monitor({.level = MonitorLevel::full, .probe_every = 2}, &log);
    trainer.add_callback(monitor);
    trainer.fit({run.x, run.y}, {.epochs = 2, .batch_size = 16, .seed = 1});
    log.write_end({{"metrics", nlohmann::json::object()}});
    log.flush();
  }
  std::ifstream in(path);
  std::string text;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, text)) lines.push_back(nlohmann::json::parse(text));
  std::filesystem::remove(path);
  std::map<std::string, int> count;
  for (const auto& line : lines) ++count[line.at("type").get<std::string>()];
  EXPECT_EQ(lines.front()["type"], "run");
  EXPECT_EQ(lines.front()["schema"], "glassnet-metrics");
  EXPECT_EQ(lines.front()["version"], 1);
  EXPECT_EQ(lines[1]["type"], "layout");
  EXPECT_EQ(lines[1]["params"].size(), 4u);
  EXPECT_EQ(lines[1]["activations"][0]["layer"], "layers.1");
  EXPECT_EQ(count["step"], 8);
  EXPECT_EQ(count["probe"], 5) << "steps 1, 2, 4, 6, 8";
  EXPECT_EQ(count["epoch"], 2);
  EXPECT_EQ(lines.back()["type"], "end");
  EXPECT_EQ(lines[2]["type"], "step") << "a step's line comes before its probe";
  EXPECT_EQ(lines[3]["type"], "probe");
  EXPECT_EQ(lines[3]["step"], 1);
  for (const auto& line : lines) {
    if (line["type"] == "step") {
      EXPECT_EQ(line["param_grad_norm"].size(), 4u);
      EXPECT_EQ(line["update_ratio"].size(), 4u);
      EXPECT_GT(line["grad_norm"].get<double>(), 0.0);
    }
    if (line["type"] == "probe") {
      EXPECT_EQ(line["layers"].size(), 1u);
      EXPECT_TRUE(line["layers"][0]["saturated"].is_null()) << "saturation does not apply to ReLU";
      EXPECT_EQ(line["gradient_histograms"].size(), 4u);
      EXPECT_EQ(line["activation_histograms"][0]["bins"].size(), 32u);
    }
  }
}

}  // namespace
}  // namespace glassnet
