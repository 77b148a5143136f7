#include "glassnet/diag/watch.hpp"

#include <algorithm>

#include "glassnet/diag/causal_chain.hpp"
#include "glassnet/diag/median.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

constexpr Index kEveryEpochUntil = 10;
constexpr double kStillFalling = 0.99;  // last quarter's median loss over the third's

// The loss has stopped falling: the last quarter's median is not 1 % below the third's.
bool stuck(const std::vector<double>& loss) {
  const auto n = static_cast<std::ptrdiff_t>(loss.size());
  const double third = median({loss.begin() + n / 2, loss.begin() + 3 * n / 4});
  const double last = median({loss.begin() + 3 * n / 4, loss.end()});
  return !(last < kStillFalling * third);
}

}  // namespace

DoctorWatch::DoctorWatch(const Monitor& monitor, RunFacts facts,
                         std::function<void(const Finding&, Index, Index)> report)
    : monitor_(monitor), facts_(std::move(facts)), report_(std::move(report)) {
  facts_.scores.reset();
  facts_.preflight.clear();
}

void DoctorWatch::on_epoch_end(Trainer& /*trainer*/, const EpochLogs& logs) {
  const MonitorSeries& series = monitor_.series();
  const Index steps = series.step_count();
  if (steps < kMinSteps) return;
  if (logs.epoch > kEveryEpochUntil && 10 * (steps - checked_at_step_) < steps) return;
  checked_at_step_ = steps;
  std::set<std::string> severe;
  if (!stuck(series.loss)) {
    severe_last_check_.clear();
    return;
  }
  for (const Finding& f : diagnose(series, facts_)) {
    if (f.severity != Severity::error || is_poor_result(f.symptom)) continue;
    severe.insert(f.symptom);
    if (severe_last_check_.count(f.symptom) != 0 && reported_.insert(f.symptom).second) {
      report_(f, logs.epoch, series.steps.back());
    }
  }
  severe_last_check_ = std::move(severe);
}

}  // namespace glassnet
