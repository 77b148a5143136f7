#include "glassnet/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>

namespace glassnet {
namespace {

constexpr double kWidth = 720, kPlotHeight = 240;
constexpr double kLeft = 72, kRight = 16, kTop = 14, kBottom = 44;
constexpr double kLegendRow = 18, kLegendColumn = 176;
constexpr int kLegendPerRow = 4;
constexpr std::size_t kDotsBelow = 40;  // a line of fewer points gets a dot (and tooltip) per point

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

// The axis's range in drawing units (log10 on a log axis).
struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  double operator()(double v) const { return ((log ? std::log10(v) : v) - lo) / (hi - lo); }  // 0..1
};

Scale scale_for(const Axis& axis, const std::vector<double>& values) {
  Scale s;
  s.log = axis.log;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values) {
    if (!usable(v, axis.log)) continue;
    const double u = axis.log ? std::log10(v) : v;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  if (axis.min && usable(*axis.min, axis.log)) lo = axis.log ? std::log10(*axis.min) : *axis.min;
  if (axis.max && usable(*axis.max, axis.log)) hi = axis.log ? std::log10(*axis.max) : *axis.max;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (axis.log) {
    lo = std::floor(lo);
    hi = std::ceil(hi);
  }
  if (hi - lo < 1e-12) {
    const double pad = axis.log ? 1.0 : std::max(std::abs(hi) * 0.05, 1e-3);
    lo -= pad;
    hi += pad;
  }
  s.lo = lo;
  s.hi = hi;
  return s;
}

std::string tick_text(double v, bool log) {
  if (log) return fmt::format("1e{}", static_cast<int>(std::lround(v)));
  if (v == 0) return "0";
  return fmt::format("{:.4g}", v);
}

// Tick positions in drawing units: each decade (every few on a long log axis), or 1-2-5
// steps giving about five ticks.
std::vector<double> ticks(const Scale& s) {
  std::vector<double> out;
  if (s.log) {
    const int decades = static_cast<int>(std::lround(s.hi - s.lo));
    const int every = std::max(1, (decades + 7) / 8);
    for (double d = s.lo; d <= s.hi + 1e-9; d += every) out.push_back(d);
    return out;
  }
  const double raw = (s.hi - s.lo) / 5, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  for (double v = std::ceil(s.lo / step) * step; v <= s.hi + step * 1e-9; v += step) out.push_back(v);
  return out;
}

void axes(std::string& out, const Axis& x_axis, const Scale& sx, const Axis& y_axis, const Scale& sy, double plot_w,
          double plot_h) {
  const double bottom = kTop + plot_h;
  for (double t : ticks(sy)) {
    const double y = bottom - (t - sy.lo) / (sy.hi - sy.lo) * plot_h;
    fmt::format_to(std::back_inserter(out),
                   R"(<line class="grid" x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)"
                   R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)",
                   kLeft, kLeft + plot_w, y, y, kLeft - 6, y + 4, tick_text(t, sy.log));
  }
  for (double t : ticks(sx)) {
    const double x = kLeft + (t - sx.lo) / (sx.hi - sx.lo) * plot_w;
    fmt::format_to(std::back_inserter(out),
                   R"(<line class="grid" x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)"
                   R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                   x, x, kTop, bottom, x, bottom + 16, tick_text(t, sx.log));
  }
  fmt::format_to(std::back_inserter(out),
                 R"(<rect class="frame" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"/>)"
                 R"(<text class="axis-label" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)"
                 R"~(<text class="axis-label" transform="translate(14 {:.1f}) rotate(-90)" text-anchor="middle">{}</text>)~",
                 kLeft, kTop, plot_w, plot_h, kLeft + plot_w / 2, bottom + 36, xml_escape(x_axis.label),
                 kTop + plot_h / 2, xml_escape(y_axis.label));
}

