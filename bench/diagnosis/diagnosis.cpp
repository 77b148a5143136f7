// The diagnosis benchmark: training set-ups with a known, injected fault and sound
// set-ups, on four generated data sets and Fashion-MNIST (through the IDX reader), each
// run through glassnet as `glassnet train` and `train --auto-repair` run them. bench/diagnosis/run.sh builds and runs
// it; docs/doctor.md reports the figures.
//
//   detection     a fault's symptom is reported (warning or error, in a finding or
//                 its causal chain)
//   right fix     the first fix of the most severe finding is the fault's fix
//   false alarms  sound set-ups with a warning or an error
//   repaired      train --auto-repair ends within kMargin of the validation accuracy of
//                 the correctly configured run (balanced accuracy for class imbalance,
//                 whose correct run weights the classes)
//   repair time   the repairing runs' time over the time of one training of the fault's
//                 network set up right (deeper or wider than the sound one for the deep and
//                 overfitting faults)
//
// The last line is machine-readable:
//   detection=P% right_fix=P% false_alarms=P% repaired=P% repair_time=Rx
//
// With --trials, each repair's trials are printed as they end: the trial's kind, its
// change, whether it was kept, its epochs, its seconds and its validation metric.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "glassnet/core/error.hpp"
#include "glassnet/data/idx.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/diag/repair_json.hpp"
#include "glassnet/train/run.hpp"
#include "idx_files.hpp"

using namespace glassnet;

namespace {

constexpr double kMargin = 0.02;  // of validation accuracy, for "repaired"

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A file to train on: CSV, or IDX images with their labels.
struct Source {
  std::filesystem::path data;
  std::optional<std::filesystem::path> labels;
};

// A data set in the variants the faults need: as generated, with its first feature
// ×1000 (unscaled; none for images, which the IDX reader scales to [0, 1] itself), with
// 95 % of class 1 dropped (imbalanced), and 150 rows with every fifth label changed
// (small: noisy labels a large network memorises).
struct DataSet {
  std::string name;
  Source plain;
  std::optional<Source> unscaled;
  Source imbalanced, small;
};

void use(const Source& s, RunConfig& faulty, RunConfig& correct) {
  faulty.data = correct.data = s.data;
  faulty.labels = correct.labels = s.labels;
}

// Rewrites a CSV (header, numeric first column, label last) line by line.
std::filesystem::path variant(const std::filesystem::path& source, const std::string& suffix,
                              const std::function<bool(std::string&, std::size_t)>& edit) {
  std::ifstream in(source);
  const auto out_path = std::filesystem::path(source).replace_extension().concat(suffix + ".csv");
  std::ofstream out(out_path);
  std::string line;
  std::getline(in, line);
  out << line << "\n";
  for (std::size_t row = 0; std::getline(in, line); ++row) {
    if (edit(line, row)) out << line << "\n";
  }
  return out_path;
}

DataSet make_data(const std::string& name, const std::string& csv, const std::filesystem::path& dir) {
  DataSet d;
  d.name = name;
  d.plain.data = dir / (name + ".csv");
  std::ofstream(d.plain.data) << csv;
  d.unscaled = Source{variant(d.plain.data, "-unscaled", [](std::string& line, std::size_t) {
    const auto comma = line.find(',');
    line = fmt::format("{}", std::stod(line.substr(0, comma)) * 1000.0) + line.substr(comma);
    return true;
  })};
  std::size_t ones = 0;
  d.imbalanced.data = variant(d.plain.data, "-imbalanced", [&ones](std::string& line, std::size_t) {
    const bool one = line.substr(line.rfind(',') + 1) == "1";
    return !one || ones++ % 20 == 0;  // keeps every 20th row of class 1
  });
  d.small.data = variant(d.plain.data, "-small", [](std::string& line, std::size_t row) {
    if (row % 5 == 0) line.back() = line.back() == '1' ? '0' : '1';
    return row < 150;
  });
  return d;
}

// Writes images x:[N, 784] in [0, 1] and labels as IDX files (unsigned bytes), with the
// tests' IDX writer.
Source write_idx(const Matrix& x, const std::vector<int>& labels, const std::filesystem::path& stem) {
  Source s{stem.string() + "-images.idx", stem.string() + "-labels.idx"};
  std::vector<std::uint8_t> pixels, classes(labels.begin(), labels.end());
  for (Index i = 0; i < x.size(); ++i) pixels.push_back(static_cast<std::uint8_t>(std::lround(x.data()[i] * 255.0)));
  testing::write_bytes(s.data.string(), testing::idx_bytes({std::uint32_t(x.rows()), 28u, 28u}, pixels), false);
  testing::write_bytes(s.labels->string(), testing::idx_bytes({std::uint32_t(labels.size())}, classes), false);
  return s;
}

// Fashion-MNIST through the IDX reader: the first 2,000 training images as the plain
// set, the variants drawn from them.
DataSet make_images(const std::filesystem::path& dir) {
  const std::filesystem::path f = "/usr/share/datasets/fashion-mnist";
  const Dataset all = read_idx(f / "train-images-idx3-ubyte.gz", f / "train-labels-idx1-ubyte.gz");
  const auto subset = [&](const std::vector<Index>& rows, const std::string& name, bool noisy) {
    Matrix x(static_cast<Index>(rows.size()), all.x.cols());
    std::vector<int> labels;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      x.row(static_cast<Index>(i)) = all.x.row(rows[i]);
      const int label = static_cast<int>(all.y(rows[i], 0));
      labels.push_back(noisy && i % 5 == 0 ? (label + 1) % 10 : label);
    }
    return write_idx(x, labels, dir / name);
  };
  std::vector<Index> first, rare, few;
  for (Index i = 0; i < 2000; ++i) first.push_back(i);
  Index ones = 0;
  for (Index i = 0; i < 2000; ++i) {
    if (all.y(i, 0) != 1 || ones++ % 20 == 0) rare.push_back(i);
  }
  for (Index i = 0; i < 150; ++i) few.push_back(i);
  return {.name = "fashion",
          .plain = subset(first, "fashion", false),
          .unscaled = std::nullopt,
          .imbalanced = subset(rare, "fashion-imbalanced", false),
          .small = subset(few, "fashion-small", true)};
}

