// Parity with PyTorch (Debian's python3-torch), the reference glassnet's layers, losses
// and optimizers state they follow. glassnet writes each case (a model file with the
// initial weights, the batches, the loss and optimizer) to a directory;
// tests/parity/torch_reference.py builds the equivalent torch.nn module from the model
// file, runs the same steps and writes its tensors back; the two are compared here.
//
// Error measure, per tensor: max |glassnet − torch| / max |torch| (the largest difference
// relative to the tensor's scale; an element-wise ratio would be undefined where the
// reference is near 0). The bar is 1e-5 in float.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <unistd.h>

#include "glassnet/core/rng.hpp"
#include "glassnet/data/csv.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/idx.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/io/safetensors.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/rmsprop.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kBar = 1e-5;

// ---- files shared with torch_reference.py ----

SafetensorsTensor tensor(const std::string& name, ConstMatrixView m, std::vector<std::int64_t> shape = {}) {
  SafetensorsTensor t{name, "F32", shape.empty() ? std::vector<std::int64_t>{m.rows(), m.cols()} : shape, {}};
  t.values.assign(m.data(), m.data() + m.size());
  return t;
}

// A glassnet model file of `network`: numeric inputs x0.. without standardisation, so
// that the file's network sees the rows exactly as given.
void save_network(const fs::path& path, std::unique_ptr<Network> network, Task task) {
  Model model;
  for (Index i = 0; i < network->spec().in_features; ++i) {
    std::string name = "x";  // appended, not concatenated: GCC 12 misreads the latter (-Wrestrict)
    name += std::to_string(i);
    model.features.columns.push_back({.name = name});
  }
  model.features.standardize = false;
  model.labels.task = task;
  if (task != Task::regression) {
    for (Index c = 0; c < std::max<Index>(2, network->spec().out_features); ++c) model.labels.classes.push_back(std::to_string(c));
  }
  model.target = "y";
  model.training = "{}";
  model.network = std::move(network);
  save_model(path, model);
}

// Runs the reference over the case directories; true when it exits 0.
bool run_reference(const std::string& mode, const std::vector<fs::path>& directories) {
  std::string command = std::string(GLASSNET_PYTHON) + " " + GLASSNET_PARITY_DIR + "/torch_reference.py " + mode;
  for (const fs::path& d : directories) command += " '" + d.string() + "'";
  return std::system(command.c_str()) == 0;
}

// This run's scratch directory: removed at exit when every test passed, kept for a
// look otherwise.
fs::path scratch_root() {
  static const struct Root {
    fs::path path = fs::temp_directory_path() / ("glassnet-parity-" + std::to_string(::getpid()));
    ~Root() {
      if (::testing::UnitTest::GetInstance()->Passed()) {
        std::error_code ignored;
        fs::remove_all(path, ignored);
      } else {
        std::cout << "[parity] the cases are in " << path << "\n";
      }
    }
  } root;
  return root.path;
}

fs::path fresh_directory(const std::string& name) {
  const fs::path dir = scratch_root() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// max |a − b| / max |b| over a tensor.
double relative_error(const std::vector<double>& ours, const std::vector<double>& reference) {
  double difference = 0, scale = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    difference = std::max(difference, std::abs(ours[i] - reference[i]));
    scale = std::max(scale, std::abs(reference[i]));
  }
  return difference / std::max(scale, 1e-30);
}

// The worst error seen by the tests, by kind of tensor, reported at the end of the run.
struct Worst {
  std::map<std::string, std::pair<double, std::string>> by_kind;  // kind → (error, tensor)
  void see(const std::string& kind, double e, const std::string& name) {
    auto& [error, where] = by_kind[kind];
    if (e >= error) {
      error = e;
      where = name;
    }
  }
  ~Worst() {
    for (const auto& [kind, worst] : by_kind) {
      std::cout << "[parity] worst relative error, " << kind << ": " << worst.first << " (" << worst.second << ")\n";
    }
  }
};
Worst g_worst;

