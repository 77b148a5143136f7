// The doctor's false-alarm rate: sound training set-ups — several data sets, depths,
// optimizers, normalisations, residual blocks, batch sizes and seeds — each through
// run_training as `glassnet train` runs it. A run that learned (validation accuracy at
// least kLearned) is a false alarm when anything of severity warning or error is
// reported: by preflight, during training, or at the end. A run that did not learn
// should be flagged; those are counted apart.
//
//   build/bench/false_alarms [seeds]        (default 10 seeds: 240 runs)
//
// Prints one line per alarm and the rates. docs/doctor.md gives the measured figures.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/train/run.hpp"

using namespace glassnet;

namespace {

struct Setup {
  std::vector<Index> layers;
  std::string optimizer;
  Normalization norm;
  bool residual;
  Index batch;
  double dropout;
};

constexpr double kLearned = 0.75;  // validation accuracy; every data set here is two balanced classes

}  // namespace

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 10;
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("glassnet-false-alarms-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::vector<Setup> setups = {
      {{64, 64}, "adam", Normalization::none, false, 64, 0.0},
      {{32, 32, 32, 32}, "momentum", Normalization::none, false, 32, 0.0},
      {{64, 64, 64}, "adam", Normalization::batch, false, 128, 0.0},
      {{32, 32, 32, 32}, "sgd", Normalization::batch, true, 64, 0.0},
      {{64, 64}, "rmsprop", Normalization::layer, false, 64, 0.2},
      {{16, 16, 16, 16, 16, 16}, "adamw", Normalization::none, true, 32, 0.0},
  };
  int learned = 0, false_alarms = 0, failed = 0, flagged = 0;
  std::map<std::string, int> by_symptom;
  const auto start = std::chrono::steady_clock::now();
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto s = static_cast<std::uint64_t>(seed);
    const auto write = [&](const std::string& name, const std::string& text) {
      std::ofstream((dir / name).string()) << text;
      return dir / name;
    };
    const std::vector<std::pair<std::string, std::filesystem::path>> data = {
        {"moons", write("moons.csv", dataset_csv(make_moons(1500, 2, 0.2, 100 + s)))},
        {"xor", write("xor.csv", dataset_csv(make_xor(1500, 6, 200 + s)))},
        {"spirals", write("spirals.csv", dataset_csv(make_spirals(1500, 2, 1.5, 0.1, 300 + s)))},
        {"fraud", write("fraud.csv", make_fraud_csv(3000, 0.5, 400 + s))},
    };
    for (const auto& [name, path] : data) {
      for (std::size_t k = 0; k < setups.size(); ++k) {
        const Setup& setup = setups[k];
        RunConfig c;
        c.data = path;
        c.layers = setup.layers;
        c.optimizer = setup.optimizer;
        c.learning_rate = setup.optimizer == "sgd" || setup.optimizer == "momentum" ? 0.05 : 1e-3;
        c.norm = setup.norm;
        c.residual = setup.residual;
        c.batch_size = setup.batch;
        c.dropout = setup.dropout;
        c.seed = s;
        // Spirals learn slowly, through an early plateau: a healthy run needs longer.
        c.epochs = name == "spirals" ? 60 : 15;
        if (name == "spirals") c.early_stopping = 0;
        c.out = dir / "model.safetensors";
        std::vector<std::string> alarms;
        RunHooks hooks;
        hooks.on_finding = [&](const Finding& f, Index epoch) {
          alarms.push_back(fmt::format("{} ({})", f.symptom, epoch == 0 ? "preflight" : fmt::format("epoch {}", epoch)));
        };
        const RunResult r = run_training(c, hooks);
        for (const Finding& f : r.findings) {
          if (f.severity != Severity::info) alarms.push_back(fmt::format("{} (end)", f.symptom));
        }
        const double accuracy = r.metrics.at("val")["accuracy"];
        if (accuracy < kLearned) {
          ++failed;
          flagged += alarms.empty() ? 0 : 1;
          fmt::print("did not learn: {} setup {} seed {}: accuracy {:.3f}; {}\n", name, k, seed, accuracy,
                     alarms.empty() ? "NOT FLAGGED" : fmt::format("flagged: {}", fmt::join(alarms, ", ")));
          continue;
        }
        ++learned;
        if (alarms.empty()) continue;
        ++false_alarms;
        for (const std::string& a : alarms) ++by_symptom[a.substr(0, a.find(' '))];
        fmt::print("false alarm: {} setup {} seed {}: accuracy {:.3f}; {}\n", name, k, seed, accuracy,
                   fmt::join(alarms, ", "));
      }
    }
  }
  std::filesystem::remove_all(dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{} runs in {:.0f} s\n", learned + failed, seconds);
  fmt::print("learned (validation accuracy ≥ {}): {}, with a warning or an error: {} — false-alarm rate {:.1f} %\n",
             kLearned, learned, false_alarms, learned > 0 ? 100.0 * false_alarms / learned : 0.0);
  fmt::print("did not learn: {}, flagged: {}\n", failed, flagged);
  for (const auto& [symptom, count] : by_symptom) fmt::print("  {}: {}\n", symptom, count);
  return 0;
}