struct Fault {
  std::string name;
  std::vector<std::string> symptoms;  // any of these detects it
  std::string fix;                    // the right first fix (a prefix: "--lr" matches "--lr 0.005")
  std::function<void(RunConfig& faulty, RunConfig& correct, const DataSet& data)> inject;
  bool needs_unscaled = false;  // injected into the unscaled variant, which images lack
  std::string metric = "accuracy";  // that "repaired" compares
};

bool detected(const std::vector<Finding>& findings, const Fault& fault) {
  for (const Finding& f : findings) {
    if (f.severity == Severity::info) continue;
    for (const std::string& s : fault.symptoms) {
      if (f.involves(s)) return true;
    }
  }
  return false;
}

bool right_fix(const std::vector<Finding>& findings, const Fault& fault) {
  for (const Finding& f : findings) {
    if (f.severity == Severity::info) continue;
    return !f.fixes.empty() && f.fixes.front().rfind(fault.fix, 0) == 0;  // the most severe finding
  }
  return false;
}

double metric_of(const RunResult& r, const std::string& metric) {
  const auto& m = r.metrics.count("val") ? r.metrics.at("val") : r.metrics.at("train");
  return m.values.count(metric) ? m[metric] : -1.0;
}

// A trial as --trials prints it.
void print_trial(const Trial& t) {
  fmt::print("    {:<8} {:<40} {:<4} {:>3} epochs {:.3f} s {} {:.3f}\n", trial_kind_name(t.kind), t.change,
             t.kept ? "kept" : "", t.epochs, t.seconds, t.metric, t.val_metric);
}

}  // namespace

