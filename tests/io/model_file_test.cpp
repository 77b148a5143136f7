#include "glassnet/io/model_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "glassnet/core/error.hpp"
#include "glassnet/io/safetensors.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

Model sample_model() {
  Model model;
  Rng rng(3);
  model.network = make_network({.in_features = 3,
                                .hidden = {5, 5},
                                .activation = Activation::gelu,
                                .out_features = 1,
                                .norm = Normalization::batch,
                                .residual = true},
                               rng);
  testing::randomize(model.network->params(), rng);
  model.features.columns = {{"amount", ColumnKind::numeric, 10.0, 2.0, {}},
                            {"country", ColumnKind::categorical, 0.0, 1.0, {"FR", "DE"}}};
  model.labels.task = Task::binary;
  model.labels.classes = {"no", "yes"};
  model.target = "label";
  model.training = R"({"seed": 3})";
  return model;
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("glassnet-model-" + std::to_string(::getpid()) + "-" + name);
}

// Writes `file` to `path` and expects loading it to fail with an Error containing `fragment`.
void expect_rejected(const fs::path& path, const SafetensorsFile& file, const std::string& fragment) {
  write_safetensors(path, file);
  try {
    load_model(path);
    ADD_FAILURE() << "expected an Error containing " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ModelFile, RoundTripsWeightsPreprocessingAndLabels) {
  Model model = sample_model();
  const fs::path path = temp_file("roundtrip.safetensors");
  save_model(path, model);
  Model loaded = load_model(path);
  EXPECT_EQ(loaded.target, "label");
  EXPECT_EQ(loaded.labels.classes, model.labels.classes);
  EXPECT_EQ(loaded.features.input_names(), model.features.input_names());
  EXPECT_EQ(loaded.network->spec().hidden, model.network->spec().hidden);
  EXPECT_TRUE(std::equal(model.network->params().values().begin(), model.network->params().values().end(),
                         loaded.network->params().values().begin()));
  // PyTorch state_dict names, buffers included.
  const SafetensorsFile file = read_safetensors(path);
  EXPECT_NE(file.find("layers.0.weight"), nullptr);
  EXPECT_NE(file.find("layers.1.running_var"), nullptr);
  EXPECT_NE(file.find("layers.3.body.0.weight"), nullptr);
  const Matrix x = Matrix::Ones(2, 3);
  EXPECT_EQ(model.network->predict(x), loaded.network->predict(x));
  fs::remove(path);
}

// A text column whose rarer categories share an "(other)" input (--max-categories) keeps it.
TEST(ModelFile, TheOtherInputOfATextColumnRoundTrips) {
  Model model = sample_model();
  model.features.columns[1].categories = {"FR"};
  model.features.columns[1].other = true;  // (still 3 inputs)
  const fs::path path = temp_file("other.safetensors");
  save_model(path, model);
  const Model loaded = load_model(path);
  EXPECT_TRUE(loaded.features.columns[1].other);
  EXPECT_EQ(loaded.features.input_names(), (std::vector<std::string>{"amount", "country=FR", "country=(other)"}));
  // Written only where there is one: files without it read as before.
  const SafetensorsFile file = read_safetensors(path);
  const auto columns = nlohmann::json::parse(file.metadata.at("preprocessing"))["columns"];
  EXPECT_FALSE(columns[0].contains("other"));
  EXPECT_EQ(columns[1]["other"], true);
  SafetensorsFile numeric_other = file;
  {
    auto preprocessing = nlohmann::json::parse(file.metadata.at("preprocessing"));
    preprocessing["columns"][0]["other"] = true;
    preprocessing["columns"][1]["categories"] = {"FR", "DE"};
    preprocessing["columns"][1]["other"] = false;
    numeric_other.metadata["preprocessing"] = preprocessing.dump();
  }
  expect_rejected(path, numeric_other, "column 'amount' is numeric and has an '(other)' input");
  fs::remove(path);
}

// save_model refuses what load_model would: a model written is a model that loads.
TEST(ModelFile, AModelThatWouldNotLoadIsNotSaved) {
  const fs::path path = temp_file("unsaved.safetensors");
  const auto expect_not_saved = [&](const Model& model, const std::string& fragment) {
    try {
      save_model(path, model);
      ADD_FAILURE() << "expected an Error containing " << fragment;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(path)) << "nothing is written";
  };
  expect_not_saved(Model{}, "not saved: " + path.string() + ": the model has no network");
  Model no_features = sample_model();
  no_features.features.columns.clear();
  expect_not_saved(no_features, "not saved: " + path.string() + ": the preprocessing produces 0 inputs");
  Model no_labels = sample_model();
  no_labels.labels = {};
  expect_not_saved(no_labels, "label map 0 classes");
  Model multiclass = sample_model();
  multiclass.labels.task = Task::multiclass;
  expect_not_saved(multiclass, "a multiclass model's output is softmax, not sigmoid");
}

TEST(ModelFile, EveryInconsistencyIsAClearError) {
  const Model model = sample_model();
  const fs::path path = temp_file("tampered.safetensors");
  save_model(path, model);
  const SafetensorsFile good = read_safetensors(path);
  const auto expect_rejected = [&](const SafetensorsFile& file, const std::string& fragment) {
    glassnet::expect_rejected(path, file, fragment);
  };
  SafetensorsFile f = good;
  f.metadata["version"] = "99";
  expect_rejected(f, "version '99' is not supported");
  f = good;
  f.metadata.erase("architecture");
  expect_rejected(f, "no 'architecture' metadata");
  f = good;
  f.metadata["architecture"] = "{\"in_features\": 3}";
  expect_rejected(f, "invalid model metadata");
  f = good;
  f.metadata["preprocessing"] = R"({"standardize": true, "columns": []})";
  expect_rejected(f, "the preprocessing produces 0 inputs but the network takes 3");
  f = good;
  const std::string last = f.tensors.back().name;
  f.tensors.pop_back();
  expect_rejected(f, "tensor '" + last + "' is missing");
  f = good;
  f.tensors.push_back(f.tensors.back());
  f.tensors.back().name = "layers.9.weight";
  expect_rejected(f, "the file holds " + std::to_string(good.tensors.size() + 1) + " tensors; the architecture has " +
                         std::to_string(good.tensors.size()) + ", and no 'layers.9.weight'");
  f = good;  // an architecture far beyond the file's values is refused by its count, unbuilt
  {
    auto architecture = nlohmann::json::parse(f.metadata.at("architecture"));
    architecture["hidden"] = {100000, 100000};
    f.metadata["architecture"] = architecture.dump();
  }
  expect_rejected(f, "values but the file's tensors hold");
  f = good;
  for (auto& t : f.tensors) {
    if (t.name == "layers.0.weight") t.values[2] = std::nan("");
  }
  expect_rejected(f, "non-finite value at offset 2");
  f = good;
  for (auto& t : f.tensors) {
    if (t.name == "layers.0.weight") {  // an F64 file's value, finite as a double but not as a float
      t.dtype = "F64";
      t.values[1] = 1e300;
    }
  }
  if (!kDoublePrecision) {
    expect_rejected(f, "tensor 'layers.0.weight' holds 1e+300 at offset 1, beyond this build's float range");
  }
  f = good;
  for (auto& t : f.tensors) {
    if (t.name == "layers.1.running_var") t.values[0] = -1;  // evaluation would take its square root
  }
  expect_rejected(f, "tensor 'layers.1.running_var' holds a negative variance (-1) at offset 0");
  f = good;
  for (auto& t : f.tensors) {
    if (t.name == "layers.0.weight") t.shape = {3, 5};
  }
  expect_rejected(f, "tensor 'layers.0.weight' has shape [3, 5]; the architecture needs [5, 3]");
  f = good;
  {  // An architecture no network has, named as the file's.
    nlohmann::json architecture = nlohmann::json::parse(f.metadata["architecture"]);
    architecture["dropout"] = 5;
    f.metadata["architecture"] = architecture.dump();
  }
  expect_rejected(f, "invalid architecture: network: expected a dropout probability in [0, 1), got 5");
  f = good;
  f.metadata["format"] = "other";
  expect_rejected(f, "not a glassnet model");
  fs::remove(path);
}

// Each edit of a metadata field that predict would misread (an index past the label map,
// a probability of 0 or 1 from a softmax of one logit, a column read twice) is refused.
TEST(ModelFile, TheLabelMapOutputAndColumnsMustFitTheTask) {
  const fs::path path = temp_file("labels.safetensors");
  save_model(path, sample_model());
  const SafetensorsFile good = read_safetensors(path);
  using nlohmann::json;
  const auto expect_rejected = [&](const char* key, const std::function<void(json&)>& edit,
                                   const std::string& fragment) {
    SafetensorsFile f = good;
    json j = json::parse(f.metadata[key]);
    edit(j);
    f.metadata[key] = j.dump();
    glassnet::expect_rejected(path, f, fragment);
  };
  const std::string misfit = "which does not fit a binary task";
  expect_rejected(
      "labels", [](json& j) { j["classes"] = {"no"}; }, "label map 1 classes, " + misfit);
  expect_rejected(
      "labels", [](json& j) { j["classes"] = json::array(); }, "label map 0 classes, " + misfit);
  expect_rejected(
      "labels",
      [](json& j) {
        j["classes"] = {"a", "b", "c"};
      },
      "label map 3 classes, " + misfit);
  expect_rejected(
      "labels",
      [](json& j) {
        j["classes"] = {"yes", "yes"};
      },
      "the classes [yes, yes] are not distinct");
  expect_rejected(
      "labels", [](json& j) { j["task"] = "multiclass"; }, "a multiclass model's output is softmax, not sigmoid");
  expect_rejected(
      "labels", [](json& j) { j["classes"] = nullptr; }, "'classes': type must be array, but is null");
  expect_rejected(
      "architecture", [](json& j) { j["output"] = "softmax"; }, "a binary model's output is sigmoid, not softmax");
  expect_rejected(
      "preprocessing", [](json& j) { j["columns"][1]["name"] = "amount"; }, "column 'amount' appears twice");
  expect_rejected(
      "preprocessing", [](json& j) { j["columns"][0]["std"] = nullptr; }, "'std': type must be number, but is null");
  expect_rejected(
      "preprocessing", [](json& j) { j["columns"] = 3; }, "'columns': expected an array, found number");
  // (Each of these loaded: a width read as 5, a category listed twice, the target as an input.)
  expect_rejected(
      "architecture",
      [](json& j) {
        j["hidden"] = {5.5, 5};
      },
      "'hidden': expected whole numbers written without a decimal point, found 5.5");
  expect_rejected(
      "architecture", [](json& j) { j["in_features"] = 3.0; },
      "'in_features': expected whole numbers written without a decimal point, found 3.0");
  expect_rejected(
      "preprocessing",
      [](json& j) {
        j["columns"][1]["categories"] = {"FR", "FR"};
      },
      "column 'country' lists the category 'FR' twice");
  expect_rejected(
      "labels", [](json& j) { j["target"] = "amount"; }, "the target 'amount' is also an input column");
  expect_rejected(
      "labels", [](json& j) { j["numbers"] = true; }, "the class 'no' of a numeric target is not a number");
  fs::remove(path);
}

}  // namespace
}  // namespace glassnet
