// Trainer::save_checkpoint and Trainer::load_checkpoint: a checkpoint is a safetensors
// file (io/safetensors.hpp) holding
//   model.<name>        every parameter and buffer of the network, in its shape
//   optimizer.<buffer>  every optimizer state buffer, flat [N]
//   callback.<name>     a callback's saved values, flat, when it has any
// and in its metadata "format" = "glassnet-checkpoint", "version" = "1", and "state": a
// JSON object with the epoch, step count, learning rates, the trainer's and the
// layers' random generators, the optimizer's per-parameter step counts, the schedule's
// state and the callbacks' numbers. Everything is validated before anything changes.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/io/param_tensors.hpp"
#include "glassnet/io/safetensors.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "glassnet-checkpoint";
constexpr const char* kVersion = "1";

json rng_to_json(const Rng::State& state) {
  json words = json::array();
  for (std::uint64_t w : state.words) words.push_back(std::to_string(w));
  return {{"words", words}, {"has_spare_normal", state.has_spare_normal}, {"spare_normal", state.spare_normal}};
}

// A field of the checkpoint's state, or an Error naming it (the caller adds the file).
const json& field(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) throw Error(fmt::format("the state has no '{}'", key));
  return object.at(key);
}

// A value of the state as a message shows it: text in single quotes, else as JSON.
std::string shown(const json& v) { return v.is_string() ? fmt::format("'{}'", v.get<std::string>()) : v.dump(); }

// A count of the state (epochs, steps): a whole number ≥ 0.
Index count_field(const json& object, const char* key) {
  const json& v = field(object, key);
  if (!v.is_number_integer() ||
      (v.is_number_unsigned() ? v.get<std::uint64_t>() > INT64_MAX : v.get<std::int64_t>() < 0)) {
    throw Error(fmt::format("the state's '{}' is {}; expected a whole number ≥ 0", key, v.dump()));
  }
  return static_cast<Index>(v.get<std::int64_t>());
}

// A number of the state as JSON: finite ones as numbers, the others as "nan", "inf" or
// "-inf" (JSON has none; nlohmann writes them as null). A run's losses may be NaN: a
// validation loss is, on rows far outside float's range.
json number_json(double value) {
  if (std::isfinite(value)) return value;
  return std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

// The inverse of number_json; nothing for any other JSON.
std::optional<double> number_from_json(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string& text = v.get_ref<const std::string&>();
  if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  return std::nullopt;
}

// The options of `stored` that `current` gives otherwise, as "--lr 0.001 (not 0.05)",
// in `current`'s order; a stored object that is not one is a difference of its own.
std::vector<std::string> option_differences(const std::string& stored, const std::string& current) {
  const json before = json::parse(stored, nullptr, false);
  const nlohmann::ordered_json now = nlohmann::ordered_json::parse(current);
  if (!before.is_object()) return {"options that are not a JSON object"};
  const auto text = [](const auto& v) { return v.is_string() ? v.template get<std::string>() : v.dump(); };
  std::vector<std::string> differences;
  for (const auto& [option, value] : now.items()) {
    const auto old = before.find(option);
    if (old == before.end()) {
      differences.push_back(fmt::format("no {} (not {})", option, text(value)));
    } else if (old->dump() != value.dump()) {
      differences.push_back(fmt::format("{} {} (not {})", option, text(*old), text(value)));
    }
  }
  return differences;
}

double number_field(const json& object, const char* key) {
  const json& v = field(object, key);
  const std::optional<double> number = number_from_json(v);
  if (!number) throw Error(fmt::format("the state's '{}' is {}; expected a number", key, v.dump()));
  return *number;
}

Rng::State rng_from_json(const json& j) {
  Rng::State state;
  const json& words = field(j, "words");
  if (!words.is_array() || words.size() != 4) {
    throw Error(fmt::format("a random generator's state holds {}; expected 4 words", words.dump()));
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string text = words[i].is_string() ? words[i].get<std::string>() : "";
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), state.words[i]);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      throw Error(fmt::format("a random generator's word {} is {}; expected an unsigned 64-bit number as text", i,
                              words[i].dump()));
    }
  }
  // xoshiro256** never leaves the state of all zeros: it would draw 0 for ever.
  if (state.words == std::array<std::uint64_t, 4>{}) throw Error("a random generator's state is all zeros");
  const json& has_spare = field(j, "has_spare_normal");
  if (!has_spare.is_boolean()) throw Error("a random generator's 'has_spare_normal' is not true or false");
  state.has_spare_normal = has_spare.get<bool>();
  state.spare_normal = number_field(j, "spare_normal");
  if (!std::isfinite(state.spare_normal)) throw Error("a random generator's spare normal value is not finite");
  return state;
}

