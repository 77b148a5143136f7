#pragma once
// The one entry point for the data files the commands read: `--data FILE` alone is a
// CSV table, or IDX images when the file starts like IDX or gzip; `--data IMAGES
// --labels LABELS` is IDX images with their labels (data/idx.hpp). Either way the
// result is a Table, so splitting, preprocessing, training, evaluation and prediction
// treat both alike.

#include <filesystem>
#include <optional>

#include "glassnet/data/table.hpp"

namespace glassnet {

// `delimiter` applies to CSV (0: detect), and so do `kinds` (make_table: the columns'
// kinds as the training data had them). Errors name the file and what was expected.
Table read_data(const std::filesystem::path& data, const std::optional<std::filesystem::path>& labels = std::nullopt,
                char delimiter = 0, const ColumnKinds* kinds = nullptr);

}  // namespace glassnet
