#include "cli/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "cli/output.hpp"

namespace glassnet::cli {

void EpochProgress::update(const EpochLogs& logs) {
  seconds_ += logs.seconds;
  ++seen_;
  std::string losses = fmt::format("loss {}", readable(logs.train_loss));
  if (logs.train_accuracy) losses += fmt::format("  acc {:.4f}", *logs.train_accuracy);
  if (logs.val_loss) losses += fmt::format("  val_loss {}", readable(*logs.val_loss));
  if (logs.val_accuracy) losses += fmt::format("  val_acc {:.4f}", *logs.val_accuracy);
  losses += fmt::format("  lr {:.3g}", logs.learning_rate);
  if (!terminal_) {
    fmt::print("epoch {:>4}/{}  {}  {:.2f} s\n", logs.epoch, total_, losses, logs.seconds);
    std::fflush(stdout);
    return;
  }
  constexpr int kWidth = 24;
  const auto done = static_cast<int>(kWidth * std::min<Index>(logs.epoch, total_) / std::max<Index>(total_, 1));
  const auto eta = static_cast<long>(seconds_ / static_cast<double>(seen_) * static_cast<double>(total_ - logs.epoch));
  // \r returns to the line start, \x1b[K clears what a longer previous line left.
  fmt::print("\r[{}{}] epoch {}/{}  {}  ETA {}:{:02d}\x1b[K", std::string(static_cast<std::size_t>(done), '#'),
             std::string(static_cast<std::size_t>(kWidth - done), '.'), logs.epoch, total_, losses, eta / 60, eta % 60);
  std::fflush(stdout);
  line_open_ = true;
}

void EpochProgress::finish() {
  if (line_open_) fmt::print("\n");
  line_open_ = false;
}

}  // namespace glassnet::cli
