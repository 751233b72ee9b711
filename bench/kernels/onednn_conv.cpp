//===- onednn_conv.cpp - oneDNN's convolutions on the benchmark shapes -----===//
//
// Part of qopt's benchmarks (not of qopt: oneDNN is a benchmark-only
// dependency, Debian libdnnl-dev). For every shape of shapes.txt, times
// oneDNN's int8 convolution (u8 NHWC activations, s8 weights in the layout
// oneDNN prefers, s32 bias, per-channel output scales, u8 NHWC output: what
// qopt's integer convolution computes) and its fp32 convolution (NHWC, bias),
// single-threaded, and measures the machine's peaks (512-bit FMA and VNNI
// dot products with 16 independent accumulators). Prints one line per
// measurement: `peak fp32 GOPS`, `peak int8 GOPS`, `conv NAME int8|fp32 MS`.
//
//   onednn_conv SHAPES [RUNS]
//
//===----------------------------------------------------------------------===//

#include <dnnl.hpp>

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using Clock = std::chrono::steady_clock;

namespace {

double medianMs(int runs, const std::function<void()> &f) {
  f(); // warm-up
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Peaks: 16 independent accumulator chains, so that latency never limits
// the two 512-bit pipes. The asm barrier keeps the compiler from proving
// an accumulator constant.
__attribute__((target("avx512f"))) double peakFp32() {
  constexpr long kIters = 20000000;
  __m512 acc[16];
  for (auto &a : acc)
    a = _mm512_set1_ps(0.0f);
  __m512 x = _mm512_set1_ps(1.0001f), y = _mm512_set1_ps(0.9999f);
  auto t0 = Clock::now();
  for (long i = 0; i < kIters; ++i) {
    for (auto &a : acc)
      a = _mm512_fmadd_ps(x, y, a);
    asm volatile("" : "+v"(x), "+v"(y));
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  float sink = 0;
  for (auto &a : acc)
    sink += _mm512_reduce_add_ps(a);
  asm volatile("" ::"r"(sink));
  return 16.0 * 16 * 2 * kIters / s / 1e9;
}

__attribute__((target("avx512f,avx512vnni"))) double peakInt8() {
  constexpr long kIters = 20000000;
  __m512i acc[16];
  for (auto &a : acc)
    a = _mm512_setzero_si512();
  __m512i x = _mm512_set1_epi8(1), y = _mm512_set1_epi8(2);
  auto t0 = Clock::now();
  for (long i = 0; i < kIters; ++i) {
    for (auto &a : acc)
      a = _mm512_dpbusd_epi32(a, x, y);
    asm volatile("" : "+v"(x), "+v"(y));
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  int sink = 0;
  for (auto &a : acc)
    sink += _mm512_reduce_add_epi32(a);
  asm volatile("" ::"r"(sink));
  return 16.0 * 64 * 2 * kIters / s / 1e9;
}

struct Shape {
  std::string name;
  long c, h, w, f, k, s, p, g;
};

std::vector<Shape> readShapes(const char *path) {
  std::vector<Shape> shapes;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream ss(line);
    Shape s;
    if (ss >> s.name >> s.c >> s.h >> s.w >> s.f >> s.k >> s.s >> s.p >> s.g)
      shapes.push_back(s);
  }
  return shapes;
}

double timeConv(engine &eng, stream &strm, const Shape &sh, bool int8,
                int runs) {
  long oh = (sh.h + 2 * sh.p - sh.k) / sh.s + 1;
  long ow = (sh.w + 2 * sh.p - sh.k) / sh.s + 1;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  dt act = int8 ? dt::u8 : dt::f32, wt = int8 ? dt::s8 : dt::f32,
     bt = int8 ? dt::s32 : dt::f32;
  memory::dims src{1, sh.c, sh.h, sh.w}, dst{1, sh.f, oh, ow};
  memory::dims wdims =
      sh.g > 1 ? memory::dims{sh.g, sh.f / sh.g, sh.c / sh.g, sh.k, sh.k}
               : memory::dims{sh.f, sh.c, sh.k, sh.k};
  auto srcMd = memory::desc(src, act, tag::nhwc);
  auto dstMd = memory::desc(dst, act, tag::nhwc);
  auto wMd = memory::desc(wdims, wt, tag::any);
  auto bMd = memory::desc({sh.f}, bt, tag::x);
  primitive_attr attr;
  if (int8)
    attr.set_output_scales(2, std::vector<float>(sh.f, 0.01f));
  auto desc = convolution_forward::desc(
      prop_kind::forward_inference, algorithm::convolution_direct, srcMd, wMd,
      bMd, dstMd, {sh.s, sh.s}, {sh.p, sh.p}, {sh.p, sh.p});
  auto pd = convolution_forward::primitive_desc(desc, attr, eng);
  memory srcM(pd.src_desc(), eng), dstM(pd.dst_desc(), eng),
      wM(pd.weights_desc(), eng), bM(bMd, eng);
  std::mt19937 rng(0);
  auto fill = [&](memory &m) {
    auto *p = static_cast<unsigned char *>(m.get_data_handle());
    size_t n = m.get_desc().get_size();
    for (size_t i = 0; i < n; ++i)
      p[i] = int8 ? rng() % 64 : 0; // small integers; zero floats
  };
  fill(srcM);
  fill(wM);
  fill(bM);
  convolution_forward conv(pd);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, srcM},
                                       {DNNL_ARG_WEIGHTS, wM},
                                       {DNNL_ARG_BIAS, bM},
                                       {DNNL_ARG_DST, dstM}};
  return medianMs(runs, [&] {
    conv.execute(strm, args);
    strm.wait();
  });
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: onednn_conv SHAPES [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? std::atoi(argv[2]) : 50;
  // The peaks are measured with AVX-512 (VNNI); elsewhere run_kernels.py
  // takes them from bench/sweep/peak.c (which also measures AVX2).
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    std::printf("peak fp32 %.1f\n", peakFp32());
  if (__builtin_cpu_supports("avx512vnni"))
    std::printf("peak int8 %.1f\n", peakInt8());
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  for (const Shape &s : readShapes(argv[1]))
    for (bool int8 : {true, false})
      std::printf("conv %s %s %.4f\n", s.name.c_str(), int8 ? "int8" : "fp32",
                  timeConv(eng, strm, s, int8, runs));
  return 0;
}
