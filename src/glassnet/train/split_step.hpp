#pragma once
// A micro-batch split across the threads: part p of its rows goes through network p on
// thread p, from the first layer to the last and back, with no hand-over in between.
// Network 0 is the trainer's; the others are built again from its spec and share its
// parameters (ParamStore::share_values), each with gradients of its own. Batch norm adds
// its sums across the parts (nn/batch_split.hpp). At the end the threads add the other
// networks' gradients into network 0's, each thread a range of them, in part order.
//
//   rows:    [0, B/2) → network 0 on the calling thread,  [B/2, B) → network 1 on a worker
//   loss:    Σ_p W_p ℓ_p / W  (W_p: part p's weight; ℓ_p: its loss)  — the whole batch's
//   dlogits: part p's gradient × share × W_p / W                     — the whole batch's
//
// Splitting each product and pass over the threads instead (core/threads.hpp) hands work
// over dozens of times a step; this hands it over once and adds the gradients once
// (bench/NOTES.md §9). The bits depend on the number of parts, so on the thread count:
// a weight gradient is added up over each part's rows, then over the parts. A network
// whose layers draw random numbers (dropout) is not split: each part would draw its own.

#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/batch_split.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet {

class SplitStep {
 public:
  // Rows a part takes, at least.
  static constexpr Index kMinRowsPerPart = 16;
  // Above this many multiply-adds in a step's largest product (rows × the largest weight
  // matrix), splitting each product over the threads runs faster: the split measured
  // 1.05–1.07× the time at 2^24.6 (W3), 0.97× at 2^24, 0.89× at 2^22 and 0.81× at 2^20
  // (bench/NOTES.md §9).
  static constexpr double kMaxMultiplyAdds = 1 << 23;

  // Whether `network`'s batches can be split (no layer draws random numbers).
  static bool supports(Network& network);
  // The elements of `network`'s largest weight matrix.
  static Index largest_weight(const Network& network);
  // The parts a micro-batch of `rows` rows is split into on `threads` threads (1: not
  // split), for a network that supports it, whose largest weight has `largest_weight`
  // elements.
  static int parts_for(Index rows, Index largest_weight, int threads);

  // `parts` ≥ 2 networks: `network` and parts − 1 built from its spec.
  SplitStep(Network& network, int parts);
  SplitStep(const SplitStep&) = delete;
  SplitStep& operator=(const SplitStep&) = delete;
  ~SplitStep();

  int parts() const { return split_.parts(); }
  // The network, then its copies: part p's rows are in networks()[p]'s layers.
  std::span<Network* const> networks() const { return networks_; }

  struct Result {
    double loss = 0.0;             // the batch's loss, as Loss::value_and_gradient's
    std::optional<Index> correct;  // Loss::count_correct over the batch
  };
  // Forward in training mode, the loss, and backward of the rows of x:[B, in], each
  // part's on its own thread; ACCUMULATES the batch's parameter gradients, times
  // `share`, into the network's store, as one forward and backward of the whole batch
  // would. Requires B ≥ parts(); runs every part at once on glassnet's pool
  // (core/threads.hpp: run_parts_together). An error in any part is thrown here.
  Result accumulate(const Loss& loss, ConstMatrixView x, ConstMatrixView targets,
                    std::span<const Scalar> sample_weights, double share);

 private:
  // Part `part`'s forward, loss and backward; an error goes into errors_ and abandons the split.
  void run_part(int part);
  // Adds its range of the other networks' gradients into network 0's and zeroes them
  // there: the copies' gradients are zero between calls.
  void add_gradients(int part);

  Network& network_;
  std::vector<std::unique_ptr<Network>> copies_;  // parts 1 … parts − 1
  std::vector<Network*> networks_;                // the network, then the copies
  BatchSplit split_;
  // The batch of the current call.
  const Loss* loss_ = nullptr;
  SavedView x_, targets_;
  std::span<const Scalar> sample_weights_;
  double share_ = 0.0;
  double total_weight_ = 0.0;
  // Per part.
  std::vector<Buffer> dlogits_;
  std::vector<double> weights_, losses_;
  std::vector<std::optional<Index>> correct_;
  std::vector<std::exception_ptr> errors_;
};

}  // namespace glassnet
