#include "glassnet/train/trainer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

void check_data(const Network& network, ConstMatrixView x, ConstMatrixView targets,
                std::span<const Scalar> sample_weights) {
  if (x.cols() != network.spec().in_features) {
    throw Error(fmt::format("training data has {} feature columns; the network expects {}", x.cols(),
                            network.spec().in_features));
  }
  if (targets.rows() != x.rows()) {
    throw Error(fmt::format("training data has {} rows but {} target rows", x.rows(), targets.rows()));
  }
  if (!sample_weights.empty() && static_cast<Index>(sample_weights.size()) != x.rows()) {
    throw Error(fmt::format("training data has {} rows but {} sample weights", x.rows(), sample_weights.size()));
  }
}

}  // namespace

Trainer::Trainer(Network& network, const Loss& loss, Optimizer& optimizer)
    : network_(network), loss_(loss), optimizer_(optimizer) {}

double Trainer::step(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights) {
  ParamStore& params = network_.params();
  params.zero_grads();
  const ConstMatrixView logits = network_.forward(x, Mode::train);
  dlogits_.resize(logits.rows(), logits.cols());
  const double loss = loss_.value_and_gradient(logits, targets, sample_weights, dlogits_.view());
  if (!std::isfinite(loss)) {
    throw TrainingError(fmt::format("the loss became {} at step {}", loss, steps_ + 1));
  }
  network_.layers().backward(dlogits_.view());
  optimizer_.step(params);
  ++steps_;
  return loss;
}

void Trainer::gather(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights,
                     std::span<const Index> rows) {
  const auto count = static_cast<Index>(rows.size());
  batch_x_.resize(count, x.cols());
  batch_targets_.resize(count, targets.cols());
  batch_weights_.resize(sample_weights.empty() ? 0 : rows.size());
  MatrixView bx = batch_x_.view();
  MatrixView bt = batch_targets_.view();
  for (Index r = 0; r < count; ++r) {
    const Index source = rows[static_cast<std::size_t>(r)];
    bx.row(r) = x.row(source);
    bt.row(r) = targets.row(source);
    if (!sample_weights.empty()) {
      batch_weights_[static_cast<std::size_t>(r)] = sample_weights[static_cast<std::size_t>(source)];
    }
  }
}

std::vector<EpochSummary> Trainer::fit(ConstMatrixView x, ConstMatrixView targets, const FitOptions& options,
                                       const std::function<void(const EpochSummary&)>& on_epoch_end,
                                       std::span<const Scalar> sample_weights) {
  check_data(network_, x, targets, sample_weights);
  if (x.rows() == 0) throw Error("training data has no rows");
  if (options.batch_size <= 0) throw Error(fmt::format("batch size: expected > 0, got {}", options.batch_size));
  if (options.epochs < 0) throw Error(fmt::format("epochs: expected ≥ 0, got {}", options.epochs));

  Rng rng(options.seed);
  std::vector<Index> order(static_cast<std::size_t>(x.rows()));
  std::iota(order.begin(), order.end(), Index(0));
  std::vector<EpochSummary> history;
  history.reserve(static_cast<std::size_t>(options.epochs));
  for (Index epoch = 1; epoch <= options.epochs; ++epoch) {
    if (options.shuffle) rng.shuffle(order);
    double loss_sum = 0.0;
    for (Index begin = 0; begin < x.rows(); begin += options.batch_size) {
      const Index end = std::min(begin + options.batch_size, x.rows());
      gather(x, targets, sample_weights,
             std::span<const Index>(order).subspan(static_cast<std::size_t>(begin),
                                                   static_cast<std::size_t>(end - begin)));
      const double loss = step(batch_x_.view(), batch_targets_.view(), batch_weights_);
      loss_sum += loss * static_cast<double>(end - begin);
    }
    history.push_back({epoch, loss_sum / static_cast<double>(x.rows())});
    if (on_epoch_end) on_epoch_end(history.back());
  }
  return history;
}

double Trainer::evaluate(ConstMatrixView x, ConstMatrixView targets, Index batch_size,
                         std::span<const Scalar> sample_weights) {
  check_data(network_, x, targets, sample_weights);
  if (x.rows() == 0) throw Error("evaluation data has no rows");
  if (batch_size <= 0) throw Error(fmt::format("batch size: expected > 0, got {}", batch_size));
  double weighted_sum = 0.0;
  double weight_total = 0.0;
  for (Index begin = 0; begin < x.rows(); begin += batch_size) {
    const Index rows = std::min(batch_size, x.rows() - begin);
    const ConstMatrixView bx(x.data() + begin * x.cols(), rows, x.cols());
    const ConstMatrixView bt(targets.data() + begin * targets.cols(), rows, targets.cols());
    const auto bw = sample_weights.empty()
                        ? sample_weights
                        : sample_weights.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(rows));
    const double batch_weight = bw.empty() ? static_cast<double>(rows) : std::accumulate(bw.begin(), bw.end(), 0.0);
    if (batch_weight == 0.0) continue;
    weighted_sum += loss_.value(network_.forward(bx, Mode::eval), bt, bw) * batch_weight;
    weight_total += batch_weight;
  }
  if (weight_total == 0.0) throw Error("evaluation: the sample weights sum to zero");
  return weighted_sum / weight_total;
}

}  // namespace glassnet
