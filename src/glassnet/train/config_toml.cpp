#include "glassnet/train/config_toml.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "glassnet/io/toml.hpp"

namespace glassnet {

namespace {

toml::table config_table(const RunConfig& c) {
  toml::table t;
  const auto path = [&](const char* key, const std::optional<std::filesystem::path>& p) {
    if (p) t.insert(key, p->string());
  };
  t.insert("data", c.data.string());
  path("labels", c.labels);
  if (!c.target.empty()) t.insert("target", c.target);
  if (!c.ignore.empty()) {
    toml::array ignore;
    for (const std::string& name : c.ignore) ignore.push_back(name);
    t.insert("ignore", ignore);
  }
  t.insert("max-categories", static_cast<std::int64_t>(c.max_categories));
  if (c.task) t.insert("task", std::string(task_name(*c.task)));
  if (c.delimiter != 0) t.insert("delimiter", c.delimiter == '\t' ? std::string("tab") : std::string(1, c.delimiter));
  toml::array layers;
  for (Index width : c.layers) layers.push_back(static_cast<std::int64_t>(width));
  t.insert("layers", layers);
  t.insert("activation", std::string(activation_name(c.activation)));
  t.insert("norm", std::string(normalization_name(c.norm)));
  t.insert("dropout", c.dropout);
  t.insert("residual", c.residual);
  t.insert("init", std::string(init_name(c.init)));
  t.insert("optimizer", c.optimizer);
  t.insert("lr", c.learning_rate);
  t.insert("weight-decay", c.weight_decay);
  t.insert("schedule", c.schedule);
  t.insert("clip-norm", c.clip_norm);
  t.insert("epochs", static_cast<std::int64_t>(c.epochs));
  t.insert("batch-size", static_cast<std::int64_t>(c.batch_size));
  t.insert("early-stopping", static_cast<std::int64_t>(c.early_stopping));
  t.insert("class-weight", std::string(c.balanced_class_weights ? "balanced" : "none"));
  if (!c.val_data) t.insert("val-split", c.val_split);  // (the options exclude each other)
  if (!c.test_data) t.insert("test-split", c.test_split);
  path("val-data", c.val_data);
  path("val-labels", c.val_labels);
  path("test-data", c.test_data);
  path("test-labels", c.test_labels);
  if (c.impute) {
    t.insert("impute", std::string(imputation_name(*c.impute)));
  }
  t.insert("no-standardize", !c.standardize);
  t.insert("seed", static_cast<std::int64_t>(c.seed));
  t.insert("out", c.out.string());
  t.insert("monitor", std::string(monitor_level_name(c.monitor)));
  return t;
}

}  // namespace

std::string config_toml(const RunConfig& c) {
  // One `key = value` line per option. toml++ writes the keys, strings, booleans and
  // arrays; floats are written as the shortest text that reads back as the same number
  // (fmt), so that `lr = 0.05` stays 0.05 and not 0.050000000000000003.
  std::ostringstream out;
  for (const auto& [key, node] : config_table(c)) {
    out << key << " = ";
    if (const auto* f = node.as_floating_point()) {
      std::string text = fmt::format("{}", f->get());
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // a float, not an integer
      out << text;
    } else {
      node.visit([&](const auto& value) { out << value; });
    }
    out << "\n";
  }
  return out.str();
}

nlohmann::ordered_json config_options_json(const RunConfig& c) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, node] : config_table(c)) {
    const std::string name(key.str());
    if (const auto* a = node.as_array()) {
      nlohmann::ordered_json values = nlohmann::ordered_json::array();
      for (const auto& v : *a) values.push_back(v.value_or<std::int64_t>(0));
      out[name] = values;
    } else if (node.is_string()) {
      out[name] = node.value_or(std::string());
    } else if (node.is_integer()) {
      out[name] = node.value_or<std::int64_t>(0);
    } else if (node.is_floating_point()) {
      out[name] = node.value_or(0.0);
    } else if (node.is_boolean()) {
      out[name] = node.value_or(false);
    }
  }
  return out;
}

}  // namespace glassnet
