#include "glassnet/train/trainer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>

#include "glassnet/core/error.hpp"
#include "glassnet/core/row_parts.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/optim/clipping.hpp"

namespace glassnet {
namespace {

// Shapes, and every target and weight as the loss checks them (before any step, so that
// a bad row is named as the data's, not its batch's, and no step has been taken).
void check_data(const Network& network, const Loss& loss, const DataView& data, std::string_view what) {
  if (data.x.cols() != network.spec().in_features) {
    throw Error(fmt::format("{} data has {} feature columns; the network expects {}", what, data.x.cols(),
                            network.spec().in_features));
  }
  if (data.targets.rows() != data.x.rows()) {
    throw Error(fmt::format("{} data has {} rows but {} target rows", what, data.x.rows(), data.targets.rows()));
  }
  if (!data.sample_weights.empty() && static_cast<Index>(data.sample_weights.size()) != data.x.rows()) {
    throw Error(
        fmt::format("{} data has {} rows but {} sample weights", what, data.x.rows(), data.sample_weights.size()));
  }
  if (data.x.rows() == 0) throw Error(fmt::format("{} data has no rows", what));
  try {
    loss.check(network.spec().out_features, data.targets, data.sample_weights);
  } catch (const Error& e) {
    throw Error(fmt::format("{} data: {}", what, e.what()));
  }
}

double weight_of_rows(const DataView& data, std::span<const Index> rows) {
  if (data.sample_weights.empty()) return static_cast<double>(rows.size());
  double total = 0.0;
  for (Index r : rows) total += data.sample_weights[static_cast<std::size_t>(r)];
  return total;
}

}  // namespace

Trainer::Trainer(Network& network, const Loss& loss, Optimizer& optimizer)
    : network_(network),
      loss_(loss),
      optimizer_(optimizer),
      schedule_(std::make_unique<ConstantSchedule>()),
      base_learning_rate_(optimizer.learning_rate()),
      whole_{&network} {}

void Trainer::set_schedule(std::unique_ptr<Schedule> schedule) {
  if (!schedule) throw Error("set_schedule: null schedule");
  schedule_ = std::move(schedule);
}

void Trainer::add_callback(Callback& callback) { callbacks_.push_back(&callback); }

int Trainer::split_parts(Index rows) {
  if (!largest_weight_) largest_weight_ = SplitStep::supports(network_) ? SplitStep::largest_weight(network_) : 0;
  const int parts = *largest_weight_ > 0 ? SplitStep::parts_for(rows, *largest_weight_, thread_count()) : 1;
  if (parts > 1 && (!split_ || split_->parts() != parts)) {
    split_.reset();
    split_ = std::make_unique<SplitStep>(network_, parts);
  }
  return parts;
}

double Trainer::accumulate(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights,
                           double share) {
  double loss = 0.0;
  std::optional<Index> correct;
  last_split_ = split_parts(x.rows()) > 1;
  if (last_split_) {
    const SplitStep::Result result = split_->accumulate(loss_, x, targets, sample_weights, share);
    loss = result.loss;
    correct = result.correct;
  } else {
    const ConstMatrixView logits = network_.forward(x, Mode::train);
    dlogits_.resize(logits.rows(), logits.cols());
    loss = loss_.value_and_gradient(logits, targets, sample_weights, dlogits_.view());
    correct = loss_.count_correct(logits, targets);
    if (std::isfinite(loss)) {
      if (share != 1.0) dlogits_.view() *= static_cast<Scalar>(share);
      network_.layers().backward(dlogits_.view());
    }
  }
  if (!std::isfinite(loss)) {
    failed_step_ = NonFinite{steps_ + 1, "", "loss"};
    // (a NaN's sign means nothing: "NaN", never "-nan")
    throw TrainingError(fmt::format("the loss became {} at step {} (epoch {})",
                                    std::isnan(loss) ? "NaN" : fmt::format("{}", loss), steps_ + 1, epoch_ + 1));
  }
  if (correct) {
    epoch_correct_ += *correct;
    epoch_counted_ += x.rows();
  }
  return loss;
}

void Trainer::throw_non_finite(std::string_view what, std::span<const double> norms, double loss) {
  std::string tensor = "?";
  const auto& params = network_.params().params();
  for (std::size_t i = 0; i < norms.size() && i < params.size(); ++i) {
    if (!std::isfinite(norms[i])) {
      tensor = params[i].name;
      break;
    }
  }
  failed_step_ = NonFinite{steps_ + 1, tensor, std::string(what)};
  throw TrainingError(fmt::format("the {} of {} became non-finite at step {} (epoch {}); the step's loss was {:.4g}",
                                  what, tensor, steps_ + 1, epoch_ + 1, loss));
}

double Trainer::step(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights) {
  failed_step_.reset();
  network_.params().zero_grads();
  const double loss = accumulate(x, targets, sample_weights, 1.0);
  optimizer_.step(network_.params());
  ++steps_;
  return loss;
}

void Trainer::gather(const DataView& data, std::span<const Index> rows) {
  const auto count = static_cast<Index>(rows.size());
  batch_x_.resize(count, data.x.cols());
  batch_targets_.resize(count, data.targets.cols());
  batch_weights_.resize(data.sample_weights.empty() ? 0 : rows.size());
  MatrixView bx = batch_x_.view();
  MatrixView bt = batch_targets_.view();
  const Index width = bx.cols(), target_width = bt.cols();
  // Rows drawn from all over the data wait on memory: a large batch's are split over the
  // threads, as an elementwise pass is (bench/NOTES.md §10).
  for_row_parts(count, width, [&](Index begin, Index end) {
    data.x.take(rows.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)),
                MatrixView(bx.data() + begin * width, end - begin, width));
    for (Index r = begin; r < end; ++r) {
      const Index source = rows[static_cast<std::size_t>(r)];
      std::copy_n(data.targets.data() + source * target_width, target_width, bt.data() + r * target_width);
      if (!data.sample_weights.empty()) {
        batch_weights_[static_cast<std::size_t>(r)] = data.sample_weights[static_cast<std::size_t>(source)];
      }
    }
  });
}

