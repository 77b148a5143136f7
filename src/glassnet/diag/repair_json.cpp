#include "glassnet/diag/repair_json.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "glassnet/core/error.hpp"
#include "glassnet/io/json_fields.hpp"
#include "glassnet/train/config_toml.hpp"

namespace glassnet {
namespace {

using Json = nlohmann::json;

constexpr std::pair<Trial::Kind, const char*> kKindNames[] = {
    {Trial::Kind::baseline, "baseline"}, {Trial::Kind::fix, "fix"}, {Trial::Kind::spread, "spread"}};

// A metric, null for a run that diverged.
Json metric_json(double metric) { return metric <= kDivergedMetric ? Json() : Json(metric); }

// A metric; null, for a run that diverged, reads as kDivergedMetric.
double metric(const JsonFields& fields, const char* name) { return fields.nullable(name).value_or(kDivergedMetric); }

Trial trial_from_json(const Json& json) {
  if (!json.is_object()) throw Error("repair: \"trials\" holds a value that is not an object");
  const JsonFields fields(json, "repair trial");
  Trial t;
  const std::string kind = fields.text("kind");
  const auto* named =
      std::find_if(std::begin(kKindNames), std::end(kKindNames), [&](const auto& k) { return kind == k.second; });
  if (named == std::end(kKindNames)) {
    throw fields.error(fmt::format("kind \"{}\" is not baseline, fix or spread", kind));
  }
  t.kind = named->first;
  t.change = fields.text("change");
  const std::string task = fields.text("task");
  const std::optional<Task> parsed = parse_task(task);
  if (!parsed) throw fields.error(fmt::format("task \"{}\" is not binary, multiclass or regression", task));
  t.task = *parsed;
  // (Logs written before trials named their metric: the task's.)
  t.metric = fields.has("metric") ? fields.text("metric") : t.task == Task::regression ? "r2" : "accuracy";
  t.epochs = fields.integer("epochs");
  t.findings_left = fields.strings("findings_left");
  t.val_metric = metric(fields, "val_metric");
  t.effect = fields.number("effect");
  t.kept = fields.boolean("kept");
  t.seconds = fields.number("seconds");
  return t;
}

}  // namespace

const char* trial_kind_name(Trial::Kind kind) {
  return std::find_if(std::begin(kKindNames), std::end(kKindNames), [&](const auto& k) { return kind == k.first; })
      ->second;
}

Json repair_json(const RepairReport& report) {
  Json trials = Json::array();
  for (const Trial& t : report.trials) {
    trials.push_back({{"kind", trial_kind_name(t.kind)},
                      {"change", t.change},
                      {"task", task_name(t.task)},
                      {"metric", t.metric},
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
  const JsonFields fields(json, "rollback");
  return {.step = fields.integer("step"),
          .epoch = fields.integer("epoch"),
          .problem = fields.text("problem"),
          .detail = fields.text("detail"),
          .action = fields.text("action")};
}

RepairRecord repair_from_json(const Json& json) {
  const JsonFields fields(json, "repair");
  RepairRecord r;
  r.metric = fields.text("metric");
  r.spread = fields.number("spread");
  for (const Json& t : fields.array("trials")) r.trials.push_back(trial_from_json(t));
  const JsonFields best(fields.object("best"), "repair best");
  r.best_config = best.object("config");
  r.best_metric = metric(best, "val_metric");
  if (fields.has("rollbacks")) {
    for (const Json& e : fields.array("rollbacks")) r.replaced_rollbacks.push_back(rollback_from_json(e));
  }
  return r;
}

}  // namespace glassnet
