// The glassnet executable: parses the command line and runs one subcommand.
// Exit codes: 0 success, 2 bad usage or bad input, 3 training failed, 1 internal error.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/unknown_arguments.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/table.hpp"

int main(int argc, char** argv) {
  CLI::App app{"glassnet: trains feed-forward neural networks on the CPU and watches every layer while it trains"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "glassnet 0.1.0");
  // Usage errors read as every other error does (the subcommands inherit this).
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    return "error: " + CLI::FailureMessage::simple(failed, e);
  });
  int exit_code = 0;
  glassnet::cli::add_train_command(app, exit_code);
  glassnet::cli::add_doctor_command(app, exit_code);
  glassnet::cli::add_eval_command(app, exit_code);
  glassnet::cli::add_predict_command(app, exit_code);
  glassnet::cli::add_report_command(app, exit_code);
  glassnet::cli::add_summary_command(app, exit_code);
  glassnet::cli::add_synth_command(app, exit_code);
  glassnet::cli::add_demo_command(app, exit_code);
  glassnet::cli::add_gradcheck_command(app, exit_code);
  glassnet::cli::add_bench_command(app, exit_code);
  // The first word names the command: one that is not (CLI11 said only "A subcommand is
  // required") is named, with the commands there are.
  if (argc > 1) {
    const std::string first = argv[1];
    std::vector<std::string> commands;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
      commands.push_back(command->get_name());
    }
    const bool known = std::find(commands.begin(), commands.end(), first) != commands.end();
    if (!known && first != "-h" && first != "--help" && first != "--version") {
      fmt::print(stderr, "error: {} '{}'; the commands are {} (glassnet --help)\n",
                 first.starts_with('-') ? "unknown option" : "unknown command", first, fmt::join(commands, ", "));
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Words the command did not expect are named first: a misspelt option also leaves
    // a required one missing (eval --modle m.safetensors), and that is not the news.
    // The command is the deepest one given (demo xor); its words and its parents' are
    // the extras (CLI11 keeps those after "--" with the top).
    CLI::App* command = &app;
    std::string where = "glassnet";
    while (!command->get_subcommands().empty()) {
      command = command->get_subcommands().front();
      where += " " + command->get_name();
    }
    const std::vector<std::string> extras = app.remaining(true);
    const bool words = std::any_of(extras.begin(), extras.end(), [](const std::string& w) { return w != "--"; });
    if (words && (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr ||
                  std::any_of(extras.begin(), extras.end(), glassnet::cli::is_option))) {
      fmt::print(stderr, "error: {}\n", glassnet::cli::unknown_arguments_message(where, *command, extras));
      return 2;
    }
    // An option of one value given more than once: CLI11 says "--out: At Most 1 required
    // but received 2".
    const std::string what = e.what();
    if (const auto at = what.find(": At Most 1 required but received ");
        dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && at != std::string::npos) {
      const std::string name = what.substr(0, at);
      const CLI::Option* option = command->get_option_no_throw(name);
      std::vector<std::string> given = option != nullptr ? option->results() : std::vector<std::string>{};
      for (std::string& value : given) value = glassnet::quoted_value(value, 4096);  // (paths differ at the end)
      fmt::print(stderr, "error: {} is given {} times{}; it takes one value\n", name,
                 what.substr(at + std::string(": At Most 1 required but received ").size()),
                 given.size() > 1 ? fmt::format(" ('{}')", fmt::join(given, "', '")) : "");
      return 2;
    }
    app.exit(e);
    return 2;
  } catch (const glassnet::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const glassnet::TrainingError& e) {
    fmt::print(stderr, "training failed: {}\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 1;
  }
  return exit_code;
}
