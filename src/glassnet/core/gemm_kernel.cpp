#include "glassnet/core/gemm_kernel.hpp"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <memory>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

// GCC 12 reports its own unpack intrinsics (avx512fintrin.h) as reading an uninitialised
// variable (their "undefined" pass-through operand); GCC 13 no longer does.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace glassnet::kernel {

#if defined(__AVX512F__) && defined(__AVX512DQ__)
namespace {

constexpr Index kTileRows = 8;     // MR: rows of c in one register tile
constexpr Index kTileCols = 32;    // NR: columns of c in one register tile (two zmm)
constexpr Index kDepthBlock = 256; // KC: depth of one packed block (a b-panel of 32 KB)
constexpr Index kRowBlock = 128;   // MC: rows of a packed together (128 KB at full depth)
constexpr Index kColBlock = 2048;  // NC: columns of b packed together (2 MB at full depth)
// A row-major a is read in place, without packing, when c is at most this wide: packing
// pays only when many panels of b reuse the packed a.
constexpr Index kMaxWidthReadingRows = 128;

// A buffer of floats aligned to a cache line, kept by its thread and grown on demand.
class PackBuffer {
 public:
  float* reserve(Index floats) {
    if (floats > capacity_) {
      const auto bytes = static_cast<std::size_t>(floats) * sizeof(float);
      storage_.reset(static_cast<float*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)));
      capacity_ = floats;
    }
    return storage_.get();
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> storage_;
  Index capacity_ = 0;
};

__mmask16 lane_mask(Index lanes) {
  return lanes >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << std::max<Index>(lanes, 0)) - 1u);
}

// Loads a block of up to 16 × 16 floats, rows `rows` apart (rows beyond `height` and
// columns beyond `width` read as zero), and returns its transpose: out[e] holds column e.
void load_transposed(const float* src, Index stride, Index height, Index width, __m512 out[16]) {
  const __mmask16 columns = lane_mask(width);
  __m512 r[16];
  for (int i = 0; i < 16; ++i) r[i] = i < height ? _mm512_maskz_loadu_ps(columns, src + i * stride) : _mm512_setzero_ps();
  // Pairs of rows interleaved, then quadruples: u[4g + c] holds, in each 128-bit lane L,
  // rows 4g … 4g + 3 of column 4L + c.
  __m512 u[16];
  for (int g = 0; g < 4; ++g) {
    const __m512 t0 = _mm512_unpacklo_ps(r[4 * g], r[4 * g + 1]), t1 = _mm512_unpackhi_ps(r[4 * g], r[4 * g + 1]);
    const __m512 t2 = _mm512_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]), t3 = _mm512_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
    u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
    u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
    u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
    u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
  }
  // Then the 128-bit lanes of the four groups gathered: column 4L + c.
  for (int c = 0; c < 4; ++c) {
    const __m512 even_low = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88), odd_low = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xdd);
    const __m512 even_high = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    const __m512 odd_high = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xdd);
    out[c] = _mm512_shuffle_f32x4(even_low, even_high, 0x88);
    out[8 + c] = _mm512_shuffle_f32x4(even_low, even_high, 0xdd);
    out[4 + c] = _mm512_shuffle_f32x4(odd_low, odd_high, 0x88);
    out[12 + c] = _mm512_shuffle_f32x4(odd_low, odd_high, 0xdd);
  }
}

// Copies op(b)[p0 : p0 + depth, j0 : j0 + width] into panels of kTileCols columns:
// panel q holds `depth` rows of kTileCols floats, columns beyond `width` are zero.
// out:[ceil(width / kTileCols) · depth · kTileCols]
void pack_b(StridedOperand b, Index p0, Index depth, Index j0, Index width, float* out) {
  for (Index q = 0; q < width; q += kTileCols) {
    const Index cols = std::min(kTileCols, width - q);
    float* panel = out + q * depth;
    const float* origin = b.data + p0 * b.row_stride + (j0 + q) * b.col_stride;
    if (b.col_stride == 1) {
      const __mmask16 low = lane_mask(cols), high = lane_mask(cols - 16);
      for (Index p = 0; p < depth; ++p) {
        const float* row = origin + p * b.row_stride;
        _mm512_store_ps(panel + p * kTileCols, _mm512_maskz_loadu_ps(low, row));
        _mm512_store_ps(panel + p * kTileCols + 16, _mm512_maskz_loadu_ps(high, row + 16));
      }
    } else if (b.row_stride == 1) {
      // b's columns are contiguous: 16 × 16 blocks transposed in registers.
      for (Index half = 0; half < kTileCols; half += 16) {
        for (Index p = 0; p < depth; p += 16) {
          __m512 block[16];
          load_transposed(origin + half * b.col_stride + p, b.col_stride, cols - half, depth - p, block);
          for (Index e = 0; e < std::min<Index>(16, depth - p); ++e) _mm512_store_ps(panel + (p + e) * kTileCols + half, block[e]);
        }
      }
    } else {
      for (Index p = 0; p < depth; ++p) {
        for (Index j = 0; j < kTileCols; ++j) panel[p * kTileCols + j] = j < cols ? origin[p * b.row_stride + j * b.col_stride] : 0.0f;
      }
    }
  }
}

