#include "glassnet/train/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/core/memory.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/data/feature_encoder.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/idx.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/diag/fixes.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/diag/preflight.hpp"
#include "glassnet/diag/watch.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/rmsprop.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/checkpointing.hpp"
#include "glassnet/train/early_stopping.hpp"
#include "glassnet/train/metrics_json.hpp"
#include "glassnet/train/prepared_data.hpp"
#include "glassnet/train/resume_options.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

std::unique_ptr<Optimizer> make_optimizer(const RunConfig& c) {
  const WeightDecay decay{.rate = c.weight_decay};
  if (c.optimizer == "sgd") return std::make_unique<Sgd>(c.learning_rate, SgdOptions{.weight_decay = decay});
  if (c.optimizer == "momentum") {
    return std::make_unique<Sgd>(c.learning_rate, SgdOptions{.momentum = 0.9, .weight_decay = decay});
  }
  if (c.optimizer == "nesterov") {
    return std::make_unique<Sgd>(c.learning_rate, SgdOptions{.momentum = 0.9, .nesterov = true, .weight_decay = decay});
  }
  if (c.optimizer == "adam") return std::make_unique<Adam>(c.learning_rate, AdamOptions{.weight_decay = decay});
  if (c.optimizer == "adamw") {
    return std::make_unique<AdamW>(c.learning_rate,
                                   AdamWOptions{.weight_decay = {.rate = c.weight_decay > 0 ? c.weight_decay : 1e-2}});
  }
  if (c.optimizer == "rmsprop")
    return std::make_unique<Rmsprop>(c.learning_rate, RmspropOptions{.weight_decay = decay});
  throw Error(fmt::format("--optimizer: unknown optimizer '{}'", c.optimizer));
}

std::unique_ptr<Schedule> make_schedule(const RunConfig& c) {
  if (c.schedule == "none") return std::make_unique<ConstantSchedule>();
  if (c.schedule == "step")
    return std::make_unique<StepSchedule>(std::max<long>(1, static_cast<long>(c.epochs / 3)), 0.1);
  if (c.schedule == "exp") return std::make_unique<ExponentialSchedule>(0.95);
  if (c.schedule == "cosine") return std::make_unique<CosineSchedule>(static_cast<long>(std::max<Index>(1, c.epochs)));
  if (c.schedule == "plateau") return std::make_unique<PlateauSchedule>(PlateauOptions{.factor = 0.5, .patience = 2});
  throw Error(fmt::format("--schedule: unknown schedule '{}'", c.schedule));
}

Metrics metrics_for(Task task, const Matrix& predictions, const Matrix& y) {
  if (task == Task::regression) return regression_metrics(predictions, y);
  std::vector<int> labels(static_cast<std::size_t>(y.rows()));
  for (Index i = 0; i < y.rows(); ++i) labels[static_cast<std::size_t>(i)] = static_cast<int>(y(i, 0));
  if (task == Task::multiclass) return multiclass_metrics(predictions, labels);
  std::vector<double> scores(labels.size());
  for (Index i = 0; i < predictions.rows(); ++i) scores[static_cast<std::size_t>(i)] = predictions(i, 0);
  return binary_metrics(scores, labels);
}

constexpr Index kAutoRepairPatience = 10;  // epochs, at least
const Index kAutoRepairMemorisingPatience = RunConfig{}.early_stopping;  // --early-stopping's default

// What the doctor knows of the run: its task, what chance scores on the rows it judges —
// `judged`, the validation rows, or the training rows without any (a validation file of
// another class mix has another baseline) — and the learning rate as configured.
RunFacts run_facts(const LabelEncoding& labels, const Matrix& judged, bool early_stopping, double learning_rate) {
  RunFacts facts{.task = labels.task, .early_stopping = early_stopping, .learning_rate = learning_rate};
  if (labels.task != Task::regression && judged.rows() > 0) {
    std::vector<Index> counts(labels.classes.size(), 0);
    for (Index i = 0; i < judged.rows(); ++i) ++counts[static_cast<std::size_t>(judged(i, 0))];
    facts.chance = chance_scores(counts);
  }
  return facts;
}

