#pragma once
// --report FILE.html of train and doctor. The report is drawn from the run's metrics
// log: the one --log names, or else a temporary log, removed when this goes (a log needs
// the monitor: train refuses --report with --monitor off; the doctor's runs have it on).

#include <filesystem>
#include <optional>
#include <string>

#include "glassnet/io/temporary_directory.hpp"
#include "glassnet/report/html_report.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet::cli {

// Before a training run (train, fit) that draws a report: the report needs the monitor,
// and may name no input of the run nor another of its outputs (io/file_roles.hpp; the
// run checks its own files). `option` names it in messages. Nothing without a report.
void check_train_report(const std::string& option, const std::string& report, const RunConfig& config);

class ReportFile {
 public:
  // With a report to write and no log, points `log` at a temporary file.
  ReportFile(const std::string& report, std::optional<std::filesystem::path>& log);
  ReportFile(const ReportFile&) = delete;
  ReportFile& operator=(const ReportFile&) = delete;

  bool wanted() const { return !report_.empty(); }
  // Reads the log and writes the report; returns its path.
  std::string write(const ReportOptions& options = {}) const;

 private:
  std::string report_;
  std::optional<std::filesystem::path> log_;
  std::optional<TemporaryDirectory> scratch_;  // holds the temporary log
};

}  // namespace glassnet::cli