std::vector<EpochLogs> Trainer::fit(const DataView& train, const FitOptions& options, const DataView* validation) {
  check_data(network_, loss_, train, "training");
  if (validation != nullptr) check_data(network_, loss_, *validation, "validation");
  if (options.batch_size <= 0) throw Error(fmt::format("batch size: expected > 0, got {}", options.batch_size));
  if (options.epochs < 0) throw Error(fmt::format("epochs: expected ≥ 0, got {}", options.epochs));
  if (options.pause_after < 0) throw Error(fmt::format("pause: expected an epoch ≥ 0, got {}", options.pause_after));
  if (options.accumulation_steps <= 0) {
    throw Error(fmt::format("accumulation steps: expected > 0, got {}", options.accumulation_steps));
  }
  if (options.clip_norm < 0.0 || options.clip_value < 0.0) throw Error("clipping: expected a limit ≥ 0 (0 is off)");

  if (!rng_seeded_) {  // a restored or continued trainer keeps its generator
    rng_ = Rng(options.seed);
    rng_seeded_ = true;
  }
  stop_requested_ = false;
  interrupted_ = false;
  ended_by_.clear();
  // Batch normalisation has no statistics of a single row: an epoch whose last
  // micro-batch would hold one row leaves that row out (another one each epoch, when
  // shuffled). Micro-batches start at multiples of batch_size, so the last holds
  // N mod batch_size rows.
  const bool one_row_left = network_.spec().norm == Normalization::batch && train.x.rows() > 1 &&
                            options.batch_size > 1 && train.x.rows() % options.batch_size == 1;
  const Index rows = train.x.rows() - (one_row_left ? 1 : 0);
  const Index rows_per_step = options.batch_size * options.accumulation_steps;
  order_.resize(static_cast<std::size_t>(train.x.rows()));
  grad_norms_.assign(network_.params().params().size(), 0.0);
  std::vector<EpochLogs> history;
  if (!paused_) {
    for (Callback* callback : callbacks_) callback->on_train_begin(*this);
  }
  const Index last = options.pause_after > 0 ? std::min(options.pause_after, options.epochs) : options.epochs;
  paused_ = false;

  while (epoch_ < last && !stop_requested_) {
    const auto start = std::chrono::steady_clock::now();
    double learning_rate = schedule_->learning_rate(static_cast<long>(epoch_), base_learning_rate_) * lr_scale_;
    optimizer_.set_learning_rate(learning_rate);
    // A fresh permutation of 0..N-1 each epoch: resuming needs only the Rng's state.
    std::iota(order_.begin(), order_.end(), Index(0));
    if (options.shuffle) rng_.shuffle(order_);

    Position at{};  // where the epoch stands: the next row, and the sums so far
    epoch_correct_ = epoch_counted_ = 0;
    skipped_.clear();
    snapshots_.clear();
    if (recovery_ != nullptr) take_snapshot(at);
    while (at.begin < rows) {
      const Index begin = at.begin, end = std::min(begin + rows_per_step, rows);
      if (std::find(skipped_.begin(), skipped_.end(), begin) != skipped_.end()) {
        at.begin = end;
        continue;
      }
      std::optional<StepProblem> problem;
      failed_step_.reset();
      try {
        const std::span<const Index> step_rows(order_.data() + begin, static_cast<std::size_t>(end - begin));
        const double step_weight = weight_of_rows(train, step_rows);
        network_.params().zero_grads();
        double step_loss = 0.0;
        for (Index micro = begin; micro < end; micro += options.batch_size) {
          const std::span<const Index> micro_rows =
              step_rows.subspan(static_cast<std::size_t>(micro - begin),
                                static_cast<std::size_t>(std::min(options.batch_size, end - micro)));
          const double share = step_weight > 0.0 ? weight_of_rows(train, micro_rows) / step_weight : 0.0;
          if (share == 0.0) continue;  // only zero-weight rows: nothing to learn from
          gather(train, micro_rows);
          step_loss += share * accumulate(batch_x_.view(), batch_targets_.view(), batch_weights_, share);
        }
        const double grad_norm = network_.params().grad_norms(grad_norms_);
        if (!std::isfinite(grad_norm)) throw_non_finite("gradient", grad_norms_, step_loss);
        const StepLogs logs{steps_ + 1, epoch_ + 1, step_loss, grad_norm, learning_rate, grad_norms_};
        const double clip = options.clip_norm > 0.0 && recovery_clip_ > 0.0
                                ? std::min(options.clip_norm, recovery_clip_)
                                : std::max(options.clip_norm, recovery_clip_);
        if (clip > 0.0) clip_grad_norm(network_.params(), clip, grad_norm);
        if (options.clip_value > 0.0) clip_grad_value(network_.params(), options.clip_value);
        optimizer_.step(network_.params());
        for (double norm : optimizer_.weight_norms()) {
          if (!std::isfinite(norm)) throw_non_finite("weight", optimizer_.weight_norms(), step_loss);
        }
        ++steps_;
        at.loss_sum += step_loss * static_cast<double>(end - begin);
        at.rows_done += end - begin;
        at.begin = end;
        rollback_request_.reset();
        for (Callback* callback : callbacks_) callback->on_step_end(*this, logs);
        if (rollback_request_) problem = StepProblem{StepProblem::Kind::requested, steps_, epoch_ + 1, *rollback_request_, begin};
      } catch (const TrainingError& e) {
        if (recovery_ == nullptr) throw;
        problem = StepProblem{StepProblem::Kind::non_finite, steps_ + 1, epoch_ + 1, e.what(), begin};
      }
      if (problem) {
        const RecoveryAction action = recovery_ != nullptr ? recovery_->on_problem(*problem) : RecoveryAction{};
        if (!action.recover) {
          std::string message = action.note.empty() ? problem->what : problem->what + "; " + action.note;
          if (!action.end) throw TrainingError(message);
          restore_snapshot();  // the last healthy state, not the problem's
          ended_by_ = std::move(message);
          break;
        }
        at = restore_snapshot();
        if (action.skip_batch) skipped_.push_back(problem->batch_begin);
        if (action.lr_factor != 1.0) {
          lr_scale_ *= action.lr_factor;
          learning_rate *= action.lr_factor;
          optimizer_.set_learning_rate(learning_rate);
        }
        if (action.clip_norm > 0.0) recovery_clip_ = action.clip_norm;
        continue;
      }
      if (recovery_ != nullptr && steps_ - snapshots_.back().steps >= snapshot_every_) take_snapshot(at);
      if (interrupt_ != nullptr && interrupt_->load()) {
        interrupted_ = true;
        break;
      }
    }
    if (interrupted_ || !ended_by_.empty()) break;  // the partial epoch is not counted

    ++epoch_;
    EpochLogs logs;
    logs.epoch = epoch_;
    logs.train_loss = at.rows_done > 0 ? at.loss_sum / static_cast<double>(at.rows_done) : 0.0;
    logs.learning_rate = learning_rate;
    if (epoch_counted_ > 0) {
      logs.train_accuracy = static_cast<double>(epoch_correct_) / static_cast<double>(epoch_counted_);
    }
    if (validation != nullptr) {
      const Evaluation e = evaluate_checked(*validation, kEvaluationBatch);  // (fit checked it)
      logs.val_loss = e.loss;
      logs.val_accuracy = e.accuracy;
    }
    schedule_->on_epoch_end(logs.val_loss ? logs.val_loss : std::optional<double>(logs.train_loss));
    logs.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    history.push_back(logs);
    for (Callback* callback : callbacks_) callback->on_epoch_end(*this, logs);
  }
  paused_ = !stop_requested_ && !interrupted_ && ended_by_.empty() && epoch_ < options.epochs;
  if (!paused_) {
    for (Callback* callback : callbacks_) callback->on_train_end(*this);
  }
  return history;
}