nlohmann::json config_json(const RunConfig& c) {
  nlohmann::json j = {{"data", c.data.string()},
                      {"target", c.target},
                      {"layers", c.layers},
                      {"activation", activation_name(c.activation)},
                      {"norm", normalization_name(c.norm)},
                      {"dropout", c.dropout},
                      {"residual", c.residual},
                      {"init", init_name(c.init)},
                      {"optimizer", c.optimizer},
                      {"lr", c.learning_rate},
                      {"weight_decay", c.weight_decay},
                      {"schedule", c.schedule},
                      {"clip_norm", c.clip_norm},
                      {"epochs", c.epochs},
                      {"batch_size", c.batch_size},
                      {"early_stopping", c.early_stopping},
                      {"class_weight", c.balanced_class_weights ? "balanced" : "none"},
                      {"val_split", c.val_split},
                      {"test_split", c.test_split},
                      {"seed", c.seed},
                      {"standardize", c.standardize},
                      {"max_categories", c.max_categories}};
  if (c.labels) j["labels"] = c.labels->string();
  if (!c.ignore.empty()) j["ignore"] = c.ignore;
  return j;
}

}  // namespace

Task task_of(const RunConfig& config, const Table& data) {
  const Index target = target_index(data, config.target);
  return fit_labels(data.columns[static_cast<std::size_t>(target)], data.source, config.task).task;
}

std::vector<NamedPath> input_files(const RunConfig& config) {
  std::vector<NamedPath> files;
  if (!config.data.empty()) files.push_back({"--data", config.data});
  const auto add = [&](const char* option, const std::optional<std::filesystem::path>& path) {
    if (path) files.push_back({option, *path});
  };
  add("--labels", config.labels);
  add("--val-data", config.val_data);
  add("--val-labels", config.val_labels);
  add("--test-data", config.test_data);
  add("--test-labels", config.test_labels);
  add("--config", config.config_file);
  return files;
}

std::vector<NamedPath> output_files(const RunConfig& config) {
  std::vector<NamedPath> files{{"--out", config.out}};
  if (config.log) files.push_back({"--log", *config.log});
  if (config.checkpoint_dir) files.push_back({"--checkpoint-dir", *config.checkpoint_dir, true});
  return files;
}

namespace {

// Predictions of `rows` rows, a block of them at a time: block(begin, count) gives rows
// [begin, begin + count) as inputs. Blocks are a whole number of the network's
// prediction batches: the same products, so the same bits, as over the whole input
// matrix, which is never made.
template <class Block>
Matrix predict_in_blocks(Network& network, Index rows, const Block& block) {
  constexpr Index kBlockRows = 8 * Network::kPredictRows;
  Matrix out(rows, network.spec().out_features);
  for (Index begin = 0; begin < rows; begin += kBlockRows) {
    const Index count = std::min(kBlockRows, rows - begin);
    out.middleRows(begin, count) = network.predict(block(begin, count));
  }
  return out;
}

Matrix predict_rows(Network& network, InputView x) {
  Buffer scratch;
  return predict_in_blocks(network, x.rows(), [&](Index begin, Index count) { return x.block(begin, count, scratch); });
}

}  // namespace

Matrix predict_model(Model& model, const Table& table, Index* unseen) {
  std::optional<Table> filled;
  if (model.features.any_missing(table)) {
    filled = table;
    model.features.fill_missing(*filled);
  }
  const FeatureEncoder encoder(model.features, filled ? *filled : table);
  Matrix x;
  std::vector<Index> rows;
  Index unseen_count = 0;
  Matrix out = predict_in_blocks(*model.network, table.rows(), [&](Index begin, Index count) {
    rows.resize(static_cast<std::size_t>(count));
    std::iota(rows.begin(), rows.end(), begin);
    x.resize(count, encoder.width());
    unseen_count += encoder.encode(rows, view(x));
    return ConstMatrixView(x);
  });
  if (unseen != nullptr) *unseen = unseen_count;
  return out;
}

Metrics evaluate_model(Model& model, const Table& table, Index* unseen) {
  const Index target = table.find(model.target);
  if (target < 0) throw Error(fmt::format("{}: no target column '{}' to evaluate against", table.source, model.target));
  const Matrix y = model.labels.encode(table.columns[static_cast<std::size_t>(target)], table.source);
  return metrics_for(model.labels.task, predict_model(model, table, unseen), y);
}

