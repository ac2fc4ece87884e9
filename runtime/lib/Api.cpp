//===- Api.cpp - the C API as one table -----------------------------------===//
//
// xfmr_runtime_api holds this library's own C API functions (runtime.h,
// "The API as a table"). It is hidden, so the per-model xfmr_api_NAME the
// compiler generates reaches it without the dynamic linker: in a program
// that links several model libraries, each table is its own library's.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

namespace {

constexpr xfmr_api makeApi() {
  xfmr_api api{};
  api.struct_size = sizeof(xfmr_api);
  api.abi_version = XFMR_ABI_VERSION;
  api.status_string = xfmr_status_string;
  api.last_error = xfmr_last_error;
  api.model_open = xfmr_model_open;
  api.model_open_from_memory = xfmr_model_open_from_memory;
  api.model_close = xfmr_model_close;
  api.model_get_info = xfmr_model_get_info;
  api.model_manifest = xfmr_model_manifest;
  api.context_create = xfmr_context_create;
  api.context_free = xfmr_context_free;
  api.context_set_num_threads = xfmr_context_set_num_threads;
  api.context_get_stats = xfmr_context_get_stats;
  api.context_encode = xfmr_context_encode;
  api.context_embed = xfmr_context_embed;
  api.encode = xfmr_encode;
  api.embed = xfmr_embed;
  api.tokenizer_load = xfmr_tokenizer_load;
  api.tokenizer_load_from_memory = xfmr_tokenizer_load_from_memory;
  api.model_load_tokenizer = xfmr_model_load_tokenizer;
  api.tokenizer_free = xfmr_tokenizer_free;
  api.tokenizer_get_info = xfmr_tokenizer_get_info;
  api.tokenizer_encode = xfmr_tokenizer_encode;
  api.tokenizer_encode_batch = xfmr_tokenizer_encode_batch;
  api.encoding_free = xfmr_encoding_free;
  api.tokenizer_decode = xfmr_tokenizer_decode;
  api.text_free = xfmr_text_free;
  api.tokenizer_token_to_id = xfmr_tokenizer_token_to_id;
  api.tokenizer_id_to_token = xfmr_tokenizer_id_to_token;
  api.context_logits = xfmr_context_logits;
  api.logits = xfmr_logits;
  api.context_generate = xfmr_context_generate;
  api.session_create = xfmr_session_create;
  api.session_free = xfmr_session_free;
  api.session_get_info = xfmr_session_get_info;
  api.session_prefill = xfmr_session_prefill;
  api.session_decode = xfmr_session_decode;
  api.session_generate = xfmr_session_generate;
  return api;
}

} // namespace

extern "C" __attribute__((visibility("hidden")))
const xfmr_api xfmr_runtime_api = makeApi();

const xfmr_api *xfmr_get_api(void) { return &xfmr_runtime_api; }
