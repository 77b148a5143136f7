// Checkpoints: resuming gives bit-identical weights to an uninterrupted run with the
// same seed, with every piece of state in play (Adam moments, a cosine schedule with
// warm-up, a plateau schedule, dropout's generator, batch-norm running statistics,
// early stopping's history); and a checkpoint that does not fit is refused untouched.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "glassnet/core/error.hpp"
#include "glassnet/io/safetensors.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/checkpointing.hpp"
#include "glassnet/train/early_stopping.hpp"
#include "glassnet/train/trainer.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

struct Data {
  Matrix x, y, vx, vy;
  Data() {
    Rng rng(21);
    x = testing::random_matrix(120, 4, rng);
    vx = testing::random_matrix(40, 4, rng);
    y.resize(120, 1);
    vy.resize(40, 1);
    for (Index i = 0; i < 120; ++i) y(i, 0) = static_cast<Scalar>((x(i, 0) * x(i, 1) > 0) + (x(i, 2) > 1));
    for (Index i = 0; i < 40; ++i) vy(i, 0) = static_cast<Scalar>((vx(i, 0) * vx(i, 1) > 0) + (vx(i, 2) > 1));
  }
};

const NetworkSpec kSpec{.in_features = 4,
                        .hidden = {16, 16},
                        .activation = Activation::relu,
                        .out_features = 3,
                        .output = OutputTransform::softmax,
                        .norm = Normalization::batch,
                        .dropout = 0.2,
                        .residual = true};

// A trainer of kSpec with Adam at lr 0.01, its network drawn from `seed`.
struct Rig {
  explicit Rig(std::uint64_t seed) : rng(seed) {}
  Rng rng;
  std::unique_ptr<Network> network = make_network(kSpec, rng);
  SoftmaxCrossEntropy loss;
  Adam adam{0.01};
  Trainer trainer{*network, loss, adam};
};

// Trains to `epochs` from `seed`; checkpoints every 2 epochs into `directory`; if
// `resume_from` is given, loads it first (into a network drawn from another seed).
std::vector<Scalar> run(const Data& data, Index epochs, const fs::path& directory, std::uint64_t network_seed,
                        const fs::path* resume_from, std::unique_ptr<Schedule> schedule) {
  Rng rng(network_seed);
  auto network = make_network(kSpec, rng);
  const SoftmaxCrossEntropy loss;
  Adam adam(0.01, {.weight_decay = {.rate = 1e-3}});
  Trainer trainer(*network, loss, adam);
  trainer.set_schedule(std::move(schedule));
  EarlyStopping early({.patience = 100});
  Checkpointing checkpoints(directory, 2);
  trainer.add_callback(early);
  trainer.add_callback(checkpoints);
  if (resume_from != nullptr) trainer.load_checkpoint(*resume_from);
  const DataView validation{data.vx, data.vy};
  trainer.fit({data.x, data.y}, {.epochs = epochs, .batch_size = 16, .seed = 5, .clip_norm = 5.0}, &validation);
  return {network->params().values().begin(), network->params().values().end()};
}

TEST(Checkpoint, ResumingIsBitIdenticalToAnUninterruptedRun) {
  const Data data;
  for (int schedule_kind = 0; schedule_kind < 2; ++schedule_kind) {
    SCOPED_TRACE(schedule_kind == 0 ? "cosine" : "plateau");
    const auto schedule = [&]() -> std::unique_ptr<Schedule> {
      if (schedule_kind == 0) return std::make_unique<CosineSchedule>(7, 2, 1e-4);
      return std::make_unique<PlateauSchedule>(PlateauOptions{.factor = 0.5, .patience = 1});
    };
    testing::ScratchDir uninterrupted, interrupted;
    const std::vector<Scalar> full = run(data, 7, uninterrupted.path, 1, nullptr, schedule());
    run(data, 4, interrupted.path, 1, nullptr, schedule());  // stops after epoch 4
    const auto latest = latest_checkpoint(interrupted.path);
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->filename(), "checkpoint-epoch-000004.safetensors");
    const std::vector<Scalar> resumed = run(data, 7, interrupted.path, 99, &*latest, schedule());
    EXPECT_EQ(resumed, full) << "weights after resuming from epoch 4 must be bit-identical";
    // And the checkpoints the two runs wrote for epoch 6 are identical files.
    std::ifstream a(Checkpointing::path_for(uninterrupted.path, 6), std::ios::binary);
    std::ifstream b(Checkpointing::path_for(interrupted.path, 6), std::ios::binary);
    const std::string bytes_a((std::istreambuf_iterator<char>(a)), {}),
        bytes_b((std::istreambuf_iterator<char>(b)), {});
    EXPECT_FALSE(bytes_a.empty());
    EXPECT_EQ(bytes_a, bytes_b);
  }
}

