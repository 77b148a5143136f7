#include "glassnet/diag/preflight.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "glassnet/core/error.hpp"
#include "glassnet/core/memory.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/train/split_step.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

constexpr double kScaleRatio = 100.0;       // largest over smallest feature std
constexpr double kMeanOverStd = 10.0;       // |mean| / std of one feature
constexpr double kMinorityShare = 0.2;  // of an even share of the training rows: 10 % of two classes
constexpr Index kDeepSaturating = 5;        // hidden layers
constexpr double kInitialLossFactor = 4.0;  // over the expected first loss
constexpr double kOverfitTarget = 0.10;     // of the one batch's starting loss
constexpr Index kOverfitRows = 16;
constexpr Index kOverfitSteps = 200;
constexpr double kParametersPerRow = 10.0;
// One evaluation batch: the first loss fills the buffers that evaluation reuses.
constexpr Index kLossSampleRows = Trainer::kEvaluationBatch;
constexpr double kMemoryWarning = 0.8;  // of the available memory
constexpr Index kEvaluationRows = Trainer::kEvaluationBatch;
constexpr Index kStatisticsRows = 1024;  // rows at a time through the inputs' statistics

Finding finding(std::string symptom, Severity severity, std::string summary) {
  Finding f;
  f.symptom = std::move(symptom);
  f.severity = severity;
  f.summary = std::move(summary);
  return f;
}

constexpr std::size_t kFewWholeNumbers = 20;  // distinct values of a regression target

// The output transform each loss is made for.
std::optional<OutputTransform> output_for(std::string_view loss) {
  if (loss == "bce") return OutputTransform::sigmoid;
  if (loss == "cross-entropy") return OutputTransform::softmax;
  if (loss == "mse") return OutputTransform::identity;
  return std::nullopt;
}

// Returns false when the targets cannot be fed to the loss at all.
bool labels(const PreflightInput& in, std::vector<Finding>& out) {
  const std::string_view loss = in.loss->name();
  const OutputTransform output = in.network->spec().output;
  const auto mismatch = [&](Severity severity, std::string summary, std::string evidence, std::vector<std::string> fixes) {
    Finding f = finding("label_mismatch", severity, std::move(summary));
    f.evidence.push_back(std::move(evidence));
    f.fixes = std::move(fixes);
    out.push_back(std::move(f));
  };
  if (const auto expected = output_for(loss); expected && *expected != output) {
    mismatch(Severity::error, "The network's output does not fit its loss: predictions will not mean what they say.",
             fmt::format("a {} output with the {} loss, which is made for a {} output", output_transform_name(output),
                         loss, output_transform_name(*expected)),
             {fmt::format("an output of {}", output_transform_name(*expected))});
  }
  const ConstMatrixView y = in.targets;
  if (y.rows() == 0) return true;
  if (loss == "bce") {
    const double lo = y.minCoeff(), hi = y.maxCoeff();
    if (lo < 0.0 || hi > 1.0) {
      const bool whole = (y.array() == y.array().round()).all();
      mismatch(Severity::error,
               "Binary cross-entropy takes targets in [0, 1]; these look like class labels for more than two classes.",
               fmt::format("targets from {:g} to {:g}{}", lo, hi, whole ? ", all whole numbers" : ""),
               {"--task multiclass (softmax and cross-entropy)"});
      return false;
    }
  }
  if (loss == "cross-entropy" && y.cols() > 1) {
    const bool one_hot = ((y.array() == 0) || (y.array() == 1)).all() && (y.rowwise().sum().array() == 1).all();
    mismatch(Severity::error, "Cross-entropy takes one column of class indices; these targets have several columns.",
             fmt::format("{} target columns{}", y.cols(), one_hot ? ", one-hot encoded" : ""),
             {"the class index of each row (argmax of the one-hot row)"});
    return false;
  }
  if (in.task == Task::regression && y.cols() == 1) {
    std::vector<double> distinct;
    for (Index i = 0; i < y.rows() && distinct.size() <= kFewWholeNumbers; ++i) {
      const double v = y(i, 0);
      if (v != std::round(v)) return true;
      if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
    }
    if (distinct.size() <= kFewWholeNumbers && y.rows() > 2 * static_cast<Index>(distinct.size())) {
      std::sort(distinct.begin(), distinct.end());
      mismatch(Severity::warning,
               "The regression target holds only a few whole numbers: it looks like class labels, which a "
               "regression treats as ordered quantities.",
               fmt::format("{} distinct values, {:g} to {:g}, all whole numbers (flagged up to {})", distinct.size(),
                           distinct.front(), distinct.back(), kFewWholeNumbers),
               {distinct.size() == 2 ? "--task binary" : "--task multiclass"});
    }
  }
  return true;
}

