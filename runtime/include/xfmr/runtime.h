/*===- runtime.h - xfmr runtime C API -----------------------------*- C -*-===//
 *
 * The one public header of the xfmr runtime. A model library compiled by xfmrc
 * links the runtime statically and exports exactly this API, so any program
 * can dlopen() any model library and drive it through these entry points.
 *
 * Conventions:
 *  - Opaque handles, plain C types, no exceptions across the ABI.
 *  - Every function that can fail returns an xfmr_status; on failure a one-line
 *    message describing the problem is available from xfmr_last_error() on the
 *    calling thread until the next failing call on that thread.
 *  - A model handle is immutable after xfmr_model_open(): any number of threads
 *    may call xfmr_encode() on it at once.
 *
 *===----------------------------------------------------------------------===*/
#ifndef XFMR_RUNTIME_H
#define XFMR_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XFMR_ABI_VERSION 1

/* The runtime is built with hidden visibility; only this API is exported
 * from a model library. */
#if defined(__GNUC__) || defined(__clang__)
#define XFMR_API __attribute__((visibility("default")))
#else
#define XFMR_API
#endif

typedef enum xfmr_status {
  XFMR_OK = 0,
  /* A NULL pointer, a non-positive size or an out-of-range value (an id
   * outside the vocabulary, a sequence longer than the model allows). */
  XFMR_ERROR_INVALID_ARGUMENT = 1,
  /* A file could not be opened, read or mapped. */
  XFMR_ERROR_IO = 2,
  /* A weights file is malformed (see RELIABILITY.md for what is checked). */
  XFMR_ERROR_FORMAT = 3,
  /* The weights do not match the model: a tensor missing, or of the wrong
   * dtype or shape. */
  XFMR_ERROR_MISMATCH = 4,
  XFMR_ERROR_OUT_OF_MEMORY = 5,
  /* The library was built for another target or ABI version, or the call
   * asks for a feature this model does not have. */
  XFMR_ERROR_UNSUPPORTED = 6,
  XFMR_ERROR_INTERNAL = 7,
} xfmr_status;

typedef struct xfmr_model xfmr_model;

typedef struct xfmr_model_info {
  int32_t abi_version;
  const char *name;   /* model name from the spec or checkpoint folder */
  const char *target; /* "cpu" */
  const char *kind;   /* "encoder" */
  int64_t vocab_size;
  int64_t d_model;
  int64_t num_layers;
  int64_t max_positions;   /* longest sequence accepted */
  int64_t type_vocab_size; /* 0 when the model has no token types */
} xfmr_model_info;

/* A human-readable name of a status code ("ok", "invalid argument", ...). */
XFMR_API const char *xfmr_status_string(xfmr_status status);

/* The message of the last failing call on this thread ("" if none). */
XFMR_API const char *xfmr_last_error(void);

/* Opens the model of this library with the weights in `weights_path` (a
 * .safetensors file, or a folder holding model.safetensors). NULL means the
 * weights the model was compiled from. The weights are memory-mapped and every
 * tensor the model needs is checked for presence, dtype and shape. */
XFMR_API xfmr_status xfmr_model_open(const char *weights_path,
                                     xfmr_model **out_model);

/* Releases a model handle; NULL is a no-op. */
XFMR_API void xfmr_model_close(xfmr_model *model);

XFMR_API xfmr_status xfmr_model_get_info(const xfmr_model *model,
                                         xfmr_model_info *out_info);

/* The JSON manifest the compiler embedded in this library (inputs, outputs,
 * weights and their shapes). Owned by the library; NULL for a NULL model. */
XFMR_API const char *xfmr_model_manifest(const xfmr_model *model);

/* Runs an encoder on a [batch, seq] batch of token ids and writes the last
 * hidden state, [batch, seq, d_model] float32 in row-major order, to `output`.
 * `attention_mask` (1 = token, 0 = padding) may be NULL for no padding;
 * `token_type_ids` may be NULL for all zeros (a model without token types
 * accepts only NULL or all zeros). Ids, types and mask values are
 * range-checked before anything runs. */
XFMR_API xfmr_status xfmr_encode(const xfmr_model *model, int64_t batch,
                                 int64_t seq, const int64_t *input_ids,
                                 const int64_t *attention_mask,
                                 const int64_t *token_type_ids, float *output);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* XFMR_RUNTIME_H */
