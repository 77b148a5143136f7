#pragma once
// Option files in TOML (`glassnet train --config FILE.toml`): a flat table of
//   key = value
// where the key is a command-line option's name without its leading dashes
// (`batch-size`, or `batch_size`: underscores stand for dashes) and the value is a
// string, number or boolean, or an array of them for options that take several values
// (`layers = [128, 64]`). Numbers are written back as the shortest text that reads as
// the same number, so `lr = 3e-4` means exactly `--lr 3e-4`.
// A UTF-8 byte-order mark at the start is skipped (as in CSV files).
// Errors are glassnet::Error with "FILE:LINE:COLUMN: what was expected": TOML syntax,
// a nested table, a value of another type (date, inline table, nested array), one
// option given twice (`batch_size` and `batch-size`, or one key twice).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace glassnet {

struct ConfigEntry {
  std::string key;                  // dashes, as on the command line: "batch-size"
  std::string written;              // as the file spells it, for messages: "batch_size"
  std::vector<std::string> values;  // one per value; several for an array
  bool array = false;               // written as an array (of any length)
  bool boolean = false;             // written as a TOML boolean (true or false), not text or a number
  std::uint32_t line = 0, column = 0;
};

struct ConfigFile {
  std::string source;                // the file name used in messages
  std::vector<ConfigEntry> entries;  // in the file's order

  // "FILE:LINE:COLUMN" of an entry, for messages.
  std::string location(const ConfigEntry& entry) const;
};

ConfigFile read_config(const std::filesystem::path& path);
// Parses TOML text; `source` names it in messages.
ConfigFile parse_config(std::string_view text, const std::string& source);

}  // namespace glassnet