std::string number_text(double v) { return fmt::format("{:.4g}", v); }

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<Point> min_max_downsample(const std::vector<Point>& points, std::size_t buckets) {
  std::vector<Point> finite;
  for (const Point& p : points) {
    if (std::isfinite(p.x) && std::isfinite(p.y)) finite.push_back(p);
  }
  if (buckets == 0 || finite.size() <= 2 * buckets) return finite;
  std::vector<Point> out;
  const std::size_t n = finite.size();
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = b * n / buckets, end = (b + 1) * n / buckets;
    const auto [lo, hi] = std::minmax_element(finite.begin() + static_cast<std::ptrdiff_t>(begin),
                                              finite.begin() + static_cast<std::ptrdiff_t>(end),
                                              [](const Point& a, const Point& c) { return a.y < c.y; });
    if (lo == hi) {
      out.push_back(*lo);
    } else if (lo < hi) {
      out.push_back(*lo);
      out.push_back(*hi);
    } else {
      out.push_back(*hi);
      out.push_back(*lo);
    }
  }
  return out;
}

std::string svg_line_chart(const LineChart& chart) {
  std::vector<double> xs, ys;
  for (const Line& l : chart.lines) {
    for (const Point& p : l.points) {
      if (usable(p.x, chart.x.log) && usable(p.y, chart.y.log)) {
        xs.push_back(p.x);
        ys.push_back(p.y);
      }
    }
  }
  if (chart.band) {
    ys.push_back(chart.band->first);
    ys.push_back(chart.band->second);
  }
  const Scale sx = scale_for(chart.x, xs), sy = scale_for(chart.y, ys);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kPlotHeight;
  const int legend_rows = (static_cast<int>(chart.lines.size()) + kLegendPerRow - 1) / kLegendPerRow;
  const double height = kTop + plot_h + kBottom + legend_rows * kLegendRow + 4;
  const auto px = [&](double x) { return kLeft + sx(x) * plot_w; };
  const auto py = [&](double y) { return kTop + plot_h - sy(y) * plot_h; };

  std::string out;
  fmt::format_to(std::back_inserter(out),
                 R"(<svg class="chart" id="{}" viewBox="0 0 {} {:.0f}" )"
                 R"(role="img" aria-label="{} against {}">)",
                 chart.id, kWidth, height, xml_escape(chart.y.label), xml_escape(chart.x.label));
  axes(out, chart.x, sx, chart.y, sy, plot_w, plot_h);
  if (chart.band) {
    const double y_top = std::clamp(py(chart.band->second), kTop, kTop + plot_h);
    const double y_bottom = std::clamp(py(chart.band->first), kTop, kTop + plot_h);
    fmt::format_to(std::back_inserter(out),
                   R"(<rect class="band" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}</title></rect>)"
                   R"(<text class="band-label" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)",
                   kLeft, y_top, plot_w, std::max(0.0, y_bottom - y_top), xml_escape(chart.band_label),
                   kLeft + plot_w - 4, y_top + 12, xml_escape(chart.band_label));
  }
  for (const Marker& m : chart.markers) {
    if (!usable(m.x, chart.x.log)) continue;
    const bool right_half = sx(m.x) > 0.5;  // the label on the side with room
    fmt::format_to(std::back_inserter(out),
                   R"(<line class="marker" x1="{0:.1f}" x2="{0:.1f}" y1="{1:.1f}" y2="{2:.1f}"/>)"
                   R"(<text class="marker-label" x="{3:.1f}" y="{4:.1f}" text-anchor="{5}">{6}</text>)",
                   px(m.x), kTop, kTop + plot_h, px(m.x) + (right_half ? -4 : 4), kTop + 12,
                   right_half ? "end" : "start", xml_escape(m.label));
  }
  for (const Line& l : chart.lines) {
    const std::string name = xml_escape(l.name);
    fmt::format_to(std::back_inserter(out), R"(<g class="series s{}{}"{}><title>{}</title>)", l.colour % 10,
                   l.dashed ? " dashed" : "", l.key.empty() ? "" : fmt::format(R"( data-layer="{}")", xml_escape(l.key)),
                   name);
    std::string path;
    for (const Point& p : l.points) {
      if (!usable(p.x, chart.x.log) || !usable(p.y, chart.y.log)) {
        if (!path.empty()) out += R"(<polyline points=")" + path + R"("/>)";
        path.clear();
        continue;
      }
      if (!path.empty()) path += ' ';
      fmt::format_to(std::back_inserter(path), "{:.1f},{:.1f}", px(p.x), py(p.y));
    }
    if (!path.empty()) out += R"(<polyline points=")" + path + R"("/>)";
    if (l.dots || l.points.size() <= kDotsBelow) {
      for (const Point& p : l.points) {
        if (!usable(p.x, chart.x.log) || !usable(p.y, chart.y.log)) continue;
        fmt::format_to(std::back_inserter(out), R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5"><title>{}: {} {}, {}</title></circle>)",
                       px(p.x), py(p.y), name, xml_escape(chart.x.label), number_text(p.x), number_text(p.y));
      }
    }
    out += "</g>";
  }
  // The legend, below the axis label.
  for (std::size_t i = 0; i < chart.lines.size(); ++i) {
    const Line& l = chart.lines[i];
    const double x = kLeft + static_cast<double>(i % kLegendPerRow) * kLegendColumn;
    const double y = kTop + plot_h + kBottom + static_cast<double>(i / kLegendPerRow) * kLegendRow + 8;
    fmt::format_to(std::back_inserter(out),
                   R"(<g class="legend s{}{}"{}><line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}"/>)"
                   R"(<text x="{:.1f}" y="{:.1f}">{}</text></g>)",
                   l.colour % 10, l.dashed ? " dashed" : "",
                   l.key.empty() ? "" : fmt::format(R"( data-layer="{}")", xml_escape(l.key)), x, x + 18, y, y,
                   x + 22, y + 4, xml_escape(l.name));
  }
  out += "</svg>";
  return out;
}

