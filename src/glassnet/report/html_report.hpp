#pragma once
// The HTML report of a training run: one self-contained file (inline CSS, SVG and a
// few lines of script; no network access, no external file), drawn from the metrics
// log (report/run_log.hpp), so that any run's log can be drawn again.
//
// Sections, each with an id that findings link to:
//   run         data set, task, rows, architecture, parameters, optimizer, seed, time
//   findings    the doctor's findings with evidence, causes, fixes and causal chain;
//               hovering one lights up the layers it names in every chart
//   curves      loss and accuracy per epoch, train and validation, the best epoch marked
//   gradients   heat map of each weight tensor's gradient norm over the steps, log
//               colour scale, the healthy range 1e-3 to 1e-1 marked in its legend
//   updates     update-to-weight ratio per weight tensor over the steps
//   activations saturated and dead fractions per activation layer over the probes
//   evaluation  confusion matrix; for binary tasks the ROC and precision-recall curves
//   trials      the repair's trials (doctor --repair, train --auto-repair), when the log
//               holds them
//   rollbacks   numerical problems rolled back (--auto-repair), when there were any: the
//               run's, and those of the run as configured that a repaired run replaced
// Long series are downsampled with each bucket's minimum and maximum kept, so that a
// run of any length gives a file of a few hundred KB at most.

#include <filesystem>
#include <string>

#include "glassnet/report/run_log.hpp"

namespace glassnet {

struct ReportOptions {
  std::string title;  // default: "glassnet: <data file>"
};

std::string html_report(const RunLog& log, const ReportOptions& options = {});

// Writes the report atomically; throws Error if it cannot.
void write_html_report(const std::filesystem::path& path, const RunLog& log, const ReportOptions& options = {});

}  // namespace glassnet
