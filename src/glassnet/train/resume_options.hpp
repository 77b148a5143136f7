#pragma once
// The options a resumed run shares with the run it continues (Trainer::set_run_options):
// a JSON object of option → value as text, e.g.
//   {"training data": "160 rows × 2 inputs, CRC-32 5f1a03c2",
//    "validation data": "40 rows, CRC-32 …", "--task": "binary", "--layers": "64,64",
//    "--lr": "0.001", ..., "--residual": "off"}
// The data are named by what the run trains on — the rows, as prepared, with their
// targets — so a file moved or given by another path resumes, and another file (or
// another --target, --val-split, --seed, --impute, --no-standardize) does not. Left
// out, free to change: --epochs, the output files, --monitor, --threads (the thread
// count changes the last bits of the products: bit-identical resumes need the same).

#include <string>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet {

std::string resume_options_json(const RunConfig& config, Task task, InputView x_train, const Matrix& y_train,
                                InputView x_val, const Matrix& y_val);

}  // namespace glassnet
