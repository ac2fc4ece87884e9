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
 *    may use it at once. What a call needs besides the model (work memory,
 *    settings) lives in a call context, xfmr_context: one per calling thread.
 *
 *===----------------------------------------------------------------------===*/
#ifndef XFMR_RUNTIME_H
#define XFMR_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XFMR_ABI_VERSION 2

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
  /* A file could not be opened or read, or is not a regular file. */
  XFMR_ERROR_IO = 2,
  /* A weights file is malformed (docs/reliability.md says what is
   * checked). */
  XFMR_ERROR_FORMAT = 3,
  /* The weights do not match the model: a tensor missing, or of the wrong
   * dtype or shape. */
  XFMR_ERROR_MISMATCH = 4,
  XFMR_ERROR_OUT_OF_MEMORY = 5,
  /* The library was built for another target or ABI version, or the call
   * asks for a feature this model does not have. */
  XFMR_ERROR_UNSUPPORTED = 6,
  XFMR_ERROR_INTERNAL = 7,
  /* The library runs on a GPU (target cuda) and this machine has none it
   * can run on: no CUDA driver, no device, or kernels built for another
   * GPU. Returned by xfmr_model_open*; the message says which. */
  XFMR_ERROR_NO_DEVICE = 8,
} xfmr_status;

typedef struct xfmr_model xfmr_model;

typedef struct xfmr_model_info {
  int32_t abi_version;
  const char *name;   /* model name from the spec or checkpoint folder */
  const char *target; /* "cpu" or "cuda" */
  const char *kind;   /* "encoder", or "decoder" (xfmr_context_logits) */
  int64_t vocab_size;
  int64_t d_model;
  int64_t num_layers;
  int64_t max_positions;   /* longest sequence accepted */
  int64_t type_vocab_size; /* 0 when the model has no token types */
  /* "cls" or "mean" for a library compiled with --pooling (xfmr_embed
   * works; "" when its manifest does not say how it pools), NULL for a
   * library without an embed entry point. */
  const char *pooling;
  /* The length texts for this model are truncated to, special tokens
   * included: the model's own, recorded by xfmrc (a checkpoint folder's
   * sentence_bert_config.json max_seq_length, else its tokenizer.json
   * truncation, else max_positions). Pass it as xfmr_tokenizer_encode_batch's
   * max_length to tokenize as the model's own tools do, or pass another
   * length (at most max_positions) to override it. */
  int64_t max_length;
} xfmr_model_info;

/* A human-readable name of a status code ("ok", "invalid argument", ...). */
XFMR_API const char *xfmr_status_string(xfmr_status status);

/* The message of the last failing call on this thread ("" if none). */
XFMR_API const char *xfmr_last_error(void);

/* Opens the model of this library with the weights in `weights_path` (a
 * .safetensors file, or a folder holding model.safetensors). NULL means the
 * library's own weights, looked for in this order (docs/abi.md):
 *  1. the weights embedded in the library (xfmrc --embed-weights);
 *  2. the weights file the library records, a path relative to the folder
 *     the library itself is in (found with dladdr): by default where the
 *     weights it was compiled from are, seen from where xfmrc wrote it, or
 *     the name given to xfmrc --weights-name. An absolute path is never
 *     recorded, so a library copied to another machine never reads a path
 *     of the machine that built it.
 * A library that finds neither fails with XFMR_ERROR_IO and a message that
 * names the file it looked for and how to pass one. The weights must be a
 * regular file; they are read into memory the model owns (the file is not
 * used afterwards, so changing or truncating it cannot affect an open model)
 * and every tensor the model needs is checked for presence, dtype and
 * shape. */
XFMR_API xfmr_status xfmr_model_open(const char *weights_path,
                                     xfmr_model **out_model);

/* Like xfmr_model_open, with the weights given as the `size` bytes of a
 * safetensors file held in memory, checked exactly as a file is (the same
 * code checks the weights a library embeds). The bytes are copied: the
 * buffer may be released once the call returns. */
XFMR_API xfmr_status xfmr_model_open_from_memory(const void *data, size_t size,
                                                 xfmr_model **out_model);

/* Releases a model handle; NULL is a no-op. */
XFMR_API void xfmr_model_close(xfmr_model *model);

