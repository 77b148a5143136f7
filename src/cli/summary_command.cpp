// glassnet summary: a Keras-style table of a saved model's layers, or a run's summary
// from its metrics log (the layer table of report/layer_table.hpp, the findings).

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/core/counted.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/nn/residual.hpp"
#include "glassnet/report/layer_table.hpp"
#include "glassnet/report/run_log.hpp"

namespace glassnet::cli {
namespace {

// Parameters (trainable and buffers) whose names start with `prefix`.
Index count_params(const ParamStore& params, const std::string& prefix) {
  Index n = 0;
  for (const auto& p : params.params()) {
    if (p.name.starts_with(prefix)) n += p.size();
  }
  return n;
}

void summarise_model(const std::string& path) {
  const Model model = load_model(path);
  const Sequential& layers = model.network->layers();
  const ParamStore& params = model.network->params();
  // One row per layer: "index kind", the output shape, its parameters and buffers. The
  // first column is as wide as its longest entry (a residual block names its body).
  struct Row {
    std::string layer, shape;
    Index parameters = 0;
  };
  std::vector<Row> rows;
  std::size_t width = 22;
  for (Index i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers.layer(i);
    std::string kind = layer.describe();
    if (const auto* residual = dynamic_cast<const Residual*>(&layer)) {
      kind = "residual(";
      for (Index j = 0; j < residual->body().size(); ++j) {
        if (j) kind += ' ';
        kind += residual->body().layer(j).describe();
      }
      kind += ")";
    }
    rows.push_back({fmt::format("{} {}", i, kind), fmt::format("[B, {}]", layers.out_features(i)),
                    count_params(params, fmt::format("layers.{}.", i))});
    width = std::max(width, rows.back().layer.size());
  }
  const std::size_t line = width + 30;  // the three columns and the spaces between them
  fmt::print("{:<{}} {:<16} {:>12}\n", "layer", width, "output shape", "parameters");
  fmt::print("{}\n", std::string(line, '-'));
  for (const Row& row : rows) fmt::print("{:<{}} {:<16} {:>12}\n", row.layer, width, row.shape, row.parameters);
  fmt::print("{}\n", std::string(line, '-'));
  const auto total = [&](std::string_view what, Index n) { fmt::print("{}{:>{}}\n", what, n, line - what.size()); };
  total("trainable parameters", params.trainable_size());
  total("buffers (BatchNorm statistics)", params.size() - params.trainable_size());
  total("total (the column's sum)", params.size());
  fmt::print("task {}, target '{}', {} from {}\n", task_name(model.labels.task), model.target,
             counted(model.features.width(), "input feature"), counted(model.features.columns.size(), "column"));
}

void summarise_log(const std::string& path) {
  const RunLog log = read_run_log(path);
  // What the log says, as text, whatever its type.
  const auto text = [](const nlohmann::json& object, const char* key) {
    if (!object.contains(key)) return std::string("?");
    return object[key].is_string() ? object[key].get<std::string>() : object[key].dump();
  };
  fmt::print("{}: {} task, data {}, {} training rows, {}{}\n", path, text(log.data, "task"), text(log.config, "data"),
             text(log.data, "train_rows"), epochs_text(log.series.epoch_logs),
             log.ended ? "" : " (no end: still running, or killed)");
  if (!log.series.epoch_logs.empty()) {
    const EpochLogs& last = log.series.epoch_logs.back();
    fmt::print("last epoch {}: loss {:.4g}{}{}\n", last.epoch, last.train_loss,
               last.val_loss ? fmt::format(", validation loss {:.4g}", *last.val_loss) : "",
               last.val_accuracy ? fmt::format(", validation accuracy {:.4f}", *last.val_accuracy) : "");
  }
  fmt::print("\n{}\n", layer_table(log.series, log.findings));
  fmt::print("{}", findings_text(log.findings));
  if (log.error) fmt::print("training failed: {}\n", *log.error);
  if (log.repair) {
    const RepairRecord& r = *log.repair;
    if (!r.replaced_rollbacks.empty()) fmt::print("the run as configured, which the repaired run replaced:\n");
    for (const RollbackEvent& e : r.replaced_rollbacks) fmt::print("  {}", rollback_text(e));
    // The trial length: the longest trial's (a trial that diverged or stopped early trained fewer).
    Index length = 0;
    for (const Trial& t : r.trials) length = std::max(length, t.epochs);
    fmt::print("repair: {}", trials_header(length));
    for (const Trial& t : r.trials) fmt::print("{}", trial_line(t));
    fmt::print("repair: {}", best_text(r.trials, r.metric, r.best_metric, length));
  }
  for (const RollbackEvent& e : log.rollbacks) fmt::print("{}", rollback_text(e));
}

}  // namespace

void add_summary_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "summary", "Print a saved model's layers, output shapes and parameter counts, or a run's summary from its log");
  auto model_path = std::make_shared<std::string>();
  auto log_path = std::make_shared<std::string>();
  auto* model = cmd->add_option("--model", *model_path, "Model file")->check(file_name());
  auto* log = cmd->add_option("--log", *log_path, "A run's JSONL metrics log (train --log)")->check(file_name());
  model->excludes(log);
  cmd->callback([model_path, log_path, &exit_code] {
    if (model_path->empty() && log_path->empty()) throw CLI::RequiredError("--model or --log");
    check_files({{"--model", *model_path}, {"--log", *log_path}}, {});
    if (!model_path->empty()) summarise_model(*model_path);
    if (!log_path->empty()) summarise_log(*log_path);
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
