// XOR with a [2, 4, 4, 1] ReLU network: usage `xor [seed]`.
// Exits 0 when the network converged, 1 when it did not (with 4-unit layers, ReLU
// units can die for some seeds).

#include <cstdlib>
#include <iostream>
#include <string>

#include "glassnet/demo/xor_demo.hpp"

int main(int argc, char** argv) {
  glassnet::XorOptions options;
  if (argc > 1) options.seed = std::stoull(argv[1]);
  const glassnet::XorResult result = glassnet::run_xor(options);
  glassnet::print_xor(std::cout, options, result);
  return result.converged ? EXIT_SUCCESS : EXIT_FAILURE;
}
