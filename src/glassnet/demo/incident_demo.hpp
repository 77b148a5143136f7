#pragma once
// The incident, end to end (`glassnet demo`): a fraud model of 15 sigmoid hidden layers
// that sits at chance, the doctor's finding with the per-layer gradient norms that
// prove it, the repair by controlled trials, and the repaired model converging — the two
// runs' numbers side by side. Everything is generated: synthetic, balanced fraud data
// (data/synthetic.hpp), nothing to download. Writes the data, both runs' metrics logs
// and HTML reports, the best configuration and the repaired model into a directory, and
// names them.

#include <cstdint>
#include <filesystem>
#include <iosfwd>

#include "glassnet/core/scalar.hpp"

namespace glassnet {

struct IncidentOptions {
  std::filesystem::path directory = "glassnet-demo";
  std::uint64_t seed = 1;
  Index rows = 20000;
  Index epochs = 12;
};

struct IncidentResult {
  double sick_accuracy = 0.0, repaired_accuracy = 0.0;        // validation
  double repaired_precision = 0.0;
  double sick_first_layer_norm = 0.0, repaired_first_layer_norm = 0.0;  // median over the second half
  bool vanishing_found = false;
};

// Runs the story, printing it to `out`. Throws Error if the directory cannot be made.
IncidentResult run_incident(const IncidentOptions& options, std::ostream& out);

}  // namespace glassnet
