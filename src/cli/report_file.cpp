#include "cli/report_file.hpp"

#include "glassnet/core/error.hpp"
#include "glassnet/io/temporary_path.hpp"
#include "glassnet/report/run_log.hpp"

namespace glassnet::cli {

ReportFile::ReportFile(const std::string& report, RunConfig& config) : report_(report) {
  if (report_.empty()) return;
  if (config.monitor == MonitorLevel::off) throw Error("--report needs the monitor: --monitor light or full");
  std::optional<std::filesystem::path>& log = config.log;
  if (!log) {
    temporary_ = temporary_path("report", ".jsonl");
    log = temporary_;
  }
  log_ = log;
}

ReportFile::~ReportFile() {
  if (!temporary_) return;
  std::error_code ignored;
  std::filesystem::remove(*temporary_, ignored);
}

std::string ReportFile::write(const ReportOptions& options) const {
  write_html_report(report_, read_run_log(*log_), options);
  return report_;
}

}  // namespace glassnet::cli