void expect_close(const std::string& name, const std::vector<double>& ours, const SafetensorsFile& reference,
                  const std::string& reference_name) {
  const SafetensorsTensor* t = reference.find(reference_name);
  ASSERT_NE(t, nullptr) << "PyTorch wrote no " << reference_name;
  ASSERT_EQ(t->values.size(), ours.size()) << name;
  const double e = relative_error(ours, t->values);
  g_worst.see(reference_name.substr(0, reference_name.find('.')), e, name);
  EXPECT_LE(e, kBar) << name << ": relative error " << e;
}

std::vector<double> values_of(ConstMatrixView m) { return {m.data(), m.data() + m.size()}; }

// ---- tensor by tensor: a few optimizer steps ----

struct StepCase {
  std::string name;
  NetworkSpec spec;
  LossKind loss;
  json optimizer;  // as torch_reference.py reads it
};

std::unique_ptr<Optimizer> make_optimizer(const json& o) {
  const double lr = o.at("lr");
  const WeightDecay decay{.rate = o.value("weight_decay", 0.0)};
  const std::string name = o.at("name");
  if (name == "sgd") {
    return std::make_unique<Sgd>(lr, SgdOptions{.momentum = o.value("momentum", 0.0),
                                                .dampening = o.value("dampening", 0.0),
                                                .nesterov = o.value("nesterov", false),
                                                .weight_decay = decay});
  }
  if (name == "adam") return std::make_unique<Adam>(lr, AdamOptions{.weight_decay = decay});
  if (name == "adamw") {
    return std::make_unique<AdamW>(
        lr, AdamWOptions{.weight_decay = {.rate = decay.rate, .decay_biases_and_norms = decay.decay_biases_and_norms}});
  }
  return std::make_unique<Rmsprop>(lr, RmspropOptions{.alpha = o.value("alpha", 0.99),
                                                      .momentum = o.value("momentum", 0.0),
                                                      .centered = o.value("centered", false),
                                                      .weight_decay = decay});
}

const char* loss_key(LossKind kind) {
  switch (kind) {
    case LossKind::bce_with_logits: return "bce";
    case LossKind::softmax_cross_entropy: return "cross_entropy";
    case LossKind::mse: return "mse";
  }
  return "";
}

Task task_of(LossKind kind) {
  return kind == LossKind::mse ? Task::regression
                               : (kind == LossKind::bce_with_logits ? Task::binary : Task::multiclass);
}

// Targets for `rows` rows of the loss's layout.
Matrix make_targets(LossKind kind, Index rows, Index outputs, Rng& rng) {
  Matrix y(rows, kind == LossKind::softmax_cross_entropy ? 1 : outputs);
  for (Index i = 0; i < y.size(); ++i) {
    switch (kind) {
      case LossKind::bce_with_logits: y.data()[i] = static_cast<Scalar>(rng.uniform() < 0.5 ? 0 : 1); break;
      case LossKind::softmax_cross_entropy: y.data()[i] = static_cast<Scalar>(i % outputs); break;
      case LossKind::mse: y.data()[i] = static_cast<Scalar>(rng.normal()); break;
    }
  }
  return y;
}

constexpr Index kSteps = 3;
constexpr Index kBatch = 16;

// What glassnet computed in a case: step 1's logits, loss and gradients, the state
// after kSteps steps, and evaluation-mode logits after them.
struct StepResult {
  std::vector<double> logits;
  double loss = 0;
  std::vector<std::pair<std::string, std::vector<double>>> grads, finals;
  std::vector<double> eval_logits;
};

