#include "glassnet/io/model_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <type_traits>

#include "glassnet/core/error.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/io/json_fields.hpp"
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

// j[key] as a T; an Error naming the key when it is missing or of another type. A count
// (Index, or a list of them) must be a whole number: nlohmann would cut 64.5 to 64.
template <typename T>
T field(const json& j, const char* key) {
  if (!j.is_object()) throw Error(fmt::format("expected an object holding '{}', found {}", key, j.type_name()));
  const auto found = j.find(key);
  if (found == j.end()) throw Error(fmt::format("no '{}'", key));
  const auto whole = [&](const json& value) {
    if (value.is_number() && !value.is_number_integer()) {
      throw Error(
          fmt::format("'{}': expected whole numbers written without a decimal point, found {}", key, value.dump()));
    }
  };
  if constexpr (std::is_same_v<T, Index>) whole(*found);
  if constexpr (std::is_same_v<T, std::vector<Index>>) {
    if (found->is_array()) {
      for (const json& item : *found) whole(item);
    }
  }
  try {
    return found->get<T>();
  } catch (const json::exception& e) {
    throw Error(fmt::format("'{}': {}", key, json_error_text(e)));
  }
}

template <typename T, typename Parse>
T parsed(const json& j, const char* key, Parse parse, const char* what) {
  const auto text = field<std::string>(j, key);
  const auto value = parse(text);
  if (!value) throw Error(fmt::format("unknown {} '{}'", what, text));
  return *value;
}

NetworkSpec architecture_from(const json& j) {
  NetworkSpec spec;
  spec.in_features = field<Index>(j, "in_features");
  spec.hidden = field<std::vector<Index>>(j, "hidden");
  spec.activation = parsed<Activation>(j, "activation", parse_activation, "activation");
  spec.leaky_slope = field<double>(j, "leaky_slope");
  spec.out_features = field<Index>(j, "out_features");
  spec.output = parsed<OutputTransform>(j, "output", parse_output_transform, "output transform");
  spec.norm = parsed<Normalization>(j, "norm", parse_normalization, "normalisation");
  spec.dropout = field<double>(j, "dropout");
  spec.residual = field<bool>(j, "residual");
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
    json column = {{"name", c.name},
                   {"kind", c.kind == ColumnKind::numeric ? "numeric" : "categorical"},
                   {"mean", c.mean},
                   {"std", c.stddev},
                   {"categories", c.categories}};
    if (c.other) column["other"] = true;
    if (c.fill) column["fill"] = *c.fill;
    columns.push_back(std::move(column));
  }
  return {{"standardize", features.standardize}, {"columns", columns}};
}

FeatureTransform preprocessing_from(const json& j) {
  FeatureTransform features;
  features.standardize = field<bool>(j, "standardize");
  const json& columns = j.at("columns");
  if (!columns.is_array()) throw Error(fmt::format("'columns': expected an array, found {}", columns.type_name()));
  std::set<std::string> names;
  for (const auto& c : columns) {
    FeatureColumn column;
    column.name = field<std::string>(c, "name");
    const auto kind = field<std::string>(c, "kind");
    if (kind != "numeric" && kind != "categorical") throw Error(fmt::format("unknown column kind '{}'", kind));
    column.kind = kind == "numeric" ? ColumnKind::numeric : ColumnKind::categorical;
    column.mean = field<double>(c, "mean");
    column.stddev = field<double>(c, "std");
    if (!std::isfinite(column.mean) || !(column.stddev > 0) || !std::isfinite(column.stddev)) {
      throw Error(fmt::format("column '{}' has a mean of {} and a std of {}; expected finite values, std > 0",
                              column.name, column.mean, column.stddev));
    }
    column.categories = field<std::vector<std::string>>(c, "categories");
    if (!names.insert(column.name).second) throw Error(fmt::format("column '{}' appears twice", column.name));
    std::set<std::string> categories;
    for (const std::string& category : column.categories) {
      if (!categories.insert(category).second) {
        throw Error(fmt::format("column '{}' lists the category '{}' twice", column.name, category));
      }
    }
    if (c.contains("other")) {
      column.other = field<bool>(c, "other");
      if (column.other && column.kind != ColumnKind::categorical) {
        throw Error(fmt::format("column '{}' is numeric and has an '(other)' input", column.name));
      }
    }
    if (c.contains("fill")) {
      column.fill = field<std::string>(c, "fill");
      if (column.kind == ColumnKind::numeric && !parse_number(*column.fill)) {
        throw Error(
            fmt::format("column '{}' is filled with '{}'; expected a finite number", column.name, *column.fill));
      }
    }
    features.columns.push_back(std::move(column));
  }
  return features;
}

}  // namespace

OutputTransform output_for(Task task) {
  switch (task) {
    case Task::binary: return OutputTransform::sigmoid;
    case Task::multiclass: return OutputTransform::softmax;
    case Task::regression: return OutputTransform::identity;
  }
  return OutputTransform::identity;
}

