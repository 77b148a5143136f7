#pragma once
// The XOR demonstration: the smallest problem a linear model cannot solve.
// Network [2, 4, 4, 1]: ReLU hidden layers, sigmoid output (BCE on logits), He
// initialisation, full-batch gradient descent. Shared by examples/xor and
// `glassnet demo`.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <vector>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

struct XorOptions {
  std::uint64_t seed = 1;
  Index epochs = 5000;
  double learning_rate = 0.1;
  // Hidden biases start slightly positive so that fewer of the eight ReLU units start
  // dead (measured over seeds 1..300: 68 % converge with 0, 89 % with 0.1).
  double hidden_bias = 0.1;
};

struct XorResult {
  std::vector<double> loss;   // per epoch, epoch e at index e-1
  Matrix predictions;         // [4, 1]: P(y = 1) for (0,0), (0,1), (1,0), (1,1)
  bool converged = false;     // < 0.05 for (0,0), (1,1) and > 0.95 for (0,1), (1,0) at the end
  Index converged_epoch = 0;  // the first epoch after which that held (0 if never)
};

// The four XOR rows x:[4, 2] and their targets [4, 1].
Matrix xor_inputs();
Matrix xor_targets();

// True when every prediction is on the right side of the 0.05 / 0.95 thresholds.
bool xor_solved(ConstMatrixView predictions);

XorResult run_xor(const XorOptions& options);

// Prints the run as `glassnet demo` and examples/xor show it: the set-up, the loss
// every `print_every` epochs, the four predictions, and whether it converged.
void print_xor(std::ostream& out, const XorOptions& options, const XorResult& result, Index print_every = 200);

}  // namespace glassnet
