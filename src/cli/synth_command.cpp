// glassnet synth: writes a synthetic data set as CSV.

#include <fmt/format.h>

#include <span>

#include "cli/commands.hpp"
#include "cli/number_checks.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/core/memory.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/io/file_roles.hpp"

namespace glassnet::cli {

void add_synth_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("synth", "Write a synthetic data set (fraud, xor, spirals, moons) as CSV");
  struct Flags {
    std::string kind, out;
    Index rows = 1000, features = 2;
    std::uint64_t seed = 1;
    double fraud_rate = 0.5;
  };
  auto flags = std::make_shared<Flags>();
  cmd->add_option("kind", flags->kind, "fraud, xor, spirals or moons")
      ->required()
      ->check(CLI::IsMember({"fraud", "xor", "spirals", "moons"}));
  cmd->add_option("--rows", flags->rows, "Rows")->check(whole_number(1, 100'000'000))->capture_default_str();
  auto* features =
      cmd->add_option("--features", flags->features, "Features (xor, spirals, moons: 2 informative, the rest noise)")
          ->check(whole_number(2, 10'000))
          ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Random seed")->check(whole_number(0, kMaxSeed))->capture_default_str();
  auto* fraud_rate = cmd->add_option("--fraud-rate", flags->fraud_rate, "Fraction of fraud rows (fraud)")
                         ->check(real_number(0.001, false, 0.999))
                         ->capture_default_str();
  cmd->add_option("--out", flags->out, "CSV file to write")->check(file_name())->required();
  cmd->callback([flags, features, fraud_rate, &exit_code] {
    // An option the kind does not take is a mistake, not something to ignore.
    if (flags->kind == "fraud" && features->count() > 0) {
      throw Error("--features: the fraud data has its own eight columns; --features is for xor, spirals and moons");
    }
    if (flags->kind != "fraud" && fraud_rate->count() > 0) {
      throw Error(fmt::format("--fraud-rate: only the fraud data has fraud rows, not {}", flags->kind));
    }
    check_files({}, {{"--out", flags->out}});
    // The data set is made in memory and then written: its values, and their text (about
    // 14 bytes a value at most, the shortest form that reads back, and a comma).
    const Index columns = flags->kind == "fraud" ? 9 : flags->features + 1;
    const double bytes = static_cast<double>(flags->rows) * static_cast<double>(columns) * (sizeof(Scalar) + 14.0);
    if (const auto available = available_memory_bytes(); available && bytes > static_cast<double>(*available)) {
      throw Error(fmt::format("--rows {}{}: the data set takes up to {} in memory as it is written; {} are available",
                              flags->rows,
                              flags->kind == "fraud" ? "" : fmt::format(" × --features {}", flags->features),
                              format_bytes(bytes), format_bytes(static_cast<double>(*available))));
    }
    std::string csv;
    if (flags->kind == "fraud") {
      csv = make_fraud_csv(flags->rows, flags->fraud_rate, flags->seed);
    } else if (flags->kind == "xor") {
      csv = dataset_csv(make_xor(flags->rows, flags->features, flags->seed));
    } else if (flags->kind == "spirals") {
      csv = dataset_csv(make_spirals(flags->rows, flags->features, 1.5, 0.05, flags->seed));
    } else {
      csv = dataset_csv(make_moons(flags->rows, flags->features, 0.1, flags->seed));
    }
    write_file_atomically(flags->out, std::as_bytes(std::span(csv.data(), csv.size())));
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
