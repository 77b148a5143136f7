#include "glassnet/nn/batch_split.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "glassnet/core/error.hpp"

namespace glassnet {

BatchSplit::BatchSplit(int parts) : barrier_(parts) {
  if (parts < 1) throw Error(fmt::format("batch split: expected at least one part, got {}", parts));
  for (auto& slots : slots_) slots.resize(static_cast<std::size_t>(parts));
  rounds_.assign(static_cast<std::size_t>(parts), 0);
}

void BatchSplit::begin(Index total_rows) {
  barrier_.reset();
  std::fill(rounds_.begin(), rounds_.end(), 0U);
  total_rows_ = total_rows;
  active_ = true;
}

void BatchSplit::end() { active_ = false; }

void BatchSplit::add_across_parts(int part, std::span<Scalar> sums) {
  // Once abandoned, a part that ran ahead must not write the slots another may still read.
  if (barrier_.abandoned()) return;
  const auto p = static_cast<std::size_t>(part);
  auto& slots = slots_[rounds_[p]++ % 2];
  // Grows to the widest exchange once; later assignments reuse the memory.
  slots[p].assign(sums.begin(), sums.end());
  barrier_.arrive_and_wait();
  if (barrier_.abandoned()) return;
  for (std::size_t j = 0; j < sums.size(); ++j) {
    Scalar total = slots[0][j];
    for (std::size_t other = 1; other < slots.size(); ++other) total += slots[other][j];
    sums[j] = total;
  }
}

}  // namespace glassnet
