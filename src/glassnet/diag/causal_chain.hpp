#pragma once
// Causal chains: where one finding explains another, the two become one finding — the
// cause, with the effect as the next link of its chain — instead of two rules that
// fired side by side. A chain can run through several links, for example
//
//   unscaled_input → saturation (layers.1) → vanishing_gradients (layers.0) → plateau
//
// and each link keeps its own evidence. The known causal edges, cause → effects:
//
//   unscaled_input       saturation, dead_relu, exploding_gradients, lr_too_high
//   deep_saturating      saturation, vanishing_gradients
//   init_mismatch        saturation, vanishing_gradients, exploding_gradients, dead_relu
//   linear_network       the poor result
//   class_imbalance      chance_level
//   saturation           vanishing_gradients
//   dead_relu            vanishing_gradients
//   lr_too_high          dead_relu, exploding_gradients, non_finite
//   exploding_gradients  non_finite
//   vanishing_gradients, saturation, dead_relu, lr_too_high, lr_too_low,
//   exploding_gradients, cannot_overfit, deep_saturating, unscaled_input
//                        the poor result (chance_level, plateau, poor_learning)
//
// An effect joins a chain only when it is a problem (warning or error); a cause may be
// any finding. The longest chains are formed first; each finding joins one chain.

#include <string_view>
#include <vector>

#include "glassnet/diag/doctor.hpp"

namespace glassnet {

// Links the findings into chains in place; the result is ordered most severe first.
// A finding already holding a chain keeps it, after the link it becomes.
void link_causes(std::vector<Finding>& findings);

// The poor result: chance_level, plateau, or poor_learning (slow, explained learning).
bool is_poor_result(std::string_view symptom);

// Whether `cause` can explain `effect` (the table above).
bool can_cause(const std::string& cause, const std::string& effect);

}  // namespace glassnet
