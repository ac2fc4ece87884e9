/*===- OutOfMemoryProbe.c - one large call, then a small one --------------===//
 *
 * Drives a model library through its C API (dlopen, as a user program does)
 * for test/runtime/out_of_memory.py, which runs it under `ulimit -v`:
 *
 *   xfmr-oom-probe LIB.so encode BATCH SEQ [WEIGHTS]
 *   xfmr-oom-probe LIB.so tokenize TOKENIZER_PATH MEGABYTES
 *
 * encode runs one context on random ids of [BATCH, SEQ], then, on the same
 * context, a call of [1, 8]; tokenize loads the tokenizer, encodes a text of
 * MEGABYTES MiB of words (xfmr_tokenizer_encode_batch, no truncation), then
 * "hello world" with the same tokenizer. A failing large call prints
 * "xfmr-oom-probe: error (STATUS): MESSAGE" on stderr. On stdout: the address
 *space in use just before the large call and its peak ("vm_before_kb N",
 * "vm_peak_kb N", from /proc/self/status: what the test sizes its limits
 * from), and "then: ok" if the small call succeeded.
 *
 * Exit status: 0 if both calls succeeded, 1 if the large call failed and the
 * small one succeeded, 2 for anything else.
 *
 *===----------------------------------------------------------------------===*/

#include "xfmr/runtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *library;

static void *resolve(const char *name) {
  void *symbol = dlsym(library, name);
  if (!symbol) {
    fprintf(stderr, "xfmr-oom-probe: %s is missing: %s\n", name, dlerror());
    exit(2);
  }
  return symbol;
}

#define API(name) ((__typeof__(&name))resolve(#name))

/* A field of /proc/self/status in kB, or -1. */
static long statusKb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  size_t n = strlen(field);
  if (!f)
    return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, field, n) && line[n] == ':')
      kb = strtol(line + n + 1, NULL, 10);
  fclose(f);
  return kb;
}

/* Prints a failed call's status and message as one line. */
static void report(xfmr_status status) {
  fprintf(stderr, "xfmr-oom-probe: error (%s): %s\n",
          API(xfmr_status_string)(status), API(xfmr_last_error)());
}

static int finish(xfmr_status large, xfmr_status small) {
  printf("vm_peak_kb %ld\n", statusKb("VmPeak"));
  if (small != XFMR_OK) {
    report(small);
    return 2;
  }
  printf("then: ok\n");
  return large == XFMR_OK ? 0 : 1;
}

static int encode(long long batch, long long seq, const char *weights) {
  xfmr_model *model;
  xfmr_context *context;
  xfmr_model_info info;
  xfmr_status status = API(xfmr_model_open)(weights, &model);
  if (status == XFMR_OK)
    status = API(xfmr_model_get_info)(model, &info);
  if (status == XFMR_OK)
    status = API(xfmr_context_create)(model, &context);
  if (status != XFMR_OK) {
    report(status);
    return 2;
  }
  size_t tokens = (size_t)batch * (size_t)seq;
  int64_t *ids = malloc(tokens * sizeof(int64_t));
  float *output = malloc(tokens * (size_t)info.d_model * sizeof(float));
  if (!ids || !output) {
    fprintf(stderr, "xfmr-oom-probe: cannot allocate the inputs\n");
    return 2;
  }
  srand(1);
  for (size_t i = 0; i < tokens; ++i)
    ids[i] = rand() % info.vocab_size;
  /* Touch the output, as a caller that reads it would. */
  memset(output, 0, tokens * (size_t)info.d_model * sizeof(float));

  printf("vm_before_kb %ld\n", statusKb("VmSize"));
  xfmr_status large =
      API(xfmr_context_encode)(context, batch, seq, ids, NULL, NULL, output);
  if (large != XFMR_OK)
    report(large);
  xfmr_status small =
      API(xfmr_context_encode)(context, 1, 8, ids, NULL, NULL, output);
  int rc = finish(large, small);
  API(xfmr_context_free)(context);
  API(xfmr_model_close)(model);
  free(ids);
  free(output);
  return rc;
}

static int tokenize(const char *path, long long megabytes) {
  static const char words[] = "the quick brown fox jumps over the lazy dog ";
  xfmr_tokenizer *tokenizer;
  xfmr_status status = API(xfmr_tokenizer_load)(path, 0, &tokenizer);
  if (status != XFMR_OK) {
    report(status);
    return 2;
  }
  size_t size = (size_t)megabytes << 20;
  char *text = malloc(size);
  if (!text) {
    fprintf(stderr, "xfmr-oom-probe: cannot allocate the text\n");
    return 2;
  }
  for (size_t i = 0; i < size; ++i)
    text[i] = words[i % (sizeof words - 1)];

  printf("vm_before_kb %ld\n", statusKb("VmSize"));
  const char *texts[1] = {text};
  xfmr_encoding *encoding = NULL;
  xfmr_status large = API(xfmr_tokenizer_encode_batch)(
      tokenizer, 1, texts, &size, NULL, NULL, 0, 0, &encoding);
  if (large != XFMR_OK)
    report(large);
  API(xfmr_encoding_free)(encoding);
  free(text);

  const char *hello[1] = {"hello world"};
  encoding = NULL;
  xfmr_status small = API(xfmr_tokenizer_encode_batch)(
      tokenizer, 1, hello, NULL, NULL, NULL, 0, 0, &encoding);
  if (small == XFMR_OK && encoding->seq < 2)
    small = XFMR_ERROR_INTERNAL;
  API(xfmr_encoding_free)(encoding);
  API(xfmr_tokenizer_free)(tokenizer);
  return finish(large, small);
}

int main(int argc, char **argv) {
  int isEncode = argc >= 3 && !strcmp(argv[2], "encode");
  int isTokenize = argc >= 3 && !strcmp(argv[2], "tokenize");
  if (!((isEncode && (argc == 5 || argc == 6)) || (isTokenize && argc == 5))) {
    fprintf(stderr, "usage: xfmr-oom-probe LIB.so encode BATCH SEQ [WEIGHTS]\n"
                    "       xfmr-oom-probe LIB.so tokenize TOKENIZER MiB\n");
    return 2;
  }
  library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "xfmr-oom-probe: %s\n", dlerror());
    return 2;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  if (isEncode)
    return encode(atoll(argv[3]), atoll(argv[4]), argc == 6 ? argv[5] : NULL);
  return tokenize(argv[3], atoll(argv[4]));
}
