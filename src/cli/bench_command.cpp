// glassnet bench: training (or inference) throughput on the standard workloads W1–W4,
// and the GEMM-only ceiling (train/throughput.hpp); bench/compare.sh runs it beside the
// PyTorch peer.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/number_checks.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/train/throughput.hpp"

namespace glassnet::cli {
namespace {

struct BenchFlags {
  ThroughputOptions options;
  std::string monitor = "light";
  bool gemm_only = false, json = false;
};

int run_bench(BenchFlags& flags) {
  const auto level = parse_monitor_level(flags.monitor);
  if (!level) throw Error(fmt::format("--monitor: '{}' is not off, light or full", flags.monitor));
  flags.options.monitor = *level;
  if (flags.gemm_only) {
    const GemmCeiling c = gemm_ceiling(flags.options.workload);
    if (flags.json) {
      fmt::print("{}\n", nlohmann::json({{"workload", c.workload},
                                         {"gemm_only_samples_per_s", c.samples_per_s},
                                         {"threads", c.threads},
                                         {"step_seconds", c.step_seconds}})
                             .dump());
    } else {
      fmt::print("{} GEMM-only ceiling: {:.0f} samples/s ({:.1f} µs a step, {} thread{})\n", c.workload,
                 c.samples_per_s, 1e6 * c.step_seconds, c.threads, c.threads == 1 ? "" : "s");
    }
    return 0;
  }
  const Throughput t = measure_throughput(flags.options);
  if (flags.json) {
    fmt::print("{}\n", nlohmann::json({{"workload", t.workload},
                                       {"variant", t.variant},
                                       {"optimizer", t.inference ? nlohmann::json() : nlohmann::json(t.optimizer)},
                                       {"inference", t.inference},
                                       {"monitor", t.inference ? "off" : flags.monitor},  // (no monitor in inference)
                                       {"threads", t.threads},
                                       {"samples_per_s", {{"median", t.median}, {"min", t.min}, {"max", t.max}}},
                                       {"gflops", t.gflops},
                                       {"peak_rss_mb", t.peak_rss_mb}})
                           .dump());
    return 0;
  }
  fmt::print("{} {}{}, {} thread{}: {:.0f} samples/s (min {:.0f}, max {:.0f}, {} timed), {:.1f} GFLOP/s, peak {:.0f} MB\n",
             t.workload, t.inference ? "inference" : t.optimizer, t.variant == "relu" ? "" : " " + t.variant, t.threads,
             t.threads == 1 ? "" : "s", t.median, t.min, t.max, t.samples_per_s.size(), t.gflops, t.peak_rss_mb);
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("bench", "Measure training or inference throughput on the standard workloads W1-W4");
  auto flags = std::make_shared<BenchFlags>();
  ThroughputOptions& o = flags->options;
  cmd->add_option("--workload", o.workload, "W1 (30-64-64-1), W2 (15 x 64), W3 (Fashion-MNIST), W4 (1024-2048-2048-10)")
      ->capture_default_str();
  auto* variant = cmd->add_option("--variant", o.variant, "W2: sigmoid (the default) or relu-bn; the others: relu");
  auto* optimizer = cmd->add_option("--optimizer", o.optimizer, "sgd or adam")->capture_default_str();
  auto* inference = cmd->add_flag("--inference", o.inference, "Time the forward pass only (evaluation mode)");
  auto* threads = cmd->add_option("--threads", o.threads, "Threads for the matrix products (0: the machine's)")
                      ->check(whole_number(0, kMaxThreads))
                      ->capture_default_str();
  auto* warmup = cmd->add_option("--warmup", o.warmup, "Epochs run before the timed ones")
                     ->check(whole_number(0, kMaxEpochs))
                     ->capture_default_str();
  auto* epochs =
      cmd->add_option("--epochs", o.epochs, "Timed epochs")->capture_default_str()->check(whole_number(1, kMaxEpochs));
  auto* monitor =
      cmd->add_option("--monitor", flags->monitor, "The training monitor: off, light or full")->capture_default_str();
  auto* fashion_mnist = cmd->add_option("--fashion-mnist", o.fashion_mnist, "Where W3's IDX files are")
                            ->check(file_name())
                            ->capture_default_str();
  // The ceiling times the products of a training step at the workload's shapes, on one
  // and on two threads: no network, optimizer, monitor, epochs, data or thread count
  // (they were taken and ignored).
  cmd->add_flag("--gemm-only", flags->gemm_only, "Time a training step's matrix products alone: the ceiling")
      ->excludes(variant)
      ->excludes(optimizer)
      ->excludes(inference)
      ->excludes(warmup)
      ->excludes(epochs)
      ->excludes(monitor)
      ->excludes(threads)
      ->excludes(fashion_mnist);
  cmd->add_flag("--json", flags->json, "Print one JSON object");
  cmd->callback([flags, &exit_code] { exit_code = run_bench(*flags); });
}

}  // namespace glassnet::cli