XFMR_API xfmr_status xfmr_model_get_info(const xfmr_model *model,
                                         xfmr_model_info *out_info);

/* The JSON manifest the compiler embedded in this library (inputs, outputs,
 * weights and their shapes). Owned by the library; NULL for a NULL model. */
XFMR_API const char *xfmr_model_manifest(const xfmr_model *model);

/*===----------------------------------------------------------------------===*
 * Call contexts
 *
 * A context holds what one thread needs to run a model: the work memory the
 * generated code allocates its temporaries from (kept between calls, so from
 * the second call of a given shape on a call allocates nothing) and the
 * call's settings. Create one per calling thread and reuse it; a context is
 * used by one call at a time (a second call that overlaps one already running
 * on it fails with XFMR_ERROR_INVALID_ARGUMENT). A context refers to its
 * model: free every context of a model before closing the model.
 *===----------------------------------------------------------------------===*/

typedef struct xfmr_context xfmr_context;

typedef struct xfmr_context_stats {
  /* Bytes the context holds from the system: work memory in use and kept for
   * reuse, the manifest's static reservation, and buffers for omitted
   * inputs. */
  int64_t bytes_held;
  /* Calls run on this context that reached the model. */
  int64_t calls;
  /* Work-memory requests (allocations) the model made during the last call,
   * and how many of them the context could not serve from memory it already
   * held, so needed a fresh system allocation. */
  int64_t last_call_requests;
  int64_t last_call_system_allocations;
  int32_t num_threads;
} xfmr_context_stats;

/* Creates a context for `model`, reserving the work memory the compiler
 * sized statically. XFMR_ERROR_OUT_OF_MEMORY if that cannot be had. */
XFMR_API xfmr_status xfmr_context_create(const xfmr_model *model,
                                         xfmr_context **out_context);

/* Releases a context and all its memory; NULL is a no-op. Must not be called
 * while a call runs on the context, and before its model is closed. */
XFMR_API void xfmr_context_free(xfmr_context *context);

/* Sets how many threads a call on this context may use (default 1).
 * Generated code is single-threaded today: 1 is accepted, any other positive
 * count gives XFMR_ERROR_UNSUPPORTED, zero or less
 * XFMR_ERROR_INVALID_ARGUMENT. */
XFMR_API xfmr_status xfmr_context_set_num_threads(xfmr_context *context,
                                                  int32_t num_threads);

XFMR_API xfmr_status xfmr_context_get_stats(const xfmr_context *context,
                                            xfmr_context_stats *out_stats);

/* Runs an encoder on a [batch, seq] batch of token ids and writes the last
 * hidden state, [batch, seq, d_model] float32 in row-major order, to `output`
 * (the model writes there directly; nothing is copied). `attention_mask`
 * (1 = token, 0 = padding) may be NULL for no padding; `token_type_ids` may
 * be NULL for all zeros (a model without token types accepts only NULL or all
 * zeros). Ids, types and mask values are range-checked before anything
 * runs. */
XFMR_API xfmr_status xfmr_context_encode(xfmr_context *context, int64_t batch,
                                         int64_t seq, const int64_t *input_ids,
                                         const int64_t *attention_mask,
                                         const int64_t *token_type_ids,
                                         float *output);

/* Like xfmr_context_encode, for a library compiled with
 * `xfmrc --pooling=cls|mean`: writes one vector per sequence, [batch, d_model]
 * float32, pooled over the tokens of `attention_mask` (mean) or taken at the
 * first token (cls), and scaled to unit L2 norm when compiled with
 * --normalize. XFMR_ERROR_UNSUPPORTED for a library without pooling. */
XFMR_API xfmr_status xfmr_context_embed(xfmr_context *context, int64_t batch,
                                        int64_t seq, const int64_t *input_ids,
                                        const int64_t *attention_mask,
                                        const int64_t *token_type_ids,
                                        float *output);

/* For a decoder with an LM head (a library whose manifest has a `logits`
 * entry): the logits of every position of a [batch, seq] batch at once,
 * [batch, seq, vocab_size] float32, with causal attention and `attention_mask`
 * (NULL: no padding) masking padded keys. A token's position is the number of
 * real tokens before it in its row, so left- and right-padded rows both give
 * what the unpadded sequence gives. No cache is kept: to generate, use a
 * session (below). */
