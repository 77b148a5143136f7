#include "glassnet/report/run_log.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "glassnet/core/error.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/nn/activations.hpp"

namespace glassnet {
namespace {

using Json = nlohmann::json;
constexpr double kNullNumber = std::numeric_limits<double>::quiet_NaN();

// A schema violation on the current line; read_run_log adds the file and line.
struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Json& member(const Json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) throw Bad(fmt::format("\"{}\" is missing", name));
  return *it;
}

// A number; null (a value that was not finite) reads as NaN.
double number(const Json& value, const char* name) {
  if (value.is_null()) return kNullNumber;
  if (!value.is_number()) throw Bad(fmt::format("\"{}\" is not a number", name));
  return value.get<double>();
}

Index integer(const Json& object, const char* name) {
  const Json& value = member(object, name);
  if (!value.is_number_integer()) throw Bad(fmt::format("\"{}\" is not an integer", name));
  return value.get<Index>();
}

std::string text(const Json& object, const char* name) {
  const Json& value = member(object, name);
  if (!value.is_string()) throw Bad(fmt::format("\"{}\" is not a string", name));
  return value.get<std::string>();
}

// Appends an array of `count` numbers.
template <typename T>
void numbers(const Json& object, const char* name, std::size_t count, std::vector<T>& out) {
  const Json& array = member(object, name);
  if (!array.is_array() || array.size() != count) {
    throw Bad(fmt::format("\"{}\" is not an array of {} numbers (one per monitored parameter)", name, count));
  }
  for (const Json& v : array) out.push_back(static_cast<T>(number(v, name)));
}

std::optional<double> optional_number(const Json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return number(*it, name);
}

void read_layout(const Json& line, RunLog& log) {
  MonitorSeries& s = log.series;
  const Json& params = member(line, "params");
  if (!params.is_array()) throw Bad("\"params\" is not an array");
  for (const Json& p : params) {
    if (!p.is_string()) throw Bad("\"params\" holds a value that is not a name");
    s.params.push_back(p.get<std::string>());
  }
  const auto roles = line.find("roles");
  for (std::size_t k = 0; k < s.params.size(); ++k) {
    if (roles != line.end()) {
      if (!roles->is_array() || roles->size() != s.params.size() || !(*roles)[k].is_string())
        throw Bad("\"roles\" is not one role name per parameter");
      const auto role = parse_param_role((*roles)[k].get<std::string>());
      if (!role) throw Bad(fmt::format("\"roles\": unknown role \"{}\"", (*roles)[k].get<std::string>()));
      s.roles.push_back(*role);
    } else {  // logs written before roles were recorded: the name says it
      const std::string& name = s.params[k];
      s.roles.push_back(name.ends_with(".bias") ? ParamRole::bias : ParamRole::weight);
    }
  }
  const Json& activations = member(line, "activations");
  if (!activations.is_array()) throw Bad("\"activations\" is not an array");
  for (const Json& a : activations) {
    if (!a.is_object()) throw Bad("\"activations\" holds a value that is not an object");
    const auto activation = parse_activation(text(a, "activation"));
    if (!activation) throw Bad(fmt::format("unknown activation \"{}\"", text(a, "activation")));
    s.probed.push_back({.name = text(a, "layer"), .activation = *activation, .width = integer(a, "units")});
  }
  const std::string level = text(line, "monitor");
  if (level != "light" && level != "full") throw Bad(fmt::format("monitor \"{}\" is not light or full", level));
  log.monitor_level = level;
}

void read_step(const Json& line, RunLog& log) {
  MonitorSeries& s = log.series;
  const std::size_t n = s.params.size();
  s.steps.push_back(integer(line, "step"));
  s.epochs.push_back(integer(line, "epoch"));
  s.loss.push_back(number(member(line, "loss"), "loss"));
  s.learning_rate.push_back(number(member(line, "lr"), "lr"));
  s.grad_norm.push_back(number(member(line, "grad_norm"), "grad_norm"));
  numbers(line, "param_grad_norm", n, s.param_grad_norm);
  numbers(line, "param_weight_norm", n, s.param_weight_norm);
  numbers(line, "update_ratio", n, s.param_update_ratio);
}

void read_probe(const Json& line, RunLog& log) {
  MonitorSeries& s = log.series;
  const Json& layers = member(line, "layers");
  if (!layers.is_array() || layers.size() != s.probed.size()) {
    throw Bad(fmt::format("\"layers\" is not an array of {} objects (one per activation layer)", s.probed.size()));
  }
  s.probe_steps.push_back(integer(line, "step"));
  for (const Json& l : layers) {
    if (!l.is_object()) throw Bad("\"layers\" holds a value that is not an object");
    s.activation.push_back({.pre_mean = number(member(l, "pre_mean"), "pre_mean"),
                            .pre_std = number(member(l, "pre_std"), "pre_std"),
                            .saturated = number(member(l, "saturated"), "saturated"),
                            .dead = number(member(l, "dead"), "dead"),
                            .post_std = number(member(l, "post_std"), "post_std")});
  }
}

void read_epoch(const Json& line, RunLog& log) {
  EpochLogs e;
  e.epoch = integer(line, "epoch");
  e.train_loss = number(member(line, "train_loss"), "train_loss");
  e.val_loss = optional_number(line, "val_loss");
  e.train_accuracy = optional_number(line, "train_accuracy");
  e.val_accuracy = optional_number(line, "val_accuracy");
  e.learning_rate = number(member(line, "lr"), "lr");
  e.seconds = number(member(line, "seconds"), "seconds");
  if (std::isfinite(e.seconds)) log.seconds += e.seconds;
  log.series.epoch_logs.push_back(e);
}

void read_end(const Json& line, RunLog& log) {
  log.ended = true;
  if (const auto it = line.find("metrics"); it != line.end()) {
    if (!it->is_object()) throw Bad("\"metrics\" is not an object");
    log.metrics = *it;
  }
  if (const auto it = line.find("files"); it != line.end()) log.files = *it;
  if (const auto it = line.find("error"); it != line.end() && it->is_string()) log.error = it->get<std::string>();
  if (const auto it = line.find("findings"); it != line.end()) log.findings = findings_from_json(*it);
  if (const auto it = line.find("first_non_finite"); it != line.end() && it->is_object()) {
    log.series.first_non_finite = NonFinite{integer(*it, "step"), text(*it, "tensor"), text(*it, "what")};
  }
}

void read_line(const Json& line, RunLog& log, bool first) {
  if (!line.is_object()) throw Bad("a line is not a JSON object");
  const std::string type = text(line, "type");
  if (first != (type == "run")) {
    throw Bad(first ? "the first line is not the \"run\" line of a glassnet metrics log"
                    : "a second \"run\" line");
  }
  if (type == "run") {
    if (text(line, "schema") != kMetricsLogSchema) throw Bad("not a glassnet-metrics log");
    if (integer(line, "version") != kMetricsLogVersion) {
      throw Bad(fmt::format("version {} of the log; this build reads version {}", integer(line, "version"),
                            kMetricsLogVersion));
    }
    log.config = member(line, "config");
    log.data = member(line, "data");
    if (!log.config.is_object() || !log.data.is_object()) throw Bad("\"config\" and \"data\" are not objects");
    log.threads = static_cast<int>(integer(line, "threads"));
    if (line.contains("parameters")) log.parameters = integer(line, "parameters");
  } else if (type == "layout") {
    if (!log.monitor_level.empty()) throw Bad("a second \"layout\" line");
    read_layout(line, log);
  } else if (type == "step" || type == "probe") {
    if (log.monitor_level.empty()) throw Bad(fmt::format("a \"{}\" line before the \"layout\" line", type));
    if (type == "step") {
      read_step(line, log);
    } else {
      read_probe(line, log);
    }
  } else if (type == "epoch") {
    read_epoch(line, log);
  } else if (type == "finding") {
    log.announced.emplace_back(finding_from_json(member(line, "finding")), integer(line, "epoch"));
  } else if (type == "rollback") {
    log.rollbacks.push_back(rollback_from_json(line));
  } else if (type == "end") {
    read_end(line, log);
  } else if (type == "repair") {
    if (log.repair) throw Bad("a second \"repair\" line");
    log.repair = repair_from_json(line);
  }  // other types: added within the version, ignored by this reader
}

}  // namespace

