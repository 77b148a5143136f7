#pragma once
// Preflight: checks before the first step, reported as findings (diag/doctor.hpp) with
// the same fields. docs/doctor.md lists each check and its threshold.
//
//   label_mismatch     labels that do not fit the task, output and loss: an output
//                      transform made for another loss, targets outside {0, 1} for
//                      binary cross-entropy (classes for a sigmoid), one-hot targets
//                      where cross-entropy takes class indices (errors: the loss checks
//                      that need them are skipped), or a regression target of a few
//                      whole numbers, class labels most likely (warning)
//   unscaled_input     standardisation off and feature standard deviations differing by
//                      more than 100×, or a mean far from zero relative to its spread
//   class_imbalance    a class under 10 % of the training rows without class weights
//   row_number         a feature column that counts the file's rows (data/features.hpp:
//                      row_number_columns)
//   date_column        a text feature column of dates or times, one-hot encoded
//                      (data/features.hpp: date_columns)
//   linear_network     identity activation in the hidden layers
//   deep_saturating    sigmoid or tanh in 5 or more hidden layers
//   init_mismatch      an initialiser made for another activation family
//   initial_loss       the first loss more than 4× its expected value (ln C for C
//                      classes, the target variance for regression)
//   cannot_overfit     a fresh copy of the network, trained on one small batch, does not
//                      drive its loss below 10 % of the start (a wiring bug)
//   too_many_parameters  more than 10 parameters per training row
//   memory             the estimated peak memory (estimate_memory) over 80 % of what the
//                      machine has available (error above 100 %), with the largest
//                      batch size that would fit

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/diag/doctor.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet {

struct PreflightInput {
  Network* network = nullptr;  // as initialised; one forward pass, its parameters unchanged
  const Loss* loss = nullptr;
  InputView x;              // training inputs, as the network sees them
  ConstMatrixView targets;  // in the loss's layout
  Task task = Task::binary;
  Index classes = 2;                       // classification
  std::vector<std::string> class_names;    // classification: index → label, for messages (none: the index)
  std::vector<std::string> feature_names;  // one per input column
  std::vector<RowNumberColumn> row_numbers;  // feature columns that count the training file's rows
  std::vector<DateColumn> date_columns;      // text feature columns of dates or times
  bool standardized = true;
  bool class_weights = false;
  std::uint64_t seed = 1;
  bool overfit_check = true;  // the one-batch test (trains a copy for 200 steps)

  // For the memory estimate.
  Index batch_size = 64;
  Index optimizer_buffers = 2;      // Optimizer::state_buffer_count()
  std::uint64_t data_bytes = 0;     // what the data already holds in memory
  std::uint64_t monitor_bytes = 0;  // the monitor's series for the whole run
  std::optional<std::uint64_t> available_bytes;  // nullopt: the machine's (core/memory.hpp)
};

std::vector<Finding> preflight(const PreflightInput& input);

// Peak memory of a training run, by part, in bytes. An upper estimate: every layer
// buffer at the larger of the batch size and the evaluation batch (256 rows), as if
// all were alive at once, and at the calling thread's count (core/threads.hpp) the copies
// a batch split across the threads adds (train/split_step.hpp).
struct MemoryEstimate {
  std::uint64_t data = 0;         // the data set, as passed in
  std::uint64_t parameters = 0;   // values and gradients (and the split's gradients)
  std::uint64_t optimizer = 0;    // its state buffers
  std::uint64_t activations = 0;  // layer buffers and the trainer's batch copies
  std::uint64_t monitor = 0;
  std::uint64_t per_row = 0;      // activation bytes per batch row
  std::uint64_t total() const { return data + parameters + optimizer + activations + monitor; }
};
MemoryEstimate estimate_memory(const PreflightInput& input);

}  // namespace glassnet
