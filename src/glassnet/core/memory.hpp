#pragma once
// How much memory this process may still take: the kernel's estimate of memory
// available without swapping (MemAvailable in /proc/meminfo), lowered to what the
// process's cgroup still allows (memory.max − memory.current, cgroup v2) when it
// runs under a limit, as containers do.

#include <cstdint>
#include <optional>
#include <string>

namespace glassnet {

// nullopt where the system does not say (no /proc/meminfo).
std::optional<std::uint64_t> available_memory_bytes();

// "512 B", "3.4 MB", "1.20 GB" (powers of 1000).
std::string format_bytes(double bytes);

}  // namespace glassnet