SafetensorsTensor flat_tensor(std::string name, const std::vector<Scalar>& values) {
  return {std::move(name),
          kScalarDtype,
          {static_cast<std::int64_t>(values.size())},
          std::vector<double>(values.begin(), values.end())};
}

std::vector<Scalar> to_scalars(const std::vector<double>& values) {
  std::vector<Scalar> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = static_cast<Scalar>(values[i]);
  return out;
}

}  // namespace

void Trainer::save_checkpoint(const std::filesystem::path& path) const {
  SafetensorsFile file;
  append_param_tensors(network_.params(), "model.", file);
  const Optimizer::State optimizer_state = optimizer_.state();
  for (const auto& [name, values] : optimizer_state.buffers)
    file.tensors.push_back(flat_tensor("optimizer." + name, values));

  json callbacks = json::object();
  for (const Callback* callback : callbacks_) {
    const CallbackState state = callback->state();
    json numbers = json::array();
    for (const double n : state.numbers) numbers.push_back(number_json(n));
    callbacks[std::string(callback->name())] = numbers;
    if (!state.values.empty())
      file.tensors.push_back(flat_tensor("callback." + std::string(callback->name()), state.values));
  }
  std::vector<Rng*> layer_rngs;
  const_cast<Network&>(network_).layers().collect_rngs(layer_rngs);  // only read here
  json layer_rng_states = json::array();
  for (const Rng* rng : layer_rngs) layer_rng_states.push_back(rng_to_json(rng->state()));
  const Schedule::State schedule = schedule_->state();

  const json state = {
      {"epoch", epoch_},
      {"steps", steps_},
      {"base_learning_rate", base_learning_rate_},
      {"trainer_rng", rng_to_json(rng_.state())},
      {"layer_rngs", layer_rng_states},
      {"optimizer", {{"name", optimizer_.name()}, {"param_steps", optimizer_state.param_steps}}},
      {"schedule",
       {{"name", schedule_->name()},
        {"best", number_json(schedule.best)},
        {"has_best", schedule.has_best},
        {"bad_epochs", schedule.bad_epochs},
        {"reductions", schedule.reductions}}},
      {"callbacks", callbacks},
  };
  file.metadata = {{"format", kFormat}, {"version", kVersion}, {"state", state.dump()}};
  if (!run_options_.empty()) file.metadata["run"] = run_options_;
  write_safetensors(path, file);
}

