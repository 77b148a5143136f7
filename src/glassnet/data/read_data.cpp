#include "glassnet/data/read_data.hpp"

#include "glassnet/data/csv.hpp"
#include "glassnet/data/idx.hpp"

namespace glassnet {

Table read_data(const std::filesystem::path& data, const std::optional<std::filesystem::path>& labels, char delimiter,
                const ColumnKinds* kinds) {
  if (labels || looks_like_idx(data)) return read_idx_table(data, labels);
  return make_table(read_csv(data, {.delimiter = delimiter}), kinds);
}

}  // namespace glassnet
