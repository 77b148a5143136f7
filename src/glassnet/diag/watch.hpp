#pragma once
// The doctor during training: a Callback, added after the Monitor, that runs the
// doctor on the series so far at the end of epochs and reports each severe finding
// (severity error) the first time it is seen, while the run goes on.
//
// Mid-run the doctor judges less than at the end, to raise no false alarm on a run
// that is only starting (slow starters lose units and move little at first, then learn):
//   - only errors are reported; warnings wait for the end;
//   - only while the loss is stuck: its median over the last quarter of the steps so far
//     is not 1 % below the third quarter's (a slow start that is still moving is left
//     to the end's judgement);
//   - the poor result (chance_level, plateau, slow learning) waits for the end: the
//     accuracy is not judged until training is over;
//   - a check needs at least kMinSteps steps so far;
//   - a finding is reported when it was an error at two checks in a row.
// Checks run at the end of each of the first 10 epochs, then whenever the run has grown
// by a tenth since the last one, so that the doctor's cost stays a small multiple of
// one pass over the series.

#include <functional>
#include <set>
#include <string>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/monitor.hpp"
#include "glassnet/train/callback.hpp"

namespace glassnet {

class DoctorWatch : public Callback {
 public:
  static constexpr Index kMinSteps = 50;

  // `facts` without the accuracy (judged at the end only). `report` receives each new
  // severe finding with the epoch and step it was seen at.
  DoctorWatch(const Monitor& monitor, RunFacts facts, std::function<void(const Finding&, Index, Index)> report);

  std::string_view name() const override { return "doctor_watch"; }
  void on_epoch_end(Trainer& trainer, const EpochLogs& logs) override;

 private:
  const Monitor& monitor_;
  RunFacts facts_;
  std::function<void(const Finding&, Index, Index)> report_;
  Index checked_at_step_ = 0;
  std::set<std::string> severe_last_check_, reported_;
};

}  // namespace glassnet
