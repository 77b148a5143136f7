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

#include <nlohmann/json.hpp>

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

Rng::State rng_from_json(const json& j) {
  Rng::State state;
  const auto& words = j.at("words");
  if (!words.is_array() || words.size() != 4) throw Error("expected 4 generator words");
  for (std::size_t i = 0; i < 4; ++i) state.words[i] = std::stoull(words[i].get<std::string>());
  state.has_spare_normal = j.at("has_spare_normal").get<bool>();
  state.spare_normal = j.at("spare_normal").get<double>();
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
    callbacks[std::string(callback->name())] = state.numbers;
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
        {"best", schedule.best},
        {"has_best", schedule.has_best},
        {"bad_epochs", schedule.bad_epochs},
        {"reductions", schedule.reductions}}},
      {"callbacks", callbacks},
  };
  file.metadata = {{"format", kFormat}, {"version", kVersion}, {"state", state.dump()}};
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
    epoch = state.at("epoch").get<Index>();
    steps = state.at("steps").get<Index>();
    base_learning_rate = state.at("base_learning_rate").get<double>();
    trainer_rng = rng_from_json(state.at("trainer_rng"));
    for (const auto& j : state.at("layer_rngs")) layer_rng_states.push_back(rng_from_json(j));
    const auto& optimizer = state.at("optimizer");
    if (optimizer.at("name").get<std::string>() != optimizer_.name()) {
      throw fail(fmt::format("the checkpoint was written by a '{}' optimizer, not '{}'",
                             optimizer.at("name").get<std::string>(), optimizer_.name()));
    }
    optimizer_state.param_steps = optimizer.at("param_steps").get<std::vector<Index>>();
    for (const auto& [name, values] : optimizer_.state().buffers) {
      const SafetensorsTensor* t = file.find("optimizer." + name);
      if (t == nullptr) throw fail(fmt::format("no optimizer buffer '{}'", name));
      optimizer_state.buffers.emplace_back(name, to_scalars(t->values));
    }
    const auto& schedule = state.at("schedule");
    if (schedule.at("name").get<std::string>() != schedule_->name()) {
      throw fail(fmt::format("the checkpoint used the '{}' schedule, not '{}'", schedule.at("name").get<std::string>(),
                             schedule_->name()));
    }
    schedule_state = {schedule.at("best").get<double>(), schedule.at("has_best").get<bool>(),
                      schedule.at("bad_epochs").get<long>(), schedule.at("reductions").get<long>()};
    for (const Callback* callback : callbacks_) {
      const std::string name(callback->name());
      CallbackState cs;
      cs.numbers = state.at("callbacks").at(name).get<std::vector<double>>();
      if (const SafetensorsTensor* t = file.find("callback." + name)) cs.values = to_scalars(t->values);
      callback_states.push_back(std::move(cs));
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw fail(fmt::format("the checkpoint's state is incomplete or malformed ({})", e.what()));
  }
  std::vector<Rng*> layer_rngs;
  network_.layers().collect_rngs(layer_rngs);
  if (layer_rngs.size() != layer_rng_states.size()) {
    throw fail(fmt::format("the checkpoint holds {} layer generators; the network has {}", layer_rng_states.size(),
                           layer_rngs.size()));
  }
  // The optimizer checks its state before it changes anything, and nothing after it can fail.
  optimizer_.load_state(optimizer_state, params);

  // Apply.
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
