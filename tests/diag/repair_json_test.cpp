// A repair as JSON: what doctor --json prints and the metrics log's "repair" line holds
// reads back as it was written, and a record that does not fit names its member.

#include "glassnet/diag/repair_json.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

RepairReport two_fixes() {
  RepairReport r;
  r.metric = "balanced_accuracy";
  r.spread = 0.0125;
  r.trials.push_back({.kind = Trial::Kind::baseline,
                      .change = "baseline",
                      .task = Task::binary,
                      .metric = "balanced_accuracy",
                      .epochs = 3,
                      .findings_left = {"vanishing_gradients", "chance_level"},
                      .val_metric = 0.5,
                      .seconds = 0.25});
  r.trials.push_back({.kind = Trial::Kind::fix,
                      .change = "--lr 10",
                      .task = Task::binary,
                      .metric = "balanced_accuracy",
                      .epochs = 2,
                      .val_metric = kDivergedMetric,
                      .seconds = 0.125,
                      .effect = -4e10});
  r.trials.push_back({.kind = Trial::Kind::fix,
                      .change = "--activation relu --init he",
                      .task = Task::binary,
                      .metric = "balanced_accuracy",
                      .epochs = 3,
                      .val_metric = 0.9375,
                      .seconds = 0.5,
                      .effect = 35.0,
                      .kept = true});
  r.trials.push_back({.kind = Trial::Kind::spread,
                      .change = "spread of the best, seed 2",
                      .task = Task::regression,
                      .metric = "r2",
                      .epochs = 3,
                      .val_metric = 0.75,
                      .seconds = 0.5});
  r.best.activation = Activation::relu;
  r.best_metric = 0.9375;
  return r;
}

TEST(RepairJson, ReadsBackWhatItWrote) {
  const RepairReport written = two_fixes();
  nlohmann::json json = repair_json(written);
  EXPECT_TRUE(json["trials"][1]["val_metric"].is_null()) << "a trial that diverged has no metric";
  EXPECT_EQ(json["best"]["config"]["activation"], "relu");
  const RollbackEvent rollback{
      .step = 12, .epoch = 2, .problem = "non_finite", .detail = "loss nan", .action = "left out the batch"};
  json["rollbacks"] = nlohmann::json::array({rollback_json(rollback)});
  // Through text, as the log holds it.
  const RepairRecord read = repair_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(read.metric, "balanced_accuracy");
  EXPECT_EQ(read.spread, 0.0125);
  EXPECT_EQ(read.best_metric, 0.9375);
  EXPECT_EQ(read.best_config["init"], json["best"]["config"]["init"]);
  ASSERT_EQ(read.trials.size(), written.trials.size());
  for (std::size_t i = 0; i < read.trials.size(); ++i) {
    const Trial &a = written.trials[i], &b = read.trials[i];
    EXPECT_EQ(b.kind, a.kind) << i;
    EXPECT_EQ(b.change, a.change) << i;
    EXPECT_EQ(b.task, a.task) << i;
    EXPECT_EQ(b.metric, a.metric) << i;
    EXPECT_EQ(b.epochs, a.epochs) << i;
    EXPECT_EQ(b.findings_left, a.findings_left) << i;
    EXPECT_EQ(b.val_metric, a.val_metric) << i;
    EXPECT_EQ(b.diverged(), a.diverged()) << i;
    EXPECT_EQ(b.effect, a.effect) << i;
    EXPECT_EQ(b.kept, a.kept) << i;
    EXPECT_EQ(b.seconds, a.seconds) << i;
  }
  ASSERT_EQ(read.replaced_rollbacks.size(), 1u);
  EXPECT_EQ(read.replaced_rollbacks[0].step, 12);
  EXPECT_EQ(read.replaced_rollbacks[0].epoch, 2);
  EXPECT_EQ(read.replaced_rollbacks[0].problem, "non_finite");
  EXPECT_EQ(read.replaced_rollbacks[0].detail, "loss nan");
  EXPECT_EQ(read.replaced_rollbacks[0].action, "left out the batch");
  EXPECT_TRUE(repair_from_json(repair_json(written)).replaced_rollbacks.empty()) << "doctor's record has none";
  // A log from before trials named their metric: the task's.
  nlohmann::json older = repair_json(written);
  for (nlohmann::json& t : older["trials"]) t.erase("metric");
  const RepairRecord old_read = repair_from_json(older);
  EXPECT_EQ(old_read.trials[0].metric, "accuracy");
  EXPECT_EQ(old_read.trials[3].metric, "r2");
}

std::string repair_error(const nlohmann::json& json) {
  try {
    repair_from_json(json);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RepairJson, ARecordThatDoesNotFitNamesItsMember) {
  const nlohmann::json good = repair_json(two_fixes());
  EXPECT_EQ(repair_error(good), "(no error)");
  nlohmann::json bad = good;
  bad.erase("metric");
  EXPECT_EQ(repair_error(bad), "repair: \"metric\" is missing");
  bad = good;
  bad["trials"] = "none";
  EXPECT_EQ(repair_error(bad), "repair: \"trials\" is not an array");
  bad = good;
  bad["trials"][2]["kind"] = "guess";
  EXPECT_EQ(repair_error(bad), "repair trial: kind \"guess\" is not baseline, fix or spread");
  bad = good;
  bad["trials"][0]["task"] = "ranking";
  EXPECT_EQ(repair_error(bad), "repair trial: task \"ranking\" is not binary, multiclass or regression");
  bad = good;
  bad["trials"][0]["kept"] = 1;
  EXPECT_EQ(repair_error(bad), "repair trial: \"kept\" is not true or false");
  bad = good;
  bad["trials"][0]["findings_left"] = {1};
  EXPECT_EQ(repair_error(bad), "repair trial: \"findings_left\" holds a value that is not a string");
  bad = good;
  bad["best"]["val_metric"] = "high";
  EXPECT_EQ(repair_error(bad), "repair best: \"val_metric\" is not a number");
  bad = good;
  bad["rollbacks"] = nlohmann::json::array({{{"step", 1}, {"epoch", 1}, {"problem", "loss_spike"}, {"detail", "x"}}});
  EXPECT_EQ(repair_error(bad), "rollback: \"action\" is missing");
  EXPECT_EQ(repair_error(nlohmann::json::array()), "repair: not an object");
}

}  // namespace
}  // namespace glassnet
