// glassnet predict: predictions of a saved model for every row of a CSV file (or IDX image), in order.

#include <fmt/format.h>

#include <span>

#include "cli/commands.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet::cli {
namespace {

// Quotes a CSV field when it needs it (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

void add_predict_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("predict", "Predict with a saved model; rows may omit the target column");
  struct Flags {
    std::string model, data, out;
    bool proba = false;
  };
  auto flags = std::make_shared<Flags>();
  cmd->add_option("--model", flags->model, "Model file")->check(file_name())->required();
  cmd->add_option("--data", flags->data, "Data: CSV, or IDX images")->check(file_name())->required();
  cmd->add_option("--out", flags->out, "Predictions file (CSV; default: standard output)")->check(file_name());
  cmd->add_flag("--proba", flags->proba, "Also write the probability of each class");
  cmd->callback([flags, &exit_code] {
    std::vector<NamedPath> outputs;
    if (!flags->out.empty()) outputs.push_back({"--out", flags->out});
    check_files({{"--model", flags->model}, {"--data", flags->data}}, outputs);
    Model model = load_model(flags->model);
    if (flags->proba && model.labels.task == Task::regression) {
      throw Error(
          fmt::format("--proba: {} is a regression model: it predicts values, not class probabilities", flags->model));
    }
    const ColumnKinds kinds = model_column_kinds(model, false);
    const Table table = read_data(flags->data, std::nullopt, 0, &kinds);
    Index unseen = 0;
    const Matrix p = predict_model(model, table, &unseen);
    const auto& classes = model.labels.classes;
    std::string csv = "prediction";
    if (flags->proba) {
      for (const auto& c : classes) csv += "," + csv_field("p_" + c);
    }
    csv += "\n";
    for (Index i = 0; i < p.rows(); ++i) {
      std::vector<double> probabilities;
      if (model.labels.task == Task::regression) {
        csv += fmt::format("{}", p(i, 0));
      } else {
        csv += csv_field(classes[model.labels.predicted_class(p, i)]);
        if (model.labels.task == Task::binary) {
          probabilities = {1.0 - p(i, 0), p(i, 0)};
        } else {
          for (Index k = 0; k < p.cols(); ++k) probabilities.push_back(p(i, k));
        }
      }
      if (flags->proba) {
        for (double v : probabilities) csv += fmt::format(",{:.6g}", v);
      }
      csv += "\n";
    }
    if (unseen > 0) {
      fmt::print(stderr, "warning: {} with a category unseen in training, encoded as all zeros\n",
                 counted(unseen, "value"));
    }
    if (flags->out.empty()) {
      fmt::print("{}", csv);
    } else {
      write_file_atomically(flags->out, std::as_bytes(std::span(csv.data(), csv.size())));
    }
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