namespace {

// The log's end line names the first non-finite value the monitor saw, if it saw one.
void add_first_non_finite(nlohmann::json& end, const Monitor* monitor) {
  if (monitor == nullptr || !monitor->series().first_non_finite) return;
  const NonFinite& nf = *monitor->series().first_non_finite;
  end["first_non_finite"] = {{"step", nf.step}, {"tensor", nf.tensor}, {"what", nf.what}};
}

// What the run would allocate at once, refused before it is: more than the memory
// available. (Preflight's estimate warns of the peak, which it overstates; this is for
// single allocations that cannot succeed at all.)
void refuse_what_cannot_fit(const char* option, const std::string& what, double bytes) {
  const auto available = available_memory_bytes();
  if (!available || bytes <= static_cast<double>(*available)) return;
  throw Error(fmt::format("{}: {} take {}; {} are available", option, what, format_bytes(bytes),
                          format_bytes(static_cast<double>(*available))));
}

}  // namespace

void check_run_options(const RunConfig& config) {
  check_files(input_files(config), output_files(config));
  if (!config.labels && looks_like_idx(config.data)) {
    throw Error(
        fmt::format("--data {}: IDX images need their labels to train on: --labels FILE", config.data.string()));
  }
  if (config.log && config.monitor == MonitorLevel::off)
    throw Error("--log needs the monitor: --monitor light or full");
  if (config.resume && !config.checkpoint_dir) throw Error("--resume needs --checkpoint-dir");
  if (config.val_labels && !config.val_data) throw Error("--val-labels needs --val-data (the images they label)");
  if (config.test_labels && !config.test_data) throw Error("--test-labels needs --test-data (the images they label)");
  if (const auto why = untrainable(config)) throw Error(*why);
}

std::optional<std::string> untrainable(const RunConfig& config) {
  if (config.norm == Normalization::batch && config.batch_size < 2) {
    return "--norm batch needs --batch-size 2 or more: a batch of one row has no statistics to normalise by";
  }
  return std::nullopt;
}

// Everything a run holds between its steps. Callbacks and the trainer refer to members,
// so a State never moves (TrainingRun holds it by pointer).
struct TrainingRun::State {
  RunConfig config;
  RunHooks hooks;
  RunResult result;                  // task, warnings, threads and memory from the start
  std::vector<Finding> preflight;    // preflight's findings
  Model model;
  const std::shared_ptr<const PreparedData> data;                     // shared with runs that prepare it alike
  const InputRows &x_train, &x_val, &x_test;                          // data's
  const Matrix &y_train, &y_val, &y_test;
  std::vector<Scalar> sample_weights;
  std::unique_ptr<Loss> loss;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<Trainer> trainer;
  bool restore_best = false;
  std::optional<EarlyStopping> early;
  std::optional<Checkpointing> checkpoints;
  std::optional<OnEpochEnd> progress;
  std::optional<MetricsLog> log;
  std::optional<Monitor> monitor;
  std::optional<DoctorWatch> watch;
  std::optional<RollbackRepair> rollback;
  RunFacts facts;
  std::vector<EpochLogs> history;
  bool ended = false;
  std::vector<std::string> fixes_left_out;  // advice no finding gives (TrainingRun::leave_out_fixes)
  // so_far's last answer, and the steps and ended state it was for: asked again with
  // nothing trained since, it is not computed again.
  mutable std::optional<RunResult> look;
  mutable std::pair<Index, bool> look_at{-1, false};

  State(const RunConfig& c, std::shared_ptr<const PreparedData> prepared, const RunHooks& h);
  // Metrics on every split and the doctor's findings, for the parameters as they are now.
  void summarize(RunResult& out) const;
  // The findings' fixes as the run advises them: those its options can take, less those
  // left out.
  void advise(std::vector<Finding>& findings) const {
    drop_unusable_fixes(findings, config);
    glassnet::leave_out_fixes(findings, fixes_left_out);
  }
};

