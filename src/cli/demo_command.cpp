// glassnet demo: the incident, end to end (demo/incident_demo.hpp); `glassnet demo xor`:
// the XOR demonstration (examples/xor through the command line).

#include <iostream>

#include "cli/commands.hpp"
#include "cli/number_checks.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/demo/incident_demo.hpp"
#include "glassnet/demo/xor_demo.hpp"

namespace glassnet::cli {

void add_demo_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "demo", "The incident: a 15-layer sigmoid fraud model at chance, diagnosed and repaired (xor: the XOR demo)");
  auto incident = std::make_shared<IncidentOptions>();
  command->add_option("--dir", incident->directory, "Where the data, logs, configuration and model are written")
      ->check(file_name())
      ->capture_default_str();
  command->add_option("--seed", incident->seed, "Random seed of the data and the networks")
      ->check(whole_number(0, kMaxSeed))
      ->capture_default_str();
  command->add_option("--epochs", incident->epochs, "Epochs of each run")
      ->capture_default_str()
      ->check(whole_number(1, kMaxEpochs));

  auto* xor_command =
      command->add_subcommand("xor", "Run the XOR demonstration: a [2, 4, 4, 1] ReLU network learns XOR");
  auto options = std::make_shared<XorOptions>();
  xor_command->add_option("--seed", options->seed, "Random seed of the initial weights")
      ->check(whole_number(0, kMaxSeed))
      ->capture_default_str();
  xor_command->add_option("--epochs", options->epochs, "Full-batch epochs")
      ->capture_default_str()
      ->check(whole_number(1, kMaxEpochs));
  xor_command->add_option("--lr", options->learning_rate, "Learning rate")
      ->capture_default_str()
      ->check(real_number(0.0, true));
  xor_command->callback([options, &exit_code] {
    const XorResult result = run_xor(*options);
    print_xor(std::cout, *options, result);
    exit_code = 0;
  });
  command->callback([xor_command, incident, &exit_code] {
    if (xor_command->parsed()) return;
    run_incident(*incident, std::cout);
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
