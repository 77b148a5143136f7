#pragma once
// The doctor: rules over the monitor's series that turn statistics into findings, each
// with its evidence (layers, step range, the numbers next to the healthy range), its
// likely causes and its fixes as concrete glassnet options. Every rule and threshold
// is documented, with the reason for its value, in docs/doctor.md.
//
// Gradient and activation symptoms are problems (warning, error) only when learning is
// also poor — the loss has barely moved, or the accuracy sits at the majority-class
// baseline; otherwise they are reported as info. A healthy run raises nothing above
// info. Where one finding explains another — a preflight problem, a structural symptom,
// the poor result — they are reported as one causal chain (diag/causal_chain.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/data/labels.hpp"
#include "glassnet/diag/monitor.hpp"

namespace glassnet {

enum class Severity { info, warning, error };
std::string_view severity_name(Severity severity);

// The layer a parameter tensor belongs to, as findings name layers: "layers.0.weight" →
// "layers.0".
std::string layer_of(const std::string& tensor);

// One effect in a finding's causal chain (diag/causal_chain.hpp).
struct Link {
  std::string symptom;
  std::vector<std::string> layers;
  Index first_step = 0, last_step = 0;
  std::vector<std::string> evidence;
};

struct Finding {
  std::string symptom;  // stable snake_case: vanishing_gradients, exploding_gradients, ...
  Severity severity = Severity::info;
  std::string summary;                  // one sentence in plain words
  std::vector<std::string> layers;      // the layers (or tensors) concerned, in network order
  Index first_step = 0, last_step = 0;  // the steps the evidence covers
  std::vector<std::string> evidence;    // the numbers, next to the healthy range
  std::vector<std::string> causes;      // most likely first
  std::vector<std::string> fixes;       // glassnet options, in the order to try them
  // What this finding led to, in order: each link caused by the one before it.
  std::vector<Link> chain;

  // Whether this finding or a link of its chain is `name`.
  bool involves(const std::string& name) const;
};

// What the doctor knows besides the series.
struct RunFacts {
  std::optional<Task> task;
  // Classification: the accuracy of always predicting the most frequent class, and the
  // accuracy reached, both on the validation rows (or else the training rows).
  std::optional<double> baseline_accuracy, accuracy;
  bool early_stopping = false;  // the best epoch's weights are restored at the end (early stopping, auto-repair)
  // The learning rate as configured (--lr), which the fixes' `--lr` values are
  // multiples of; 0: the series' last. (The series' is what the steps used, after the
  // schedule and the rollbacks' reductions.)
  double learning_rate = 0.0;
  // Findings from before training (diag/preflight.hpp), linked with the doctor's into
  // causal chains (diag/causal_chain.hpp) and returned with them.
  std::vector<Finding> preflight;
};

std::vector<Finding> diagnose(const MonitorSeries& series, const RunFacts& facts = {});

// How much the loss fell: 1 − (median loss over the last tenth of the steps) /
// (median loss over the first tenth), a tenth being at least 10 steps (half the run
// when shorter). 0: no progress; negative: it rose.
double loss_improvement(const MonitorSeries& series);

// Whether an accuracy is no better than always predicting the most frequent class:
// within 2 points of that class's share, or below it (the doctor's chance_level).
bool at_majority_baseline(double accuracy, double majority_accuracy);

}  // namespace glassnet
