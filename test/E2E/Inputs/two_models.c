/* Links two compiled models into one program (test/E2E/two-models.test).
 * Both libraries export the same xfmr_* names; each is reached through its
 * own table, xfmr_api_tiny() and xfmr_api_relu(), and must answer as that
 * model does alone. Writes each model's output on the same ids as raw
 * float32: two_models OUT_TINY OUT_RELU. */
#include "relu.h"
#include "tiny.h"

#include <stdio.h>
#include <string.h>

/* Both headers in one translation unit: each model's facts under its own
 * names, and the generic ones, which would be ambiguous, gone. */
#ifdef XFMR_MODEL_D_MODEL
#error "XFMR_MODEL_D_MODEL is defined with two model headers"
#endif
#if TINY_D_MODEL == RELU_D_MODEL
#error "the two models should differ"
#endif

enum { kBatch = 2, kSeq = 5 };
static const int64_t kIds[kBatch * kSeq] = {2, 5, 6, 7, 3, 2, 8, 3, 0, 0};
static const int64_t kMask[kBatch * kSeq] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};

static int run(const xfmr_api *api, int64_t d_model, const char *expected_name,
               float *out, const char *path) {
  xfmr_model *model = NULL;
  xfmr_model_info info;
  if (api->struct_size < sizeof(xfmr_api) ||
      api->abi_version != XFMR_ABI_VERSION) {
    fprintf(stderr, "%s: unexpected table\n", expected_name);
    return 1;
  }
  if (api->model_open(NULL, &model) != XFMR_OK ||
      api->model_get_info(model, &info) != XFMR_OK) {
    fprintf(stderr, "%s: %s\n", expected_name, api->last_error());
    return 1;
  }
  if (strcmp(info.name, expected_name) != 0 || info.d_model != d_model) {
    fprintf(stderr, "table of %s reached model %s (d_model %lld)\n",
            expected_name, info.name, (long long)info.d_model);
    return 1;
  }
  /* A context from this table, used with this table's functions. */
  xfmr_context *context = NULL;
  if (api->context_create(model, &context) != XFMR_OK ||
      api->context_encode(context, kBatch, kSeq, kIds, kMask, NULL, out) !=
          XFMR_OK) {
    fprintf(stderr, "%s: %s\n", expected_name, api->last_error());
    return 1;
  }
  api->context_free(context);
  api->model_close(model);
  FILE *f = fopen(path, "wb");
  size_t count = (size_t)(kBatch * kSeq * d_model);
  if (!f || fwrite(out, sizeof(float), count, f) != count || fclose(f)) {
    perror(path);
    return 1;
  }
  printf("%s: name %s, d_model %lld: ok\n", path, info.name,
         (long long)info.d_model);
  return 0;
}

int main(int argc, char **argv) {
  static float tiny[kBatch * kSeq * TINY_D_MODEL];
  static float relu[kBatch * kSeq * RELU_D_MODEL];
  if (argc != 3) {
    fprintf(stderr, "usage: two_models OUT_TINY OUT_RELU\n");
    return 2;
  }
  /* The second model first, so that neither is reached by being first. */
  return run(xfmr_api_relu(), RELU_D_MODEL, RELU_NAME, relu, argv[2]) ||
         run(xfmr_api_tiny(), TINY_D_MODEL, TINY_NAME, tiny, argv[1]);
}
