#include "glassnet/train/split_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "glassnet/core/error.hpp"
#include "glassnet/core/row_parts.hpp"
#include "glassnet/core/threads.hpp"

namespace glassnet {

bool SplitStep::supports(Network& network) {
  std::vector<Rng*> rngs;
  network.layers().collect_rngs(rngs);
  return rngs.empty();
}

Index SplitStep::largest_weight(const Network& network) {
  Index largest = 0;
  for (const ParamInfo& p : network.params().params()) {
    if (p.role == ParamRole::weight) largest = std::max(largest, p.size());
  }
  return largest;
}

int SplitStep::parts_for(Index rows, Index largest_weight, int threads) {
  if (threads < 2 || rows < threads * kMinRowsPerPart) return 1;
  if (static_cast<double>(rows) * static_cast<double>(largest_weight) > kMaxMultiplyAdds) return 1;
  return threads;
}

SplitStep::SplitStep(Network& network, int parts) : network_(network), split_(parts) {
  if (parts < 2) throw Error(fmt::format("batch split: expected at least 2 parts, got {}", parts));
  if (!supports(network)) throw Error("batch split: the network has layers that draw random numbers");
  const auto count = static_cast<std::size_t>(parts);
  for (int part = 1; part < parts; ++part) {
    Rng unused(0);  // the copy's own initial values are replaced by the network's
    auto& copy = copies_.emplace_back(make_network(network.spec(), unused));
    copy->params().share_values(network.params());
    copy->layers().join_batch_split(&split_, part);
  }
  networks_.push_back(&network_);
  for (const auto& copy : copies_) networks_.push_back(copy.get());
  dlogits_.resize(count);
  weights_.resize(count);
  losses_.resize(count);
  correct_.resize(count);
  errors_.resize(count);
}

SplitStep::~SplitStep() = default;

SplitStep::Result SplitStep::accumulate(const Loss& loss, ConstMatrixView x, ConstMatrixView targets,
                                        std::span<const Scalar> sample_weights, double share) {
  const int parts = split_.parts();
  const Index rows = x.rows();
  if (rows < parts) throw Error(fmt::format("batch split: {} rows cannot make {} parts", rows, parts));
  // The loss's checks on the whole batch: its errors then name the batch's rows, and a
  // part whose rows weigh nothing is checked too.
  loss.check(network_.spec().out_features, targets, sample_weights);
  loss_ = &loss;
  x_ = x;
  targets_ = targets;
  sample_weights_ = sample_weights;
  share_ = share;
  total_weight_ = 0.0;
  for (int part = 0; part < parts; ++part) {
    const auto [begin, end] = part_range(rows, part, parts);
    double weight = static_cast<double>(end - begin);
    if (!sample_weights.empty()) {
      weight = std::accumulate(sample_weights.begin() + begin, sample_weights.begin() + end, 0.0);
    }
    weights_[static_cast<std::size_t>(part)] = weight;
    total_weight_ += weight;
    errors_[static_cast<std::size_t>(part)] = nullptr;
  }
  // The network is this split's part 0 for the call only: another trainer's split may
  // use it in between, and it may be destroyed before this SplitStep.
  network_.layers().join_batch_split(&split_, 0);
  split_.begin(rows);
  parallel_parts_together(parts, [this](int part) {
    const ThreadCountScope one_thread(1);  // each part's products and passes stay on its thread
    run_part(part);
    split_.wait_for_parts();  // every backward has finished
    if (!split_.abandoned()) add_gradients(part);
  });
  split_.end();
  network_.layers().join_batch_split(nullptr, 0);
  for (const auto& error : errors_) {
    if (!error) continue;
    for (const auto& copy : copies_) copy->params().zero_grads();  // as add_gradients leaves them
    std::rethrow_exception(error);
  }

  Result result;
  for (int part = 0; part < parts; ++part) {
    const auto p = static_cast<std::size_t>(part);
    result.loss += weights_[p] * losses_[p];
    if (correct_[p]) result.correct = result.correct.value_or(0) + *correct_[p];
  }
  result.loss /= total_weight_;
  return result;
}

void SplitStep::run_part(int part) {
  const auto p = static_cast<std::size_t>(part);
  try {
    Network& network = part == 0 ? network_ : *copies_[p - 1];
    const ConstMatrixView x = x_.view();
    const auto [begin, end] = part_range(x.rows(), part, split_.parts());
    const ConstMatrixView logits = network.forward(row_range(x, begin, end), Mode::train);
    Buffer& dlogits = dlogits_[p];
    dlogits.resize(logits.rows(), logits.cols());
    const ConstMatrixView targets = row_range(targets_.view(), begin, end);
    const auto weights = sample_weights_.empty() ? sample_weights_
                                                 : sample_weights_.subspan(static_cast<std::size_t>(begin),
                                                                           static_cast<std::size_t>(end - begin));
    losses_[p] = 0.0;
    if (weights_[p] > 0.0) {
      losses_[p] = loss_->value_and_gradient(logits, targets, weights, dlogits.view());
      dlogits.view() *= static_cast<Scalar>(share_ * weights_[p] / total_weight_);
    } else {
      dlogits.view().setZero();  // rows of no weight: nothing to learn, but batch norm still counts them
    }
    correct_[p] = loss_->count_correct(logits, targets);
    network.layers().backward(dlogits.view());
  } catch (...) {
    errors_[p] = std::current_exception();
    split_.abandon();
  }
}

void SplitStep::add_gradients(int part) {
  const std::span<Scalar> total = network_.params().grads();
  // Plain variables: clang's OpenMP loop cannot refer to structured bindings.
  const PartRange range = part_range(static_cast<Index>(total.size()), part, split_.parts());
  const auto begin = static_cast<std::size_t>(range.begin), end = static_cast<std::size_t>(range.end);
  for (const auto& copy : copies_) {
    const std::span<Scalar> grads = copy->params().grads();
    // Zeroed as they are read, for the copy's next backward, which accumulates.
#pragma omp simd
    for (std::size_t i = begin; i < end; ++i) {
      total[i] += grads[i];
      grads[i] = 0;
    }
  }
}

}  // namespace glassnet
