#include "glassnet/report/run_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "glassnet/core/error.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/io/json_fields.hpp"
#include "glassnet/nn/activations.hpp"

namespace glassnet {
namespace {

using Json = nlohmann::json;
constexpr double kNullNumber = std::numeric_limits<double>::quiet_NaN();

// A number of a monitored series; null (a value that was not finite) reads as NaN.
double series_number(const JsonFields& fields, const char* name) { return fields.nullable(name).value_or(kNullNumber); }

// Appends an array of `count` numbers, null reading as NaN.
template <typename T>
void numbers(const JsonFields& fields, const char* name, std::size_t count, std::vector<T>& out) {
  const Json& array = fields.member(name);
  const auto is_number = [](const Json& v) { return v.is_null() || v.is_number(); };
  if (!array.is_array() || array.size() != count || !std::all_of(array.begin(), array.end(), is_number)) {
    throw fields.error(fmt::format("\"{}\" is not an array of {} numbers (one per monitored parameter)", name, count));
  }
  for (const Json& v : array) out.push_back(static_cast<T>(v.is_null() ? kNullNumber : v.get<double>()));
}

void read_layout(const JsonFields& line, RunLog& log) {
  MonitorSeries& s = log.series;
  s.params = line.strings("params");
  const auto roles = line.has("roles") ? std::optional(line.strings("roles")) : std::nullopt;
  if (roles && roles->size() != s.params.size()) throw line.error("\"roles\" is not one role name per parameter");
  for (std::size_t k = 0; k < s.params.size(); ++k) {
    if (roles) {
      const auto role = parse_param_role((*roles)[k]);
      if (!role) throw line.error(fmt::format("\"roles\": unknown role \"{}\"", (*roles)[k]));
      s.roles.push_back(*role);
    } else {  // logs written before roles were recorded: the name says it
      const std::string& name = s.params[k];
      s.roles.push_back(name.ends_with(".bias") ? ParamRole::bias : ParamRole::weight);
    }
  }
  for (const Json& a : line.array("activations")) {
    const JsonFields layer(a, "\"activations\"");
    const std::string name = layer.text("activation");
    const auto activation = parse_activation(name);
    if (!activation) throw line.error(fmt::format("unknown activation \"{}\"", name));
    s.probed.push_back({.name = layer.text("layer"), .activation = *activation, .width = layer.integer("units")});
  }
  const std::string level = line.text("monitor");
  if (level != "light" && level != "full") throw line.error(fmt::format("monitor \"{}\" is not light or full", level));
  log.monitor_level = level;
}

void read_step(const JsonFields& line, RunLog& log) {
  MonitorSeries& s = log.series;
  const std::size_t n = s.params.size();
  // A run's steps count up from 1, in epochs that never go back.
  const Index step = line.integer("step"), epoch = line.integer("epoch");
  if (step < 1 || (!s.steps.empty() && step <= s.steps.back())) {
    throw line.error(s.steps.empty() ? fmt::format("step {}; steps count from 1", step)
                                     : fmt::format("step {} after step {}", step, s.steps.back()));
  }
  if (epoch < 1 || (!s.epochs.empty() && epoch < s.epochs.back())) {
    throw line.error(s.epochs.empty()
                         ? fmt::format("epoch {}; epochs count from 1", epoch)
                         : fmt::format("step {} in epoch {}, after a step of epoch {}", step, epoch, s.epochs.back()));
  }
  s.steps.push_back(step);
  s.epochs.push_back(epoch);
  s.loss.push_back(series_number(line, "loss"));
  s.learning_rate.push_back(series_number(line, "lr"));
  s.grad_norm.push_back(series_number(line, "grad_norm"));
  numbers(line, "param_grad_norm", n, s.param_grad_norm);
  numbers(line, "param_weight_norm", n, s.param_weight_norm);
  numbers(line, "update_ratio", n, s.param_update_ratio);
}

void read_probe(const JsonFields& line, RunLog& log) {
  MonitorSeries& s = log.series;
  const Json& layers = line.array("layers");
  if (layers.size() != s.probed.size()) {
    throw line.error(
        fmt::format("\"layers\" is not an array of {} objects (one per activation layer)", s.probed.size()));
  }
  // A probe reads the layers at a step already logged, after the probe before it.
  const Index step = line.integer("step");
  if (s.steps.empty() || step > s.steps.back() || (!s.probe_steps.empty() && step <= s.probe_steps.back())) {
    throw line.error(fmt::format("a probe at step {} {}", step,
                                 !s.probe_steps.empty() && step <= s.probe_steps.back()
                                     ? fmt::format("after the probe at step {}", s.probe_steps.back())
                                     : fmt::format("before that step's line")));
  }
  s.probe_steps.push_back(step);
  for (const Json& l : layers) {
    const JsonFields layer(l, "\"layers\"");
    s.activation.push_back({.pre_mean = series_number(layer, "pre_mean"),
                            .pre_std = series_number(layer, "pre_std"),
                            .saturated = series_number(layer, "saturated"),
                            .dead = series_number(layer, "dead"),
                            .post_std = series_number(layer, "post_std")});
  }
}

void read_epoch(const JsonFields& line, RunLog& log) {
  EpochLogs e;
  e.epoch = line.integer("epoch");
  const auto& before = log.series.epoch_logs;
  if (e.epoch < 1 || (!before.empty() && e.epoch <= before.back().epoch)) {
    throw line.error(before.empty() ? fmt::format("epoch {}; epochs count from 1", e.epoch)
                                    : fmt::format("epoch {} after epoch {}", e.epoch, before.back().epoch));
  }
  e.train_loss = series_number(line, "train_loss");
  e.val_loss = line.optional_number("val_loss");
  e.train_accuracy = line.optional_number("train_accuracy");
  e.val_accuracy = line.optional_number("val_accuracy");
  e.learning_rate = series_number(line, "lr");
  e.seconds = series_number(line, "seconds");
  if (std::isfinite(e.seconds)) log.seconds += e.seconds;
  log.series.epoch_logs.push_back(e);
}

void read_end(const JsonFields& line, RunLog& log) {
  log.ended = true;
  if (line.has("metrics")) log.metrics = line.object("metrics");
  if (line.has("files")) log.files = line.member("files");
  if (line.has("threads")) log.threads = static_cast<int>(line.integer("threads"));  // the count it ended on
  if (line.has("error") && line.member("error").is_string()) log.error = line.text("error");
  if (line.has("findings")) log.findings = findings_from_json(line.member("findings"));
  if (line.has("first_non_finite") && line.member("first_non_finite").is_object()) {
    const JsonFields at(line.member("first_non_finite"), "\"first_non_finite\"");
    log.series.first_non_finite = NonFinite{at.integer("step"), at.text("tensor"), at.text("what")};
  }
}

void read_line(const Json& json, RunLog& log, bool first) {
  if (!json.is_object()) throw Error("a line is not a JSON object");
  const JsonFields line(json, "");
  const std::string type = line.text("type");
  if (first != (type == "run")) {
    throw Error(first ? "the first line is not the \"run\" line of a glassnet metrics log" : "a second \"run\" line");
  }
  if (type == "run") {
    if (line.text("schema") != kMetricsLogSchema) throw Error("not a glassnet-metrics log");
    if (const Index version = line.integer("version"); version != kMetricsLogVersion) {
      throw Error(fmt::format("version {} of the log; this build reads version {}", version, kMetricsLogVersion));
    }
    log.config = line.object("config");
    log.data = line.object("data");
    log.threads = static_cast<int>(line.integer("threads"));
    if (line.has("parameters")) log.parameters = line.integer("parameters");
  } else if (type == "layout") {
    if (!log.monitor_level.empty()) throw Error("a second \"layout\" line");
    read_layout(line, log);
  } else if (type == "step" || type == "probe") {
    if (log.monitor_level.empty()) throw Error(fmt::format("a \"{}\" line before the \"layout\" line", type));
    if (type == "step") {
      read_step(line, log);
    } else {
      read_probe(line, log);
    }
  } else if (type == "epoch") {
    read_epoch(line, log);
  } else if (type == "finding") {
    log.announced.emplace_back(finding_from_json(line.member("finding")), line.integer("epoch"));
  } else if (type == "rollback") {
    log.rollbacks.push_back(rollback_from_json(json));
  } else if (type == "repair") {
    if (log.repair) throw Error("a second \"repair\" line");
    log.repair = repair_from_json(json);
  } else if (type == "end") {
    read_end(line, log);
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
      throw Error(fmt::format("{}:{}: not JSON: {}", path.string(), number, json_error_text(e)));
    }
    try {
      read_line(line, log, number == 1);
    } catch (const Error& e) {
      throw Error(fmt::format("{}:{}: {}", path.string(), number, e.what()));
    } catch (const Json::exception& e) {  // a value of another type where the schema says
      throw Error(fmt::format("{}:{}: {}", path.string(), number, json_error_text(e)));
    }
  }
  if (number == 0) throw Error(fmt::format("{}: empty: not a glassnet metrics log", path.string()));
  return log;
}

}  // namespace glassnet
