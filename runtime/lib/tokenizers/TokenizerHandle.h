//===- TokenizerHandle.h - the xfmr_tokenizer handle ------------*- C++ -*-===//
//
// The struct behind the opaque xfmr_tokenizer of runtime.h, shared by the
// tokenizer C API and the model API (xfmr_model_load_tokenizer).
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_TOKENIZERHANDLE_H
#define XFMR_RUNTIME_TOKENIZERS_TOKENIZERHANDLE_H

#include "runtime/lib/tokenizers/Tokenizer.h"
#include "xfmr/runtime.h"

struct xfmr_tokenizer {
  xfmr::tokenizers::Tokenizer impl;
};

#endif // XFMR_RUNTIME_TOKENIZERS_TOKENIZERHANDLE_H
