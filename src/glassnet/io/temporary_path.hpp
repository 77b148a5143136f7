#pragma once
// Names for temporary files and directories: in the system's directory for them
// (TMPDIR, else /tmp), unique within the machine — the process id and a count, so that
// runs side by side in one process (Python threads, repair's trials) never share one.
//
//   temporary_path("report", ".jsonl")  →  /tmp/glassnet-report-4242-0.jsonl
//
// Nothing is created. Throws Error when there is no such directory (a TMPDIR that does
// not exist), naming it and what to do.

#include <filesystem>
#include <string_view>

namespace glassnet {

std::filesystem::path temporary_path(std::string_view what, std::string_view extension = "");

}  // namespace glassnet