void Trainer::set_recovery(Recovery* recovery, Index snapshot_every) {
  if (snapshot_every <= 0) throw Error(fmt::format("snapshot interval: expected > 0 steps, got {}", snapshot_every));
  recovery_ = recovery;
  snapshot_every_ = snapshot_every;
}

void Trainer::take_snapshot(const Position& at) {
  // Two kept: restoring the older leaves a margin before the problem.
  if (snapshots_.size() == 2) snapshots_.erase(snapshots_.begin());
  Snapshot& s = snapshots_.emplace_back();
  const auto values = network_.params().values();
  s.values.assign(values.begin(), values.end());
  s.optimizer = optimizer_.state();
  s.at = at;
  s.correct = epoch_correct_;
  s.counted = epoch_counted_;
  s.steps = steps_;
}

Trainer::Position Trainer::restore_snapshot() {
  const Snapshot& s = snapshots_.front();
  std::copy(s.values.begin(), s.values.end(), network_.params().values().begin());
  optimizer_.restore_state(s.optimizer);
  epoch_correct_ = s.correct;
  epoch_counted_ = s.counted;
  // The older snapshot becomes the only one: the next problem, if it comes before a new
  // snapshot, goes back to the same place.
  snapshots_.resize(1);
  snapshots_.front().steps = steps_;
  return s.at;
}

