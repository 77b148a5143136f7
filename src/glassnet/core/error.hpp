#pragma once
// Errors that users read. Every message says what was expected, what was found, and
// where (file:line:column, layer name, tensor name, option).

#include <stdexcept>
#include <string>

namespace glassnet {

// Bad input or bad usage: the user can fix it. The CLI maps it to exit code 2.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Training could not continue (diverged, non-finite values). The CLI maps it to exit 3.
class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace glassnet
