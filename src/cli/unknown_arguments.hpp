#pragma once
// What to say of the words a command did not expect. CLI11 lists them reversed and
// values first ("not expected: 0.1 --learning-rate"); here each unknown option is named
// as written, with the command's options it resembles — by spelling (--epoch →
// --epochs) or by the words of their description (--learning-rate → --lr, "Learning
// rate") — and a stray value is named by itself.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace glassnet::cli {

// Whether a word is written as an option: a dash and a letter, not a negative number.
bool is_option(const std::string& word);

// The command's options (as "--name") that `name`, written without its dashes,
// resembles, at most three: those spelled a quarter of its letters away (at least one);
// else those whose name, or else whose help, holds each of its words of three letters or
// more. Also for a --config file's keys and the Python module's keywords.
std::vector<std::string> resembling(const CLI::App& command, const std::string& name);

// `extras`: the words in the order given (CLI::App::remaining), for `command`, called
// `where` ("glassnet demo xor"). One line, without "error: ".
std::string unknown_arguments_message(const std::string& where, const CLI::App& command,
                                      const std::vector<std::string>& extras);

}  // namespace glassnet::cli
