#include "glassnet/diag/rollback.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "glassnet/diag/median.hpp"

namespace glassnet {
RollbackRepair::RollbackRepair(RollbackOptions options, std::function<void(const RollbackEvent&)> on_rollback)
    : options_(options), on_rollback_(std::move(on_rollback)) {}

void RollbackRepair::attach(Trainer& trainer) {
  trainer.set_recovery(this, options_.snapshot_every);
  trainer.add_callback(*this);
}

void RollbackRepair::on_step_end(Trainer& trainer, const StepLogs& logs) {
  if (first_losses_.size() < options_.spike_window) {
    first_losses_.push_back(logs.loss);
    start_loss_ = median(first_losses_);
  }
  if (losses_.size() == options_.spike_window) {
    const double trailing = median({losses_.begin(), losses_.end()});
    if (logs.loss > options_.spike_factor * trailing && logs.loss > start_loss_) {
      const double times = logs.loss / trailing;
      spike_detail_ = fmt::format("the loss jumped to {:.4g}, {}× the median {:.4g} of the {} steps before", logs.loss,
                                  times < 1e6 ? fmt::format("{:.0f}", times) : fmt::format("{:.3g}", times), trailing,
                                  options_.spike_window);
      trainer.request_rollback(spike_detail_);
      return;  // the spike's numbers do not enter the windows
    }
    losses_.pop_front();
  }
  losses_.push_back(logs.loss);
  if (norms_.size() == options_.norm_window) norms_.pop_front();
  norms_.push_back(logs.grad_norm);
}

RecoveryAction RollbackRepair::on_problem(const StepProblem& problem) {
  const bool spike = problem.kind == StepProblem::Kind::requested;
  Episode& episode = spike ? spikes_ : non_finite_;
  if (episode.rollbacks > 0 && problem.step - episode.last_step > options_.fresh_after) episode.rollbacks = 0;
  episode.last_step = problem.step;
  Index& count = episode.rollbacks;
  RecoveryAction action;
  if (count >= options_.max_rollbacks) {  // stop: the trainer throws with the problem, or ends
    action.note = fmt::format("{} rollbacks for this problem did not cure it", count);
    action.end = options_.end_when_uncured;
    return action;
  }
  ++count;
  action.recover = true;
  std::vector<std::string> done;
  // The norms before the last few steps: the history a clip should come from.
  constexpr std::size_t kRecent = 3;
  const std::vector<double> earlier(norms_.begin(),
                                    norms_.end() - static_cast<std::ptrdiff_t>(std::min(kRecent, norms_.size())));
  const auto clip_at_percentile = [&] {
    if (earlier.size() < kRecent) return;
    std::vector<double> sorted = earlier;
    std::sort(sorted.begin(), sorted.end());
    const auto at = static_cast<std::size_t>(options_.clip_percentile * static_cast<double>(sorted.size() - 1));
    action.clip_norm = sorted[at];
    done.push_back(fmt::format("clipped the gradient norm at {:.3g} (the {:.0f}th percentile of the {} steps before)",
                               action.clip_norm, 100.0 * options_.clip_percentile, sorted.size()));
  };
  // Diverging — the gradient norm grew tenfold over its history in the last steps, or
  // there is no history yet — calls for a lower learning rate.
  double recent = 0.0;
  for (std::size_t i = earlier.size(); i < norms_.size(); ++i) recent = std::max(recent, norms_[i]);
  const bool diverging = earlier.size() < kRecent || recent > options_.growth_factor * median(earlier);
  action.skip_batch = true;
  done.emplace_back("left out the batch");
  if (diverging) {
    action.lr_factor = 0.1;
    done.emplace_back("divided the learning rate by 10");
    clip_at_percentile();
  } else if (spike) {  // one bad batch, then a steadier step, then a slower one
    if (count == 2) clip_at_percentile();
    if (count >= 3) {
      action.lr_factor = 0.5;
      done.emplace_back("halved the learning rate");
    }
  } else if (count > 1) {  // a non-finite value that comes back
    action.lr_factor = 0.1;
    done.emplace_back("divided the learning rate by 10");
  }
  RollbackEvent event{problem.step, problem.epoch, spike ? "loss_spike" : "non_finite", problem.what,
                      fmt::format("{}", fmt::join(done, "; "))};
  events_.push_back(event);
  if (on_rollback_) on_rollback_(event);
  return action;
}

}  // namespace glassnet
