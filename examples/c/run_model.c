/*
 * A plain C program around a model compiled by qopt-compile. It needs only
 * the object and the generated header (no MLIR or LLVM libraries):
 *
 *   qopt-compile model.onnx -o model.o --header model.h --name digits
 *   cc -O2 -DQOPT_MODEL_HEADER='"model.h"' -DQOPT_MODEL=digits \
 *      run_model.c model.o -lm -o run_model
 *   ./run_model input.npy output.npy       # first dimension of input = batch
 *   QOPT_REPEAT=50 ./run_model ...         # also time 50 more runs (median)
 *
 * Inputs and outputs are .npy files (C order); the batch is taken from the
 * first input's leading dimension.
 */
#include <stdint.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include QOPT_MODEL_HEADER

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MODEL_INPUTS CAT(QOPT_MODEL, _inputs)
#define MODEL_OUTPUTS CAT(QOPT_MODEL, _outputs)
#define MODEL_RUN_PACKED CAT(QOPT_MODEL, _run_packed)

static const char *descr(enum qopt_dtype t) {
  switch (t) {
  case QOPT_F32: return "<f4";
  case QOPT_F64: return "<f8";
  case QOPT_I8: return "|i1";
  case QOPT_U8: return "|u1";
  case QOPT_I32: return "<i4";
  default: return "<i8";
  }
}

static size_t elem_size(enum qopt_dtype t) {
  switch (t) {
  case QOPT_I8: case QOPT_U8: return 1;
  case QOPT_F32: case QOPT_I32: return 4;
  default: return 8;
  }
}

/* Reads an .npy whose dtype and non-batch dims match `info`; sets *batch. */
static void *read_npy(const char *path, const qopt_tensor_info *info,
                      int64_t *batch) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "run_model: cannot open %s\n", path); exit(1); }
  unsigned char pre[10];
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
    fprintf(stderr, "run_model: %s is not a .npy file\n", path); exit(1);
  }
  size_t hlen = pre[8] | (pre[9] << 8);
  char *h = calloc(hlen + 1, 1);
  if (fread(h, 1, hlen, f) != hlen) { fprintf(stderr, "run_model: truncated %s\n", path); exit(1); }
  if (!strstr(h, descr(info->dtype))) {
    fprintf(stderr, "run_model: %s: dtype must be %s for input '%s'\n", path,
            descr(info->dtype), info->name);
    exit(1);
  }
  char *s = strstr(h, "'shape': (");
  if (!s) { fprintf(stderr, "run_model: %s: no shape\n", path); exit(1); }
  s += 10;
  int64_t dims[8]; int rank = 0;
  while (*s && *s != ')' && rank < 8) {
    dims[rank++] = strtoll(s, &s, 10);
    while (*s == ',' || *s == ' ') s++;
  }
  if (rank != info->rank) {
    fprintf(stderr, "run_model: %s has rank %d, input '%s' needs %d\n", path,
            rank, info->name, info->rank);
    exit(1);
  }
  size_t n = 1;
  for (int i = 0; i < rank; ++i) {
    if (info->shape[i] >= 0 && info->shape[i] != dims[i]) {
      fprintf(stderr, "run_model: %s: dimension %d is %lld, expected %lld\n",
              path, i, (long long)dims[i], (long long)info->shape[i]);
      exit(1);
    }
    n *= (size_t)dims[i];
  }
  *batch = rank ? dims[0] : 1;
  void *data = malloc(n * elem_size(info->dtype) + 1);
  if (fread(data, elem_size(info->dtype), n, f) != n) {
    fprintf(stderr, "run_model: %s is truncated\n", path); exit(1);
  }
  fclose(f);
  free(h);
  return data;
}

static void write_npy(const char *path, const qopt_tensor_info *info,
                      int64_t batch, const void *data) {
  char shape[256] = "", h[512];
  size_t n = 1;
  for (int i = 0; i < info->rank; ++i) {
    int64_t d = info->shape[i] < 0 ? batch : info->shape[i];
    n *= (size_t)d;
    char part[32];
    snprintf(part, sizeof part, "%lld,%s", (long long)d,
             i + 1 < info->rank ? " " : "");
    strcat(shape, part);
  }
  if (info->rank > 1) shape[strlen(shape) - 1] = '\0';
  int len = snprintf(h, sizeof h,
                     "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                     descr(info->dtype), shape);
  int total = 10 + len + 1, pad = (64 - total % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f) { fprintf(stderr, "run_model: cannot write %s\n", path); exit(1); }
  unsigned short hl = (unsigned short)(len + pad + 1);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(hl & 0xff, f); fputc(hl >> 8, f);
  fwrite(h, 1, len, f);
  for (int i = 0; i < pad; ++i) fputc(' ', f);
  fputc('\n', f);
  fwrite(data, elem_size(info->dtype), n, f);
  fclose(f);
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
  /* Keep freed model buffers in the heap: without this, every call
   * page-faults its intermediate tensors afresh (see the generated header). */
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  enum { NI = sizeof(MODEL_INPUTS) / sizeof(MODEL_INPUTS[0]),
         NO = sizeof(MODEL_OUTPUTS) / sizeof(MODEL_OUTPUTS[0]) };
  if (argc != 1 + NI + NO) {
    fprintf(stderr, "usage: %s", argv[0]);
    for (int i = 0; i < NI; ++i) fprintf(stderr, " %s.npy", MODEL_INPUTS[i].name);
    for (int i = 0; i < NO; ++i) fprintf(stderr, " %s_out.npy", MODEL_OUTPUTS[i].name);
    fprintf(stderr, "\n");
    return 2;
  }
  const void *ins[NI];
  void *outs[NO];
  int64_t batch = 1;
  for (int i = 0; i < NI; ++i)
    ins[i] = read_npy(argv[1 + i], &MODEL_INPUTS[i], &batch);
  for (int i = 0; i < NO; ++i) {
    size_t n = 1;
    for (int d = 0; d < MODEL_OUTPUTS[i].rank; ++d)
      n *= (size_t)(MODEL_OUTPUTS[i].shape[d] < 0 ? batch : MODEL_OUTPUTS[i].shape[d]);
    outs[i] = calloc(n, elem_size(MODEL_OUTPUTS[i].dtype));
  }
  MODEL_RUN_PACKED(ins, outs, batch);
  const char *repeat = getenv("QOPT_REPEAT");
  int runs = repeat ? atoi(repeat) : 0;
  if (runs > 0) {
    double *ms = calloc((size_t)runs, sizeof(double));
    for (int r = 0; r < runs; ++r) {
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      MODEL_RUN_PACKED(ins, outs, batch);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      ms[r] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6;
    }
    for (int i = 1; i < runs; ++i) /* insertion sort: runs is small */
      for (int j = i; j > 0 && ms[j] < ms[j - 1]; --j) {
        double t = ms[j]; ms[j] = ms[j - 1]; ms[j - 1] = t;
      }
    printf("median %.3f ms over %d runs\n", ms[runs / 2], runs);
    free(ms);
  }
  for (int i = 0; i < NO; ++i)
    write_npy(argv[1 + NI + i], &MODEL_OUTPUTS[i], batch, outs[i]);
  printf("ran %lld sample(s)\n", (long long)batch);
  return 0;
}
