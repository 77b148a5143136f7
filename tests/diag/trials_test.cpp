// How the repair's trials run (diag/trials.hpp).

#include "glassnet/diag/trials.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glassnet/core/error.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/train/prepared_data.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

RunConfig moons_config(const testing::ScratchDir& dir) {
  std::ofstream((dir.path / "moons.csv").string()) << dataset_csv(make_moons(600, 2, 0.1, 4));
  RunConfig c;
  c.data = dir.path / "moons.csv";
  c.epochs = 8;
  c.out = dir.path / "m.safetensors";
  c.log = dir.path / "run.jsonl";
  return c;
}

// Two trials side by side give what they give one after the other; a kept one is paused
// with its log beside the configured one, and is not trained past the trial length.
TEST(Trials, SideBySideTheyGiveWhatTheyGiveOneAfterTheOther) {
  testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table data = read_data(c.data);
  RunConfig other = c;
  other.seed = 2;
  std::vector<std::vector<TrialOutcome>> both;
  for (bool together : {false, true}) {
    TrialRunner runner(data, {.epochs = 3, .carry_on = true, .one_thread = true, .together = together, .log = c.log});
    both.push_back(runner.run({runner.trial(c, true), runner.trial(other, false)}));
  }
  for (const std::vector<TrialOutcome>& outcomes : both) {
    ASSERT_EQ(outcomes.size(), 2u);
    ASSERT_NE(outcomes[0].run, nullptr) << "may be kept: paused";
    EXPECT_EQ(outcomes[0].run->epoch(), 3);
    ASSERT_TRUE(outcomes[0].log.has_value());
    EXPECT_TRUE(std::filesystem::exists(*outcomes[0].log));
    EXPECT_EQ(outcomes[1].run, nullptr) << "a next seed is not kept";
  }
  ASSERT_TRUE(both[0][0].judged.count("accuracy") && both[0][0].judged.count("balanced_accuracy"));
  EXPECT_EQ(both[0][0].judged, both[1][0].judged);
  EXPECT_EQ(both[0][1].judged, both[1][1].judged);
  EXPECT_EQ(both[0][0].series.loss, both[1][0].series.loss);
}

// A trial that cannot start (bad input) throws as run_training does, and the trial that
// ran beside it leaves nothing behind.
TEST(Trials, ATrialThatThrowsLeavesNoOtherTrialsLogBehind) {
  testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table data = read_data(c.data);
  RunConfig broken = c;
  broken.target = "no such column";
  for (bool together : {false, true}) {
    TrialRunner runner(data, {.epochs = 3, .carry_on = true, .one_thread = true, .together = together, .log = c.log});
    EXPECT_THROW(runner.run({runner.trial(c, true), runner.trial(broken, true)}), Error);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
      EXPECT_EQ(entry.path().string().find(".trial"), std::string::npos) << entry.path();
    }
  }
}

// Trials of one seed train on one PreparedData, prepared once — also when two ask for it
// side by side, and when the configured run prepared it already; another seed's split is
// prepared apart.
TEST(Trials, TrialsOfOneSeedShareTheirData) {
  testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table data = read_data(c.data);
  RunConfig fix = c;
  fix.layers = {8, 8};
  RunConfig other_seed = c;
  other_seed.seed = 2;
  for (bool together : {false, true}) {
    TrialRunner runner(data, {.epochs = 2, .carry_on = true, .one_thread = true, .together = together});
    const auto o = runner.run({runner.trial(c, true), runner.trial(fix, true), runner.trial(other_seed, true),
                               runner.trial(other_seed, true)});
    ASSERT_EQ(o.size(), 4u);
    for (const TrialOutcome& t : o) ASSERT_NE(t.run, nullptr);
    EXPECT_EQ(o[0].run->data(), o[1].run->data()) << "together: " << together;
    EXPECT_EQ(o[2].run->data(), o[3].run->data()) << "together: " << together;
    EXPECT_NE(o[0].run->data(), o[2].run->data());
    const Matrix one = o[0].run->data()->x_train.matrix(), other = o[2].run->data()->x_train.matrix();
    ASSERT_EQ(one.rows(), other.rows()) << "the same fractions";
    EXPECT_NE(one, other) << "another seed, another split";
  }
  TrialRunner runner(data, {.epochs = 2, .carry_on = true});
  const auto configured = prepare_data(c, data);
  runner.share(configured);
  EXPECT_EQ(runner.run({runner.trial(fix, true)})[0].run->data(), configured);
}

// The runner keeps one preparation per seed: a seed's later one (a change of
// standardisation, or of task) takes the place of the earlier, which goes once no run
// holds it.
TEST(Trials, ARunnerKeepsOnePreparationPerSeed) {
  testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table data = read_data(c.data);
  TrialRunner runner(data, {.epochs = 2, .carry_on = true});
  std::weak_ptr<const PreparedData> first;
  first = runner.run({runner.trial(c, true)})[0].run->data();  // the trial and its run are gone
  EXPECT_FALSE(first.expired()) << "kept for the seed's next trials";
  EXPECT_EQ(runner.run({runner.trial(c, true)})[0].run->data(), first.lock());
  RunConfig unscaled = c;
  unscaled.standardize = false;
  const auto later = runner.run({runner.trial(unscaled, true)});
  EXPECT_TRUE(first.expired()) << "the seed's earlier preparation is let go";
  EXPECT_EQ(runner.run({runner.trial(unscaled, true)})[0].run->data(), later[0].run->data());
}

// A preparation that fails (bad input) fails every trial that waits for it, side by
// side or not, and none hangs.
TEST(Trials, APreparationThatFailsFailsEveryTrialWaitingForIt) {
  testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table data = read_data(c.data);
  RunConfig broken = c;
  broken.target = "no such column";
  RunConfig broken_fix = broken;
  broken_fix.layers = {8};
  for (bool together : {false, true}) {
    TrialRunner runner(data, {.epochs = 2, .carry_on = true, .one_thread = true, .together = together});
    EXPECT_THROW(runner.run({runner.trial(broken, true), runner.trial(broken_fix, true)}), Error);
    EXPECT_THROW(runner.run({runner.trial(broken, true)}), Error) << "and later ones";
  }
}

}  // namespace
}  // namespace glassnet
