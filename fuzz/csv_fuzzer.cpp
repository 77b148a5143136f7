// libFuzzer target: the CSV reader, the typing of its columns, and the features fitted
// on them (every column but the last, the categories kept to three so that the pooled
// input is reached) and applied. Any input must parse and transform or be rejected with
// glassnet::Error; anything else (a crash, a sanitizer report, another exception) is a
// bug.

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/data/csv.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const glassnet::CsvTable csv = glassnet::parse_csv(text, "fuzz.csv");
    const glassnet::Table table = glassnet::make_table(csv);
    glassnet::find_missing(table);
    std::vector<glassnet::Index> rows(static_cast<std::size_t>(table.rows()));
    std::iota(rows.begin(), rows.end(), glassnet::Index{0});
    const auto target = static_cast<glassnet::Index>(table.columns.size()) - 1;
    const glassnet::FeatureTransform features = glassnet::fit_features(table, target, rows, {.max_categories = 3});
    glassnet::row_number_columns(table, features);
    features.transform(table);
  } catch (const glassnet::Error&) {
  }
  return 0;
}
