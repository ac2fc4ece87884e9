//===- EmulatedDevice.h - kernels run on the CPU by a fake CUDA driver ----===//
//
// `xfmrc --target=cuda --cuda-binary=emulated` compiles a model's kernels
// for the host instead of the GPU (xfmr-gpu-emulated-binary): each kernel
// becomes an exported host function of the library, and its gpu.binary an
// image naming them. The library's host code is that of a GPU library; run
// with XFMR_CUDA_DRIVER naming libxfmr-cuda-emulator.so, the runtime's whole
// CUDA path (modules, launches, streams, managed memory, staging) runs, the
// kernels on the emulator's threads. What the compiler and the emulator
// agree on is here, and nothing else: plain C++, no MLIR.
//
// The interface of an emulated kernel image:
//  - the image is kImageMagic, a NUL, the gpu.module's name and a NUL;
//  - kernel K of that module is the library's exported function
//    `kKernelPrefix<module>__K(void **params)`, params as cuLaunchKernel
//    passes them (one pointer to each argument);
//  - the special registers, shuffles and barriers of the kernels are
//    indirect calls through the library's exported `kDeviceTable`, a
//    DeviceTable the emulator fills in when it loads the image.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CODEGEN_CUDA_EMULATEDDEVICE_H
#define XFMR_COMPILER_CODEGEN_CUDA_EMULATEDDEVICE_H

#include <cstdint>

namespace xfmr::cuda::emulated {

inline constexpr const char kImageMagic[] = "XFMR-EMULATED-KERNELS";
inline constexpr const char kKernelPrefix[] = "xfmr_emulated_kernel__";
inline constexpr const char kDeviceTable[] = "xfmr_emulated_device";

/// The special registers (nvvm.read.ptx.sreg.*) specialRegister reads.
enum SpecialRegister : int32_t {
  kTidX,
  kTidY,
  kTidZ,
  kNtidX,
  kNtidY,
  kNtidZ,
  kCtaidX,
  kCtaidY,
  kCtaidZ,
  kNctaidX,
  kNctaidY,
  kNctaidZ,
  kLaneId,
  kWarpSize,
};

/// shfl.sync's modes.
enum ShuffleMode : int32_t { kUp, kDown, kButterfly, kIndex };

/// Slots of the table, in the order of DeviceTable's members.
enum Slot : unsigned {
  kSpecialRegisterSlot,
  kShuffleSlot,
  kShuffleValidSlot,
  kBarrierSlot,
  kMmaTf32Slot,
  kSlotCount,
};

/// What the kernels call (all of the calling thread of the block).
struct DeviceTable {
  /// A SpecialRegister's value.
  int32_t (*specialRegister)(int32_t which);
  /// shfl.sync (PTX semantics: `clamp` packs the segment mask and the
  /// clamp); 32-bit values, f32 bit cast. A warp-wide collective.
  int32_t (*shuffle)(int32_t mode, int32_t mask, int32_t value, int32_t offset,
                     int32_t clamp);
  /// Whether the last shuffle of this thread read another lane (PTX's
  /// predicate): 1 or 0.
  int32_t (*shuffleValid)();
  /// bar.sync 0: every thread of the block that has not exited.
  void (*barrier)();
  /// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32, a warp-wide
  /// collective: `a` 4, `b` 2 and `c` 4 registers of this lane (PTX's
  /// fragment layout), `d` its 4 results.
  void (*mmaTf32)(const float *a, const float *b, const float *c, float *d);
};

static_assert(sizeof(DeviceTable) == kSlotCount * sizeof(void *),
              "DeviceTable is the table of kSlotCount pointers the kernels "
              "index");

} // namespace xfmr::cuda::emulated

#endif // XFMR_COMPILER_CODEGEN_CUDA_EMULATEDDEVICE_H
