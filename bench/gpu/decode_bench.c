/* Times a decoder library's prefill and decode steps through the session API
 * (runtime/include/xfmr/runtime.h), for bench/gpu-check.sh: one process, the
 * library opened with dlopen (so a CPU or a CUDA build of the same model can
 * be given), no other library linked.
 *
 *   decode_bench LIB.so WEIGHTS OUTDIR BUDGET_S MAX_STEPS B:N [B:N ...]
 *
 * For each B:N (batch B, N cached tokens): B prompts of N random ids (a
 * fixed generator), a session of N + MAX_STEPS + 2 slots; prefills, each
 * starting the cache afresh, until a quarter of BUDGET_S is spent (at least
 * one, at most 10; the first is a warm-up unless it is the only one); one
 * warm-up decode step, then decode steps (each appends one token, so the
 * cache grows) until BUDGET_S is spent, at least 3 and at most MAX_STEPS.
 * Writes OUTDIR/ids_bB_nN.bin ([B, N + 1] int64: the prompts and the first
 * step's tokens), prefill_bB_nN.bin and decode_bB_nN.bin ([B, vocab]
 * float32: the last prefill's and the first step's next-token logits), and
 * prints one JSON line per B:N with the medians in milliseconds. A failing
 * call prints its error and exits 1. */
#include "xfmr/runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API(name) static __typeof__(&name) p_##name
API(xfmr_status_string);
API(xfmr_last_error);
API(xfmr_model_open);
API(xfmr_model_get_info);
API(xfmr_model_close);
API(xfmr_context_create);
API(xfmr_context_free);
API(xfmr_session_create);
API(xfmr_session_free);
API(xfmr_session_prefill);
API(xfmr_session_decode);

static void *library;

static void *symbol(const char *name) {
  void *p = dlsym(library, name);
  if (!p) {
    fprintf(stderr, "decode_bench: the library has no %s\n", name);
    exit(1);
  }
  return p;
}

static void check(xfmr_status status, const char *what) {
  if (status != XFMR_OK) {
    fprintf(stderr, "decode_bench: %s: %s: %s\n", what,
            p_xfmr_status_string(status), p_xfmr_last_error());
    exit(1);
  }
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, n, sizeof(double), compareDoubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t state = 0x786d6672ull;
static int64_t randomId(int64_t vocab) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (int64_t)((state >> 33) % (uint64_t)vocab);
}