TrainingRun::State::State(const RunConfig& c, std::shared_ptr<const PreparedData> prepared, const RunHooks& h)
    : config(c),
      hooks(h),
      data(std::move(prepared)),
      x_train(data->x_train),
      x_val(data->x_val),
      x_test(data->x_test),
      y_train(data->y_train),
      y_val(data->y_val),
      y_test(data->y_test) {
  const LabelEncoding& labels = data->labels;
  const bool classification = labels.task != Task::regression;
  result.task = labels.task;
  result.warnings = data->warnings;
  const ThreadCountScope threads(config.threads);  // for preflight's training
  result.threads = thread_count();
  model.labels = labels;
  model.target = data->target;
  model.features = data->features;
  model.training = config_json(config).dump();

  NetworkSpec spec;
  spec.in_features = model.features.width();
  spec.hidden = config.layers;
  spec.activation = config.activation;
  spec.norm = config.norm;
  spec.dropout = config.dropout;
  spec.residual = config.residual;
  spec.init = config.init;
  spec.out_features = labels.task == Task::multiclass ? static_cast<Index>(labels.classes.size()) : 1;
  spec.output = output_for(labels.task);
  refuse_what_cannot_fit("--layers", "the network's parameters and their gradients",
                         2.0 * static_cast<double>(parameter_count(spec)) * sizeof(Scalar));
  Rng rng(config.seed);
  model.network = make_network(spec, rng);
  loss = make_loss(labels.task == Task::binary       ? LossKind::bce_with_logits
                   : labels.task == Task::multiclass ? LossKind::softmax_cross_entropy
                                                     : LossKind::mse);
  if (config.balanced_class_weights) {
    if (!classification) throw Error("--class-weight balanced needs a classification task");
    std::vector<double> counts(labels.classes.size(), 0.0);
    for (Index i = 0; i < y_train.rows(); ++i) counts[static_cast<std::size_t>(y_train(i, 0))] += 1;
    for (Index i = 0; i < y_train.rows(); ++i) {
      const double n_c = counts[static_cast<std::size_t>(y_train(i, 0))];
      sample_weights.push_back(
          static_cast<Scalar>(static_cast<double>(y_train.rows()) / (static_cast<double>(counts.size()) * n_c)));
    }
  }
  optimizer = make_optimizer(config);
  const Index steps_per_epoch = (x_train.rows() + config.batch_size - 1) / config.batch_size;
  const PreflightInput checks{
      .network = model.network.get(),
      .loss = loss.get(),
      .x = x_train,
      .targets = y_train,
      .task = labels.task,
      .classes = static_cast<Index>(labels.classes.size()),
      .class_names = labels.classes,
      .feature_names = model.features.input_names(),
      .row_numbers = data->row_numbers,
      .date_columns = data->date_columns,
      .standardized = config.standardize,
      .class_weights = config.balanced_class_weights,
      .seed = config.seed,
      .batch_size = config.batch_size,
      .optimizer_buffers = optimizer->state_buffer_count(),
      .data_bytes = data->bytes,
      .monitor_bytes = Monitor::bytes_for(*model.network, {.level = config.monitor}, steps_per_epoch * config.epochs)};
  refuse_what_cannot_fit("--epochs", fmt::format("the monitor's series of {} steps", steps_per_epoch * config.epochs),
                         static_cast<double>(checks.monitor_bytes));
  preflight = glassnet::preflight(checks);
  advise(preflight);
  result.findings = preflight;
  result.memory = estimate_memory(checks);
  if (hooks.on_finding) {
    for (const Finding& f : preflight) {
      if (f.severity != Severity::info) hooks.on_finding(f, 0);
    }
  }
  trainer = std::make_unique<Trainer>(*model.network, *loss, *optimizer);
  trainer->set_schedule(make_schedule(config));
  const bool has_validation = x_val.rows() > 0;
  // Auto-repair answers overfitting where early stopping is off with an early stopping
  // of its own, patient enough for a slow start: a quarter of the epochs (the trial
  // length), at least 10 — but a run that memorises (its training loss a fifth below the
  // best epoch's) stops with --early-stopping's default patience.
  restore_best = has_validation && (config.early_stopping > 0 || config.auto_repair);
  if (restore_best) {
    early.emplace(EarlyStoppingOptions{
        .monitor = Monitored::val_loss,
        .patience =
            config.early_stopping > 0 ? config.early_stopping : std::max<Index>(kAutoRepairPatience, config.epochs / 4),
        .restore_best = true,
        .memorising_patience = config.early_stopping > 0 ? 0 : kAutoRepairMemorisingPatience});
    trainer->add_callback(*early);
  }
  if (config.checkpoint_dir) {
    checkpoints.emplace(*config.checkpoint_dir, 1);
    trainer->add_callback(*checkpoints);
    result.files["checkpoints"] = config.checkpoint_dir->string();
    trainer->set_run_options(resume_options_json(config, labels.task, x_train, y_train, x_val, y_val));
    if (config.resume) {
      if (const auto latest = latest_checkpoint(*config.checkpoint_dir)) {
        trainer->load_checkpoint(*latest);
        // A run that had ended is not trained on: it ends as it did, with its best
        // epoch's weights under early stopping (one more epoch each resume, before).
        const bool stopped = early && early->has_stopped();
        if (stopped || trainer->epoch() >= config.epochs) {
          const std::string weights = early && !early->best_values().empty()
                                          ? fmt::format("its best epoch's (epoch {})", early->best_epoch())
                                          : std::string("the checkpoint's");
          result.warnings.push_back(
              stopped ? fmt::format(
                            "--resume: the run in {} was stopped early after epoch {} (no better validation "
                            "loss in {}{}): no epoch is trained, and the model written is {}",
                            config.checkpoint_dir->string(), trainer->epoch(), counted(early->epochs_waited(), "epoch"),
                            early->stopped_memorising() ? ", the training loss a fifth below its best epoch's" : "",
                            weights)
                      : fmt::format("--resume: the checkpoint in {} has {}, as many as --epochs {} or more: no epoch "
                                    "is trained, and the model written is {}",
                                    config.checkpoint_dir->string(), counted(trainer->epoch(), "epoch"), config.epochs,
                                    weights));
          if (early) early->on_train_end(*trainer);  // the weights the run ended with
          ended = true;
        }
      } else {
        result.warnings.push_back(fmt::format("--resume: no checkpoint in {} yet; training starts at the first epoch",
                                              config.checkpoint_dir->string()));
      }
    }
  }
  progress.emplace([this](const EpochLogs& logs) {
    if (hooks.on_epoch_end) hooks.on_epoch_end(logs);
  });
  trainer->add_callback(*progress);
  // The log is created only now, when every input has been read and checked.
  if (config.log) {
    log.emplace(*config.log);
    log->write_run({{"config", config_json(config)},
                    {"data",
                     {{"task", task_name(labels.task)},
                      {"train_rows", x_train.rows()},
                      {"val_rows", x_val.rows()},
                      {"test_rows", x_test.rows()},
                      {"inputs", model.features.width()},
                      {"classes", labels.classes}}},
                    {"parameters", model.network->params().trainable_size()},
                    {"threads", result.threads}});
    result.files["log"] = config.log->string();
  }
  facts = run_facts(labels, y_val.rows() > 0 ? y_val : y_train, restore_best, config.learning_rate);
  if (config.monitor != MonitorLevel::off) {
    monitor.emplace(MonitorOptions{.level = config.monitor}, log ? &*log : nullptr);
    monitor->reserve(steps_per_epoch * config.epochs);
    trainer->add_callback(*monitor);
    watch.emplace(*monitor, facts, [this](const Finding& found, Index epoch, Index step) {
      std::vector<Finding> advised = {found};
      advise(advised);
      const Finding& f = advised.front();
      if (log) {
        log->write_finding(f, epoch, step);
        log->flush();
      }
      if (hooks.on_finding) hooks.on_finding(f, epoch);
      // A structural repair need not wait for the end (diag/repair.hpp).
      if (config.auto_repair && f.symptom != "overfitting") trainer->request_stop();
    });
    trainer->add_callback(*watch);
  }
  if (config.auto_repair) {
    rollback.emplace(RollbackOptions{}, [this](const RollbackEvent& e) {
      if (log) log->write_rollback(e);
      if (hooks.on_rollback) hooks.on_rollback(e);
    });
    rollback->attach(*trainer);
  }
}

