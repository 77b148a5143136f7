// glassnet eval: the task's metrics for a saved model on data with the target (CSV, or IDX images and labels).

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/idx.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet::cli {

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "eval", "Evaluate a saved model on a CSV file that holds the target column, or on IDX images and labels");
  struct Flags {
    std::string model, data, labels;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  cmd->add_option("--model", flags->model, "Model file")->check(file_name())->required();
  cmd->add_option("--data", flags->data, "Data: CSV with the target column, or IDX images (with --labels)")
      ->check(file_name())
      ->required();
  cmd->add_option("--labels", flags->labels, "IDX labels for the IDX images in --data")->check(file_name());
  cmd->add_flag("--json", flags->json, "Print one JSON object");
  cmd->callback([flags, &exit_code] {
    check_files({{"--model", flags->model}, {"--data", flags->data}, {"--labels", flags->labels}}, {});
    Model model = load_model(flags->model);
    std::optional<std::filesystem::path> labels;
    if (!flags->labels.empty()) labels = flags->labels;
    if (!labels && looks_like_idx(flags->data)) {
      throw Error(fmt::format("--data {}: IDX images need their labels to be evaluated: --labels FILE", flags->data));
    }
    const ColumnKinds kinds = model_column_kinds(model, true);
    const Table table = read_data(flags->data, labels, 0, &kinds);
    Index unseen = 0;
    const Metrics metrics = evaluate_model(model, table, &unseen);
    if (unseen > 0) {
      fmt::print(stderr, "warning: {} with a category unseen in training, encoded as all zeros\n",
                 counted(unseen, "value"));
    }
    if (flags->json) {
      fmt::print("{}\n",
                 nlohmann::json({{"task", task_name(model.labels.task)}, {"metrics", metrics_json(metrics)}}).dump());
    } else {
      fmt::print("{} task, {} of {}\n{}", task_name(model.labels.task), counted(table.rows(), "row"), flags->data,
                 metrics_text(metrics));
    }
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
