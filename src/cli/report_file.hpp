#pragma once
// --report FILE.html of train and doctor. The report is drawn from the run's metrics
// log: the one --log names, or else a temporary log, removed when this goes. Either needs
// the monitor: a report with --monitor off is an Error naming --report.

#include <filesystem>
#include <optional>
#include <string>

#include "glassnet/report/html_report.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet::cli {

class ReportFile {
 public:
  // With a report to write and no log, points config.log at a temporary file.
  ReportFile(const std::string& report, RunConfig& config);
  ~ReportFile();
  ReportFile(const ReportFile&) = delete;
  ReportFile& operator=(const ReportFile&) = delete;

  bool wanted() const { return !report_.empty(); }
  // Reads the log and writes the report; returns its path.
  std::string write(const ReportOptions& options = {}) const;

 private:
  std::string report_;
  std::optional<std::filesystem::path> log_, temporary_;
};

}  // namespace glassnet::cli
