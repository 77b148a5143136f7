#pragma once
// Charts as inline SVG, for the HTML report (report/html_report.hpp). Each function
// returns one <svg> element: axes with ticks, labels and units, a legend, and native
// tooltips (<title>) with exact values. Colours come from CSS classes the report's
// style sheet defines for light and dark schemes (series s0 … s9), except the heat
// map's cells, whose fill encodes the value itself.
//
// Points that are not finite, or not positive on a log axis, are left out: a line
// breaks there.

#include <optional>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

struct Point {
  double x = 0.0, y = 0.0;
};

// Min/max downsampling for drawing: the points in at most `buckets` runs of consecutive
// points, each run kept as its smallest and its largest y, in their order, so that spikes
// and dips survive. Non-finite points are dropped.
std::vector<Point> min_max_downsample(const std::vector<Point>& points, std::size_t buckets);

struct Axis {
  std::string label;  // with its unit: "step", "loss", "‖∇W‖ (L2)"
  bool log = false;
  std::optional<double> min, max;  // from the data when not given
};

struct Line {
  std::string name;
  std::vector<Point> points;
  int colour = 0;  // CSS class s<colour % 10>
  bool dashed = false;
  bool dots = false;  // a dot per point, each with its exact value as a tooltip (always below 40 points)
  std::string key;    // data-layer attribute, for highlighting a layer's lines
};

struct Marker {
  double x = 0.0;
  std::string label;  // "best epoch 7"
};

struct LineChart {
  std::string id;  // the element id that findings link to
  Axis x, y;
  std::vector<Line> lines;
  std::vector<Marker> markers;               // vertical lines
  std::optional<std::pair<double, double>> band;  // a shaded y range ("healthy")
  std::string band_label;
};
std::string svg_line_chart(const LineChart& chart);

// rows × columns cells; values[row * columns + column], NaN for none. The colour is a
// log10 scale from lo to hi; the legend marks [healthy_lo, healthy_hi].
struct HeatMap {
  std::string id;
  std::vector<std::string> rows;  // labels, top to bottom
  std::vector<std::string> keys;  // data-layer of each row
  Index columns = 0;
  std::vector<double> values;
  std::vector<std::string> tips;  // per cell, after the row's label
  std::string column_label;       // "step"
  std::vector<std::pair<Index, std::string>> column_ticks;  // column, label
  std::string value_label;        // "gradient norm"
  double lo = 1e-12, hi = 1e2;
  double healthy_lo = 1e-3, healthy_hi = 1e-1;
};
std::string svg_heat_map(const HeatMap& map);

// The colour of log10(value) between log10(lo) and log10(hi), as "#rrggbb": dark blue
// (vanishing) through green to yellow (large).
std::string heat_colour(double value, double lo, double hi);

// Text for XML: & < > " escaped.
std::string xml_escape(const std::string& text);

}  // namespace glassnet
