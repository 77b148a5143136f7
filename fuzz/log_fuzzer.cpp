// libFuzzer target: the metrics-log reader (glassnet report, glassnet summary --log),
// then the report and the layer table drawn from what it read. Any input must be read
// and drawn, or rejected with glassnet::Error; anything else is a bug.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "glassnet/core/error.hpp"
#include "glassnet/report/html_report.hpp"
#include "glassnet/report/layer_table.hpp"
#include "glassnet/report/run_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const glassnet::RunLog log = glassnet::read_run_log(in, "fuzz.jsonl");
    (void)glassnet::html_report(log);
    (void)glassnet::layer_table(log.series, log.findings);
  } catch (const glassnet::Error&) {
  }
  return 0;
}
