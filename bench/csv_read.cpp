// Reading a CSV file as `glassnet train` reads it (data/read_data.hpp): parsed, each
// column typed (numbers parsed, text kept), every value's position kept for messages.
//
//   build/bench/csv_read FILE
//
// Prints one JSON object: {"seconds": ..., "rows": ..., "columns": ...}, the seconds
// from opening the file to the typed table. bench/csv_read.sh runs it beside numpy.

#include <fmt/format.h>

#include <chrono>
#include <exception>

#include "glassnet/data/read_data.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: csv_read FILE\n");
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const glassnet::Table table = glassnet::read_data(argv[1]);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("{{\"seconds\": {:.4f}, \"rows\": {}, \"columns\": {}}}\n", seconds, table.rows(), table.columns.size());
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}