StepResult run_case(const StepCase& c, const fs::path& dir) {
  Rng rng(17);
  auto network = make_network(c.spec, rng);
  {
    Rng copy_rng(17);
    save_network(dir / "model.safetensors", make_network(c.spec, copy_rng), task_of(c.loss));
  }
  SafetensorsFile batches;
  std::vector<Matrix> xs, ys;
  for (Index s = 0; s < kSteps; ++s) {
    Matrix x(kBatch, c.spec.in_features);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
    xs.push_back(x);
    ys.push_back(make_targets(c.loss, kBatch, c.spec.out_features, rng));
    batches.tensors.push_back(tensor("x" + std::to_string(s), xs.back()));
    batches.tensors.push_back(tensor("y" + std::to_string(s), ys.back()));
  }
  Matrix x_eval(10, c.spec.in_features);
  for (Index i = 0; i < x_eval.size(); ++i) x_eval.data()[i] = static_cast<Scalar>(rng.normal());
  batches.tensors.push_back(tensor("x_eval", x_eval));
  write_safetensors(dir / "batches.safetensors", batches);
  // A Linear layer's bias just before a batch norm has a gradient of exactly zero (the
  // norm subtracts the batch mean), so in floating point it is rounding noise, and
  // Adam or RMSprop turn noise into steps of the full learning rate: the two libraries
  // would each follow their own noise. Those biases are frozen on both sides.
  json frozen = json::array();
  for (const ParamInfo& info : network->params().params()) {
    const std::string& name = info.name;
    if (!name.ends_with(".bias")) continue;
    const std::string prefix = name.substr(0, name.size() - 5);
    const std::size_t dot = prefix.rfind('.');
    const std::string next = prefix.substr(0, dot + 1) + std::to_string(std::stol(prefix.substr(dot + 1)) + 1);
    if (network->params().find(next + ".running_mean") >= 0) {
      network->params().set_trainable(network->params().find(name), false);
      frozen.push_back(name);
    }
  }
  std::ofstream(dir / "case.json") << json{{"loss", loss_key(c.loss)}, {"optimizer", c.optimizer}, {"steps", kSteps},
                                           {"frozen", frozen}}.dump();

  const auto loss = make_loss(c.loss);
  const auto optimizer = make_optimizer(c.optimizer);
  Trainer trainer(*network, *loss, *optimizer);
  StepResult r;
  const ParamStore& params = network->params();
  for (Index s = 0; s < kSteps; ++s) {
    const double value = trainer.step(xs[static_cast<std::size_t>(s)], ys[static_cast<std::size_t>(s)]);
    if (s == 0) {
      r.loss = value;
      r.logits = values_of(network->layers().output());
      for (std::size_t p = 0; p < params.params().size(); ++p) {
        const ParamInfo& info = params.params()[p];
        if (info.trainable) r.grads.emplace_back(info.name, values_of(params.grad(static_cast<Index>(p))));
      }
    }
  }
  for (std::size_t p = 0; p < params.params().size(); ++p) {
    r.finals.emplace_back(params.params()[p].name, values_of(params.value(static_cast<Index>(p))));
  }
  r.eval_logits = values_of(network->forward(x_eval, Mode::eval));
  return r;
}

std::vector<StepCase> step_cases() {
  const auto spec = [](std::vector<Index> hidden, Activation a, Normalization norm, bool residual, Index out,
                       OutputTransform output) {
    return NetworkSpec{.in_features = 12, .hidden = std::move(hidden), .activation = a, .leaky_slope = 0.1,
                       .out_features = out, .output = output, .norm = norm, .residual = residual};
  };
  return {
      {"relu_bce_sgd", spec({16, 16}, Activation::relu, Normalization::none, false, 1, OutputTransform::sigmoid),
       LossKind::bce_with_logits, {{"name", "sgd"}, {"lr", 0.1}}},
      {"tanh_batchnorm_crossentropy_nesterov",
       spec({16, 16}, Activation::tanh, Normalization::batch, false, 4, OutputTransform::softmax),
       LossKind::softmax_cross_entropy,
       {{"name", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}, {"nesterov", true}, {"weight_decay", 1e-3}}},
      {"gelu_layernorm_residual_mse_adam",
       spec({12, 12, 12}, Activation::gelu, Normalization::layer, true, 2, OutputTransform::identity), LossKind::mse,
       {{"name", "adam"}, {"lr", 1e-2}, {"weight_decay", 1e-2}}},
      {"sigmoid_batchnorm_residual_crossentropy_adamw",
       spec({12, 12}, Activation::sigmoid, Normalization::batch, true, 3, OutputTransform::softmax),
       LossKind::softmax_cross_entropy, {{"name", "adamw"}, {"lr", 1e-2}, {"weight_decay", 1e-2}}},
      {"leakyrelu_bce_rmsprop_centered",
       spec({16, 8}, Activation::leaky_relu, Normalization::none, false, 1, OutputTransform::sigmoid),
       LossKind::bce_with_logits,
       {{"name", "rmsprop"}, {"lr", 1e-2}, {"momentum", 0.5}, {"centered", true}, {"weight_decay", 1e-3}}},
      {"gelutanh_batchnorm_mse_rmsprop",
       spec({16}, Activation::gelu_tanh, Normalization::batch, false, 3, OutputTransform::identity), LossKind::mse,
       {{"name", "rmsprop"}, {"lr", 1e-3}}},
      {"identity_layernorm_bce_sgd_momentum",
       spec({10, 10}, Activation::identity, Normalization::layer, true, 1, OutputTransform::sigmoid),
       LossKind::bce_with_logits, {{"name", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}, {"dampening", 0.1}}},
  };
}

