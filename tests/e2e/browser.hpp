#pragma once
// Loads a page in headless Chromium (Debian's `chromium`, installed by
// scripts/install-deps.sh): the DOM after its scripts ran, the console's messages, and a
// screenshot.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "glassnet/report/run_log.hpp"
#include "run_command.hpp"

namespace glassnet::testing {

struct LoadedPage {
  bool loaded = false;
  std::string dom;      // serialised after the page's scripts ran
  std::string console;  // the console's messages, one per line ("" when it stayed quiet)
  std::string log;      // everything Chromium printed, for failure messages
};

inline std::string chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    if (run_command(std::string("command -v ") + name + " >/dev/null").exit_code == 0) return name;
  }
  return "";
}

// The headless flags: no sandbox (the tests may run as root), no GPU, no /dev/shm (small
// in containers), a profile of its own in `scratch`.
inline std::string chromium_command(const std::filesystem::path& scratch) {
  return chromium() + " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run " +
         "--hide-scrollbars --user-data-dir=" + (scratch / "profile").string();
}

inline LoadedPage load_page(const std::filesystem::path& page, const std::filesystem::path& screenshot,
                            const std::filesystem::path& scratch) {
  LoadedPage out;
  const std::string url = "file://" + std::filesystem::absolute(page).string();
  const std::filesystem::path dom_file = scratch / "dom.html", log_file = scratch / "chromium.log";
  const auto dump = run_command(chromium_command(scratch) + " --enable-logging=stderr --v=0 --dump-dom " + url + " > " +
                                dom_file.string() + " 2> " + log_file.string());
  std::stringstream dom, log;
  dom << std::ifstream(dom_file).rdbuf();
  log << std::ifstream(log_file).rdbuf();
  out.dom = dom.str();
  out.log = log.str();
  out.loaded = dump.exit_code == 0 && out.dom.find("</html>") != std::string::npos;
  std::istringstream lines(out.log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) out.console += line + "\n";
  }
  std::filesystem::create_directories(screenshot.parent_path());
  run_command(chromium_command(scratch) + " --window-size=1100,6000 --screenshot=" + screenshot.string() + " " + url);
  return out;
}

// Loads a report in Chromium and checks it against the log it was drawn from: no console
// message, a drawing in every chart, one heat-map row per weight tensor, the log's
// findings in its order, a screenshot written to GLASSNET_SCREENSHOT_DIR/<name>.png.
inline void check_report_in_browser(const std::filesystem::path& html, const std::filesystem::path& log_path, const std::string& name, const std::filesystem::path& scratch) {
  SCOPED_TRACE(name);
  ASSERT_FALSE(chromium().empty()) << "Chromium is missing: run scripts/install-deps.sh";
  const std::filesystem::path screenshot = std::filesystem::path(GLASSNET_SCREENSHOT_DIR) / (name + ".png");
  std::filesystem::remove(screenshot);
  const LoadedPage page = load_page(html, screenshot, scratch);
  ASSERT_TRUE(page.loaded) << page.log;
  EXPECT_EQ(page.console, "") << "the page logged to the console";
  // Every chart holds a drawing.
  std::size_t charts = 0;
  for (auto at = page.dom.find("<svg class=\"chart"); at != std::string::npos;
       at = page.dom.find("<svg class=\"chart", at + 1)) {
    const std::string svg = page.dom.substr(at, page.dom.find("</svg>", at) - at);
    const bool drawn = svg.find("<polyline") != std::string::npos || svg.find("fill=\"#") != std::string::npos;
    EXPECT_TRUE(drawn) << "an empty chart: " << svg.substr(0, 200);
    ++charts;
  }
  EXPECT_GE(charts, 4u);
  const RunLog log = read_run_log(log_path);
  std::size_t weights = 0;
  for (ParamRole r : log.series.roles) weights += r == ParamRole::weight;
  std::size_t rows = 0;
  for (auto at = page.dom.find("class=\"heat-row"); at != std::string::npos; at = page.dom.find("class=\"heat-row", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, weights) << "one heat-map row per monitored layer";
  std::vector<std::string> shown, logged;
  const std::regex symptom(R"~(data-symptom="([a-z_]+)")~");
  for (auto it = std::sregex_iterator(page.dom.begin(), page.dom.end(), symptom); it != std::sregex_iterator(); ++it) {
    shown.push_back((*it)[1]);
  }
  for (const Finding& f : log.findings) logged.push_back(f.symptom);
  EXPECT_EQ(shown, logged) << "the findings list is the log's";
  std::ifstream png(screenshot, std::ios::binary);
  std::string signature(8, '\0');
  png.read(signature.data(), 8);
  EXPECT_EQ(signature, "\x89PNG\r\n\x1a\n") << "a screenshot at " << screenshot;
}

}  // namespace glassnet::testing
