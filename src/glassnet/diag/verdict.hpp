#pragma once
// A fix's verdict over seeds (diag/repair.hpp): whether a candidate whose first run did
// not beat the best by the run-to-run spread is worth running on the other seeds, and
// whether, run on them, it beats the best. Metrics are validation metrics, higher
// better, a run that diverged scoring kDivergedMetric (diag/trials.hpp);
// `best` holds the best configuration's runs, one per seed; `spread` is the noise a
// fix must beat (max − min over the seeds that learned, never below `min_spread`).
//
// Two ways to beat the best over seeds:
//   - every run of the candidate beats every run of the best by min_spread: an erratic
//     best (its seeds far apart) makes a spread no single run can clear;
//   - the candidate's mean beats the best's by more than the spread: a fix whose first
//     seed drew the worse data order (with two seeds a side, the difference of two
//     means has about the noise of one run). A candidate with a run that diverged is
//     not better on average; the best's means are over its runs that did not diverge.

#include <vector>

namespace glassnet {

struct SeedVerdict {
  double spread = 0.0;
  double min_spread = 0.0;
};

// `first`: the candidate's first run. Worth the other seeds when it beats every run of
// the best. `best` not empty.
bool worth_confirming(double first, const std::vector<double>& best);

// `candidate`, `best`: one run per seed each, not empty.
bool beats_over_seeds(const std::vector<double>& candidate, const std::vector<double>& best, const SeedVerdict& v);

}  // namespace glassnet
