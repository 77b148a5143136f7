// advise_huge_pages: the kernel is asked (the mapping of a large buffer carries the
// advice, "hg" among its VmFlags in /proc/self/smaps), and nothing in the buffer changes.

#include "glassnet/core/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace glassnet {
namespace {

// The VmFlags of the mapping that holds `address`, from /proc/self/smaps; "" if none.
std::string flags_of_mapping(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= at && at < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool huge_pages_on_request() {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(setting, modes);
  return modes.find("[madvise]") != std::string::npos || modes.find("[always]") != std::string::npos;
}

TEST(HugePages, ALargeBufferIsAdvisedAndKeepsItsValues) {
  std::vector<double> values(std::size_t{3} << 20);  // 24 MiB
  std::iota(values.begin(), values.end(), 0.0);
  advise_huge_pages(values.data(), values.size() * sizeof(double));
  for (std::size_t i = 0; i < values.size(); i += 4097) ASSERT_EQ(values[i], static_cast<double>(i));
  if (!huge_pages_on_request()) GTEST_SKIP() << "this kernel gives no huge pages on request";
  const char* middle = reinterpret_cast<const char*>(values.data()) + values.size() * sizeof(double) / 2;
  EXPECT_NE(flags_of_mapping(middle).find(" hg"), std::string::npos) << flags_of_mapping(middle);
}

TEST(HugePages, SmallOrMisalignedBuffersAreLeftAlone) {
  std::vector<char> small(4096, 'x');
  advise_huge_pages(small.data(), small.size());
  advise_huge_pages(nullptr, std::size_t{1} << 30);
  std::vector<char> odd((std::size_t{5} << 20) + 3, 'y');
  advise_huge_pages(odd.data() + 1, odd.size() - 1);  // not page-aligned: whole huge pages inside it only
  EXPECT_EQ(small.front(), 'x');
  EXPECT_EQ(odd[1], 'y');
  EXPECT_EQ(odd.back(), 'y');
}

}  // namespace
}  // namespace glassnet