double Trainer::evaluate(const DataView& data, Index batch_size) { return evaluate_with_accuracy(data, batch_size).loss; }

Trainer::Evaluation Trainer::evaluate_with_accuracy(const DataView& data, Index batch_size) {
  check_data(network_, loss_, data, "evaluation");
  if (batch_size <= 0) throw Error(fmt::format("batch size: expected > 0, got {}", batch_size));
  return evaluate_checked(data, batch_size);
}

Trainer::Evaluation Trainer::evaluate_checked(const DataView& data, Index batch_size) {
  const InputView& x = data.x;
  const ConstMatrixView& targets = data.targets;
  double weighted_sum = 0.0;
  double weight_total = 0.0;
  Index correct = 0, counted = 0;
  for (Index begin = 0; begin < x.rows(); begin += batch_size) {
    const Index rows = std::min(batch_size, x.rows() - begin);
    const ConstMatrixView bt(targets.data() + begin * targets.cols(), rows, targets.cols());
    const auto bw = data.sample_weights.empty()
                        ? data.sample_weights
                        : data.sample_weights.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(rows));
    const double batch_weight = bw.empty() ? static_cast<double>(rows) : std::accumulate(bw.begin(), bw.end(), 0.0);
    if (batch_weight == 0.0) continue;
    const ConstMatrixView logits = network_.forward(x.block(begin, rows, block_x_), Mode::eval);
    weighted_sum += loss_.value(logits, bt, bw) * batch_weight;
    weight_total += batch_weight;
    if (const auto c = loss_.count_correct(logits, bt)) {
      correct += *c;
      counted += rows;
    }
  }
  Evaluation result{.loss = weighted_sum / weight_total};
  if (counted > 0) result.accuracy = static_cast<double>(correct) / static_cast<double>(counted);
  return result;
}

}  // namespace glassnet