XFMR_API xfmr_status xfmr_context_logits(xfmr_context *context, int64_t batch,
                                         int64_t seq, const int64_t *input_ids,
                                         const int64_t *attention_mask,
                                         float *output);

/* Generation options. temperature 0 is greedy decoding (the most likely
 * token, the lowest id among equals); a temperature > 0 samples from
 * softmax(logits / temperature) over the top_k most likely tokens (0: all),
 * then over the fewest most likely of those whose probabilities reach top_p
 * (1: all), drawing from a random stream seeded by `seed`: the same tokens
 * on every run, machine and thread count. Generation stops for a sequence at
 * eos_token_id (XFMR_EOS_MODEL: the model's, from its config; -1: never) or
 * after max_new_tokens. */
#define XFMR_EOS_MODEL (-2)
typedef struct xfmr_generate_options {
  int64_t max_new_tokens;
  float temperature;
  int32_t top_k;
  float top_p;
  uint64_t seed;
  int64_t eos_token_id;
} xfmr_generate_options;

/* Continues each of `batch` prompts of a decoder ([batch, seq] ids, any mix
 * of left and right padding in `attention_mask`, NULL: none): writes up to
 * max_new_tokens new ids per sequence to `output_ids` ([batch,
 * max_new_tokens], row-major; -1 after a sequence's last token) and their
 * count, EOS included, to `output_lengths` ([batch]). The prompt and the new
 * tokens together must fit the model's positions. Runs on a session of its
 * own (xfmr_session_generate), so each new token costs one decode step. */
XFMR_API xfmr_status xfmr_context_generate(
    xfmr_context *context, int64_t batch, int64_t seq, const int64_t *input_ids,
    const int64_t *attention_mask, const xfmr_generate_options *options,
    int64_t *output_ids, int64_t *output_lengths);

/*===----------------------------------------------------------------------===*
 * Decoder sessions
 *
 * A session decodes `batch` sequences one token at a time on a context: it
 * owns their K/V cache, [num_layers, 2, batch, kv_heads, capacity, head_dim]
 * float32 (the manifest's kv_cache), allocated when it is created, and
 * which of its slots hold real tokens. xfmr_session_prefill runs the
 * prompts in parallel and fills the first slots; each xfmr_session_decode
 * appends one token per sequence and attends to the cached ones, so its
 * cost grows with the tokens held, never re-running the prefix. A session
 * uses its context for every call (so not at the same time as another call
 * on that context) and must be freed before it. A call that fails leaves
 * the session as it was before the call (a prefill that fails leaves it
 * empty), so the session stays usable.
 *===----------------------------------------------------------------------===*/

typedef struct xfmr_session xfmr_session;

typedef struct xfmr_session_info {
  int64_t batch;
  /* Slots per sequence: prompt and generated tokens together. */
  int64_t capacity;
  /* Slots used: the prompt's padded length plus the decode steps. */
  int64_t length;
  /* Bytes of the K/V cache. */
  int64_t cache_bytes;
} xfmr_session_info;

/* Creates a session of `batch` sequences of up to `capacity` tokens each
 * (0: the model's max_positions; at most that) on `context`, whose model
 * must be a decoder with prefill and decode_step entry points
 * (XFMR_ERROR_UNSUPPORTED otherwise). XFMR_ERROR_OUT_OF_MEMORY if the cache
 * cannot be had. */
XFMR_API xfmr_status xfmr_session_create(xfmr_context *context, int64_t batch,
                                         int64_t capacity,
                                         xfmr_session **out_session);

/* Releases a session and its cache; NULL is a no-op. */
XFMR_API void xfmr_session_free(xfmr_session *session);

XFMR_API xfmr_status xfmr_session_get_info(const xfmr_session *session,
                                           xfmr_session_info *out_info);

/* Starts every sequence over with its prompt: `input_ids` [batch, seq] with
 * `attention_mask` (NULL: no padding; left, right or any padding), at most
 * `capacity` tokens. Writes each sequence's next-token logits (those after
 * its last real token) to `logits`, [batch, vocab_size]. A row with no real
 * token gets logits of no meaning; it takes part in later steps as padding
 * until given a token. */
