#include "glassnet/optim/optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/core/threads.hpp"

namespace glassnet {
namespace {

// Parameters of at least twice this many elements are updated in chunks of this many
// (the last takes the rest), split over the threads: W3's 784 × 256 weights in 12, every
// parameter of W1 and W2 in one.
constexpr Index kChunk = Index(1) << 14;

}  // namespace

Optimizer::Optimizer(double learning_rate, WeightDecay weight_decay) : weight_decay_(weight_decay) {
  set_learning_rate(learning_rate);
  if (!(weight_decay.rate >= 0.0) || !std::isfinite(weight_decay.rate)) {
    throw Error(fmt::format("weight decay: expected a finite value ≥ 0, got {}", weight_decay.rate));
  }
}

void Optimizer::set_learning_rate(double learning_rate) {
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) {
    throw Error(fmt::format("learning rate: expected a finite value > 0, got {}", learning_rate));
  }
  learning_rate_ = learning_rate;
}

void Optimizer::step(ParamStore& params) {
  // State is sized on the first step (and again only if parameters were added since:
  // listing the buffers builds a vector, which a steady-state step must not).
  if (sized_for_ != params.size()) {
    const auto size = static_cast<std::size_t>(params.size());
    for (auto& [name, buffer] : buffers()) {
      if (buffer->size() != size) buffer->resize(size, Scalar(0));
    }
    param_steps_.resize(params.params().size(), 0);
    update_norms_.assign(params.params().size(), 0.0);
    weight_norms_.assign(params.params().size(), 0.0);
    sized_for_ = params.size();
  }

  Scalar* values = params.values().data();
  const Scalar* grads = params.grads().data();
  for (std::size_t i = 0; i < params.params().size(); ++i) {
    const ParamInfo& p = params.params()[i];
    update_norms_[i] = weight_norms_[i] = 0.0;
    if (!p.trainable) continue;
    const bool decays =
        p.role == ParamRole::weight || (weight_decay_.decay_biases_and_norms && p.role != ParamRole::buffer);
    const Index t = ++param_steps_[i];
    const double decay = decays ? weight_decay_.rate : 0.0;
    const Index chunks = std::max<Index>(1, p.size() / kChunk);  // the last takes the rest
    SquaredNorms norms;
    if (chunks <= 1) {
      norms = update(values + p.offset, grads + p.offset, p.offset, p.size(), t, decay);
    } else {
      // A large parameter in chunks of kChunk elements, the chunks split over the
      // threads; the chunks' norms are added in order, so no bit depends on the split.
      chunk_norms_.resize(static_cast<std::size_t>(chunks));
      const auto run_chunks = [&](Index first, Index last) {
        for (Index c = first; c < last; ++c) {
          const Index begin = p.offset + c * kChunk, n = c + 1 == chunks ? p.size() - c * kChunk : kChunk;
          chunk_norms_[static_cast<std::size_t>(c)] = update(values + begin, grads + begin, begin, n, t, decay);
        }
      };
      parallel_ranges(chunks, static_cast<int>(std::min<Index>(thread_count(), chunks)), run_chunks);
      for (const SquaredNorms& c : chunk_norms_) {
        norms.update += c.update;
        norms.weight += c.weight;
      }
    }
    update_norms_[i] = std::sqrt(norms.update);
    weight_norms_[i] = std::sqrt(norms.weight);
  }
}

Index Optimizer::state_buffer_count() const {
  return static_cast<Index>(const_cast<Optimizer*>(this)->buffers().size());  // only counted
}

Optimizer::State Optimizer::state() const {
  State state;
  state.param_steps = param_steps_;
  // buffers() only hands out pointers to the subclass's vectors; nothing is modified.
  for (const auto& [name, buffer] : const_cast<Optimizer*>(this)->buffers()) state.buffers.emplace_back(name, *buffer);
  return state;
}

void Optimizer::load_state(const State& state, const ParamStore& params) {
  auto own = buffers();
  if (state.buffers.size() != own.size()) {
    throw Error(
        fmt::format("{} optimizer state: expected {} buffers, found {}", name(), own.size(), state.buffers.size()));
  }
  if (!state.param_steps.empty() && state.param_steps.size() != params.params().size()) {
    throw Error(fmt::format("{} optimizer state: step counts for {} parameters; the model has {}", name(),
                            state.param_steps.size(), params.params().size()));
  }
  for (std::size_t i = 0; i < own.size(); ++i) {
    if (state.buffers[i].first != own[i].first) {
      throw Error(fmt::format("{} optimizer state: expected buffer '{}', found '{}'", name(), own[i].first,
                              state.buffers[i].first));
    }
    const auto size = state.buffers[i].second.size();
    if (size != 0 && size != static_cast<std::size_t>(params.size())) {
      throw Error(fmt::format("{} optimizer state: buffer '{}' has {} values; the model has {} parameters", name(),
                              own[i].first, size, params.size()));
    }
    // An average of squares may have overflowed to +inf in a run (a gradient of 1e20
    // squared, in float); never below zero, nor NaN. Other buffers stay finite: a NaN or
    // an infinity there makes the next update NaN.
    const bool squares = holds_squares(own[i].first);
    for (std::size_t k = 0; k < size; ++k) {
      const Scalar v = state.buffers[i].second[k];
      if (squares ? !(v >= 0) : !std::isfinite(v)) {
        throw Error(fmt::format("{} optimizer state: buffer '{}' holds {} at offset {}{}", name(), own[i].first, v, k,
                                squares ? " (an average of squares: ≥ 0)" : " (expected a finite value)"));
      }
    }
  }
  for (std::size_t i = 0; i < state.param_steps.size(); ++i) {
    if (state.param_steps[i] < 0) {
      throw Error(fmt::format("{} optimizer state: the step count of parameter {} is {}; expected ≥ 0", name(), i,
                              state.param_steps[i]));
    }
  }
  restore_state(state);
}

void Optimizer::restore_state(const State& state) {
  auto own = buffers();
  for (std::size_t i = 0; i < own.size(); ++i) *own[i].second = state.buffers[i].second;
  param_steps_ = state.param_steps;
  sized_for_ = -1;  // the next step checks the loaded sizes
}

}  // namespace glassnet