void unscaled(const PreflightInput& in, std::vector<Finding>& out) {
  if (in.standardized || in.x.rows() < 2) return;
  const Index n = in.x.rows(), width = in.x.cols();
  // Each input's mean, then its (population) standard deviation, a block of rows at a time.
  std::vector<double> means(static_cast<std::size_t>(width), 0.0), stds(static_cast<std::size_t>(width), 0.0);
  Buffer scratch;
  const auto over_blocks = [&](const auto& add) {
    for (Index begin = 0; begin < n; begin += kStatisticsRows) {
      const ConstMatrixView block = in.x.block(begin, std::min(kStatisticsRows, n - begin), scratch);
      for (Index r = 0; r < block.rows(); ++r) {
        for (Index j = 0; j < width; ++j) add(static_cast<std::size_t>(j), static_cast<double>(block(r, j)));
      }
    }
  };
  over_blocks([&](std::size_t j, double v) { means[j] += v; });
  for (double& mean : means) mean /= static_cast<double>(n);
  over_blocks([&](std::size_t j, double v) { stds[j] += (v - means[j]) * (v - means[j]); });
  for (double& sd : stds) sd = std::sqrt(sd / static_cast<double>(n));
  std::size_t lo = 0, hi = 0;
  for (std::size_t j = 0; j < stds.size(); ++j) {
    if (stds[j] > 0 && (stds[lo] == 0 || stds[j] < stds[lo])) lo = j;
    if (stds[j] > stds[hi]) hi = j;
  }
  Finding f = finding("unscaled_input", Severity::warning,
                      "The input features have very different scales; the large ones dominate the first layer and "
                      "saturate units, the small ones are barely learned from.");
  const auto name = [&](std::size_t j) {
    return j < in.feature_names.size() ? in.feature_names[j] : fmt::format("input {}", j);
  };
  if (stds[lo] > 0 && stds[hi] / stds[lo] > kScaleRatio) {
    f.evidence.push_back(
        fmt::format("standard deviations from {:.3g} ({}) to {:.3g} ({}): {:.0f}× apart (healthy: "
                    "within {:.0f}×)",
                    stds[lo], name(lo), stds[hi], name(hi), stds[hi] / stds[lo], kScaleRatio));
  }
  for (std::size_t j = 0; j < stds.size() && f.evidence.size() < 4; ++j) {
    if (stds[j] > 0 && std::abs(means[j]) > kMeanOverStd * stds[j]) {
      f.evidence.push_back(fmt::format("{}: mean {:.3g}, {:.0f} standard deviations from zero", name(j), means[j],
                                       std::abs(means[j]) / stds[j]));
    }
    // A constant column has no spread to measure its offset by: against the widest
    // other feature's (at least 1), as it shifts every first-layer unit by that much.
    const double scale = std::max(stds[hi], 1.0);
    if (stds[j] == 0 && std::abs(means[j]) > kMeanOverStd * scale) {
      f.evidence.push_back(fmt::format("{}: constant at {:.3g}, against standard deviations of at most {:.3g}", name(j),
                                       means[j], stds[hi]));
    }
  }
  if (f.evidence.empty()) return;
  f.causes = {"standardisation is off (--no-standardize)"};
  f.fixes = {"drop --no-standardize", "--norm batch"};
  out.push_back(std::move(f));
}

void row_numbers(const PreflightInput& in, std::vector<Finding>& out) {
  if (in.row_numbers.empty()) return;
  Finding f = finding("row_number", Severity::warning,
                      "A feature counts the rows of the file: a row number says where a row sits in the file, not "
                      "what it is. Where the file is ordered (by time, by outcome), the network learns the order, "
                      "and new rows carry numbers it never saw.");
  // (whole numbers in full: row 1000000, not 1e+06)
  const auto number = [](double v) {
    return std::floor(v) == v && std::abs(v) < 1e15 ? fmt::format("{:.0f}", v) : fmt::format("{:g}", v);
  };
  std::vector<std::string> names;
  for (const RowNumberColumn& c : in.row_numbers) {
    f.evidence.push_back(fmt::format("'{}' is {}, {}, {}, … {}: one more on each row, in file order", c.name,
                                     number(c.first), number(c.first + 1), number(c.first + 2), number(c.last)));
    names.push_back(c.name);
  }
  f.causes = {"a row number saved with the data (a data frame's index)"};
  f.fixes = {fmt::format("--ignore {}", fmt::join(names, ","))};
  out.push_back(std::move(f));
}