XFMR_API xfmr_status xfmr_session_prefill(xfmr_session *session, int64_t seq,
                                          const int64_t *input_ids,
                                          const int64_t *attention_mask,
                                          float *logits);

/* Appends one token per sequence, `input_ids` [batch] (-1: none for this
 * sequence, which then skips the step: its slot is padding and its logits
 * row has no meaning), and writes the next-token logits [batch,
 * vocab_size]. XFMR_ERROR_INVALID_ARGUMENT when the cache is full or before
 * a prefill. */
XFMR_API xfmr_status xfmr_session_decode(xfmr_session *session,
                                         const int64_t *input_ids,
                                         float *logits);

/* xfmr_context_generate on this session: a prefill of the prompts, then one
 * decode step per new token. The prompt and the new tokens must fit the
 * session's capacity. */
XFMR_API xfmr_status xfmr_session_generate(xfmr_session *session, int64_t seq,
                                           const int64_t *input_ids,
                                           const int64_t *attention_mask,
                                           const xfmr_generate_options *options,
                                           int64_t *output_ids,
                                           int64_t *output_lengths);

/* xfmr_context_encode and xfmr_context_embed on a temporary context: the
 * same checks and results, for callers that run a model once; a caller that
 * runs it repeatedly keeps a context and saves the allocations. */
XFMR_API xfmr_status xfmr_encode(const xfmr_model *model, int64_t batch,
                                 int64_t seq, const int64_t *input_ids,
                                 const int64_t *attention_mask,
                                 const int64_t *token_type_ids, float *output);

XFMR_API xfmr_status xfmr_embed(const xfmr_model *model, int64_t batch,
                                int64_t seq, const int64_t *input_ids,
                                const int64_t *attention_mask,
                                const int64_t *token_type_ids, float *output);

XFMR_API xfmr_status xfmr_logits(const xfmr_model *model, int64_t batch,
                                 int64_t seq, const int64_t *input_ids,
                                 const int64_t *attention_mask, float *output);

/*===----------------------------------------------------------------------===*
 * Tokenizers
 *
 * WordPiece (BERT), byte-level BPE (GPT-2, Llama 3) and SentencePiece-style
 * BPE with byte fallback (Llama 2), loaded from vocab.txt,
 * vocab.json + merges.txt, or a Hugging Face tokenizer.json, giving the same
 * ids as Hugging Face tokenizers. A tokenizer handle is immutable after
 * loading (its word cache is internally synchronised), so any number of
 * threads may use it at once. Text is UTF-8; ill-formed bytes are read as
 * U+FFFD, never rejected.
 *===----------------------------------------------------------------------===*/

typedef struct xfmr_tokenizer xfmr_tokenizer;

/* What xfmr_tokenizer_load_from_memory() is given. */
typedef enum xfmr_tokenizer_format {
  /* A Hugging Face tokenizer.json. */
  XFMR_TOKENIZER_FORMAT_JSON = 1,
  /* A BERT vocab.txt: one WordPiece token a line, the id is the line number. */
  XFMR_TOKENIZER_FORMAT_VOCAB_TXT = 2,
  /* A GPT-2 vocab.json, with merges.txt as the second buffer. */
  XFMR_TOKENIZER_FORMAT_VOCAB_JSON = 3,
} xfmr_tokenizer_format;

/* Load flags. vocab.txt says nothing about casing: by default it is taken
 * from tokenizer_config.json's do_lower_case when one is beside the file,
 * else the tokenizer lowercases (and strips accents) exactly when no token
 * holds an uppercase letter. These flags decide instead. Other formats
 * ignore them. */
#define XFMR_TOKENIZER_LOWERCASE 1u
#define XFMR_TOKENIZER_KEEP_CASE 2u

/* Encode flags. */
/* Do not add the special tokens of the tokenizer's template ([CLS], [SEP]). */
#define XFMR_ENCODE_NO_SPECIAL_TOKENS 1u
/* Pad every row to max_length rather than to the longest row. */
#define XFMR_ENCODE_PAD_TO_MAX_LENGTH 2u

/* Decode flags. */
/* Leave special tokens ([CLS], [PAD], <|endoftext|>, ...) out of the text. */
#define XFMR_DECODE_SKIP_SPECIAL_TOKENS 1u

