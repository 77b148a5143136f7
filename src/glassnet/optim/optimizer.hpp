#pragma once
// Optimizers update a ParamStore in one pass over its flat buffers, from the gradients
// that backward accumulated. Update rules, defaults and bias corrections follow
// PyTorch's documented algorithms (torch.optim); each subclass states its rule.
//
// Frozen (non-trainable) parameters and buffers are never touched: no update, no
// decay, and their optimizer state is left as it was. Each parameter counts its own
// steps (t in the rules), as torch.optim does, so a parameter unfrozen later starts
// its bias correction from its own first step.
//
// Weight decay applies to parameters with the role `weight`; biases and normalisation
// parameters are excluded unless `decay_biases_and_norms` is set.
//
// Each step also measures, per parameter, ‖Δθ‖ (the step it took) and ‖θ‖ after it, in
// the same pass as the update (the monitor's update-to-weight ratio costs no extra
// pass over memory).

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glassnet/nn/param_store.hpp"

namespace glassnet {

struct WeightDecay {
  double rate = 0.0;
  bool decay_biases_and_norms = false;
};

class Optimizer {
 public:
  // Everything a checkpoint needs to continue bit-identically.
  struct State {
    std::vector<Index> param_steps;                                    // t of each parameter
    std::vector<std::pair<std::string, std::vector<Scalar>>> buffers;  // each sized like the store
  };

  virtual ~Optimizer() = default;
  virtual std::string_view name() const = 0;

  // One update of every trainable parameter from its gradient.
  void step(ParamStore& params);

  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double learning_rate);
  const WeightDecay& weight_decay() const { return weight_decay_; }

  // Per parameter (in the store's order), from the last step: ‖Δθ‖ and ‖θ‖ after the
  // step; zeros for parameters that were not updated.
  std::span<const double> update_norms() const { return update_norms_; }
  std::span<const double> weight_norms() const { return weight_norms_; }

  // The state buffers this optimizer keeps, each as large as the parameter store
  // (Adam 2, SGD with momentum 1, plain SGD 0).
  Index state_buffer_count() const;

  State state() const;
  // Throws Error, changing nothing, if the state does not fit this optimizer and
  // `params`, or holds values no run could have left (NaN, an infinity but in an average
  // of squares, a negative average of squares, a negative step count): a checkpoint's.
  void load_state(const State& state, const ParamStore& params);
  // A state this optimizer gave (state()), put back unchecked: a rollback's snapshot.
  void restore_state(const State& state);

 protected:
  Optimizer(double learning_rate, WeightDecay weight_decay);

  // Σ Δθ² and Σ θ² (after the update) over a range of one parameter's elements.
  struct SquaredNorms {
    double update = 0.0;
    double weight = 0.0;
  };
  // Updates a range of one parameter's elements, value[0, n) from grad[0, n), and
  // returns the range's squared norms. `state_offset` is the range's offset in the
  // state buffers, `t` the parameter's step count (1 on its first update), and `decay`
  // the weight decay rate that applies to it (0 when excluded). Each element's update
  // depends on that element alone, and step() calls this on disjoint ranges of a large
  // parameter from several threads at once.
  virtual SquaredNorms update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index t,
                              double decay) = 0;
  // The optimizer's state buffers, by name (sized to the store on the first step).
  virtual std::vector<std::pair<std::string, std::vector<Scalar>*>> buffers() { return {}; }
  // Whether a buffer holds running averages of squares, never negative (Adam's v).
  virtual bool holds_squares(std::string_view /*buffer*/) const { return false; }

 private:
  double learning_rate_ = 0.0;
  WeightDecay weight_decay_;
  std::vector<Index> param_steps_;
  std::vector<double> update_norms_, weight_norms_;
  std::vector<SquaredNorms> chunk_norms_;  // of a large parameter's chunks (step)
  Index sized_for_ = -1;  // the store size the state was last sized for
};

}  // namespace glassnet