void date_columns(const PreflightInput& in, std::vector<Finding>& out) {
  if (in.date_columns.empty()) return;
  Finding f = finding("date_column", Severity::warning,
                      "A feature holds dates as text: one-hot encoded, each date is an input of its own, so nothing "
                      "learned of one date carries to the next, and a date after the training rows' is an input the "
                      "network never saw. What matters of a date (the day of the week, the hour, the days since an "
                      "event) is a number, in a column of its own.");
  std::vector<std::string> names;
  for (const DateColumn& c : in.date_columns) {
    f.evidence.push_back(
        fmt::format("'{}' holds {} different dates or times in the training rows ('{}', '{}', …): "
                    "{} inputs",
                    c.name, c.dates, quoted_value(c.first_seen), quoted_value(c.second_seen), c.dates));
    names.push_back(c.name);
  }
  f.causes = {"glassnet reads dates as text, and encodes text one input per category"};
  f.fixes = {fmt::format("--ignore {}", fmt::join(names, ","))};
  out.push_back(std::move(f));
}

void imbalance(const PreflightInput& in, std::vector<Finding>& out) {
  if (in.task == Task::regression || in.class_weights || in.targets.rows() == 0) return;
  std::vector<Index> counts(static_cast<std::size_t>(std::max<Index>(in.classes, 2)), 0);
  for (Index i = 0; i < in.targets.rows(); ++i) {
    const auto k = static_cast<std::size_t>(in.targets(i, 0));
    if (k < counts.size()) ++counts[k];
  }
  const auto rarest = std::min_element(counts.begin(), counts.end());
  const double fraction = static_cast<double>(*rarest) / static_cast<double>(in.targets.rows());
  const double flagged_below = kMinorityShare / static_cast<double>(counts.size());
  if (fraction >= flagged_below) return;
  Finding f = finding("class_imbalance", Severity::warning,
                      "One class is rare; without class weights the network can score well by ignoring it.");
  const auto k = static_cast<std::size_t>(rarest - counts.begin());
  const std::string rare =
      k < in.class_names.size() ? fmt::format("'{}'", quoted_value(in.class_names[k])) : std::to_string(k);
  f.evidence.push_back(
      fmt::format("class {} holds {} of {} training rows ({:.1f} %; flagged below {:.3g} %, a fifth of an even share "
                  "of {} classes)",
                  rare, *rarest, in.targets.rows(), 100.0 * fraction, 100.0 * flagged_below, counts.size()));
  f.fixes = {"--class-weight balanced"};
  out.push_back(std::move(f));
}

void architecture(const PreflightInput& in, std::vector<Finding>& out) {
  const NetworkSpec& spec = in.network->spec();
  const auto hidden = static_cast<Index>(spec.hidden.size());
  if (hidden == 0) return;
  if (spec.activation == Activation::identity) {
    Finding f =
        finding("linear_network", Severity::warning,
                "The hidden layers have no activation: the whole network is one linear map, whatever its depth.");
    f.evidence.push_back(fmt::format("{} hidden layers with the identity activation", hidden));
    f.fixes = {"--activation relu"};
    out.push_back(std::move(f));
  }
  const bool saturating = spec.activation == Activation::sigmoid || spec.activation == Activation::tanh;
  if (saturating && hidden >= kDeepSaturating && spec.norm == Normalization::none && !spec.residual) {
    Finding f = finding("deep_saturating", Severity::warning,
                        "Sigmoid/tanh in many hidden layers without normalisation: the gradient shrinks at every "
                        "layer and the first layers will hardly learn.");
    f.evidence.push_back(fmt::format("{} hidden {} layers (flagged from {})", hidden, activation_name(spec.activation),
                                     kDeepSaturating));
    f.fixes = {"--activation relu --init he", "--norm batch", "--residual"};
    out.push_back(std::move(f));
  }
  const bool relu = is_relu_family(spec.activation);
  const bool he = spec.init == InitScheme::he_normal || spec.init == InitScheme::he_uniform;
  const bool xavier = spec.init == InitScheme::xavier_normal || spec.init == InitScheme::xavier_uniform ||
                      spec.init == InitScheme::lecun_normal;
  if ((relu && xavier) || (saturating && he) || spec.init == InitScheme::zeros) {
    Finding f =
        finding("init_mismatch", hidden >= 4 || spec.init == InitScheme::zeros ? Severity::warning : Severity::info,
                "The initialiser was made for another activation: signals shrink or grow with depth.");
    f.evidence.push_back(fmt::format("--init {} with --activation {} and {} hidden layers", init_name(spec.init),
                                     activation_name(spec.activation), hidden));
    f.fixes = {"--init auto"};
    out.push_back(std::move(f));
  }
}