// Copies op(a)[i0 : i0 + height, p0 : p0 + depth] into panels of kTileRows rows stored
// column by column: panel t holds `depth` columns of kTileRows floats, rows beyond
// `height` are zero. out:[ceil(height / kTileRows) · depth · kTileRows]
void pack_a(StridedOperand a, Index i0, Index height, Index p0, Index depth, float* out) {
  const float* origin = a.data + i0 * a.row_stride + p0 * a.col_stride;
  if (a.col_stride == 1) {
    // a's rows are contiguous: 16 × 16 blocks transposed in registers, each column of a
    // block split between two panels.
    for (Index t = 0; t < height; t += 16) {
      float* low_panel = out + t * depth;
      float* high_panel = low_panel + kTileRows * depth;
      const bool has_high = height - t > kTileRows;
      for (Index p = 0; p < depth; p += 16) {
        __m512 block[16];
        load_transposed(origin + t * a.row_stride + p, a.row_stride, height - t, depth - p, block);
        for (Index e = 0; e < std::min<Index>(16, depth - p); ++e) {
          _mm256_store_ps(low_panel + (p + e) * kTileRows, _mm512_castps512_ps256(block[e]));
          if (has_high) _mm256_store_ps(high_panel + (p + e) * kTileRows, _mm512_extractf32x8_ps(block[e], 1));
        }
      }
    }
    return;
  }
  for (Index t = 0; t < height; t += kTileRows) {
    const Index rows = std::min(kTileRows, height - t);
    float* panel = out + t * depth;
    for (Index p = 0; p < depth; ++p) {
      for (Index r = 0; r < kTileRows; ++r) {
        panel[p * kTileRows + r] = r < rows ? origin[(t + r) * a.row_stride + p * a.col_stride] : 0.0f;
      }
    }
  }
}

// How the tile reads a: element (r, p) at a[p · step + r] (a packed panel, or a transposed
// row-major matrix read in place) or at a[r · step + p] (a row-major matrix in place).
enum class ALayout { columns, rows };

// The register tile: c[0:Rows, 0:32] = alpha · a · b_panel + beta · c, masked to the
// columns in `low` and `high`; b_panel is packed, depth × kTileCols. With beta == 0, c is
// not read.
template <int Rows, ALayout Layout>
void tile(Index depth, const float* a, Index a_step, const float* b, float alpha, float beta, float* c, Index ldc,
          __mmask16 low, __mmask16 high) {
  __m512 sum_low[Rows], sum_high[Rows];
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    sum_low[r] = _mm512_setzero_ps();
    sum_high[r] = _mm512_setzero_ps();
  }
  // Offsets of the rows' first elements and the advance per step of depth.
  const Index row_offset = Layout == ALayout::columns ? 1 : a_step;
  const Index depth_offset = Layout == ALayout::columns ? a_step : 1;
  for (Index p = 0; p < depth; ++p) {
    const __m512 b_low = _mm512_load_ps(b);
    const __m512 b_high = _mm512_load_ps(b + 16);
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      const __m512 a_r = _mm512_set1_ps(a[r * row_offset]);
      sum_low[r] = _mm512_fmadd_ps(a_r, b_low, sum_low[r]);
      sum_high[r] = _mm512_fmadd_ps(a_r, b_high, sum_high[r]);
    }
    a += depth_offset;
    b += kTileCols;
  }
  const __m512 scale = _mm512_set1_ps(alpha);
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    float* row = c + r * ldc;
    __m512 out_low = _mm512_mul_ps(scale, sum_low[r]);
    __m512 out_high = _mm512_mul_ps(scale, sum_high[r]);
    if (beta != 0.0f) {
      const __m512 keep = _mm512_set1_ps(beta);
      out_low = _mm512_fmadd_ps(keep, _mm512_maskz_loadu_ps(low, row), out_low);
      out_high = _mm512_fmadd_ps(keep, _mm512_maskz_loadu_ps(high, row + 16), out_high);
    }
    _mm512_mask_storeu_ps(row, low, out_low);
    _mm512_mask_storeu_ps(row + 16, high, out_high);
  }
}

