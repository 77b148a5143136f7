// The glassnet executable: parses the command line and runs one subcommand.
// Exit codes: 0 success, 2 bad usage or bad input, 3 training failed, 1 internal error.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "glassnet/core/error.hpp"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
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
