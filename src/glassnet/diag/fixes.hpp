#pragma once
// The doctor's fixes as changes to a run: each fix a finding names (`Finding::fixes`) is
// text a user can type, and most are glassnet options, so they can also be applied to a
// RunConfig — how repair (diag/repair.hpp) tries them.
//
//   "--activation relu --init he"       any sequence of the options below
//   "--activation X" "--init X" "--norm X" "--residual" "--optimizer X" "--lr X"
//   "--clip-norm X" "--dropout X" "--weight-decay X" "--early-stopping N"
//   "--schedule X" "--batch-size N" "--class-weight balanced" "--monitor X" "--ignore A,B"
//   "--task X" (a trailing note in parentheses is ignored)
//   "drop --no-standardize"             standardise the features
//
// Advice that is not an option ("smaller --layers", "check the target column") does not
// apply.

#include <string>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet {

// Applies `fix` to `config`. Returns false, leaving `config` unchanged, when the fix is
// not an option of the list above, has a value that does not parse, or changes nothing.
bool apply_fix(RunConfig& config, const std::string& fix);

// Removes from a finding's fixes the options that change nothing in `config` (`--norm
// none` on a network without normalisation, `--early-stopping 5` where it is 5, `--init
// xavier` where auto builds Xavier) and those that would leave it untrainable
// (train/run.hpp: untrainable): `--norm batch` for a run of batches of one row, which
// the run would refuse. What a run prints, logs, returns and tries is the advice left.
void drop_unusable_fixes(Finding& finding, const RunConfig& config);
void drop_unusable_fixes(std::vector<Finding>& findings, const RunConfig& config);

// Removes `fixes` from every finding's advice: those that the trials of a repair tried
// and did not keep (diag/repair.hpp), which the trial table reports instead.
void leave_out_fixes(std::vector<Finding>& findings, const std::vector<std::string>& fixes);

}  // namespace glassnet