static void writeFile(const char *dir, const char *stem, int64_t b, int64_t n,
                      const void *data, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s_b%lld_n%lld.bin", dir, stem, (long long)b,
           (long long)n);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f) != 0) {
    fprintf(stderr, "decode_bench: cannot write %s\n", path);
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: decode_bench LIB.so WEIGHTS OUTDIR BUDGET_S "
                    "MAX_STEPS B:N [B:N ...]\n");
    return 2;
  }
  library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "decode_bench: %s\n", dlerror());
    return 1;
  }
  p_xfmr_status_string = symbol("xfmr_status_string");
  p_xfmr_last_error = symbol("xfmr_last_error");
  p_xfmr_model_open = symbol("xfmr_model_open");
  p_xfmr_model_get_info = symbol("xfmr_model_get_info");
  p_xfmr_model_close = symbol("xfmr_model_close");
  p_xfmr_context_create = symbol("xfmr_context_create");
  p_xfmr_context_free = symbol("xfmr_context_free");
  p_xfmr_session_create = symbol("xfmr_session_create");
  p_xfmr_session_free = symbol("xfmr_session_free");
  p_xfmr_session_prefill = symbol("xfmr_session_prefill");
  p_xfmr_session_decode = symbol("xfmr_session_decode");

  const char *outdir = argv[3];
  double budget = atof(argv[4]);
  int maxSteps = atoi(argv[5]);
  if (maxSteps < 3)
    maxSteps = 3;
  xfmr_model *model;
  xfmr_context *context;
  xfmr_model_info info;
  double t0 = now();
  check(p_xfmr_model_open(argv[2], &model), "xfmr_model_open");
  check(p_xfmr_model_get_info(model, &info), "xfmr_model_get_info");
  check(p_xfmr_context_create(model, &context), "xfmr_context_create");
  fprintf(stderr, "decode_bench: %s opened (target %s) in %.2f s\n", argv[1],
          info.target, now() - t0);
  int64_t vocab = info.vocab_size;

  for (int c = 6; c < argc; ++c) {
    long long b, n;
    if (sscanf(argv[c], "%lld:%lld", &b, &n) != 2 || b < 1 || n < 1) {
      fprintf(stderr, "decode_bench: bad B:N '%s'\n", argv[c]);
      return 2;
    }
    int64_t width = n + 1;
    int64_t *ids = malloc(sizeof(int64_t) * b * width);
    int64_t *step = malloc(sizeof(int64_t) * b);
    float *logits = malloc(sizeof(float) * b * vocab);
    int64_t *promptIds = malloc(sizeof(int64_t) * b * n);
    double *times = malloc(sizeof(double) * (maxSteps + 10));
    if (!ids || !step || !logits || !promptIds || !times) {
      fprintf(stderr, "decode_bench: out of memory\n");
      return 1;
    }
    for (int64_t i = 0; i < b * width; ++i)
      ids[i] = randomId(vocab);
    for (int64_t r = 0; r < b; ++r)
      memcpy(promptIds + r * n, ids + r * width, sizeof(int64_t) * n);
    writeFile(outdir, "ids", b, n, ids, sizeof(int64_t) * b * width);

    xfmr_session *session;
    check(p_xfmr_session_create(context, b, n + maxSteps + 2, &session),
          "xfmr_session_create");
    /* Prefills: the first is a warm-up, then until a quarter of the budget. */
    int prefills = 0;
    double start = now(), first = 0;
    while (prefills < 11) {
      double t = now();
      check(p_xfmr_session_prefill(session, n, promptIds, NULL, logits),
            "xfmr_session_prefill");
      t = now() - t;
      if (prefills == 0)
        first = t;
      else
        times[prefills - 1] = t * 1e3;
      ++prefills;
      if (now() - start > budget / 4)
        break;
    }
    int prefillSamples = prefills > 1 ? prefills - 1 : 1;
    if (prefills == 1)
      times[0] = first * 1e3;
    double prefillMs = median(times, prefillSamples);
    writeFile(outdir, "prefill", b, n, logits, sizeof(float) * b * vocab);

    /* The first step: a warm-up, and the logits the peers are compared on. */
    for (int64_t r = 0; r < b; ++r)
      step[r] = ids[r * width + n];
    double firstStep = now();
    check(p_xfmr_session_decode(session, step, logits), "xfmr_session_decode");
    firstStep = now() - firstStep;
    writeFile(outdir, "decode", b, n, logits, sizeof(float) * b * vocab);
    int steps = 0;
    start = now();
    while (steps < maxSteps &&
           (steps < 3 || now() - start + firstStep < budget)) {
      for (int64_t r = 0; r < b; ++r)
        step[r] = randomId(vocab);
      double t = now();
      check(p_xfmr_session_decode(session, step, logits),
            "xfmr_session_decode");
      times[steps++] = (now() - t) * 1e3;
    }
    double decodeMs = median(times, steps);
    printf("{\"batch\": %lld, \"cached\": %lld, \"prefill_ms\": %.4f, "
           "\"prefill_n\": %d, \"first_step_ms\": %.4f, \"decode_ms\": %.4f, "
           "\"decode_n\": %d, \"cached_from\": %lld, \"cached_to\": %lld}\n",
           b, n, prefillMs, prefillSamples, firstStep * 1e3, decodeMs, steps,
           n + 1, n + steps);
    fflush(stdout);
    p_xfmr_session_free(session);
    free(ids);
    free(step);
    free(logits);
    free(promptIds);
    free(times);
  }
  p_xfmr_context_free(context);
  p_xfmr_model_close(model);
  return 0;
}
