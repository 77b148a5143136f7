#include "cli/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace glassnet::cli {

void EpochProgress::update(const EpochLogs& logs) {
  seconds_ += logs.seconds;
  ++seen_;
  const std::string losses =
      fmt::format("loss {:.4f}{}  lr {:.3g}", logs.train_loss,
                  logs.val_loss ? fmt::format("  val_loss {:.4f}", *logs.val_loss) : "", logs.learning_rate);
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
}

void EpochProgress::finish() {
  if (terminal_ && seen_ > 0) fmt::print("\n");
}

}  // namespace glassnet::cli
