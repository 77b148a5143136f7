// glassnet report: draws the HTML report of a run from its metrics log (report/html_report.hpp).

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/report/html_report.hpp"

namespace glassnet::cli {

void add_report_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("report", "Draw a self-contained HTML report of a run from its JSONL metrics log");
  auto log = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--log", *log, "The run's metrics log (train --log)")->check(file_name())->required();
  cmd->add_option("--out", *out, "The HTML file to write")->check(file_name())->required();
  cmd->callback([log, out, &exit_code] {
    check_files({{"--log", *log}}, {{"--out", *out}});
    write_html_report(*out, read_run_log(*log));
    fmt::print("report written to {}\n", *out);
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
