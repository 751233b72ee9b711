// The core's arithmetic peaks, for the shape sweep's "% of peak": fp32
// FMA and 8-bit multiply-adds in 16 independent chains (enough to cover the
// latency), on 512-bit vectors with AVX-512 (VNNI vpdpbusd for int8) or on
// 256-bit ones with AVX2 (vpmaddwd + vpaddd: the exact 8-bit form qopt uses
// there). Prints `peak fp32 GOPS` and `peak int8 GOPS` (2 ops per
// multiply-add), and `bandwidth GBPS`: the best of 5 copies of a 64 MiB
// buffer into another (bytes read + written per second), the bound of a
// class that moves more bytes than it computes. Single-threaded.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

enum { kIters = 20000000 };

#define CHAINS16(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7) \
  OP(8) OP(9) OP(10) OP(11) OP(12) OP(13) OP(14) OP(15)

__attribute__((target("avx512f"))) static double fp32_512(void) {
#define DECL(i) __m512 a##i = _mm512_set1_ps(1.0f + i * 1e-3f);
  CHAINS16(DECL)
  __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  double t0 = now();
  for (int n = 0; n < kIters; ++n) {
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, b, c);
    CHAINS16(STEP)
  }
  double t = now() - t0;
  float sink = 0;
#define SUM(i) sink += _mm512_reduce_add_ps(a##i);
  CHAINS16(SUM)
  if (sink == 42) puts("");
  return 16.0 * 16 * 2 * kIters / t / 1e9;
#undef DECL
#undef STEP
#undef SUM
}

__attribute__((target("avx512f,avx512vnni"))) static double int8_512(void) {
#define DECL(i) __m512i a##i = _mm512_set1_epi32(i);
  CHAINS16(DECL)
  __m512i x = _mm512_set1_epi8(3), w = _mm512_set1_epi8(-2);
  double t0 = now();
  for (int n = 0; n < kIters; ++n) {
#define STEP(i) a##i = _mm512_dpbusd_epi32(a##i, x, w);
    CHAINS16(STEP)
  }
  double t = now() - t0;
  int sink = 0;
#define SUM(i) sink += _mm512_reduce_add_epi32(a##i);
  CHAINS16(SUM)
  if (sink == 42) puts("");
  return 16.0 * 64 * 2 * kIters / t / 1e9;
#undef DECL
#undef STEP
#undef SUM
}

__attribute__((target("avx2,fma"))) static double fp32_256(void) {
  // 12 chains: with the two operands, 14 of AVX2's 16 registers (16 chains
  // spilled to the stack).
#define CHAINS12(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7) \
  OP(8) OP(9) OP(10) OP(11)
#define DECL(i) __m256 a##i = _mm256_set1_ps(1.0f + i * 1e-3f);
  CHAINS12(DECL)
  __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  double t0 = now();
  for (int n = 0; n < kIters; ++n) {
#define STEP(i) a##i = _mm256_fmadd_ps(a##i, b, c);
    CHAINS12(STEP)
  }
  double t = now() - t0;
  float buf[8], sink = 0;
#define SUM(i) _mm256_storeu_ps(buf, a##i); sink += buf[0];
  CHAINS12(SUM)
  if (sink == 42) puts("");
  return 12.0 * 8 * 2 * kIters / t / 1e9;
#undef DECL
#undef STEP
#undef SUM
}

__attribute__((target("avx2"))) static double int8_256(void) {
  // 8 chains of (vpmaddwd, vpaddd): 16 multiply-adds each.
#define CHAINS8(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7)
#define DECL(i) __m256i a##i = _mm256_set1_epi32(i);
  CHAINS8(DECL)
  __m256i x = _mm256_set1_epi16(3), w = _mm256_set1_epi16(-2);
  double t0 = now();
  for (int n = 0; n < kIters; ++n) {
    // (The barrier keeps the compiler from hoisting the loop-invariant
    // products.)
#define STEP(i) __asm__ volatile("" : "+x"(x)); \
  a##i = _mm256_add_epi32(a##i, _mm256_madd_epi16(x, w));
    CHAINS8(STEP)
  }
  double t = now() - t0;
  int buf[8], sink = 0;
#define SUM(i) _mm256_storeu_si256((__m256i *)buf, a##i); sink += buf[0];
  CHAINS8(SUM)
  if (sink == 42) puts("");
  return 8.0 * 16 * 2 * kIters / t / 1e9;
#undef DECL
#undef STEP
#undef SUM
}

static double bandwidth(void) {
  enum { kBytes = 64 << 20 };
  char *a = malloc(kBytes), *b = malloc(kBytes);
  if (!a || !b)
    return 0;
  memset(a, 1, kBytes);
  memset(b, 2, kBytes);
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    double t0 = now();
    memcpy(b, a, kBytes);
    double t = now() - t0;
    if (2.0 * kBytes / t / 1e9 > best)
      best = 2.0 * kBytes / t / 1e9;
    a[r] = b[kBytes - 1 - r]; // keep the copies
  }
  free(a);
  free(b);
  return best;
}

int main(void) {
  __builtin_cpu_init();
  int avx512 = __builtin_cpu_supports("avx512f");
  int vnni = avx512 && __builtin_cpu_supports("avx512vnni");
  if (!__builtin_cpu_supports("avx2")) {
    puts("peak none");
    return 0;
  }
  printf("isa %s\n", vnni ? "avx512vnni" : avx512 ? "avx512f" : "avx2");
  printf("peak fp32 %.1f\n", avx512 ? fp32_512() : fp32_256());
  printf("peak int8 %.1f\n", vnni ? int8_512() : int8_256());
  printf("bandwidth %.1f\n", bandwidth());
  return 0;
}
