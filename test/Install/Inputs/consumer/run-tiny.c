/* Links the compiled model and runs it through the C API of its header. */
#include "tiny.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  xfmr_model *model;
  if (xfmr_model_open(NULL, &model) != XFMR_OK) {
    fprintf(stderr, "open: %s\n", xfmr_last_error());
    return 1;
  }
  xfmr_model_info info;
  xfmr_model_get_info(model, &info);
  int64_t ids[4] = {1, 5, 7, 2};
  float out[4 * XFMR_MODEL_D_MODEL];
  if (xfmr_encode(model, 1, 4, ids, NULL, NULL, out) != XFMR_OK) {
    fprintf(stderr, "encode: %s\n", xfmr_last_error());
    return 1;
  }
  int finite = 1;
  for (int i = 0; i < 4 * XFMR_MODEL_D_MODEL; ++i)
    finite = finite && isfinite(out[i]);
  printf("%s: d_model %d, max_length %lld, %s\n", info.name, XFMR_MODEL_D_MODEL,
         (long long)info.max_length, finite ? "finite" : "NOT FINITE");
  xfmr_model_close(model);
  return finite ? 0 : 1;
}
