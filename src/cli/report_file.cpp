#include "cli/report_file.hpp"

#include "glassnet/report/run_log.hpp"

namespace glassnet::cli {

ReportFile::ReportFile(const std::string& report, std::optional<std::filesystem::path>& log) : report_(report) {
  if (report_.empty()) return;
  if (!log) {
    scratch_.emplace("report");
    log = scratch_->path() / "run.jsonl";
  }
  log_ = log;
}

std::string ReportFile::write(const ReportOptions& options) const {
  write_html_report(report_, read_run_log(*log_), options);
  return report_;
}

}  // namespace glassnet::cli
