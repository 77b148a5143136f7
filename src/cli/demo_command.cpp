// glassnet demo: the XOR demonstration (examples/xor through the command line).

#include <iostream>

#include "cli/commands.hpp"
#include "glassnet/demo/xor_demo.hpp"

namespace glassnet::cli {

void add_demo_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("demo", "Run the XOR demonstration: a [2, 4, 4, 1] ReLU network learns XOR");
  auto options = std::make_shared<XorOptions>();
  command->add_option("--seed", options->seed, "Random seed of the initial weights")->capture_default_str();
  command->add_option("--epochs", options->epochs, "Full-batch epochs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--lr", options->learning_rate, "Learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->callback([options, &exit_code] {
    const XorResult result = run_xor(*options);
    print_xor(std::cout, *options, result);
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