double expected_initial_loss(const PreflightInput& in) {
  if (in.task == Task::binary) return std::log(2.0);
  if (in.task == Task::multiclass) return std::log(static_cast<double>(std::max<Index>(in.classes, 2)));
  const auto y = in.targets.col(0).cast<double>();
  const double mean = y.mean();
  return std::max(1e-12, (y.array() - mean).square().mean() + mean * mean);  // E[y²]: an output near 0
}

void initial_loss(const PreflightInput& in, Network& network, std::vector<Finding>& out) {
  const Index rows = std::min(in.x.rows(), kLossSampleRows);
  if (rows == 0) return;
  Buffer scratch;
  const ConstMatrixView x = in.x.block(0, rows, scratch);
  const ConstMatrixView y(in.targets.data(), rows, in.targets.cols());
  const double loss = in.loss->value(network.forward(x, Mode::eval), y);
  const double expected = expected_initial_loss(in);
  if (std::isfinite(loss) && loss <= kInitialLossFactor * expected) return;
  Finding f = finding("initial_loss", Severity::warning,
                      "The loss starts far above its expected value: the initial outputs are large and confidently "
                      "wrong.");
  f.evidence.push_back(
      fmt::format("first loss {:.4g} on {} training rows; expected about {:.4g} ({}); flagged above "
                  "{:.0f}×",
                  loss, rows, expected,
                  in.task == Task::regression ? "the mean square of the targets"
                                              : fmt::format("ln {}", in.task == Task::binary ? 2 : in.classes),
                  kInitialLossFactor));
  f.causes = {"unscaled inputs", "an initialisation too large for the layer widths"};
  f.fixes = {"drop --no-standardize", "--init auto", "--norm batch"};
  out.push_back(std::move(f));
}

void overfit_one_batch(const PreflightInput& in, std::vector<Finding>& out) {
  const Index rows = std::min(in.x.rows(), kOverfitRows);
  if (rows < 2) return;
  Rng rng(in.seed);
  NetworkSpec spec = in.network->spec();
  spec.dropout = 0.0;  // the test asks whether the network can fit, not whether it generalises
  auto copy = make_network(spec, rng);
  Buffer scratch;
  const ConstMatrixView x = in.x.block(0, rows, scratch);
  const ConstMatrixView y(in.targets.data(), rows, in.targets.cols());
  Adam adam(1e-2);
  Trainer trainer(*copy, *in.loss, adam);
  double start = in.loss->value(copy->forward(x, Mode::train), y), last = start;
  try {
    // It stops once the batch is fitted: the verdict is whether it can be at all.
    for (Index step = 0; step < kOverfitSteps && last > kOverfitTarget * start; ++step) {
      last = trainer.step(x, y);
    }
  } catch (const TrainingError&) {
    last = std::numeric_limits<double>::infinity();
  }
  if (std::isfinite(last) && last <= kOverfitTarget * start) return;
  Finding f = finding("cannot_overfit", Severity::warning,
                      "A fresh copy of the network cannot fit even one small batch: something in the set-up blocks "
                      "learning.");
  f.evidence.push_back(
      fmt::format("loss on {} rows after {} Adam steps (lr 0.01): {:.4g} → {:.4g}; expected below "
                  "{:.0f} % of the start",
                  rows, kOverfitSteps, start, last, 100.0 * kOverfitTarget));
  f.causes = {"labels that do not fit the output and loss", "a network too narrow or too deep to train as set up",
              "normalisation over a batch too small to learn from"};
  f.fixes = {"check the target column and --task", "--activation relu --init he", "--norm none"};
  out.push_back(std::move(f));
}

void size(const PreflightInput& in, std::vector<Finding>& out) {
  const Index params = in.network->params().trainable_size();
  const Index rows = in.x.rows();
  if (rows == 0 || static_cast<double>(params) <= kParametersPerRow * static_cast<double>(rows)) return;
  Finding f = finding("too_many_parameters", Severity::info,
                      "The network has many parameters for the amount of data; expect it to memorise the training "
                      "rows.");
  f.evidence.push_back(
      fmt::format("{} trainable parameters for {} training rows ({:.0f} per row; flagged above {:.0f})", params, rows,
                  static_cast<double>(params) / static_cast<double>(rows), kParametersPerRow));
  f.fixes = {"--dropout 0.2", "--weight-decay 1e-4", "--early-stopping 5", "smaller --layers"};
  out.push_back(std::move(f));
}