TEST(Checkpoint, ACheckpointThatDoesNotFitIsRefusedAndChangesNothing) {
  const Data data;
  testing::ScratchDir dir;
  run(data, 2, dir.path, 1, nullptr, std::make_unique<ConstantSchedule>());
  const fs::path checkpoint = Checkpointing::path_for(dir.path, 2);

  const SoftmaxCrossEntropy loss;
  {  // another architecture
    Rng rng(1);
    NetworkSpec other = kSpec;
    other.hidden = {16, 8};
    auto network = make_network(other, rng);
    Adam adam(0.01);
    Trainer trainer(*network, loss, adam);
    const std::vector<Scalar> before(network->params().values().begin(), network->params().values().end());
    EXPECT_THROW(trainer.load_checkpoint(checkpoint), Error);
    EXPECT_TRUE(std::equal(before.begin(), before.end(), network->params().values().begin()));
    EXPECT_EQ(trainer.epoch(), 0);
  }
  {  // another optimizer
    Rng rng(1);
    auto network = make_network(kSpec, rng);
    Sgd sgd(0.01);
    Trainer trainer(*network, loss, sgd);
    try {
      trainer.load_checkpoint(checkpoint);
      FAIL() << "expected an Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'adam' optimizer"), std::string::npos) << e.what();
    }
  }
  {  // not a checkpoint at all
    const fs::path garbage = dir.path / "garbage.safetensors";
    std::ofstream(garbage) << "this is not a safetensors file";
    Rng rng(1);
    auto network = make_network(kSpec, rng);
    Adam adam(0.01);
    Trainer trainer(*network, loss, adam);
    EXPECT_THROW(trainer.load_checkpoint(garbage), Error);
    EXPECT_THROW(trainer.load_checkpoint(dir.path / "missing.safetensors"), Error);
  }
}

TEST(Checkpoint, AStateNoRunCouldLeaveIsRefusedNamingTheFileAndChangesNothing) {
  const Data data;
  testing::ScratchDir dir;
  run(data, 2, dir.path, 1, nullptr, std::make_unique<ConstantSchedule>());
  const SafetensorsFile good = read_safetensors(Checkpointing::path_for(dir.path, 2));
  const fs::path tampered = dir.path / "tampered.safetensors";
  // A trainer as run() builds it, to load the checkpoint into.
  struct Loader : Rig {
    EarlyStopping early{{.patience = 100}};
    Loader() : Rig(1) { trainer.add_callback(early); }
  };
  const auto expect_refused = [&](const std::function<void(nlohmann::json&, SafetensorsFile&)>& edit,
                                  const std::string& fragment) {
    SafetensorsFile file = good;
    nlohmann::json state = nlohmann::json::parse(file.metadata.at("state"));
    edit(state, file);
    file.metadata["state"] = state.dump();
    write_safetensors(tampered, file);
    Loader loader;
    Network& network = *loader.network;
    Trainer& trainer = loader.trainer;
    const std::vector<Scalar> before(network.params().values().begin(), network.params().values().end());
    try {
      trainer.load_checkpoint(tampered);
      ADD_FAILURE() << "expected an Error about " << fragment;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(tampered.string() + ": ", 0), 0u) << message;
      EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
    EXPECT_TRUE(std::equal(before.begin(), before.end(), network.params().values().begin()));
    EXPECT_EQ(trainer.epoch(), 0);
  };
  const auto tensor = [](SafetensorsFile& file, const std::string& name) -> std::vector<double>& {
    for (auto& t : file.tensors) {
      if (t.name == name) return t.values;
    }
    throw std::runtime_error("no tensor " + name);
  };
  // A generator of all zeros draws 0 for ever: the shuffle would never end.
  expect_refused(
      [](auto& s, auto&) {
        s["trainer_rng"]["words"] = {"0", "0", "0", "0"};
      },
      "a random generator's state is all zeros");
  expect_refused([](auto& s, auto&) { s["trainer_rng"]["words"][1] = "12x"; }, "word 1 is \"12x\"");
  expect_refused([](auto& s, auto&) { s["base_learning_rate"] = -1; }, "the state's learning rate is -1");
  expect_refused([](auto& s, auto&) { s["epoch"] = -1; }, "the state's 'epoch' is -1");
  expect_refused([](auto& s, auto&) { s["epoch"] = "2"; }, "the state's 'epoch' is \"2\"");
  expect_refused([](auto& s, auto&) { s["optimizer"]["param_steps"][0] = -1; }, "the step count of parameter 0 is -1");
  expect_refused([](auto& s, auto&) { s["callbacks"]["early_stopping"][1] = 99; },
                 "early stopping state: best epoch 99, 0 epochs waited, after 2 epochs");
  expect_refused([](auto& s, auto&) { s.erase("schedule"); }, "the state has no 'schedule'");
  expect_refused([&](auto&, auto& f) { tensor(f, "model.layers.0.weight")[3] = std::nan(""); },
                 "tensor 'model.layers.0.weight' holds a non-finite value at offset 3");
  expect_refused([&](auto&, auto& f) { tensor(f, "model.layers.1.running_var")[0] = -2; },
                 "tensor 'model.layers.1.running_var' holds a negative variance (-2) at offset 0");
  expect_refused([&](auto&, auto& f) { tensor(f, "optimizer.exp_avg_sq")[5] = -1; },
                 "buffer 'exp_avg_sq' holds -1 at offset 5 (an average of squares: ≥ 0)");
  expect_refused([&](auto&, auto& f) { tensor(f, "optimizer.exp_avg")[0] = std::numeric_limits<double>::infinity(); },
                 "buffer 'exp_avg' holds inf at offset 0");
  // The untampered file loads, and so does an average of squares overflowed to +inf, as
  // a run can leave it (a gradient of 1e20, squared in float).
  SafetensorsFile overflowed = good;
  tensor(overflowed, "optimizer.exp_avg_sq")[5] = std::numeric_limits<double>::infinity();
  for (const SafetensorsFile* file : std::vector<const SafetensorsFile*>{&good, &overflowed}) {
    write_safetensors(tampered, *file);
    Loader loader;
    loader.trainer.load_checkpoint(tampered);
    EXPECT_EQ(loader.trainer.epoch(), 2);
  }
}