int main(int argc, char** argv) {
  const bool show_trials = argc > 1 && std::string(argv[1]) == "--trials";
  if (argc > 2 || (argc == 2 && !show_trials)) {
    fmt::print(stderr, "usage: {} [--trials]\n", argv[0]);
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("glassnet-diagnosis-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::vector<DataSet> data = {
      make_data("moons", dataset_csv(make_moons(1500, 2, 0.2, 11)), dir),
      make_data("xor", dataset_csv(make_xor(1500, 6, 12)), dir),
      make_data("spirals", dataset_csv(make_spirals(1500, 2, 1.5, 0.1, 13)), dir),
      make_data("fraud", make_fraud_csv(3000, 0.5, 14), dir),
      make_images(dir),
  };
  const RunConfig sound = [] {
    RunConfig c;
    c.layers = {64, 64};
    c.epochs = 30;
    c.early_stopping = 0;
    return c;
  }();
  const std::vector<Fault> faults = {
      {"deep sigmoid",
       {"deep_saturating", "vanishing_gradients"},
       "--activation relu --init he",
       [](RunConfig& f, RunConfig&, const DataSet&) {
         f.layers = std::vector<Index>(12, 32);
         f.activation = Activation::sigmoid;
         f.optimizer = "momentum";
         f.learning_rate = 0.05;
       }},
      {"deep tanh",
       {"deep_saturating", "vanishing_gradients"},
       "--activation relu --init he",
       [](RunConfig& f, RunConfig&, const DataSet&) {
         f.layers = std::vector<Index>(16, 32);
         f.activation = Activation::tanh;
         f.optimizer = "momentum";
         f.learning_rate = 0.05;
       }},
      {"lr far too high (SGD)",
       {"non_finite", "lr_too_high", "exploding_gradients"},
       "--lr",
       [](RunConfig& f, RunConfig&, const DataSet&) {
         f.optimizer = "sgd";
         f.learning_rate = 200;
       }},
      {"lr far too high (Adam)",
       {"non_finite", "lr_too_high", "exploding_gradients", "dead_relu"},
       "--lr",
       [](RunConfig& f, RunConfig&, const DataSet&) { f.learning_rate = 1.0; }},
      {"lr far too low",
       {"lr_too_low"},
       "--lr",
       [](RunConfig& f, RunConfig&, const DataSet&) {
         f.optimizer = "sgd";
         f.learning_rate = 1e-6;
       }},
      {"unscaled input",
       {"unscaled_input"},
       "drop --no-standardize",
       [](RunConfig& f, RunConfig& c, const DataSet& d) {
         use(*d.unscaled, f, c);
         f.standardize = false;
       },
       true},
      {"linear network",
       {"linear_network"},
       "--activation relu",
       [](RunConfig& f, RunConfig&, const DataSet&) { f.activation = Activation::identity; }},
      {"labels as regression",
       {"label_mismatch"},
       "--task",
       [](RunConfig& f, RunConfig&, const DataSet&) { f.task = Task::regression; }},
      {"class imbalance",
       {"class_imbalance"},
       "--class-weight balanced",
       [](RunConfig& f, RunConfig& c, const DataSet& d) {
         use(d.imbalanced, f, c);
         c.balanced_class_weights = true;
       },
       false,
       "balanced_accuracy"},
      {"overfitting",
       {"overfitting"},
       "--early-stopping",
       [](RunConfig& f, RunConfig& c, const DataSet& d) {
         use(d.small, f, c);
         f.layers = {256, 256};
         f.epochs = c.epochs = 200;
         c.early_stopping = 5;
       }},
  };

  struct Tally {
    int runs = 0, detected = 0, right_fix = 0, repaired = 0;
    double repair_seconds = 0.0, clean_seconds = 0.0;
  };
  std::map<std::string, Tally> by_fault;
  Tally all;
  for (const Fault& fault : faults) {
    for (const DataSet& d : data) {
      RunConfig faulty = sound, correct = sound;
      if (fault.needs_unscaled && !d.unscaled) continue;  // images come scaled
      use(d.plain, faulty, correct);
      faulty.out = correct.out = dir / "model.safetensors";
      if (d.name == "spirals") faulty.epochs = correct.epochs = 60;  // spirals learn slowly
      fault.inject(faulty, correct, d);
      Tally& t = by_fault[fault.name];
      ++t.runs;
      std::vector<Finding> findings;
      try {
        findings = run_training(faulty).findings;
      } catch (const TrainingFailed& e) {
        findings = e.findings();
      }
      const bool found = detected(findings, fault), fixed_first = right_fix(findings, fault);
      // The accuracy to reach is the sound set-up's; the time to compare with is one
      // training of the network the fault came with, set up right (the same network
      // where the fault left the shape alone).
      auto start = std::chrono::steady_clock::now();
      const RunResult clean = run_training(correct);
      double clean_seconds = seconds_since(start);
      if (faulty.layers != correct.layers) {
        RunConfig same_network = correct;
        same_network.layers = faulty.layers;
        start = std::chrono::steady_clock::now();
        run_training(same_network);
        clean_seconds = seconds_since(start);
      }
      start = std::chrono::steady_clock::now();
      double repaired_metric = -1.0;
      try {
        repaired_metric =
            metric_of(train_with_repair(faulty, {}, show_trials ? print_trial : TrialHook{}).result, fault.metric);
      } catch (const TrainingError&) {
      }
      const double repair_seconds = seconds_since(start);
      const double correct_metric = metric_of(clean, fault.metric);
      const bool repaired = repaired_metric >= correct_metric - kMargin;
      t.detected += found;
      t.right_fix += fixed_first;
      t.repaired += repaired;
      t.repair_seconds += repair_seconds;
      t.clean_seconds += clean_seconds;
      fmt::print("{:<24} {:<8} detected {:<3} right fix {:<3} {} {:.3f} (correct {:.3f}) {:<9} {:.3f} s / {:.3f} s\n",
                 fault.name, d.name, found ? "yes" : "no", fixed_first ? "yes" : "no", fault.metric, repaired_metric,
                 correct_metric, repaired ? "repaired" : "not", repair_seconds, clean_seconds);
      std::fflush(stdout);
    }
  }
  // Sound set-ups: each data set, six configurations, two seeds.
  struct Setup {
    std::vector<Index> layers;
    std::string optimizer;
    Normalization norm;
    bool residual;
  };
  const std::vector<Setup> setups = {{{64, 64}, "adam", Normalization::none, false},
                                     {{32, 32, 32, 32}, "momentum", Normalization::none, false},
                                     {{64, 64, 64}, "adam", Normalization::batch, false},
                                     {{32, 32, 32, 32}, "sgd", Normalization::batch, true},
                                     {{64, 64}, "rmsprop", Normalization::layer, false},
                                     {{16, 16, 16, 16, 16, 16}, "adamw", Normalization::none, true}};
  int healthy = 0, alarms = 0;
  for (std::uint64_t seed : {1u, 2u}) {
    for (const DataSet& d : data) {
      for (const Setup& s : setups) {
        RunConfig c;
        c.data = d.plain.data;
        c.labels = d.plain.labels;
        c.layers = s.layers;
        c.optimizer = s.optimizer;
        c.learning_rate = s.optimizer == "sgd" || s.optimizer == "momentum" ? 0.05 : 1e-3;
        c.norm = s.norm;
        c.residual = s.residual;
        c.seed = seed;
        c.epochs = d.name == "spirals" ? 60 : 15;
        if (d.name == "spirals") c.early_stopping = 0;
        c.out = dir / "model.safetensors";
        int severe = 0;
        RunHooks hooks;
        hooks.on_finding = [&](const Finding&, Index) { ++severe; };
        for (const Finding& f : run_training(c, hooks).findings) severe += f.severity != Severity::info;
        ++healthy;
        alarms += severe > 0;
      }
    }
  }
  std::filesystem::remove_all(dir);

  fmt::print("\n{:<24} {:>5} {:>10} {:>10} {:>9} {:>12}\n", "fault", "runs", "detection", "right fix", "repaired",
             "repair time");
  for (const Fault& fault : faults) {
    const Tally& t = by_fault[fault.name];
    fmt::print("{:<24} {:>5} {:>9.0f}% {:>9.0f}% {:>8.0f}% {:>11.1f}x\n", fault.name, t.runs,
               100.0 * t.detected / t.runs, 100.0 * t.right_fix / t.runs, 100.0 * t.repaired / t.runs,
               t.repair_seconds / t.clean_seconds);
    all.runs += t.runs;
    all.detected += t.detected;
    all.right_fix += t.right_fix;
    all.repaired += t.repaired;
    all.repair_seconds += t.repair_seconds;
    all.clean_seconds += t.clean_seconds;
  }
  fmt::print("sound set-ups: {}, with a warning or an error: {}\n", healthy, alarms);
  fmt::print("detection={:.0f}% right_fix={:.0f}% false_alarms={:.0f}% repaired={:.0f}% repair_time={:.1f}x\n",
             100.0 * all.detected / all.runs, 100.0 * all.right_fix / all.runs, 100.0 * alarms / healthy,
             100.0 * all.repaired / all.runs, all.repair_seconds / all.clean_seconds);
  return 0;
}