void TrainingRun::State::summarize(RunResult& out) const {
  out.metrics["train"] = metrics_for(out.task, predict_rows(*model.network, x_train), y_train);
  if (x_val.rows() > 0) out.metrics["val"] = metrics_for(out.task, predict_rows(*model.network, x_val), y_val);
  if (x_test.rows() > 0) out.metrics["test"] = metrics_for(out.task, predict_rows(*model.network, x_test), y_test);
  out.history = history;
  out.chance = facts.chance;
  out.interrupted = trainer->interrupted();
  if (rollback) out.rollbacks = rollback->events();
  if (monitor) {
    RunFacts end_facts = facts;
    if (end_facts.chance) {
      const auto& judged = out.metrics.count("val") ? out.metrics.at("val") : out.metrics.at("train");
      end_facts.scores = ClassScores{.accuracy = judged["accuracy"], .balanced_accuracy = judged["balanced_accuracy"]};
    }
    end_facts.preflight = preflight;
    out.findings = diagnose(monitor->series(), end_facts);
    advise(out.findings);
    out.monitor = monitor->series();
  }
}

TrainingRun::TrainingRun(const RunConfig& config, const RunHooks& hooks) {
  // Every input is read and checked before anything is trained or written.
  check_run_options(config);
  state_ = std::make_unique<State>(
      config, prepare_data(config, read_data(config.data, config.labels, config.delimiter)), hooks);
}

