#include "glassnet/io/model_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "glassnet/core/error.hpp"
#include "glassnet/io/param_tensors.hpp"
#include "glassnet/io/safetensors.hpp"

namespace glassnet {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "glassnet-model";
constexpr const char* kVersion = "1";

json architecture_json(const NetworkSpec& spec) {
  return {{"in_features", spec.in_features},
          {"hidden", spec.hidden},
          {"activation", activation_name(spec.activation)},
          {"leaky_slope", spec.leaky_slope},
          {"out_features", spec.out_features},
          {"output", output_transform_name(spec.output)},
          {"norm", normalization_name(spec.norm)},
          {"dropout", spec.dropout},
          {"residual", spec.residual},
          {"init", init_name(spec.init)}};
}

template <typename T, typename Parse>
T parsed(const json& j, const char* key, Parse parse, const char* what) {
  const auto text = j.at(key).get<std::string>();
  const auto value = parse(text);
  if (!value) throw Error(fmt::format("unknown {} '{}'", what, text));
  return *value;
}

NetworkSpec architecture_from(const json& j) {
  NetworkSpec spec;
  spec.in_features = j.at("in_features").get<Index>();
  spec.hidden = j.at("hidden").get<std::vector<Index>>();
  spec.activation = parsed<Activation>(j, "activation", parse_activation, "activation");
  spec.leaky_slope = j.at("leaky_slope").get<double>();
  spec.out_features = j.at("out_features").get<Index>();
  spec.output = parsed<OutputTransform>(j, "output", parse_output_transform, "output transform");
  spec.norm = parsed<Normalization>(j, "norm", parse_normalization, "normalisation");
  spec.dropout = j.at("dropout").get<double>();
  spec.residual = j.at("residual").get<bool>();
  spec.init = parsed<InitScheme>(j, "init", parse_init, "initialiser");
  if (spec.in_features <= 0 || spec.in_features > 1'000'000 || spec.out_features <= 0 ||
      spec.out_features > 1'000'000 || spec.hidden.size() > 1000) {
    throw Error("layer sizes out of range");
  }
  for (Index w : spec.hidden) {
    if (w <= 0 || w > 1'000'000) throw Error(fmt::format("hidden width {} out of range", w));
  }
  return spec;
}

json preprocessing_json(const FeatureTransform& features) {
  json columns = json::array();
  for (const auto& c : features.columns) {
    columns.push_back({{"name", c.name},
                       {"kind", c.kind == ColumnKind::numeric ? "numeric" : "categorical"},
                       {"mean", c.mean},
                       {"std", c.stddev},
                       {"categories", c.categories}});
  }
  return {{"standardize", features.standardize}, {"columns", columns}};
}

FeatureTransform preprocessing_from(const json& j) {
  FeatureTransform features;
  features.standardize = j.at("standardize").get<bool>();
  for (const auto& c : j.at("columns")) {
    FeatureColumn column;
    column.name = c.at("name").get<std::string>();
    const auto kind = c.at("kind").get<std::string>();
    if (kind != "numeric" && kind != "categorical") throw Error(fmt::format("unknown column kind '{}'", kind));
    column.kind = kind == "numeric" ? ColumnKind::numeric : ColumnKind::categorical;
    column.mean = c.at("mean").get<double>();
    column.stddev = c.at("std").get<double>();
    if (!std::isfinite(column.mean) || !(column.stddev > 0) || !std::isfinite(column.stddev)) {
      throw Error(fmt::format("column '{}' has a mean of {} and a std of {}; expected finite values, std > 0",
                              column.name, column.mean, column.stddev));
    }
    column.categories = c.at("categories").get<std::vector<std::string>>();
    features.columns.push_back(std::move(column));
  }
  return features;
}

}  // namespace

void save_model(const std::filesystem::path& path, const Model& model) {
  SafetensorsFile file;
  append_param_tensors(model.network->params(), "", file);
  const json labels = {
      {"task", task_name(model.labels.task)}, {"target", model.target}, {"classes", model.labels.classes}};
  file.metadata = {{"format", kFormat},
                   {"version", kVersion},
                   {"architecture", architecture_json(model.network->spec()).dump()},
                   {"preprocessing", preprocessing_json(model.features).dump()},
                   {"labels", labels.dump()},
                   {"training", model.training.empty() ? "{}" : model.training}};
  write_safetensors(path, file);
}

Model load_model(const std::filesystem::path& path) { return decode_model(read_file(path), path.string()); }

Model decode_model(const std::vector<std::byte>& bytes, const std::string& source) {
  const SafetensorsFile file = decode_safetensors(bytes, source);
  const auto meta = [&](const char* key) -> const std::string& {
    const auto found = file.metadata.find(key);
    if (found == file.metadata.end())
      throw Error(fmt::format("{}: not a glassnet model: no '{}' metadata", source, key));
    return found->second;
  };
  if (meta("format") != kFormat)
    throw Error(fmt::format("{}: not a glassnet model (format '{}')", source, meta("format")));
  if (meta("version") != kVersion) {
    throw Error(
        fmt::format("{}: model format version '{}' is not supported; expected {}", source, meta("version"), kVersion));
  }
  Model model;
  NetworkSpec spec;
  try {
    spec = architecture_from(json::parse(meta("architecture")));
    model.features = preprocessing_from(json::parse(meta("preprocessing")));
    const json labels = json::parse(meta("labels"));
    model.labels.task = parsed<Task>(labels, "task", parse_task, "task");
    model.labels.classes = labels.at("classes").get<std::vector<std::string>>();
    model.target = labels.at("target").get<std::string>();
    model.training = meta("training");
  } catch (const Error& e) {
    throw Error(fmt::format("{}: invalid model metadata: {}", source, e.what()));
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: invalid model metadata ({})", source, e.what()));
  }
  if (model.features.width() != spec.in_features) {
    throw Error(fmt::format("{}: the preprocessing produces {} inputs but the network takes {}", source,
                            model.features.width(), spec.in_features));
  }
  const Index expected_outputs =
      model.labels.task == Task::multiclass ? static_cast<Index>(model.labels.classes.size()) : spec.out_features;
  if (spec.out_features != expected_outputs || (model.labels.task == Task::binary && spec.out_features != 1)) {
    throw Error(fmt::format("{}: the network has {} outputs, which does not fit a {} task with {} classes", source,
                            spec.out_features, task_name(model.labels.task), model.labels.classes.size()));
  }
  // The file must hold every value the architecture needs before anything is built.
  std::size_t values_in_file = 0;
  for (const auto& t : file.tensors) values_in_file += t.values.size();
  if (static_cast<std::size_t>(parameter_count(spec)) != values_in_file) {
    throw Error(fmt::format("{}: the architecture holds {} values but the file's tensors hold {}", source,
                            parameter_count(spec), values_in_file));
  }
  Rng rng(0);
  model.network = make_network(spec, rng);
  ParamStore& params = model.network->params();
  const auto tensors = find_param_tensors(params, file, "", source);
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    for (std::size_t k = 0; k < tensors[i]->values.size(); ++k) {
      if (!std::isfinite(tensors[i]->values[k])) {
        throw Error(fmt::format("{}: tensor '{}' holds a non-finite value at offset {}", source, tensors[i]->name, k));
      }
    }
  }
  copy_param_tensors(params, tensors);
  if (file.tensors.size() != params.params().size()) {
    throw Error(fmt::format("{}: the file holds {} tensors; the architecture has {}", source, file.tensors.size(),
                            params.params().size()));
  }
  return model;
}

}  // namespace glassnet