TEST(Parity, EveryLayerLossAndOptimizerAgreesWithPyTorchTensorByTensor) {
  const std::vector<StepCase> cases = step_cases();
  std::vector<fs::path> dirs;
  std::vector<StepResult> ours;
  for (const StepCase& c : cases) {
    dirs.push_back(fresh_directory(c.name));
    ours.push_back(run_case(c, dirs.back()));
  }
  ASSERT_TRUE(run_reference("steps", dirs)) << "tests/parity/torch_reference.py failed";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    const SafetensorsFile torch = read_safetensors(dirs[i] / "torch.safetensors");
    const StepResult& r = ours[i];
    expect_close(cases[i].name + " logits", r.logits, torch, "logits");
    expect_close(cases[i].name + " loss", {r.loss}, torch, "loss");
    for (const auto& [name, g] : r.grads) expect_close(cases[i].name + " grad " + name, g, torch, "grad." + name);
    for (const auto& [name, v] : r.finals) {
      expect_close(cases[i].name + " after " + std::to_string(kSteps) + " steps " + name, v, torch, "final." + name);
    }
    expect_close(cases[i].name + " evaluation-mode logits", r.eval_logits, torch, "eval_logits");
  }
}

// ---- end to end: several epochs on real data ----

struct FitCase {
  std::string name;
  NetworkSpec spec;
  LossKind loss;
  json optimizer;
  Index epochs, batch_size;
  Dataset train, test;
};

// Trains glassnet and PyTorch from the same weights on the same rows in the same order
// (no shuffling: the rows are in a fixed random order already) and compares the
// curves, the final accuracy, and the predictions of glassnet's trained model file read
// by PyTorch.
void expect_same_training(const FitCase& c) {
  const fs::path dir = fresh_directory(c.name);
  Rng rng(23);
  auto network = make_network(c.spec, rng);
  {
    Rng copy_rng(23);
    save_network(dir / "model.safetensors", make_network(c.spec, copy_rng), task_of(c.loss));
  }
  SafetensorsFile data;
  data.tensors = {tensor("x_train", c.train.x), tensor("y_train", c.train.y), tensor("x_test", c.test.x),
                  tensor("y_test", c.test.y)};
  write_safetensors(dir / "data.safetensors", data);
  std::ofstream(dir / "case.json") << json{{"loss", loss_key(c.loss)}, {"optimizer", c.optimizer},
                                           {"epochs", c.epochs}, {"batch_size", c.batch_size}}.dump();

  const auto loss = make_loss(c.loss);
  const auto optimizer = make_optimizer(c.optimizer);
  Trainer trainer(*network, *loss, *optimizer);
  const DataView test{c.test.x, c.test.y};
  const std::vector<EpochLogs> logs =
      trainer.fit({c.train.x, c.train.y}, {.epochs = c.epochs, .batch_size = c.batch_size, .shuffle = false}, &test);
  const Matrix predictions = network->predict(c.test.x);
  save_network(dir / "trained.safetensors", std::move(network), task_of(c.loss));

  ASSERT_TRUE(run_reference("fit", {dir})) << "tests/parity/torch_reference.py failed";
  json torch;
  std::ifstream(dir / "torch.json") >> torch;
  ASSERT_EQ(torch.at("epochs").size(), logs.size());
  double worst_loss = 0;
  for (std::size_t e = 0; e < logs.size(); ++e) {
    const double theirs = torch["epochs"][e]["train_loss"];
    const double difference = std::abs(logs[e].train_loss - theirs) / theirs;
    worst_loss = std::max(worst_loss, difference);
    std::cout << "[parity] " << c.name << " epoch " << e + 1 << ": train loss " << logs[e].train_loss << " (PyTorch "
              << theirs << "), test accuracy " << *logs[e].val_accuracy << " (PyTorch "
              << torch["epochs"][e]["test_accuracy"].get<double>() << ")\n";
  }
  std::cout << "[parity] " << c.name << ": the epochs' training losses differ by at most " << worst_loss
            << " (relative)\n";
  EXPECT_LE(worst_loss, 1e-2) << "the epochs' mean training losses differ by up to " << worst_loss << " (relative)";
  const double accuracy = *logs.back().val_accuracy, theirs = torch["epochs"].back()["test_accuracy"];
  EXPECT_LE(std::abs(accuracy - theirs), 0.005) << "final test accuracy " << accuracy << ", PyTorch's " << theirs;
  // glassnet's trained model, read back through its file by PyTorch.
  const SafetensorsFile read_back = read_safetensors(dir / "torch_predictions.safetensors");
  expect_close(c.name + " predictions of the trained model in PyTorch", values_of(predictions), read_back, "predictions");
}