TrainingRun::TrainingRun(const RunConfig& config, const Table& table, const RunHooks& hooks) {
  check_run_options(config);
  state_ = std::make_unique<State>(config, prepare_data(config, table), hooks);
}

TrainingRun::TrainingRun(const RunConfig& config, std::shared_ptr<const PreparedData> data, const RunHooks& hooks) {
  check_run_options(config);
  if (!data || !data->made_for || !same_preparation(*data->made_for, config)) {
    throw Error("TrainingRun: the data were prepared for another configuration (train/prepared_data.hpp)");
  }
  state_ = std::make_unique<State>(config, std::move(data), hooks);
}

std::shared_ptr<const PreparedData> TrainingRun::data() const { return state_->data; }

TrainingRun::TrainingRun(TrainingRun&&) noexcept = default;
TrainingRun& TrainingRun::operator=(TrainingRun&&) noexcept = default;
TrainingRun::~TrainingRun() = default;

const RunConfig& TrainingRun::config() const { return state_->config; }
Index TrainingRun::epoch() const { return state_->trainer->epoch(); }
bool TrainingRun::ended() const { return state_->ended; }
void TrainingRun::set_hooks(const RunHooks& hooks) { state_->hooks = hooks; }

void TrainingRun::set_threads(int n) {
  state_->config.threads = n;
  const ThreadCountScope threads(n);
  state_->result.threads = thread_count();
}

void TrainingRun::move_log(const std::filesystem::path& to) {
  State& s = *state_;
  if (!s.log) throw Error("a run without a metrics log has none to move");
  s.log->rename(to);
  s.config.log = to;
  s.result.files["log"] = to.string();
}

void TrainingRun::write_checkpoints(const std::filesystem::path& directory) {
  State& s = *state_;
  if (s.checkpoints) return;
  // The run it replaces may have written later epochs (it ran to its end before the
  // trials): resuming would go back to it.
  remove_checkpoints_after(directory, s.trainer->epoch());
  s.checkpoints.emplace(directory, 1);
  s.trainer->add_callback(*s.checkpoints);
  s.trainer->set_run_options(resume_options_json(s.config, s.result.task, s.x_train, s.y_train, s.x_val, s.y_val));
  s.config.checkpoint_dir = directory;
  s.result.files["checkpoints"] = directory.string();
}

void TrainingRun::end_when_rollbacks_fail() {
  State& s = *state_;
  if (s.rollback && s.early) s.rollback->set_end_when_uncured(true);
}

void TrainingRun::leave_out_fixes(std::vector<std::string> fixes) {
  state_->fixes_left_out = std::move(fixes);
  state_->look.reset();
}

void TrainingRun::log_repair(const nlohmann::json& repair) {
  if (state_->log) state_->log->write_repair(repair);
}