std::string heat_colour(double value, double lo, double hi) {
  // Viridis at five stops, interpolated in RGB.
  static constexpr std::array<std::array<double, 3>, 5> kStops{{{68, 1, 84},
                                                                {59, 82, 139},
                                                                {33, 145, 140},
                                                                {94, 201, 98},
                                                                {253, 231, 37}}};
  double t = (std::log10(value) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  if (!std::isfinite(t)) t = value > 0 ? 1.0 : 0.0;
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), 3);
  const double f = t - static_cast<double>(i);
  std::array<int, 3> rgb{};
  for (std::size_t c = 0; c < 3; ++c) {
    rgb[c] = static_cast<int>(std::lround(kStops[i][c] + f * (kStops[i + 1][c] - kStops[i][c])));
  }
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

std::string svg_heat_map(const HeatMap& map) {
  constexpr double kLabel = 120, kRow = 16, kLegendHeight = 76;
  const double plot_w = kWidth - kLabel - kRight;
  const double plot_h = kRow * static_cast<double>(map.rows.size());
  const double height = kTop + plot_h + 40 + kLegendHeight;
  const double cell_w = map.columns > 0 ? plot_w / static_cast<double>(map.columns) : plot_w;
  std::string out;
  fmt::format_to(std::back_inserter(out),
                 R"(<svg class="chart heatmap" id="{}" viewBox="0 0 {} {:.0f}" )"
                 R"(role="img" aria-label="{} by layer and {}">)",
                 map.id, kWidth, height, xml_escape(map.value_label), xml_escape(map.column_label));
  for (std::size_t r = 0; r < map.rows.size(); ++r) {
    const double y = kTop + kRow * static_cast<double>(r);
    const std::string key = r < map.keys.size() ? xml_escape(map.keys[r]) : "";
    fmt::format_to(std::back_inserter(out),
                   R"(<g class="heat-row" data-layer="{}"><text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)",
                   key, kLabel - 6, y + kRow - 4, xml_escape(map.rows[r]));
    for (Index c = 0; c < map.columns; ++c) {
      const std::size_t i = r * static_cast<std::size_t>(map.columns) + static_cast<std::size_t>(c);
      const double v = map.values[i];
      const std::string fill = std::isfinite(v) ? heat_colour(v, map.lo, map.hi) : "none";
      fmt::format_to(std::back_inserter(out),
                     R"(<rect x="{:.1f}" y="{:g}" width="{:.1f}" height="{:g}" fill="{}"{}><title>{}, {}</title></rect>)",
                     kLabel + cell_w * static_cast<double>(c), y, cell_w + 0.1, kRow - 1, fill,
                     std::isfinite(v) ? "" : R"( class="empty")", xml_escape(map.rows[r]),
                     i < map.tips.size() ? xml_escape(map.tips[i]) : "");
    }
    out += "</g>";
  }
  // Column ticks and label.
  for (const auto& [column, label] : map.column_ticks) {
    const double x = kLabel + cell_w * (static_cast<double>(column) + 0.5);
    fmt::format_to(std::back_inserter(out), R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                   x, kTop + plot_h + 14, xml_escape(label));
  }
  fmt::format_to(std::back_inserter(out), R"(<text class="axis-label" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)",
                 kLabel + plot_w / 2, kTop + plot_h + 32, xml_escape(map.column_label));
  // The colour legend: a gradient over the decades, the healthy range bracketed.
  const double legend_y = kTop + plot_h + 62, legend_w = plot_w * 0.7, legend_x = kLabel;
  const double decades = std::log10(map.hi) - std::log10(map.lo);
  fmt::format_to(std::back_inserter(out), R"(<defs><linearGradient id="{}-scale">)", map.id);
  for (int k = 0; k <= 8; ++k) {
    const double v = std::pow(10.0, std::log10(map.lo) + decades * k / 8.0);
    fmt::format_to(std::back_inserter(out), R"(<stop offset="{:.3f}" stop-color="{}"/>)", k / 8.0,
                   heat_colour(v, map.lo, map.hi));
  }
  fmt::format_to(std::back_inserter(out),
                 R"(</linearGradient></defs><g class="heat-legend"><rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="10" )"
                 R"~(fill="url(#{}-scale)"><title>{}, log scale</title></rect>)~",
                 legend_x, legend_y, legend_w, map.id, xml_escape(map.value_label));
  const auto lx = [&](double v) { return legend_x + (std::log10(v) - std::log10(map.lo)) / decades * legend_w; };
  const int every = std::max(1, (static_cast<int>(std::lround(decades)) + 7) / 8);
  for (int d = static_cast<int>(std::lround(std::log10(map.lo))); d <= static_cast<int>(std::lround(std::log10(map.hi)));
       d += every) {
    fmt::format_to(std::back_inserter(out), R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">1e{}</text>)",
                   lx(std::pow(10.0, d)), legend_y + 22, d);
  }
  const double h0 = lx(map.healthy_lo), h1 = lx(map.healthy_hi);
  fmt::format_to(std::back_inserter(out),
                 R"(<path class="healthy" d="M{0:.1f} {1:.1f} v-4 H{2:.1f} v4"/>)"
                 R"(<text class="band-label" x="{3:.1f}" y="{4:.1f}" text-anchor="middle">healthy {5:g} to {6:g}</text>)"
                 R"(<text class="axis-label" x="{7:.1f}" y="{8:.1f}">{9}</text></g>)",
                 h0, legend_y - 2, h1, (h0 + h1) / 2, legend_y - 9, map.healthy_lo, map.healthy_hi,
                 legend_x + legend_w + 10, legend_y + 9, xml_escape(map.value_label));
  out += "</svg>";
  return out;
}

}  // namespace glassnet
