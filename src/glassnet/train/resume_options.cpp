#include "glassnet/train/resume_options.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "glassnet/nn/activations.hpp"
#include "glassnet/nn/init.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet {
namespace {

// "N rows × F inputs, CRC-32 XXXXXXXX" of the rows and their targets (zlib's CRC-32 over
// their bytes: which data, not a defence against a forged file).
std::string rows_text(InputView x, const Matrix& y, bool inputs) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto add = [&](const Scalar* data, Index size) {
    const auto* bytes = reinterpret_cast<const Bytef*>(data);
    std::size_t left = static_cast<std::size_t>(size) * sizeof(Scalar);
    while (left > 0) {  // zlib takes uInt lengths
      const auto chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
      crc = crc32(crc, bytes, chunk);
      bytes += chunk;
      left -= chunk;
    }
  };
  // The input matrix's bytes, a block of rows at a time (it is held as InputRows).
  constexpr Index kBlockRows = 1024;
  Buffer scratch;
  for (Index begin = 0; begin < x.rows(); begin += kBlockRows) {
    const ConstMatrixView block = x.block(begin, std::min(kBlockRows, x.rows() - begin), scratch);
    add(block.data(), block.size());
  }
  add(y.data(), y.size());
  return fmt::format("{} rows{}, CRC-32 {:08x}", x.rows(), inputs ? fmt::format(" × {} inputs", x.cols()) : "",
                     static_cast<unsigned long>(crc));
}

}  // namespace

std::string resume_options_json(const RunConfig& c, Task task, InputView x_train, const Matrix& y_train,
                                InputView x_val, const Matrix& y_val) {
  const auto number = [](double v) { return fmt::format("{}", v); };
  const auto flag = [](bool on) { return std::string(on ? "on" : "off"); };
  nlohmann::ordered_json j = {{"training data", rows_text(x_train, y_train, true)},
                              {"validation data", rows_text(x_val, y_val, false)},
                              {"--task", std::string(task_name(task))},
                              {"--layers", fmt::format("{}", fmt::join(c.layers, ","))},
                              {"--activation", std::string(activation_name(c.activation))},
                              {"--norm", std::string(normalization_name(c.norm))},
                              {"--dropout", number(c.dropout)},
                              {"--residual", flag(c.residual)},
                              {"--init", std::string(init_name(c.init))},
                              {"--optimizer", c.optimizer},
                              {"--lr", number(c.learning_rate)},
                              {"--weight-decay", number(c.weight_decay)},
                              {"--schedule", c.schedule},
                              {"--clip-norm", number(c.clip_norm)},
                              {"--batch-size", fmt::format("{}", c.batch_size)},
                              {"--early-stopping", fmt::format("{}", c.early_stopping)},
                              {"--class-weight", c.balanced_class_weights ? "balanced" : "none"},
                              {"--seed", fmt::format("{}", c.seed)},
                              {"--no-standardize", flag(!c.standardize)},
                              {"--impute", c.impute ? std::string(imputation_name(*c.impute)) : "off"},
                              {"--auto-repair", flag(c.auto_repair)}};
  return j.dump();
}

}  // namespace glassnet
