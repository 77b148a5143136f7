// glassnet summary: a Keras-style table of a saved model's layers.

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/nn/residual.hpp"

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

}  // namespace

void add_summary_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("summary", "Print a saved model's layers, output shapes and parameter counts");
  auto model_path = std::make_shared<std::string>();
  cmd->add_option("--model", *model_path, "Model file")->required();
  cmd->callback([model_path, &exit_code] {
    const Model model = load_model(*model_path);
    const Sequential& layers = model.network->layers();
    const ParamStore& params = model.network->params();
    fmt::print("{:<22} {:<16} {:>12}\n", "layer", "output shape", "parameters");
    fmt::print("{}\n", std::string(52, '-'));
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
      fmt::print("{:<22} {:<16} {:>12}\n", fmt::format("{} {}", i, kind),
                 fmt::format("[B, {}]", layers.out_features(i)), count_params(params, fmt::format("layers.{}.", i)));
    }
    fmt::print("{}\n", std::string(52, '-'));
    fmt::print("trainable parameters {:>31}\n", params.trainable_size());
    fmt::print("buffers (BatchNorm statistics) {:>21}\n", params.size() - params.trainable_size());
    fmt::print("task {}, target '{}', {} input features from {} columns\n", task_name(model.labels.task), model.target,
               model.features.width(), model.features.columns.size());
    exit_code = 0;
  });
}

}  // namespace glassnet::cli