typedef struct xfmr_tokenizer_info {
  const char *model;  /* "wordpiece" or "bpe" */
  int64_t vocab_size; /* ids are [0, vocab_size), added tokens included */
  int64_t pad_id;     /* the padding id, or -1 if the tokenizer has none */
  int64_t unk_id;     /* the unknown token's id, or -1 */
  int64_t max_length; /* truncation length tokenizer.json asks for, or 0 */
} xfmr_tokenizer_info;

/* A batch of encoded texts, owned by the runtime (xfmr_encoding_free). The
 * arrays are [batch, seq] int64 in row-major order, ready for xfmr_encode. */
typedef struct xfmr_encoding {
  int64_t batch;
  int64_t seq;             /* the padded length */
  int64_t *input_ids;      /* padding positions hold the pad id (0 if none) */
  int64_t *attention_mask; /* 1 for tokens, 0 for padding */
  int64_t *token_type_ids; /* 0 for the first text, 1 for its pair */
  int64_t *lengths;        /* [batch]: tokens in each row before padding */
} xfmr_encoding;

/* Loads a tokenizer from `path`: a tokenizer.json, a vocab.txt, a vocab.json
 * or merges.txt (the other of the two must be beside it), or a folder holding
 * tokenizer.json, vocab.txt or vocab.json + merges.txt (looked for in that
 * order). `flags`: XFMR_TOKENIZER_LOWERCASE or XFMR_TOKENIZER_KEEP_CASE, or 0.
 * A malformed or hostile file (ids out of range, duplicate tokens or ids,
 * merges naming unknown tokens, malformed JSON) gives XFMR_ERROR_FORMAT; a
 * tokenizer.json component xfmr does not implement gives
 * XFMR_ERROR_UNSUPPORTED naming it. */
XFMR_API xfmr_status xfmr_tokenizer_load(const char *path, uint32_t flags,
                                         xfmr_tokenizer **out_tokenizer);

/* Loads a tokenizer from files held in memory (for example embedded in a
 * model library). `merges` and `merges_size` are the merges.txt of
 * XFMR_TOKENIZER_FORMAT_VOCAB_JSON and must be NULL and 0 otherwise. The
 * buffers are not kept. */
XFMR_API xfmr_status xfmr_tokenizer_load_from_memory(
    xfmr_tokenizer_format format, const void *data, size_t size,
    const void *merges, size_t merges_size, uint32_t flags,
    xfmr_tokenizer **out_tokenizer);

/* The tokenizer that belongs with an open model, looked for in this order:
 * the tokenizer files beside the weights passed to xfmr_model_open (a
 * checkpoint given at open time brings its own tokenizer); the tokenizer
 * xfmrc embedded in the library (the files of the model's folder at compile
 * time); the tokenizer files beside the weights the library found itself.
 * XFMR_ERROR_IO, naming where it looked, when there is none. */
XFMR_API xfmr_status xfmr_model_load_tokenizer(const xfmr_model *model,
                                               xfmr_tokenizer **out_tokenizer);

/* Releases a tokenizer; NULL is a no-op. */
XFMR_API void xfmr_tokenizer_free(xfmr_tokenizer *tokenizer);

XFMR_API xfmr_status xfmr_tokenizer_get_info(const xfmr_tokenizer *tokenizer,
                                             xfmr_tokenizer_info *out_info);

/* Encodes one text of `size` bytes (`text` need not be NUL-terminated) into
 * the caller's `ids` array of `capacity` entries, with the template's special
 * tokens unless `flags` has XFMR_ENCODE_NO_SPECIAL_TOKENS. `*out_count`
 * receives the number of ids; if it exceeds `capacity`, nothing is written
 * and the call fails with XFMR_ERROR_INVALID_ARGUMENT, so the caller can
 * retry with a larger array. */
XFMR_API xfmr_status xfmr_tokenizer_encode(const xfmr_tokenizer *tokenizer,
                                           const char *text, size_t size,
                                           uint32_t flags, int64_t *ids,
                                           int64_t capacity,
                                           int64_t *out_count);

/* Encodes `batch` texts (and, if `pairs` is not NULL, a second text for
 * each: BERT's sentence pairs) into a padded batch. `text_sizes` and
 * `pair_sizes` give byte lengths; NULL means the texts are NUL-terminated.
 * `max_length` > 0 truncates each row to that many tokens, special tokens
 * included (a pair loses tokens from its longer text first); 0 means no
 * limit. Rows are padded to the longest row, or to max_length with
 * XFMR_ENCODE_PAD_TO_MAX_LENGTH. */
