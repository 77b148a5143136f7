#pragma once
// Transparent huge pages for a large buffer about to be written for the first time.
//
// A fresh buffer's memory is mapped a 4 KiB page at a time, a page fault each, on first
// touch; a large table or matrix takes tens of thousands of them (on a virtual machine,
// several microseconds each: most of the time of reading a large CSV file). Where the
// kernel gives huge pages on request (Linux, transparent_hugepage "madvise" or
// "always"), asking for them maps the buffer's aligned 2 MiB stretches a fault each.
// Elsewhere, and for buffers under 2 MiB, it does nothing. It changes no value.

#include <cstddef>

namespace glassnet {

// Asks for huge pages over [data, data + bytes): call before the buffer is first written.
void advise_huge_pages(void* data, std::size_t bytes);

// Reserves room for `n` elements of `buffer` (a std::vector or std::string, empty so
// far) and asks for huge pages over all of it.
template <typename Buffer>
void reserve_on_huge_pages(Buffer& buffer, std::size_t n) {
  buffer.reserve(n);
  advise_huge_pages(buffer.data(), buffer.capacity() * sizeof(*buffer.data()));
}

}  // namespace glassnet
