#pragma once
// The per-layer table printed at the end of `glassnet train` and `glassnet doctor`:
//
//   layer        gradient norm  over the run        update ratio  saturated/dead
//   layers.0     3.1e-11        ▇▅▃▂▁▁▁▁▁▁▁▁▁▁▁▁    2.4e-12                        ◀ vanishing_gradients
//   layers.1     sigmoid                                          0.93 saturated
//
// One row per monitored tensor's layer (weights) and per activation layer, in network
// order. The numbers are medians over the second half of the run (gradient norm, update
// ratio, over steps; saturated or dead fraction, over probes); the sparkline is the
// gradient norm's geometric mean over 16 stretches of the run, on a log scale shared by
// every row. A row is marked when a warning or an error of the doctor, or a link of its
// causal chain, names its layer.

#include <string>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/monitor.hpp"

namespace glassnet {

std::string layer_table(const MonitorSeries& series, const std::vector<Finding>& findings);

}  // namespace glassnet
