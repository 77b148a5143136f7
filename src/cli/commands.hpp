#pragma once
// Each subcommand registers its options on the app and, when run, stores the process
// exit code in `exit_code`. Errors are thrown (glassnet::Error → 2, TrainingError → 3)
// and mapped to exit codes in main.cpp, once.

#include <CLI/CLI.hpp>

namespace glassnet::cli {

void add_bench_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_doctor_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_gradcheck_command(CLI::App& app, int& exit_code);
void add_predict_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_summary_command(CLI::App& app, int& exit_code);
void add_synth_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);

}  // namespace glassnet::cli