void TrainingRun::train_to(Index epoch) {
  State& s = *state_;
  if (s.ended || s.trainer->epoch() >= std::min(epoch, s.config.epochs)) return;
  const ThreadCountScope threads(s.config.threads);
  s.trainer->set_interrupt_flag(s.hooks.interrupt);
  const DataView validation{s.x_val, s.y_val};
  try {
    const std::vector<EpochLogs> trained =
        s.trainer->fit({s.x_train, s.y_train, s.sample_weights},
                       {.epochs = s.config.epochs,
                        .batch_size = s.config.batch_size,
                        .seed = s.config.seed,
                        .clip_norm = s.config.clip_norm,
                        .pause_after = epoch},
                       s.x_val.rows() > 0 ? &validation : nullptr);
    s.history.insert(s.history.end(), trained.begin(), trained.end());
    if (!s.trainer->ended_by().empty()) {
      if (!s.early || s.early->best_epoch() == 0) throw TrainingError(s.trainer->ended_by());  // no epoch to go back to
      s.result.warnings.push_back(fmt::format(
          "training stopped in epoch {}: {}; the weights of epoch {}, the best validation loss, are kept",
          s.trainer->epoch() + 1, s.trainer->ended_by(), s.early->best_epoch()));
    }
  } catch (const TrainingError& e) {
    s.ended = true;
    // A loss, gradient or weight became non-finite (the trainer names which); the
    // monitor adds the last loss it recorded, from the step before.
    std::string message = e.what();
    if (s.monitor) {
      const MonitorSeries& series = s.monitor->series();
      for (std::size_t i = series.loss.size(); i-- > 0;) {
        if (std::isfinite(series.loss[i])) {
          message += fmt::format("; the last loss the monitor recorded was {:.4g} at step {}", series.loss[i],
                                 series.steps[i]);
          break;
        }
      }
    }
    // The value that stopped the step is in no recorded step: the monitor takes it
    // (without one, a series of that value alone stands in), so that the doctor finds
    // it (non_finite) with the rest.
    MonitorSeries failure_alone;
    if (s.trainer->failed_step()) {
      if (s.monitor) s.monitor->record_failure(*s.trainer->failed_step());
      failure_alone.first_non_finite = s.trainer->failed_step();
    }
    RunFacts failed = s.facts;
    failed.preflight = s.preflight;
    std::vector<Finding> findings = diagnose(s.monitor ? s.monitor->series() : failure_alone, failed);
    s.advise(findings);
    if (s.log) {
      nlohmann::json end = {{"error", message}, {"findings", findings_json(findings)}};
      add_first_non_finite(end, s.monitor ? &*s.monitor : nullptr);
      s.log->write_end(end);
      s.log->flush();
    }
    throw TrainingFailed(message, std::move(findings), s.monitor ? s.monitor->series() : MonitorSeries{});
  }
  s.ended = !s.trainer->paused();
}

RunResult TrainingRun::so_far() const {
  const State& s = *state_;
  const std::pair<Index, bool> now_at{s.trainer->steps(), s.ended};
  if (s.look && s.look_at == now_at) return *s.look;
  const ThreadCountScope threads(s.config.threads);
  RunResult out;
  out.task = s.result.task;
  out.threads = s.result.threads;
  out.memory = s.result.memory;
  out.findings = s.preflight;
  // A paused run with early stopping is judged by its best epoch, as it would end.
  auto values = s.model.network->params().values();
  std::vector<Scalar> now;
  if (!s.ended && s.early && !s.early->best_values().empty() && s.early->best_values().size() == values.size()) {
    now.assign(values.begin(), values.end());
    std::copy(s.early->best_values().begin(), s.early->best_values().end(), values.begin());
  }
  s.summarize(out);
  if (!now.empty()) std::copy(now.begin(), now.end(), values.begin());
  s.look = out;
  s.look_at = now_at;
  return out;
}

RunResult TrainingRun::finish(SaveModel save) {
  train_to(state_->config.epochs);
  State& s = *state_;
  const ThreadCountScope threads(s.config.threads);
  RunResult& result = s.result;
  s.summarize(result);
  if (save == SaveModel::yes) {
    save_model(s.config.out, s.model);
    result.files["model"] = s.config.out.string();
  }
  if (s.log) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [name, m] : result.metrics) metrics[name] = metrics_json(m);
    nlohmann::json end = {{"metrics", metrics},
                          {"findings", findings_json(result.findings)},
                          {"files", result.files},
                          {"interrupted", result.interrupted},
                          {"threads", result.threads}};  // (a repaired run's trial began on one)
    add_first_non_finite(end, s.monitor ? &*s.monitor : nullptr);
    s.log->write_end(end);
    s.log->flush();
  }
  return std::move(result);
}

TrainingFailed::TrainingFailed(const std::string& what, std::vector<Finding> findings, MonitorSeries series)
    : TrainingError(what), details_(std::make_shared<const Details>(Details{std::move(findings), std::move(series)})) {}

ColumnKinds model_column_kinds(const Model& model, bool target) {
  ColumnKinds kinds;
  for (const FeatureColumn& column : model.features.columns) kinds[column.name] = column.kind;
  if (target) {
    kinds[model.target] =
        model.labels.task == Task::regression || model.labels.numbers ? ColumnKind::numeric : ColumnKind::categorical;
  }
  return kinds;
}

RunResult run_training(const RunConfig& config, const RunHooks& hooks) { return TrainingRun(config, hooks).finish(); }

RunResult run_training(const RunConfig& config, const Table& table, const RunHooks& hooks) {
  return TrainingRun(config, table, hooks).finish();
}

}  // namespace glassnet