XFMR_API xfmr_status xfmr_tokenizer_encode_batch(
    const xfmr_tokenizer *tokenizer, int64_t batch, const char *const *texts,
    const size_t *text_sizes, const char *const *pairs,
    const size_t *pair_sizes, int64_t max_length, uint32_t flags,
    xfmr_encoding **out_encoding);

/* Releases an encoding; NULL is a no-op. */
XFMR_API void xfmr_encoding_free(xfmr_encoding *encoding);

/* Turns `count` ids back into text: `*out_text` receives a NUL-terminated
 * string owned by the caller (release it with xfmr_text_free) and
 * `*out_size` its length in bytes (the text may hold NUL bytes of its own).
 * Byte-level BPE decodes exactly; bytes that do not form valid UTF-8 (a
 * character cut between tokens) become U+FFFD. An id outside the vocabulary
 * gives XFMR_ERROR_INVALID_ARGUMENT. */
XFMR_API xfmr_status xfmr_tokenizer_decode(const xfmr_tokenizer *tokenizer,
                                           const int64_t *ids, int64_t count,
                                           uint32_t flags, char **out_text,
                                           size_t *out_size);

/* Releases text returned by xfmr_tokenizer_decode; NULL is a no-op. */
XFMR_API void xfmr_text_free(char *text);

/* The id of the token spelled exactly `token` (NUL-terminated; a vocabulary
 * entry, such as "##ing" or "Ġthe"), or -1 in `*out_id` if there is none. */
XFMR_API xfmr_status xfmr_tokenizer_token_to_id(const xfmr_tokenizer *tokenizer,
                                                const char *token,
                                                int64_t *out_id);

/* The vocabulary entry of `id`, NUL-terminated and owned by the tokenizer.
 * XFMR_ERROR_INVALID_ARGUMENT for an id outside [0, vocab_size). */
XFMR_API xfmr_status xfmr_tokenizer_id_to_token(const xfmr_tokenizer *tokenizer,
                                                int64_t id,
                                                const char **out_token);

/*===----------------------------------------------------------------------===*
 * The API as a table
 *
 * Every model library exports the functions above under the same names, so a
 * program that links two model libraries (rather than dlopen()ing them)
 * would reach one library through all of them. Each library therefore also
 * exports one function of its own name, declared in its OUT.h:
 *
 *   const xfmr_api *xfmr_api_NAME(void);   (NAME: xfmrc --api-name)
 *
 * which returns this table of the library's own functions; a program that
 * links several models calls each through its table, and every handle it
 * gets from a table goes back to the same table's functions. The generic
 * names remain for dlopen() and for a program that links one model.
 *===----------------------------------------------------------------------===*/

