#include "glassnet/diag/repair_json.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "glassnet/core/error.hpp"
#include "glassnet/train/config_toml.hpp"

namespace glassnet {
namespace {

using Json = nlohmann::json;

constexpr std::pair<Trial::Kind, const char*> kKindNames[] = {
    {Trial::Kind::baseline, "baseline"}, {Trial::Kind::fix, "fix"}, {Trial::Kind::spread, "spread"}};

// A metric, null for a run that diverged.
Json metric_json(double metric) { return metric <= kDivergedMetric ? Json() : Json(metric); }

const Json& member(const Json& object, const char* context, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) throw Error(fmt::format("{}: \"{}\" is missing", context, name));
  return *it;
}

double number(const Json& object, const char* context, const char* name) {
  const Json& value = member(object, context, name);
  if (!value.is_number()) throw Error(fmt::format("{}: \"{}\" is not a number", context, name));
  return value.get<double>();
}

double metric(const Json& object, const char* context, const char* name) {
  return member(object, context, name).is_null() ? kDivergedMetric : number(object, context, name);
}

std::string text(const Json& object, const char* context, const char* name) {
  const Json& value = member(object, context, name);
  if (!value.is_string()) throw Error(fmt::format("{}: \"{}\" is not a string", context, name));
  return value.get<std::string>();
}

const Json& array(const Json& object, const char* context, const char* name) {
  const Json& value = member(object, context, name);
  if (!value.is_array()) throw Error(fmt::format("{}: \"{}\" is not an array", context, name));
  return value;
}

Trial trial_from_json(const Json& json) {
  constexpr const char* kContext = "repair trial";
  if (!json.is_object()) throw Error("repair: \"trials\" holds a value that is not an object");
  Trial t;
  const std::string kind = text(json, kContext, "kind");
  const auto* named =
      std::find_if(std::begin(kKindNames), std::end(kKindNames), [&](const auto& k) { return kind == k.second; });
  if (named == std::end(kKindNames)) {
    throw Error(fmt::format("{}: kind \"{}\" is not baseline, fix or spread", kContext, kind));
  }
  t.kind = named->first;
  t.change = text(json, kContext, "change");
  const std::string task = text(json, kContext, "task");
  const std::optional<Task> parsed = parse_task(task);
  if (!parsed) throw Error(fmt::format("{}: task \"{}\" is not binary, multiclass or regression", kContext, task));
  t.task = *parsed;
  const Json& epochs = member(json, kContext, "epochs");
  if (!epochs.is_number_integer()) throw Error(fmt::format("{}: \"epochs\" is not an integer", kContext));
  t.epochs = epochs.get<Index>();
  for (const Json& s : array(json, kContext, "findings_left")) {
    if (!s.is_string()) throw Error(fmt::format("{}: \"findings_left\" holds a value that is not a name", kContext));
    t.findings_left.push_back(s.get<std::string>());
  }
  t.val_metric = metric(json, kContext, "val_metric");
  t.effect = number(json, kContext, "effect");
  const Json& kept = member(json, kContext, "kept");
  if (!kept.is_boolean()) throw Error(fmt::format("{}: \"kept\" is not true or false", kContext));
  t.kept = kept.get<bool>();
  t.seconds = number(json, kContext, "seconds");
  return t;
}

}  // namespace

Json repair_json(const RepairReport& report) {
  Json trials = Json::array();
  for (const Trial& t : report.trials) {
    const auto* kind =
        std::find_if(std::begin(kKindNames), std::end(kKindNames), [&](const auto& k) { return t.kind == k.first; });
    trials.push_back({{"kind", kind->second},
                      {"change", t.change},
                      {"task", task_name(t.task)},
                      {"epochs", t.epochs},
                      {"findings_left", t.findings_left},
                      {"val_metric", metric_json(t.val_metric)},
                      {"effect", t.effect},
                      {"kept", t.kept},
                      {"seconds", t.seconds}});
  }
  return {{"metric", report.metric},
          {"spread", report.spread},
          {"trials", trials},
          {"best", {{"config", config_options_json(report.best)}, {"val_metric", metric_json(report.best_metric)}}}};
}

Json rollback_json(const RollbackEvent& e) {
  return {{"step", e.step}, {"epoch", e.epoch}, {"problem", e.problem}, {"detail", e.detail}, {"action", e.action}};
}

RollbackEvent rollback_from_json(const Json& json) {
  constexpr const char* kContext = "rollback";
  if (!json.is_object()) throw Error("rollback: not an object");
  const auto integer = [&](const char* name) {
    const Json& value = member(json, kContext, name);
    if (!value.is_number_integer()) throw Error(fmt::format("{}: \"{}\" is not an integer", kContext, name));
    return value.get<Index>();
  };
  return {.step = integer("step"),
          .epoch = integer("epoch"),
          .problem = text(json, kContext, "problem"),
          .detail = text(json, kContext, "detail"),
          .action = text(json, kContext, "action")};
}

RepairRecord repair_from_json(const Json& json) {
  constexpr const char* kContext = "repair";
  if (!json.is_object()) throw Error("repair: not an object");
  RepairRecord r;
  r.metric = text(json, kContext, "metric");
  r.spread = number(json, kContext, "spread");
  for (const Json& t : array(json, kContext, "trials")) r.trials.push_back(trial_from_json(t));
  const Json& best = member(json, kContext, "best");
  if (!best.is_object()) throw Error("repair: \"best\" is not an object");
  r.best_config = member(best, "repair best", "config");
  if (!r.best_config.is_object()) throw Error("repair best: \"config\" is not an object");
  r.best_metric = metric(best, "repair best", "val_metric");
  if (json.contains("rollbacks")) {
    for (const Json& e : array(json, kContext, "rollbacks")) r.replaced_rollbacks.push_back(rollback_from_json(e));
  }
  return r;
}

}  // namespace glassnet
