/* Opens the compiled model with dlopen, as xfmr-run does. */
#include <xfmr/runtime.h>

#include <dlfcn.h>
#include <stdio.h>

int main(void) {
  void *library = dlopen(TINY_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  xfmr_status (*open)(const char *, xfmr_model **) =
      (xfmr_status(*)(const char *, xfmr_model **))dlsym(library,
                                                         "xfmr_model_open");
  xfmr_status (*info)(const xfmr_model *, xfmr_model_info *) =
      (xfmr_status(*)(const xfmr_model *, xfmr_model_info *))dlsym(
          library, "xfmr_model_get_info");
  xfmr_model *model;
  xfmr_model_info facts;
  if (!open || !info || open(NULL, &model) != XFMR_OK ||
      info(model, &facts) != XFMR_OK)
    return 1;
  printf("dlopen: %s, abi %d, vocab %lld\n", facts.name, facts.abi_version,
         (long long)facts.vocab_size);
  return 0;
}
