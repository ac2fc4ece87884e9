/* Checks a decoder library's sessions against its own logits entry point:
 * for a batch of prompts (unpadded, left-padded, right-padded), the
 * prefill's and every decode step's next-token logits must be those the
 * logits entry gives for that sequence's real tokens alone, run unpadded as
 * a batch of one, at its last position. Also checks the session's bad
 * calls: each fails with a one-line error and leaves the session usable.
 *
 * usage: session_check THREADS (the library is linked in) */
#include "xfmr/runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH = 3, PROMPT = 6, STEPS = 5 };

static xfmr_context *context;
static int64_t vocab;
static double worst;

static void check(xfmr_status status, const char *what) {
  if (status != XFMR_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, xfmr_status_string(status),
            xfmr_last_error());
    exit(1);
  }
}

static void expectFailure(xfmr_status status, const char *what) {
  if (status == XFMR_OK) {
    fprintf(stderr, "%s: succeeded, expected an error\n", what);
    exit(1);
  }
  printf("%s: %s\n", what, xfmr_last_error());
}

/* Each row's real tokens so far. */
static int64_t tokens[BATCH][PROMPT + STEPS + 2];
static int64_t counts[BATCH];

/* Compares `logits` ([BATCH, vocab]) with the logits entry on each row's
 * real tokens; row `skipped` (or -1) took no token, so has no logits. */
static void compare(const float *logits, const char *when, int skipped) {
  float *full = malloc(sizeof(float) * (PROMPT + STEPS + 2) * vocab);
  for (int b = 0; b < BATCH; ++b) {
    if (b == skipped)
      continue;
    int64_t n = counts[b];
    check(xfmr_context_logits(context, 1, n, tokens[b], NULL, full),
          "logits");
    const float *ref = full + (n - 1) * vocab, *got = logits + b * vocab;
    double scale = 1.0, diff = 0.0;
    for (int64_t v = 0; v < vocab; ++v)
      if (fabs(ref[v]) > scale)
        scale = fabs(ref[v]);
    for (int64_t v = 0; v < vocab; ++v)
      if (fabs(ref[v] - got[v]) > diff)
        diff = fabs(ref[v] - got[v]);
    if (!(diff / scale <= 1e-4)) {
      fprintf(stderr, "%s, row %d: logits differ by %g (scale %g)\n", when,
              b, diff, scale);
      exit(1);
    }
    if (diff / scale > worst)
      worst = diff / scale;
  }
  free(full);
}

static uint64_t state = 12345;
static int64_t randomId(void) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return (int64_t)((state >> 33) % (uint64_t)vocab);
}

/* Prefills the three prompts; row 1 left-padded, row 2 right-padded. */
static void prefill(xfmr_session *session, float *logits) {
  int64_t ids[BATCH][PROMPT], mask[BATCH][PROMPT];
  int64_t real[BATCH] = {PROMPT, PROMPT - 2, PROMPT - 3};
  for (int b = 0; b < BATCH; ++b) {
    counts[b] = 0;
    for (int t = 0; t < PROMPT; ++t) {
      int pad = b == 1 ? t < PROMPT - real[b] : b == 2 ? t >= real[b] : 0;
      ids[b][t] = pad ? 0 : randomId();
      mask[b][t] = !pad;
      if (!pad)
        tokens[b][counts[b]++] = ids[b][t];
    }
  }
  check(xfmr_session_prefill(session, PROMPT, &ids[0][0], &mask[0][0], logits),
        "prefill");
  compare(logits, "prefill", -1);
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  xfmr_model *model;
  check(xfmr_model_open(NULL, &model), "open");
  xfmr_model_info info;
  check(xfmr_model_get_info(model, &info), "info");
  vocab = info.vocab_size;
  check(xfmr_context_create(model, &context), "context");
  check(xfmr_context_set_num_threads(context, threads), "threads");

  xfmr_session *session;
  int64_t capacity = PROMPT + STEPS;
  check(xfmr_session_create(context, BATCH, capacity, &session), "session");
  float *logits = malloc(sizeof(float) * BATCH * vocab);
  int64_t next[BATCH];
  for (int b = 0; b < BATCH; ++b)
    next[b] = 0;
  expectFailure(xfmr_session_decode(session, next, logits),
                "decode before prefill");

  prefill(session, logits);
  for (int step = 0; step < STEPS; ++step) {
    for (int b = 0; b < BATCH; ++b) {
      /* Row 1 skips step 2. */
      next[b] = b == 1 && step == 2 ? -1 : randomId();
      if (next[b] >= 0)
        tokens[b][counts[b]++] = next[b];
    }
    if (step == 1) {
      int64_t bad[BATCH] = {0, vocab, 0};
      expectFailure(xfmr_session_decode(session, bad, logits),
                    "an id outside the vocabulary");
    }
    check(xfmr_session_decode(session, next, logits), "decode");
    char when[32];
    snprintf(when, sizeof when, "decode step %d", step);
    compare(logits, when, step == 2 ? 1 : -1);
  }
  xfmr_session_info sinfo;
  check(xfmr_session_get_info(session, &sinfo), "session info");
  if (sinfo.length != capacity) {
    fprintf(stderr, "length %lld, expected %lld\n", (long long)sinfo.length,
            (long long)capacity);
    return 1;
  }
  expectFailure(xfmr_session_decode(session, next, logits), "a full cache");
  int64_t longIds[PROMPT + STEPS + 1] = {0};
  expectFailure(xfmr_session_prefill(session, capacity + 1, longIds, NULL,
                                     logits),
                "a prompt longer than the capacity");
  xfmr_generate_options options = {STEPS + 1, 0.0f, 0, 1.0f, 0, -1};
  int64_t prompts[BATCH * PROMPT] = {0};
  int64_t outIds[BATCH * (STEPS + 1)], outLengths[BATCH];
  expectFailure(xfmr_session_generate(session, PROMPT, prompts, NULL,
                                      &options, outIds, outLengths),
                "generating beyond the capacity");
  expectFailure(xfmr_session_create(context, 1, info.max_positions + 1,
                                    &(xfmr_session *){NULL}),
                "a capacity beyond the positions");

  /* Still usable: a new prompt starts over. */
  prefill(session, logits);
  for (int b = 0; b < BATCH; ++b)
    tokens[b][counts[b]++] = next[b] = randomId();
  check(xfmr_session_decode(session, next, logits), "decode after reuse");
  compare(logits, "decode after reuse", -1);

  printf("ok: %d threads, worst relative difference %.2g\n", threads, worst);
  xfmr_session_free(session);
  free(logits);
  xfmr_context_free(context);
  xfmr_model_close(model);
  return 0;
}