using TileFunction = void (*)(Index, const float*, Index, const float*, float, float, float*, Index, __mmask16,
                              __mmask16);
template <ALayout Layout>
constexpr TileFunction kTiles[kTileRows + 1] = {
    nullptr,          &tile<1, Layout>, &tile<2, Layout>, &tile<3, Layout>, &tile<4, Layout>,
    &tile<5, Layout>, &tile<6, Layout>, &tile<7, Layout>, &tile<8, Layout>};

// The depth of each block: k split into equal blocks of at most kDepthBlock.
Index depth_block(Index k) {
  const Index blocks = (k + kDepthBlock - 1) / kDepthBlock;
  return (k + blocks - 1) / blocks;
}

}  // namespace

bool packed_gemm_available() { return true; }

void packed_gemm(Index m, Index n, Index k, float alpha, StridedOperand a, StridedOperand b, float beta, float* c,
                 Index ldc) {
  assert(m >= 0 && n >= 0 && k >= 0);
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (Index i = 0; i < m; ++i) {
      float* row = c + i * ldc;
      for (Index j = 0; j < n; ++j) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
    return;
  }
  thread_local PackBuffer packed_a, packed_b;
  const Index depth_step = depth_block(k);
  const Index col_step = std::min(n, kColBlock);
  const Index row_step = std::min(m, kRowBlock);
  float* b_panels = packed_b.reserve((col_step + kTileCols - 1) / kTileCols * kTileCols * depth_step);
  // a is read in place when its columns are contiguous (a transposed row-major matrix),
  // and when its rows are and few panels of b reuse it; otherwise it is packed.
  const bool columns_in_place = a.row_stride == 1;
  const bool rows_in_place = !columns_in_place && a.col_stride == 1 && n <= kMaxWidthReadingRows;
  const bool packed = !columns_in_place && !rows_in_place;
  // A whole row block is reserved whatever m is, so that the kept workspace does not
  // depend on the batch size.
  float* a_panels = packed ? packed_a.reserve(kRowBlock * depth_step) : nullptr;
  for (Index p0 = 0; p0 < k; p0 += depth_step) {
    const Index depth = std::min(depth_step, k - p0);
    const float block_beta = p0 == 0 ? beta : 1.0f;
    for (Index j0 = 0; j0 < n; j0 += col_step) {
      const Index width = std::min(col_step, n - j0);
      pack_b(b, p0, depth, j0, width, b_panels);
      for (Index i0 = 0; i0 < m; i0 += row_step) {
        const Index height = std::min(row_step, m - i0);
        if (packed) pack_a(a, i0, height, p0, depth, a_panels);
        for (Index q = 0; q < width; q += kTileCols) {
          const __mmask16 low = lane_mask(width - q), high = lane_mask(width - q - 16);
          const float* b_panel = b_panels + q * depth;
          float* c_panel = c + i0 * ldc + j0 + q;
          for (Index t = 0; t < height; t += kTileRows) {
            const Index rows = std::min(kTileRows, height - t);
            float* c_tile = c_panel + t * ldc;
            if (packed) {
              kTiles<ALayout::columns>[rows](depth, a_panels + t * depth, kTileRows, b_panel, alpha, block_beta, c_tile,
                                             ldc, low, high);
            } else if (columns_in_place) {
              kTiles<ALayout::columns>[rows](depth, a.data + (i0 + t) + p0 * a.col_stride, a.col_stride, b_panel, alpha,
                                             block_beta, c_tile, ldc, low, high);
            } else {
              kTiles<ALayout::rows>[rows](depth, a.data + (i0 + t) * a.row_stride + p0, a.row_stride, b_panel, alpha,
                                          block_beta, c_tile, ldc, low, high);
            }
          }
        }
      }
    }
  }
}

#else

bool packed_gemm_available() { return false; }

void packed_gemm(Index, Index, Index, float, StridedOperand, StridedOperand, float, float*, Index) { std::abort(); }

#endif

}  // namespace glassnet::kernel