// A checkpoint keeps the options of its run (Trainer::set_run_options); a trainer given
// others is refused, each difference named, before anything changes. Without options on
// either side nothing is compared.
TEST(Checkpoint, ARunWithOtherOptionsIsRefusedNamingEachDifference) {
  const Data data;
  testing::ScratchDir dir;
  const std::string options = R"({"--layers": "16,16", "--lr": "0.01", "--residual": "on"})";
  const auto checkpoint_of = [&](const std::string& run_options, const std::string& name) {
    Rig writer(1);
    writer.trainer.set_run_options(run_options);
    writer.trainer.fit({data.x, data.y}, {.epochs = 1, .batch_size = 16, .seed = 5});
    writer.trainer.save_checkpoint(dir.path / name);
    return dir.path / name;
  };
  const fs::path with_options = checkpoint_of(options, "with.safetensors");
  const fs::path without_options = checkpoint_of("", "without.safetensors");
  // Loads into a fresh trainer given `run_options`; the error's text, or "" when it loads.
  const auto load = [&](const std::string& run_options, const fs::path& checkpoint) {
    Rig loader(2);
    Network& network = *loader.network;
    Trainer& trainer = loader.trainer;
    trainer.set_run_options(run_options);
    const std::vector<Scalar> before(network.params().values().begin(), network.params().values().end());
    try {
      trainer.load_checkpoint(checkpoint);
      EXPECT_EQ(trainer.epoch(), 1);
      return std::string();
    } catch (const Error& e) {
      EXPECT_TRUE(std::equal(before.begin(), before.end(), network.params().values().begin()));
      EXPECT_EQ(trainer.epoch(), 0);
      return std::string(e.what());
    }
  };
  EXPECT_EQ(load(options, with_options), "");
  EXPECT_EQ(load(R"({"--lr": "0.01", "--residual": "on", "--layers": "16,16"})", with_options), "")
      << "the order of the options does not matter";
  const std::string refused =
      load(R"({"--layers": "16,16", "--lr": "0.1", "--residual": "off", "--seed": "3"})", with_options);
  EXPECT_NE(refused.find(with_options.string() +
                         ": the run it continues had --lr 0.01 (not 0.1), --residual on (not off), no --seed (not 3); "
                         "a resumed run takes that run's options"),
            std::string::npos)
      << refused;
  EXPECT_EQ(load("", with_options), "");
  EXPECT_EQ(load(options, without_options), "");
}

TEST(Checkpoint, LatestCheckpointPicksTheHighestEpoch) {
  testing::ScratchDir dir;
  for (Index e : {2, 10, 4}) std::ofstream(Checkpointing::path_for(dir.path, e)) << "x";
  std::ofstream(dir.path / "checkpoint-epoch-abc.safetensors") << "x";
  EXPECT_EQ(latest_checkpoint(dir.path)->filename(), "checkpoint-epoch-000010.safetensors");
  EXPECT_FALSE(latest_checkpoint(dir.path / "none"));
  // A run replaced from epoch 4 on (train --auto-repair) leaves no later epoch behind.
  remove_checkpoints_after(dir.path, 4);
  EXPECT_EQ(latest_checkpoint(dir.path)->filename(), "checkpoint-epoch-000004.safetensors");
  EXPECT_TRUE(fs::exists(Checkpointing::path_for(dir.path, 2)));
  EXPECT_TRUE(fs::exists(dir.path / "checkpoint-epoch-abc.safetensors")) << "not a checkpoint's name: left alone";
}

}  // namespace
}  // namespace glassnet