void Trainer::load_checkpoint(const std::filesystem::path& path) {
  const SafetensorsFile file = read_safetensors(path);
  const std::string source = path.string();
  const auto fail = [&](const std::string& what) { return Error(fmt::format("{}: {}", source, what)); };
  const auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second != kFormat) throw fail("not a glassnet checkpoint");
  const auto version = file.metadata.find("version");
  if (version == file.metadata.end() || version->second != kVersion) {
    throw fail(fmt::format("checkpoint version '{}' is not supported; expected {}",
                           version == file.metadata.end() ? "" : version->second, kVersion));
  }
  // The options first: a run given other options is told which, not what it breaks.
  if (const auto stored = file.metadata.find("run"); stored != file.metadata.end() && !run_options_.empty()) {
    const std::vector<std::string> differences = option_differences(stored->second, run_options_);
    if (!differences.empty()) {
      throw fail(
          fmt::format("the run it continues had {}; a resumed run takes that run's options and data (all "
                      "but --epochs, the output files, --monitor and --threads)",
                      fmt::join(differences, ", ")));
    }
  }
  json state;
  try {
    state = json::parse(file.metadata.at("state"));
  } catch (const std::exception&) {
    throw fail("the checkpoint's state is missing or not valid JSON");
  }

  // Validate everything first.
  ParamStore& params = network_.params();
  const std::vector<const SafetensorsTensor*> model_tensors = find_param_tensors(params, file, "model.", source);
  Optimizer::State optimizer_state;
  std::vector<Rng::State> layer_rng_states;
  Rng::State trainer_rng;
  Schedule::State schedule_state;
  std::vector<CallbackState> callback_states;
  Index epoch = 0, steps = 0;
  double base_learning_rate = 0.0;
  try {
    epoch = count_field(state, "epoch");
    steps = count_field(state, "steps");  // (an epoch whose every batch was rolled back and skipped has none)
    base_learning_rate = number_field(state, "base_learning_rate");
    if (!(base_learning_rate > 0) || !std::isfinite(base_learning_rate)) {
      throw Error(fmt::format("the state's learning rate is {}; expected a finite value > 0", base_learning_rate));
    }
    trainer_rng = rng_from_json(field(state, "trainer_rng"));
    const json& layer_rngs_json = field(state, "layer_rngs");
    if (!layer_rngs_json.is_array()) throw Error("the state's 'layer_rngs' is not a list");
    for (const auto& j : layer_rngs_json) layer_rng_states.push_back(rng_from_json(j));
    const json& optimizer = field(state, "optimizer");
    const json& optimizer_name = field(optimizer, "name");
    if (!optimizer_name.is_string() || optimizer_name.get<std::string>() != optimizer_.name()) {
      throw Error(fmt::format("the checkpoint was written by a {} optimizer, not '{}'", shown(optimizer_name),
                              optimizer_.name()));
    }
    const json& param_steps = field(optimizer, "param_steps");
    if (!param_steps.is_array()) throw Error("the optimizer's 'param_steps' is not a list");
    for (const json& n : param_steps) {
      if (!n.is_number_integer() || (n.is_number_unsigned() && n.get<std::uint64_t>() > INT64_MAX)) {
        throw Error(fmt::format("an optimizer step count is {}; expected a whole number", n.dump()));
      }
      optimizer_state.param_steps.push_back(n.get<Index>());
    }
    for (const auto& [name, values] : optimizer_.state().buffers) {
      const SafetensorsTensor* t = file.find("optimizer." + name);
      if (t == nullptr) throw Error(fmt::format("no optimizer buffer '{}'", name));
      optimizer_state.buffers.emplace_back(name, to_scalars(t->values));
    }
    const json& schedule = field(state, "schedule");
    const json& schedule_name = field(schedule, "name");
    if (!schedule_name.is_string() || schedule_name.get<std::string>() != schedule_->name()) {
      throw Error(
          fmt::format("the checkpoint used the {} schedule, not '{}'", shown(schedule_name), schedule_->name()));
    }
    const json& has_best = field(schedule, "has_best");
    if (!has_best.is_boolean()) throw Error("the schedule's 'has_best' is not true or false");
    schedule_state = {number_field(schedule, "best"), has_best.get<bool>(), count_field(schedule, "bad_epochs"),
                      count_field(schedule, "reductions")};
    const json& callbacks = field(state, "callbacks");
    for (const Callback* callback : callbacks_) {
      const std::string name(callback->name());
      CallbackState cs;
      const json& numbers = field(callbacks, name.c_str());
      if (!numbers.is_array()) throw Error(fmt::format("the state of '{}' is not a list of numbers", name));
      for (const json& n : numbers) {
        const std::optional<double> number = number_from_json(n);
        if (!number) throw Error(fmt::format("the state of '{}' holds {}; expected numbers", name, n.dump()));
        cs.numbers.push_back(*number);
      }
      if (const SafetensorsTensor* t = file.find("callback." + name)) cs.values = to_scalars(t->values);
      callback->check_state(cs, epoch);
      callback_states.push_back(std::move(cs));
    }
    // The optimizer checks its state before it changes anything, and nothing after it can fail.
    std::vector<Rng*> layer_rngs;
    network_.layers().collect_rngs(layer_rngs);
    if (layer_rngs.size() != layer_rng_states.size()) {
      throw Error(fmt::format("the checkpoint holds {} layer generators; the network has {}", layer_rng_states.size(),
                              layer_rngs.size()));
    }
    optimizer_.load_state(optimizer_state, params);
  } catch (const Error& e) {
    throw fail(e.what());
  } catch (const json::exception&) {
    throw fail("the checkpoint's state is malformed");
  }

  // Apply.
  std::vector<Rng*> layer_rngs;
  network_.layers().collect_rngs(layer_rngs);
  copy_param_tensors(params, model_tensors);
  for (std::size_t i = 0; i < layer_rngs.size(); ++i) layer_rngs[i]->set_state(layer_rng_states[i]);
  schedule_->load_state(schedule_state);
  for (std::size_t i = 0; i < callbacks_.size(); ++i) callbacks_[i]->load_state(callback_states[i]);
  rng_.set_state(trainer_rng);
  rng_seeded_ = true;
  epoch_ = epoch;
  steps_ = steps;
  base_learning_rate_ = base_learning_rate;
}

}  // namespace glassnet
