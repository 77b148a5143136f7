#pragma once
// Per-epoch progress of `glassnet train`. On a terminal: one live line, rewritten each
// epoch, with a bar, the losses, the learning rate and the estimated time left. Not on
// a terminal (a log, a pipe): one plain line per epoch.

#include <cstdio>

#include "glassnet/train/callback.hpp"

namespace glassnet::cli {

class EpochProgress {
 public:
  EpochProgress(Index total_epochs, bool terminal) : total_(total_epochs), terminal_(terminal) {}
  void update(const EpochLogs& logs);
  // Ends the live line (on a terminal), if one is showing: before other output, and at
  // the end.
  void finish();

 private:
  Index total_;
  bool terminal_;
  double seconds_ = 0.0;
  Index seen_ = 0;
  bool line_open_ = false;
};

}  // namespace glassnet::cli