typedef struct xfmr_api {
  /* sizeof(xfmr_api) in the library's runtime; members are only added at
   * the end, so a caller reads a member only if it lies below this size. */
  uint32_t struct_size;
  int32_t abi_version; /* XFMR_ABI_VERSION of the library */
  const char *(*status_string)(xfmr_status status);
  const char *(*last_error)(void);
  xfmr_status (*model_open)(const char *weights_path, xfmr_model **out_model);
  xfmr_status (*model_open_from_memory)(const void *data, size_t size,
                                        xfmr_model **out_model);
  void (*model_close)(xfmr_model *model);
  xfmr_status (*model_get_info)(const xfmr_model *model,
                                xfmr_model_info *out_info);
  const char *(*model_manifest)(const xfmr_model *model);
  xfmr_status (*context_create)(const xfmr_model *model,
                                xfmr_context **out_context);
  void (*context_free)(xfmr_context *context);
  xfmr_status (*context_set_num_threads)(xfmr_context *context,
                                         int32_t num_threads);
  xfmr_status (*context_get_stats)(const xfmr_context *context,
                                   xfmr_context_stats *out_stats);
  xfmr_status (*context_encode)(xfmr_context *context, int64_t batch,
                                int64_t seq, const int64_t *input_ids,
                                const int64_t *attention_mask,
                                const int64_t *token_type_ids, float *output);
  xfmr_status (*context_embed)(xfmr_context *context, int64_t batch,
                               int64_t seq, const int64_t *input_ids,
                               const int64_t *attention_mask,
                               const int64_t *token_type_ids, float *output);
  xfmr_status (*encode)(const xfmr_model *model, int64_t batch, int64_t seq,
                        const int64_t *input_ids, const int64_t *attention_mask,
                        const int64_t *token_type_ids, float *output);
  xfmr_status (*embed)(const xfmr_model *model, int64_t batch, int64_t seq,
                       const int64_t *input_ids, const int64_t *attention_mask,
                       const int64_t *token_type_ids, float *output);
  xfmr_status (*tokenizer_load)(const char *path, uint32_t flags,
                                xfmr_tokenizer **out_tokenizer);
  xfmr_status (*tokenizer_load_from_memory)(xfmr_tokenizer_format format,
                                            const void *data, size_t size,
                                            const void *merges,
                                            size_t merges_size, uint32_t flags,
                                            xfmr_tokenizer **out_tokenizer);
  xfmr_status (*model_load_tokenizer)(const xfmr_model *model,
                                      xfmr_tokenizer **out_tokenizer);
  void (*tokenizer_free)(xfmr_tokenizer *tokenizer);
  xfmr_status (*tokenizer_get_info)(const xfmr_tokenizer *tokenizer,
                                    xfmr_tokenizer_info *out_info);
  xfmr_status (*tokenizer_encode)(const xfmr_tokenizer *tokenizer,
                                  const char *text, size_t size, uint32_t flags,
                                  int64_t *ids, int64_t capacity,
                                  int64_t *out_count);
  xfmr_status (*tokenizer_encode_batch)(const xfmr_tokenizer *tokenizer,
                                        int64_t batch, const char *const *texts,
                                        const size_t *text_sizes,
                                        const char *const *pairs,
                                        const size_t *pair_sizes,
                                        int64_t max_length, uint32_t flags,
                                        xfmr_encoding **out_encoding);
  void (*encoding_free)(xfmr_encoding *encoding);
  xfmr_status (*tokenizer_decode)(const xfmr_tokenizer *tokenizer,
                                  const int64_t *ids, int64_t count,
                                  uint32_t flags, char **out_text,
                                  size_t *out_size);
  void (*text_free)(char *text);
  xfmr_status (*tokenizer_token_to_id)(const xfmr_tokenizer *tokenizer,
                                       const char *token, int64_t *out_id);
  xfmr_status (*tokenizer_id_to_token)(const xfmr_tokenizer *tokenizer,
                                       int64_t id, const char **out_token);
  xfmr_status (*context_logits)(xfmr_context *context, int64_t batch,
                                int64_t seq, const int64_t *input_ids,
                                const int64_t *attention_mask, float *output);
  xfmr_status (*logits)(const xfmr_model *model, int64_t batch, int64_t seq,
                        const int64_t *input_ids, const int64_t *attention_mask,
                        float *output);
  xfmr_status (*context_generate)(xfmr_context *context, int64_t batch,
                                  int64_t seq, const int64_t *input_ids,
                                  const int64_t *attention_mask,
                                  const xfmr_generate_options *options,
                                  int64_t *output_ids, int64_t *output_lengths);
  xfmr_status (*session_create)(xfmr_context *context, int64_t batch,
                                int64_t capacity, xfmr_session **out_session);
  void (*session_free)(xfmr_session *session);
  xfmr_status (*session_get_info)(const xfmr_session *session,
                                  xfmr_session_info *out_info);
  xfmr_status (*session_prefill)(xfmr_session *session, int64_t seq,
                                 const int64_t *input_ids,
                                 const int64_t *attention_mask, float *logits);
  xfmr_status (*session_decode)(xfmr_session *session, const int64_t *input_ids,
                                float *logits);
  xfmr_status (*session_generate)(xfmr_session *session, int64_t seq,
                                  const int64_t *input_ids,
                                  const int64_t *attention_mask,
                                  const xfmr_generate_options *options,
                                  int64_t *output_ids, int64_t *output_lengths);
} xfmr_api;

/* This library's table (what its xfmr_api_NAME returns). */
XFMR_API const xfmr_api *xfmr_get_api(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* XFMR_RUNTIME_H */