RunLog read_run_log(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the file", path.string()));
  return read_run_log(in, path);
}

RunLog read_run_log(std::istream& in, const std::filesystem::path& path) {
  RunLog log;
  log.path = path;
  std::string text;
  Index number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.empty()) continue;
    Json line;
    try {
      line = Json::parse(text);
    } catch (const Json::parse_error& e) {
      // The last line, with no line break after it, of a run killed while writing it:
      // the log reads as far as the lines before it.
      if (in.eof() && number > 1) break;
      // e.what(): "[json.exception.parse_error.101] parse error at line 1, column 7: <detail>"
      const std::string what = e.what();
      const std::size_t detail = what.find(": ", what.find("column"));
      throw Error(fmt::format("{}:{}:{}: not JSON: {}", path.string(), number, e.byte,
                              detail == std::string::npos ? what : what.substr(detail + 2)));
    } catch (const Json::exception& e) {  // a number out of range
      throw Error(fmt::format("{}:{}: not JSON: {}", path.string(), number, e.what()));
    }
    try {
      read_line(line, log, number == 1);
    } catch (const Bad& e) {
      throw Error(fmt::format("{}:{}: {}", path.string(), number, e.what()));
    } catch (const Error& e) {  // a finding, rollback or repair that does not read
      throw Error(fmt::format("{}:{}: {}", path.string(), number, e.what()));
    } catch (const Json::exception& e) {  // a value of another type where the schema says
      throw Error(fmt::format("{}:{}: {}", path.string(), number, e.what()));
    }
  }
  if (number == 0) throw Error(fmt::format("{}: empty: not a glassnet metrics log", path.string()));
  return log;
}

}  // namespace glassnet