// The first `rows` rows of `d`, in an order drawn from `seed`.
Dataset shuffled_head(const Dataset& d, Index rows, std::uint64_t seed) {
  std::vector<Index> order(static_cast<std::size_t>(d.x.rows()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Index>(i);
  Rng(seed).shuffle(order);
  Dataset out{Matrix(rows, d.x.cols()), Matrix(rows, d.y.cols())};
  for (Index i = 0; i < rows; ++i) {
    out.x.row(i) = d.x.row(order[static_cast<std::size_t>(i)]);
    out.y.row(i) = d.y.row(order[static_cast<std::size_t>(i)]);
  }
  return out;
}

TEST(Parity, FashionMnistTrainsLikePyTorch) {
  const fs::path dir = GLASSNET_FASHION_DIR;
  const Dataset train = read_idx(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz");
  const Dataset test = read_idx(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");
  expect_same_training({.name = "fashion_mnist",
                        .spec = {.in_features = 784, .hidden = {256, 128}, .out_features = 10,
                                 .output = OutputTransform::softmax},
                        .loss = LossKind::softmax_cross_entropy,
                        .optimizer = {{"name", "adam"}, {"lr", 1e-3}},
                        .epochs = 5,
                        .batch_size = 128,
                        .train = shuffled_head(train, 60000, 1),
                        .test = shuffled_head(test, 10000, 2)});
}

TEST(Parity, FraudTrainsLikePyTorch) {
  const std::string csv = make_fraud_csv(5000, 0.5, 7);
  const Table table = make_table(parse_csv(csv, "fraud.csv"));
  const Index target = table.find("is_fraud");
  std::vector<Index> rows(static_cast<std::size_t>(table.rows()));
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<Index>(i);
  const FeatureTransform features = fit_features(table, target, rows, {.standardize = true});
  const LabelEncoding labels = fit_labels(table.columns[static_cast<std::size_t>(target)], "fraud.csv");
  Dataset all{features.transform(table), labels.encode(table.columns[static_cast<std::size_t>(target)], "fraud.csv")};
  const Dataset mixed = shuffled_head(all, all.x.rows(), 3);
  Dataset train{mixed.x.topRows(4000), mixed.y.topRows(4000)}, test{mixed.x.bottomRows(1000), mixed.y.bottomRows(1000)};
  expect_same_training({.name = "fraud",
                        .spec = {.in_features = train.x.cols(), .hidden = {64, 64}, .out_features = 1},
                        .loss = LossKind::bce_with_logits,
                        .optimizer = {{"name", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}},
                        .epochs = 8,
                        .batch_size = 64,
                        .train = train,
                        .test = test});
}

}  // namespace
}  // namespace glassnet