void memory(const PreflightInput& in, std::vector<Finding>& out) {
  const std::optional<std::uint64_t> available = in.available_bytes ? in.available_bytes : available_memory_bytes();
  if (!available) return;
  const MemoryEstimate m = estimate_memory(in);
  // The data is already in memory, so the machine's available memory excludes it.
  const double needed = static_cast<double>(m.total() - m.data);
  const auto room = static_cast<double>(*available);
  if (needed <= kMemoryWarning * room) return;
  Finding f = finding("memory", needed > room ? Severity::error : Severity::warning,
                      "Training this network at this batch size needs about as much memory as the machine has "
                      "left; it may swap or be killed.");
  f.evidence.push_back(fmt::format(
      "estimated peak {} on top of the data's {}: parameters and gradients {}, optimizer state {}, layer buffers "
      "{} ({} per row at batch {}), monitor {}; available {} (flagged above {:.0f} %)",
      format_bytes(needed), format_bytes(static_cast<double>(m.data)), format_bytes(static_cast<double>(m.parameters)),
      format_bytes(static_cast<double>(m.optimizer)), format_bytes(static_cast<double>(m.activations)),
      format_bytes(static_cast<double>(m.per_row)), in.batch_size, format_bytes(static_cast<double>(m.monitor)),
      format_bytes(room), 100.0 * kMemoryWarning));
  const double fixed = needed - static_cast<double>(m.activations);
  const double rows = (kMemoryWarning * room - fixed) / static_cast<double>(std::max<std::uint64_t>(m.per_row, 1));
  if (rows >= 1.0 && m.per_row > 0) {
    // Below the evaluation batch the buffers stop shrinking with the batch size.
    const auto fits = static_cast<Index>(rows);
    if (fits < in.batch_size && fits >= kEvaluationRows) {
      f.fixes.push_back(fmt::format("--batch-size {}", fits));
    }
  }
  if (m.monitor > m.activations) f.fixes.emplace_back("--monitor off");
  f.fixes.emplace_back("smaller --layers");
  f.causes = {"a large batch or wide layers", "a data set that fills most of the memory"};
  out.push_back(std::move(f));
}

}  // namespace

MemoryEstimate estimate_memory(const PreflightInput& in) {
  constexpr auto kScalar = static_cast<std::uint64_t>(sizeof(Scalar));
  const Network& network = *in.network;
  const auto values = static_cast<std::uint64_t>(network.params().size());
  MemoryEstimate m;
  m.data = in.data_bytes;
  m.parameters = 2 * values * kScalar;
  m.optimizer = static_cast<std::uint64_t>(std::max<Index>(in.optimizer_buffers, 0)) * values * kScalar;
  // The layers' buffers, plus the trainer's copies of the batch's inputs and targets
  // and the loss gradient.
  const Index per_row_floats =
      network.floats_per_row() + network.spec().in_features + in.targets.cols() + network.spec().out_features;
  m.per_row = static_cast<std::uint64_t>(per_row_floats) * kScalar;
  m.activations = m.per_row * static_cast<std::uint64_t>(std::max(in.batch_size, kEvaluationRows));
  // A batch split across the threads (train/split_step.hpp) adds, per extra part, a copy
  // of the gradients and the layers' buffers for its rows.
  const int parts = SplitStep::supports(*in.network)
                        ? SplitStep::parts_for(in.batch_size, SplitStep::largest_weight(network), thread_count())
                        : 1;
  if (parts > 1) {
    const auto extra = static_cast<std::uint64_t>(parts - 1);
    const auto part_rows = static_cast<std::uint64_t>((in.batch_size + parts - 1) / parts);
    m.parameters += extra * values * kScalar;
    m.activations += extra * part_rows * static_cast<std::uint64_t>(network.floats_per_row()) * kScalar;
  }
  m.monitor = in.monitor_bytes;
  return m;
}

std::vector<Finding> preflight(const PreflightInput& in) {
  std::vector<Finding> out;
  const bool targets_fit = labels(in, out);
  unscaled(in, out);
  row_numbers(in, out);
  date_columns(in, out);
  if (targets_fit) imbalance(in, out);
  architecture(in, out);
  if (targets_fit) {
    initial_loss(in, *in.network, out);
    if (in.overfit_check) overfit_one_batch(in, out);
  }
  size(in, out);
  memory(in, out);
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return out;
}

}  // namespace glassnet
