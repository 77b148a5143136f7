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

// Classification scores on the rows a run is judged by: the validation rows, or the
// training rows without any.
struct ClassScores {
  double accuracy = 0.0;
  double balanced_accuracy = 0.0;  // the mean recall over the classes those rows hold
};

// What a classifier that learned nothing scores on those rows: always predicting the
// most frequent class scores its share as accuracy, and any constant prediction scores
// 1/k as balanced accuracy (k: the classes the rows hold).
ClassScores chance_scores(const std::vector<Index>& class_counts);

// What the doctor knows besides the series.
struct RunFacts {
  std::optional<Task> task;
  // Classification: what learning nothing scores (chance_scores), and what the run
  // scored, on the rows it is judged by.
  std::optional<ClassScores> chance, scores;
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

// Whether a score is no better than chance's: within 2 points of it, or below.
bool within_chance(double score, double chance);

// Whether a classifier does no better than learning nothing (the doctor's chance_level):
// both its accuracy and its balanced accuracy are within chance. A model that trades
// the most frequent class's accuracy for the rare classes' recall (class weights)
// scores below that class's share and well above 1/k: it learned. A score whose chance
// is within the margin of 1 (rows of 98 % one class for accuracy; rows of one class for
// both) cannot show learning and is not consulted; with neither, no run is at chance.
bool at_chance(const ClassScores& scores, const ClassScores& chance);

}  // namespace glassnet
