// EarlyStopping's patience: the full one for a loss that stalls, the shorter one for a
// run that memorises (its validation loss stalled while its training loss fell to at
// most memorising_ratio × the best epoch's), and its state in a checkpoint.

#include "glassnet/train/early_stopping.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "glassnet/loss/mse.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

// A trainer for EarlyStopping to stop; no training runs: the epochs are fed by hand.
struct StopRig {
  Rng rng{1};
  std::unique_ptr<Network> network = make_network({.in_features = 2, .hidden = {3}, .out_features = 1}, rng);
  MeanSquaredError loss;
  Sgd sgd{0.1};
  Trainer trainer{*network, loss, sgd};
};

EpochLogs epoch(Index e, double train_loss, double val_loss) {
  return {.epoch = e, .train_loss = train_loss, .val_loss = val_loss};
}

// Feeds epoch 1 (the best: validation 1.0, training `best_train`), then epochs whose
// validation loss is 1.05 and training loss `train`, until early stopping stops;
// returns the epoch it stopped after (0: not within 100).
Index stop_after(EarlyStopping& early, double best_train, double train) {
  StopRig rig;
  early.on_train_begin(rig.trainer);
  early.on_epoch_end(rig.trainer, epoch(1, best_train, 1.0));
  for (Index e = 2; e <= 100 && early.stopped_epoch() == 0; ++e) early.on_epoch_end(rig.trainer, epoch(e, train, 1.05));
  return early.stopped_epoch();
}

constexpr EarlyStoppingOptions kOptions{.patience = 20, .restore_best = false, .memorising_patience = 5};

TEST(EarlyStopping, ARunThatMemorisesStopsAfterTheShorterPatience) {
  EarlyStopping early(kOptions);
  EXPECT_EQ(stop_after(early, 1.0, 0.5), 1 + 5);
  EarlyStopping at_the_ratio(kOptions);
  EXPECT_EQ(stop_after(at_the_ratio, 1.0, 0.8), 1 + 5) << "a training loss at 0.8 × the best epoch's";
}

TEST(EarlyStopping, ALossStalledOnBothSidesKeepsTheFullPatience) {
  EarlyStopping stalled(kOptions);
  EXPECT_EQ(stop_after(stalled, 1.0, 0.9), 1 + 20) << "a training loss a tenth lower: still learning, maybe";
  EarlyStopping off({.patience = 20, .restore_best = false});
  EXPECT_EQ(stop_after(off, 1.0, 0.5), 1 + 20) << "memorising_patience 0: the rule is off";
}

TEST(EarlyStopping, ItsStateCarriesTheBestEpochsTrainingLoss) {
  StopRig rig;
  EarlyStopping early(kOptions);
  early.on_epoch_end(rig.trainer, epoch(1, 0.7, 1.0));
  early.on_epoch_end(rig.trainer, epoch(2, 0.6, 1.1));
  const CallbackState state = early.state();
  ASSERT_EQ(state.numbers.size(), 5u);
  EXPECT_EQ(state.numbers[3], 0.7);
  early.check_state(state, 2);
  // Loaded into a fresh one, the rule goes on as it would have: 3 more epochs at 0.5.
  EarlyStopping resumed(kOptions);
  resumed.load_state(state);
  for (Index e = 3; e <= 5; ++e) resumed.on_epoch_end(rig.trainer, epoch(e, 0.5, 1.1));
  EXPECT_EQ(resumed.stopped_epoch(), 0);
  resumed.on_epoch_end(rig.trainer, epoch(6, 0.5, 1.1));
  EXPECT_EQ(resumed.stopped_epoch(), 6);
}

TEST(EarlyStopping, ARunItStoppedForMemorisingHasStoppedWhenLoaded) {
  // A checkpoint written as it stopped: a resume trains nothing.
  EarlyStopping early(kOptions);
  ASSERT_EQ(stop_after(early, 1.0, 0.5), 6);
  EXPECT_TRUE(early.has_stopped());
  EXPECT_TRUE(early.stopped_memorising());
  EXPECT_EQ(early.epochs_waited(), 5);
  EarlyStopping loaded(kOptions);
  loaded.check_state(early.state(), 6);
  loaded.load_state(early.state());
  EXPECT_TRUE(loaded.has_stopped());
  EXPECT_TRUE(loaded.stopped_memorising());
  // Stopped by the full patience, it is no memorising stop.
  EarlyStopping stalled(kOptions);
  ASSERT_EQ(stop_after(stalled, 1.0, 0.9), 21);
  EXPECT_TRUE(stalled.has_stopped());
  EXPECT_FALSE(stalled.stopped_memorising());
  CallbackState state = early.state();
  state.numbers[4] = 0.5;
  EXPECT_THROW(loaded.check_state(state, 6), Error);
}

TEST(EarlyStopping, AStateOfThreeNumbersLoadsAndWaitsForTheNextBestEpoch) {
  // A checkpoint written before the best epoch's training loss was kept.
  StopRig rig;
  const CallbackState old{{1.0, 1.0, 0.0}, {}};
  EarlyStopping early(kOptions);
  early.check_state(old, 1);
  early.load_state(old);
  for (Index e = 2; e <= 10; ++e) early.on_epoch_end(rig.trainer, epoch(e, 0.1, 1.05));
  EXPECT_EQ(early.stopped_epoch(), 0) << "the best epoch's training loss is unknown";
  early.on_epoch_end(rig.trainer, epoch(11, 0.5, 0.9));  // a new best
  for (Index e = 12; e <= 16; ++e) early.on_epoch_end(rig.trainer, epoch(e, 0.3, 1.0));
  EXPECT_EQ(early.stopped_epoch(), 16);
  EXPECT_THROW(early.check_state({{1.0, 1.0, 0.0, 0.5}, {}}, 1), Error);
}

TEST(EarlyStopping, RefusesARatioOutsideZeroToOne) {
  for (double ratio : {0.0, 1.0, -0.5, std::nan("")}) {
    EXPECT_THROW(EarlyStopping({.memorising_patience = 5, .memorising_ratio = ratio}), Error) << ratio;
  }
  EXPECT_THROW(EarlyStopping({.memorising_patience = -1}), Error);
}

}  // namespace
}  // namespace glassnet
