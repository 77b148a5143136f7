#pragma once
// A batch split across threads: part p of a batch's rows goes through network p, one
// network per thread, the networks sharing their parameters (train/split_step.hpp).
// Most layers treat each row alone and never notice. A layer whose forward or backward
// sums over the batch's rows (batch norm) adds its sums across the parts here, so that
// every part computes with the whole batch's statistics:
//
//   split.add_across_parts(part, sums);   // sums:[n] in; Σ over the parts' sums:[n] out
//
// Every part makes the same calls in the same order, with the same n. The sum is added
// in part order, so every part gets the same bits. Between begin() and end() the split
// is active(); outside them (evaluation, batches not split) layers compute alone.

#include <span>
#include <vector>

#include "glassnet/core/scalar.hpp"
#include "glassnet/core/spin_barrier.hpp"

namespace glassnet {

class BatchSplit {
 public:
  explicit BatchSplit(int parts);
  BatchSplit(const BatchSplit&) = delete;
  BatchSplit& operator=(const BatchSplit&) = delete;

  int parts() const { return barrier_.parties(); }

  // Around one split forward and backward of a batch of `total_rows` rows.
  void begin(Index total_rows);
  void end();
  bool active() const { return active_; }
  Index total_rows() const { return total_rows_; }

  // Called by every part: replaces `sums` with the sum over the parts' `sums`.
  void add_across_parts(int part, std::span<Scalar> sums);

  // Returns when every part has called it (or the split is abandoned).
  void wait_for_parts() { barrier_.arrive_and_wait(); }

  // A part that failed calls this: the others stop waiting for it (their sums from then
  // on are meaningless; the caller discards the step).
  void abandon() { barrier_.abandon(); }
  bool abandoned() const { return barrier_.abandoned(); }

 private:
  SpinBarrier barrier_;
  bool active_ = false;
  Index total_rows_ = 0;
  // [round % 2][part]: a part writes one set of slots while a slower part may still be
  // reading the other set, from the exchange before.
  std::vector<std::vector<Scalar>> slots_[2];
  std::vector<unsigned> rounds_;  // per part: exchanges it has made
};

}  // namespace glassnet
