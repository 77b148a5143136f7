// libFuzzer target: the CSV reader and the typing of its columns. Any input must parse
// or be rejected with glassnet::Error; anything else (a crash, a sanitizer report,
// another exception) is a bug.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "glassnet/core/error.hpp"
#include "glassnet/data/csv.hpp"
#include "glassnet/data/table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const glassnet::CsvTable csv = glassnet::parse_csv(text, "fuzz.csv");
    const glassnet::Table table = glassnet::make_table(csv);
    glassnet::find_missing(table);
  } catch (const glassnet::Error&) {
  }
  return 0;
}
