//===- ModelHandle.h - what an xfmr_model holds -----------------*- C++ -*-===//
//
// Shared by the model functions (Runtime.cpp) and the call contexts that run
// it (Context.cpp). Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_MODELHANDLE_H
#define XFMR_RUNTIME_MODELHANDLE_H

#include "xfmr/runtime.h"

#include "runtime/lib/Cuda.h"
#include "runtime/lib/Descriptor.h"
#include "runtime/lib/Manifest.h"
#include "runtime/lib/Safetensors.h"

#include <string>
#include <vector>

/// Immutable once opened, so any number of threads share it.
struct xfmr_model {
  xfmr::runtime::Manifest manifest;
  /// The weights file the model was opened with ("" for weights in memory
  /// or embedded in the library); it only locates the tokenizer.
  std::string weightsPath;
  /// weightsPath was passed to xfmr_model_open (not found by the library).
  bool explicitWeights = false;
  /// The weights file (or buffer), read whole at open; the model never
  /// touches the file again. Empty for weights embedded in the library,
  /// which the descriptors point into where the layout allows.
  xfmr::safetensors::LoadedFile file;
  /// Aligned copies of tensors whose data in the buffer is not 4-byte
  /// aligned (safetensors only aligns what its writer chose to), and of
  /// embedded tensors laid out other than as stored.
  std::vector<std::vector<float>> copies;
  /// One per manifest weight, in entry point order; built once, read-only.
  std::vector<xfmr::runtime::Descriptor> weights;
  /// Target cuda: the weights, which `weights` then point into (Cuda.h).
  xfmr::runtime::cuda::ManagedBuffer deviceWeights;
};

#endif // XFMR_RUNTIME_MODELHANDLE_H
