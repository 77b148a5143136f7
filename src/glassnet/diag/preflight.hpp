#pragma once
// Preflight: checks before the first step, reported as findings (diag/doctor.hpp) with
// the same fields. docs/doctor.md lists each check and its threshold.
//
//   unscaled_input     standardisation off and feature standard deviations differing by
//                      more than 100×, or a mean far from zero relative to its spread
//   class_imbalance    a class under 10 % of the training rows without class weights
//   linear_network     identity activation in the hidden layers
//   deep_saturating    sigmoid or tanh in 5 or more hidden layers
//   init_mismatch      an initialiser made for another activation family
//   initial_loss       the first loss more than 3× its expected value (ln C for C
//                      classes, the target variance for regression)
//   cannot_overfit     a fresh copy of the network, trained on one small batch, does not
//                      drive its loss below 10 % of the start (a wiring bug)
//   too_many_parameters  more than 10 parameters per training row

#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/diag/doctor.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet {

struct PreflightInput {
  Network* network = nullptr;  // as initialised; one forward pass, its parameters unchanged
  const Loss* loss = nullptr;
  ConstMatrixView x;        // training inputs, as the network sees them
  ConstMatrixView targets;  // in the loss's layout
  Task task = Task::binary;
  Index classes = 2;                       // classification
  std::vector<std::string> feature_names;  // one per input column
  bool standardized = true;
  bool class_weights = false;
  std::uint64_t seed = 1;
  bool overfit_check = true;  // the one-batch test (trains a copy for 200 steps)
};

std::vector<Finding> preflight(const PreflightInput& input);

}  // namespace glassnet
