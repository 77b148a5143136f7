#include "cli/report_file.hpp"

#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/report/run_log.hpp"

namespace glassnet::cli {

void check_train_report(const std::string& option, const std::string& report, const RunConfig& config) {
  if (report.empty()) return;
  if (config.monitor == MonitorLevel::off) throw Error("--report needs the monitor: --monitor light or full");
  std::vector<NamedPath> outputs = output_files(config);
  outputs.push_back({option, report});
  check_files(input_files(config), outputs);
}

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
