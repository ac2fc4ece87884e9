//===- StubModel.cpp - a fake compiled model for runtime tests ------------===//
//
// Stands in for the code xfmrc generates: defines the manifest and the packed
// encoder entry point of docs/abi.md. Linked into the unit tests (with the
// runtime archive) and into a shared library like a real model, for the
// xfmr-run tests. It computes
//   out[b][s][d] = emb[ids[b][s]][d] + bias + 10 * mask[b][s] + 100 *
//   type[b][s]
// so tests can check that every argument arrived where it should.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdlib>

extern "C" {

// `extern`: a const object at namespace scope is otherwise internal in C++.
extern const char xfmr_manifest[];
const char xfmr_manifest[] = R"({
  "abi_version": 1, "target": "cpu", "kind": "encoder", "name": "stub",
  "weights_file": "",
  "config": {"vocab_size": 10, "d_model": 4, "num_layers": 0,
             "max_positions": 8, "type_vocab_size": 2},
  "inputs": ["input_ids", "attention_mask", "token_type_ids"],
  "output": {"name": "last_hidden_state", "dtype": "F32", "shape": [-1, -1, 4]},
  "weights": [{"key": "emb", "dtype": "F32", "shape": [10, 4]},
              {"key": "bias", "dtype": "F32", "shape": []}]
})";

/// 0: a contiguous result; 1: a result of the wrong shape; 2: a result in a
/// transposed layout with a non-zero offset (the runtime must honour strides).
int xfmr_stub_mode = 0;
/// Cleared when a weight pointer reaches the entry point misaligned.
int xfmr_stub_weights_aligned = 1;

struct Memref0F {
  float *allocated, *aligned;
  int64_t offset;
};
struct Memref2F {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
struct Memref2I {
  int64_t *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
struct Memref3F {
  float *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
};

void xfmr_entry_encode(void **args) {
  auto *result = static_cast<Memref3F *>(args[0]);
  auto *ids = static_cast<Memref2I *>(args[1]);
  auto *mask = static_cast<Memref2I *>(args[2]);
  auto *types = static_cast<Memref2I *>(args[3]);
  auto *emb = static_cast<Memref2F *>(args[4]);
  auto *bias = static_cast<Memref0F *>(args[5]);
  if (reinterpret_cast<uintptr_t>(emb->aligned) % 4 ||
      reinterpret_cast<uintptr_t>(bias->aligned) % 4)
    xfmr_stub_weights_aligned = 0;

  int64_t batch = ids->sizes[0], seq = ids->sizes[1], dim = emb->sizes[1];
  int64_t offset = xfmr_stub_mode == 2 ? 1 : 0;
  float *data = static_cast<float *>(
      std::malloc(sizeof(float) * (batch * seq * dim + offset)));
  result->allocated = data;
  result->aligned = data;
  result->offset = offset;
  result->sizes[0] = batch;
  result->sizes[1] = xfmr_stub_mode == 1 ? seq + 1 : seq;
  result->sizes[2] = dim;
  if (xfmr_stub_mode == 2) {
    // Memory order [d][s][b].
    result->strides[0] = 1;
    result->strides[1] = batch;
    result->strides[2] = batch * seq;
  } else {
    result->strides[0] = seq * dim;
    result->strides[1] = dim;
    result->strides[2] = 1;
  }
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t s = 0; s < seq; ++s) {
      int64_t i = b * ids->strides[0] + s * ids->strides[1];
      int64_t id = ids->aligned[ids->offset + i];
      float extra = 10.0f * mask->aligned[mask->offset + i] +
                    100.0f * types->aligned[types->offset + i] +
                    bias->aligned[bias->offset];
      for (int64_t d = 0; d < dim; ++d)
        data[offset + b * result->strides[0] + s * result->strides[1] +
             d * result->strides[2]] =
            emb->aligned[emb->offset + id * emb->strides[0] +
                         d * emb->strides[1]] +
            extra;
    }
  }
}

} // extern "C"