void save_model(const std::filesystem::path& path, const Model& model) {
  if (!model.network) throw Error(fmt::format("not saved: {}: the model has no network", path.string()));
  SafetensorsFile file;
  append_param_tensors(model.network->params(), "", file);
  const json labels = {{"task", task_name(model.labels.task)},
                       {"target", model.target},
                       {"classes", model.labels.classes},
                       {"numbers", model.labels.numbers}};
  file.metadata = {{"format", kFormat},
                   {"version", kVersion},
                   {"architecture", architecture_json(model.network->spec()).dump()},
                   {"preprocessing", preprocessing_json(model.features).dump()},
                   {"labels", labels.dump()},
                   {"training", model.training.empty() ? "{}" : model.training}};
  // What load_model would refuse (preprocessing, labels or output that do not fit the
  // network) is refused here, before anything is written.
  const std::vector<std::byte> bytes = encode_safetensors(file);
  try {
    decode_model(bytes, path.string());
  } catch (const Error& e) {
    throw Error(fmt::format("not saved: {}", e.what()));
  }
  write_file_atomically(path, bytes);
}

Model load_model(const std::filesystem::path& path) {
  return decode_model(read_safetensors_bytes(path), path.string());
}

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
  // (Missing metadata is named before the try below, which prefixes what it holds.)
  const std::string &architecture = meta("architecture"), &preprocessing = meta("preprocessing"),
                    &label_map = meta("labels"), &training = meta("training");
  try {
    spec = architecture_from(json::parse(architecture));
    model.features = preprocessing_from(json::parse(preprocessing));
    const json labels = json::parse(label_map);
    model.labels.task = parsed<Task>(labels, "task", parse_task, "task");
    model.labels.classes = field<std::vector<std::string>>(labels, "classes");
    // A numeric target's classes all read as numbers; in files written before "numbers"
    // was recorded, whether they do is the answer.
    const auto text = std::find_if(model.labels.classes.begin(), model.labels.classes.end(),
                                   [](const std::string& c) { return !parse_number(c); });
    model.labels.numbers =
        labels.contains("numbers") ? field<bool>(labels, "numbers") : text == model.labels.classes.end();
    if (model.labels.numbers && text != model.labels.classes.end()) {
      throw Error(fmt::format("the class '{}' of a numeric target is not a number", *text));
    }
    model.target = field<std::string>(labels, "target");
    for (const FeatureColumn& c : model.features.columns) {
      if (c.name == model.target) throw Error(fmt::format("the target '{}' is also an input column", c.name));
    }
    model.training = training;
  } catch (const Error& e) {
    throw Error(fmt::format("{}: invalid model metadata: {}", source, e.what()));
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: invalid model metadata ({})", source, json_error_text(e)));
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: invalid model metadata ({})", source, e.what()));
  }
  if (spec.output != output_for(model.labels.task)) {
    throw Error(fmt::format("{}: a {} model's output is {}, not {}", source, task_name(model.labels.task),
                            output_transform_name(output_for(model.labels.task)), output_transform_name(spec.output)));
  }
  if (model.features.width() != spec.in_features) {
    throw Error(fmt::format("{}: the preprocessing produces {} inputs but the network takes {}", source,
                            model.features.width(), spec.in_features));
  }
  // Binary: one output, two classes; multiclass: an output per class, at least two;
  // regression: no classes.
  const std::vector<std::string>& classes = model.labels.classes;
  const bool fits = model.labels.task == Task::binary ? spec.out_features == 1 && classes.size() == 2
                    : model.labels.task == Task::multiclass
                        ? spec.out_features >= 2 && classes.size() == static_cast<std::size_t>(spec.out_features)
                        : classes.empty();
  if (!fits) {
    throw Error(
        fmt::format("{}: the network has {} outputs and the label map {} classes, which does not fit a {} task "
                    "(binary: 1 output, 2 classes; multiclass: an output per class; regression: no classes)",
                    source, spec.out_features, classes.size(), task_name(model.labels.task)));
  }
  if (std::set<std::string>(classes.begin(), classes.end()).size() != classes.size()) {
    throw Error(fmt::format("{}: the classes [{}] are not distinct", source, fmt::join(classes, ", ")));
  }
  // An architecture larger than the file's values is refused unbuilt (a header can ask
  // for any size) unless it is within a million values of them: then it is built, so
  // that the missing or misshapen tensor is named (a file can make a network at most that
  // much larger than itself: 8 MiB of floats, values and gradients).
  std::size_t values_in_file = 0;
  for (const auto& t : file.tensors) values_in_file += t.values.size();
  constexpr std::size_t kBuildableBeyondFile = std::size_t{1} << 20;  // values
  const auto needed = static_cast<std::size_t>(parameter_count(spec));
  if (needed > values_in_file + kBuildableBeyondFile) {
    throw Error(fmt::format("{}: the architecture holds {} values but the file's tensors hold {}", source, needed,
                            values_in_file));
  }
  Rng rng(0);
  try {
    model.network = make_network(spec, rng);
  } catch (const Error& e) {  // an architecture no network has (a dropout of 5)
    throw Error(fmt::format("{}: invalid architecture: {}", source, e.what()));
  }
  ParamStore& params = model.network->params();
  copy_param_tensors(params, find_param_tensors(params, file, "", source));
  if (file.tensors.size() != params.params().size()) {  // every parameter found: one tensor is not one
    std::set<std::string> names;
    for (const auto& p : params.params()) names.insert(p.name);
    const auto extra = std::find_if(file.tensors.begin(), file.tensors.end(),
                                    [&](const SafetensorsTensor& t) { return names.count(t.name) == 0; });
    throw Error(fmt::format("{}: the file holds {} tensors; the architecture has {}{}", source, file.tensors.size(),
                            params.params().size(),
                            extra == file.tensors.end() ? "" : fmt::format(", and no '{}'", extra->name)));
  }
  return model;
}

}  // namespace glassnet
