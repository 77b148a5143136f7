#pragma once
// The JSONL metrics log (`glassnet train --log FILE.jsonl`): one JSON object per line,
// each with a "type"; the schema is versioned and documented in docs/metrics-log.md.
//
//   run      once, first: schema name and version, the run's configuration and data
//   layout   once: the monitored parameters and activation layers, in the order every
//            later array follows; the monitor level and probe interval
//   step     every optimizer step: loss, learning rate, global gradient norm, and per
//            parameter the gradient norm, weight norm and update-to-weight ratio
//   probe    every k steps: per activation layer its statistics (and, for the full
//            monitor, histograms)
//   epoch    every epoch: losses, accuracies, learning rate, seconds
//   finding  when the doctor first sees a severe finding during training
//   rollback when a numerical problem was rolled back (--auto-repair)
//   end      once, last of the training: final metrics, findings, files
//   repair   once, when repair trials were run (diag/repair_json.hpp): after the end
//            line of the run they followed (doctor --repair's diagnosis; train
//            --auto-repair's run as configured, when it had failed), or, for train
//            --auto-repair's trial that carries on, before its next epoch
// Non-finite numbers are written as null. Lines are buffered and written at the end of
// each epoch, so the file can be followed while training runs.

#include <cstdio>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/monitor.hpp"
#include "glassnet/diag/rollback.hpp"

namespace glassnet {

inline constexpr std::string_view kMetricsLogSchema = "glassnet-metrics";
inline constexpr int kMetricsLogVersion = 1;

class MetricsLog {
 public:
  enum class Open { create, append };
  // Creates (or truncates) the file, or appends to a log already written. Throws Error
  // if it cannot be opened.
  explicit MetricsLog(const std::filesystem::path& path, Open open = Open::create);
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  void write_run(const nlohmann::json& run);
  void write_layout(const MonitorSeries& series, const MonitorOptions& options, Index probe_every);
  void write_step(const MonitorSeries& series, Index index);
  void write_probe(const MonitorSeries& series, Index index);
  void write_epoch(const EpochLogs& logs, const nlohmann::json* metrics = nullptr);
  // A severe finding the doctor saw during training (diag/watch.hpp).
  void write_finding(const Finding& finding, Index epoch, Index step);
  // A rollback of the repair of numerical problems (diag/rollback.hpp).
  void write_rollback(const RollbackEvent& event);
  void write_end(const nlohmann::json& end);
  // The repair's trials (diag/repair_json.hpp).
  void write_repair(const nlohmann::json& repair);
  // Writes the buffered lines. Throws Error if the file cannot be written.
  void flush();

  const std::filesystem::path& path() const { return path_; }
  // Gives the open file a new name (replacing a file there); later lines go on into it.
  // Throws std::filesystem::filesystem_error if it cannot be renamed.
  void rename(const std::filesystem::path& to);

 private:
  void line(const nlohmann::ordered_json& object);  // keys in the order written: "type" first
  void line(std::string_view type, const nlohmann::json& fields);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

// Appends the "repair" line to a log whose run has ended (its MetricsLog closed).
// Throws Error if the file cannot be written.
void append_repair(const std::filesystem::path& log, const nlohmann::json& repair);

}  // namespace glassnet
