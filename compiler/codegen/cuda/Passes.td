//===- Passes.td - CUDA code generation strategy -----------*- tablegen -*-===//
#ifndef XFMR_CODEGEN_CUDA_PASSES_TD
#define XFMR_CODEGEN_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def XfmrGpuRowReductions : Pass<"xfmr-gpu-row-reductions",
                                 "mlir::func::FuncOp"> {
  let summary = "reductions along rows read coalesced, through shared memory";
  let description = [{
    Runs after bufferization and `xfmr-gpu-contractions`. Each `linalg` op
    that reduces along its innermost loop alone, with outputs indexed by all
    its other loops and operands read through projected permutations (a
    softmax's maximum and sum, a layer norm's statistics, an RMS norm's
    sum of squares), becomes one `gpu.launch` of one warp per 32 rows. Per
    step of 32 keys the warp copies the 32 × 32 block of each operand whose
    innermost index is the key loop into shared memory, a coalesced row of
    keys at a time; after a barrier each lane folds its own row's 32 keys
    from there, in key order, with a clone of the op's body (`linalg.index`
    its row's and key's indices), and a second barrier guards the blocks
    before the next step. Operands that do not run along the keys are read
    directly. The fold is the op's sequential one, so the results are those
    of a thread per row, bit for bit; only the reads change.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "row reductions turned into kernels">
  ];
}

def XfmrGpuCopiesAsKernels : Pass<"xfmr-gpu-copies-as-kernels",
                                   "mlir::func::FuncOp"> {
  let summary = "every memref.copy as linalg.copy, so it runs on the device";
  let description = [{
    Runs after bufferization. On the CUDA target every buffer lives in
    device-accessible (managed) memory; a `memref.copy` left as it is becomes
    a host `memcpy` that moves the pages to the host and back. As
    `linalg.copy` it is a parallel loop like every other linalg op, and
    becomes a kernel.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def XfmrGpuAttention : Pass<"xfmr-gpu-attention", "mlir::func::FuncOp"> {
  let summary = "fused attention as kernels: a warp per query row";
  let description = [{
    Runs before `convert-xfmr-to-linalg`, on tensors. Each
    `xfmr.fused_attention` becomes one `gpu.launch` over ((batch row,
    queries in groups of 4) on x, which allows 2^31 - 1 blocks, heads), a
    warp per query row in four streams of 8 lanes:
    stream s visits keys s, s + 4, ..., its lanes across the head's
    features. Per key a stream's partial products of q and k are summed by
    butterfly shuffles (`gpu.shuffle xor`), the score scaled and biased, and
    the stream's online softmax (running maximum and sum, the accumulator
    rescaled as the maximum grows) updates its lanes' features of the
    weighted values; at the end the four streams' states are merged by
    shuffles, rescaled to their common maximum. Every lane runs every step,
    so the shuffles see the whole warp: a key past the end or masked leaves
    its stream's state as it was. Padded keys are skipped this way and, with
    `causal`, the keys end at the query's diagonal: masked keys contribute
    nothing, as the op defines. A row with no unmasked key yields zeros or
    (`uniform`) the mean of v over all keys. Grouped-query attention reads
    K/V head `head / (heads / kv_heads)`. The score matrix is never written.
    The operands are read through `bufferization.to_buffer` (any layout),
    the result is a buffer the kernel writes, returned by
    `bufferization.to_tensor` (`restrict`).

    Few queries (a decode step's one per sequence and head) would leave
    the GPU nearly idle, so the host splits the keys while the warps,
    `batch × heads × queries`, are fewer than 2048: into
    `min(ceil(2048 / warps), ceil(keys / 32))` splits of
    `ceil(keys / splits)` consecutive keys. Then the launch's grid x is
    (batch row, query block, split), each warp runs the same loop over its split's
    keys (those before the causal end) and stores the split's state:
    maximum, sum and whether it saw an unmasked key, and its accumulator,
    in buffers of `[batch, heads, queries, splits, *]`. A second kernel, a
    thread per feature of a query, takes the largest of the splits'
    maxima, adds their sums and accumulators rescaled to it in split
    order, and stores the result, or a fully masked row's policy. With
    one split the first kernel stores the result itself.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "fused attentions turned into kernels">
  ];
}

def XfmrGpuNorms : Pass<"xfmr-gpu-norms", "mlir::func::FuncOp"> {
  let summary = "layer norms as one kernel each: a warp per row";
  let description = [{
    Runs before `convert-xfmr-to-linalg`, on tensors. Each
    `xfmr.layer_norm` over the last dimension, `xfmr.residual_layer_norm`
    and `xfmr.rms_norm` whose rows have a static width becomes one
    `gpu.launch`: a warp per row (four per block), its lanes across the
    features. The first pass forms the row (for the residual form
    `(input + bias) + residual`, written as the op's second result) and its
    sum, or its sum of squares, reduced across the warp by butterfly
    shuffles (`gpu.shuffle xor`); a layer norm's second pass sums the
    squared deviations from the mean the same way; the last pass writes
    `(x - mean) / sqrt(var + eps) · gamma + beta` (`x / sqrt(mean(x²) + eps)
    · gamma`). Each lane rereads only what it wrote or read. Operands are
    read through `bufferization.to_buffer`, the results are buffers the
    kernel writes (`bufferization.to_tensor`, `restrict`).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "norms turned into kernels">
  ];
}

def XfmrGpuContractions : Pass<"xfmr-gpu-contractions", "mlir::func::FuncOp"> {
  let summary = "contractions as kernels tiled through shared memory";
  let description = [{
    Runs after bufferization. Each f32 contraction (`linalg` ops whose body
    is `out + a * b`, one reduction loop, C read through a projected
    permutation of the loops, A and B through loops and expressions of the
    loops all three read: the linear layers on their column panels,
    attention's scores and weighted values, with grouped-query attention's
    key and value heads at head / group) becomes one `gpu.launch`. Its
    loops of each kind are flattened, row-major in loop order, into
    `batch`, `M` and `N`; the grid is `(batch, N / 128) × M / 128`
    (the batch on x, which allows 2^31 - 1 blocks). A block
    of 16 × 16 threads computes a 128 × 128 tile of C, each thread 8 × 8
    elements in registers (rows `4 ty + [0, 4)` of each half of the tile,
    columns `4 tx + [0, 4)` of each half, read from the staged tiles as
    vectors of 4, `alignment = 16`). The reduction goes in steps of 8: the
    block stages 128 × 8 of A and 8 × 128 of B in shared memory
    (consecutive threads read consecutive elements of the operands'
    contiguous loops), in two buffers whose rows are padded to 132 (the
    stores of one k of consecutive rows hit distinct banks). The first
    step is staged before the loop; in each step a thread reads its share
    of the next step from the operands, multiplies from one buffer while
    those loads are in flight, stores the share in the other buffer and
    waits at one barrier. Out-of-range rows, columns and steps read zeros
    and store nothing. Each element accumulates its products in k order
    with fused multiply-adds, then is added to C's initial value. Other
    contractions are left to the generic mapping.

    Where the op just before (with nothing between that touches memory but
    allocations) wrote all of C, the kernels read C's initial value where
    it comes from and that op goes: a `linalg.fill`'s value, a broadcast's
    input at its map of C's indices (a linear's bias as its initial value,
    `bias-as-init`), or a `memref.copy` of a buffer only filled before it
    (a fill that CSE shared; the fill goes with its last copy). The sum
    rounds as before: the initial value is added once.

    Where B's innermost index is the last `N` loop at stride 1 (the linear
    layers' weight panels), the host chooses at run time: with at most 8
    rows `M`, a skinny kernel instead, its grid `(batch, N / 32)`, a
    block of 8 warps of 32 lanes. Lane `l` of warp `w` holds the 8 rows'
    sums for column `32 · block + l` over `k = w, w + 8, ...` (rows past
    `M` read zeros); the warps store them in shared memory and, after a
    barrier, warp `r` adds row `r`'s eight in warp order to C. The warps
    of a block read 8 consecutive rows of B's 32 columns at a time; exact
    f32, with or without `tf32`.

    Where a kernel's blocks are few (a small batch's linears, a decode
    step's narrow ones), the host splits the reduction among runs of blocks
    as well, the grid's z: as many runs as keep the blocks within 2048
    warps (about 16 per multiprocessor of the largest GPUs), each of at
    least 128 k for the tiled kernels (16 steps, 8 with `tf32`) and 64 for
    the skinny one. Run `z` sums its k in order into a buffer of partial
    sums of its own, `[run, batch, M, N]` (an empty one where the call is
    not split, and the results then go to C); after it a kernel of one
    thread per element of C adds the runs' sums in run order to C's
    initial value, so a result does not depend on how blocks were
    scheduled, and the buffer goes.

    With `tf32`, the tensor cores compute a 64 × 64 tile instead, in
    steps of 16 staged the same way (rows padded to 68, so that a warp's
    fragment reads hit distinct banks): four warps of a block, each
    32 × 32 of it as 2 × 4
    `nvgpu.mma.sync` of 16 × 8 × 8 on TF32 (the operands keep 10 bits of
    mantissa; the products accumulate in f32), their fragments read from
    the staged tiles (64 × 16 and 16 × 64). Not exact f32:
    an option the user asks for (xfmrc --cuda-tf32).
  }];
  let options = [
    Option<"tf32", "tf32", "bool", "false",
           "TF32 tensor cores (mma.sync, sm_80 and newer) instead of exact "
           "f32 fused multiply-adds">
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "contractions turned into kernels">,
    Statistic<"numInitializers", "initializers",
              "fills, broadcasts and copies of C the kernels took over">
  ];
}

def XfmrGpuInnermostFirst : Pass<"xfmr-gpu-innermost-first",
                                  "mlir::func::FuncOp"> {
  let summary = "outermost parallel loops with their dimensions reversed";
  let description = [{
    Runs on the parallel loops `convert-linalg-to-parallel-loops` makes,
    before they are tiled and mapped. `gpu-map-parallel-loops` gives a
    loop's first dimension to the x threads, the fastest, which share a
    warp; the loops come with the innermost (contiguous) dimension last.
    Each outermost `scf.parallel` without results is rebuilt with its
    dimensions in reverse order, so the threads of a warp touch
    consecutive elements. The iterations are the same, in any order.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def XfmrGpuRowsOnGridX : Pass<"xfmr-gpu-rows-on-grid-x",
                               "mlir::func::FuncOp"> {
  let summary = "the tiled loops' rows, as one dimension, on the grid's x";
  let description = [{
    Runs after the parallel loops are tiled, before `gpu-map-parallel-loops`
    gives an outermost loop's dimensions to the x, y and z blocks in order.
    A tiled loop's first dimension is its columns' tiles (the contiguous
    dimension, 32 per tile), the others its rows: a token's features
    `[tokens, panels, 32]` put the tokens third, and a grid has 65535
    blocks along y and z, so a call of more than 65535 tokens (a batch of
    512 sequences of 128) would not launch. Each outermost tiled
    `scf.parallel` of two or more dimensions becomes one of two
    (`collapseParallelLoops`): its other dimensions as one, first, which
    goes to the x blocks (up to 2^31 - 1), then the columns' tiles, to y.
    The tile's loop inside keeps its dimensions, so a warp still covers 32
    consecutive elements; deeper dimensions no longer run in sequence in a
    thread but on blocks of their own.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def XfmrGpuCheckHostCode : Pass<"xfmr-gpu-check-host-code",
                                 "mlir::func::FuncOp"> {
  let summary = "fails where computation was left on the host";
  let description = [{
    Runs after `convert-parallel-loops-to-gpu`. A parallel loop or linalg op
    outside a `gpu.launch` is work the mapping could not put on the device;
    it would run on the host, correct and silent and orders of magnitude
    slower. This pass reports each as an error instead. Sequential loops
    stay allowed on the host: the scans over the attention mask
    (`xfmr-skip-padding`'s token index, ALiBi's key counts) are loops of
    scalar steps that launch kernels or read the call's inputs. A kernel
    that reads or writes a buffer on the host's stack (`memref.alloca`) or
    in its globals (`memref.get_global`), which the device cannot reach, is
    an error too.
  }];
}

def XfmrGpuAsyncLaunches : Pass<"xfmr-gpu-async-launches", "mlir::ModuleOp"> {
  let summary = "kernels launched without waiting; the host waits only to read";
  let description = [{
    Runs on the host functions after `gpu-kernel-outlining`, on the module
    (which functions launch kernels, directly or through calls, is a
    question about all of them). A
    `gpu.launch_func` without a token waits for its kernel to finish. Every
    launch here goes to one stream, the call context's (the runtime's
    `mgpuStreamCreate`), so the stream alone orders the kernels, across
    functions too: each launch becomes asynchronous on a token of that
    stream (`gpu.wait async`), and nothing waits for it. The host waits
    (`gpu.wait`, a stream synchronize) only before it reads or writes memory
    the kernels may use: before the outermost operation, within the
    function and containing no launch, that holds a host `memref.load`,
    `memref.store` or `memref.copy` of a view of an argument, of a call's
    result or of a buffer some view of which a kernel, the return or a call
    of a function that launches kernels takes (not the deallocation's
    lists, nothing on the host's stack). The
    runtime synchronizes the stream when the call ends, before its outputs
    are copied out and its work memory reused.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
  let statistics = [
    Statistic<"numAsync", "async-launches", "launches made asynchronous">,
    Statistic<"numWaits", "waits", "host waits before memory accesses">
  ];
}

def XfmrGpuAlignSharedMemory : Pass<"xfmr-gpu-align-shared-memory",
                                     "mlir::gpu::GPUModuleOp"> {
  let summary = "workgroup buffers aligned as their vector accesses ask";
  let description = [{
    Runs after `gpu-kernel-outlining`. `convert-gpu-to-nvvm` places a
    kernel's workgroup attributions, its shared memory, as globals aligned
    to their element type only, while the contraction kernels read their
    staged tiles as vectors of 4 f32 (`vector.load` with `alignment = 16`),
    which PTX loads 16 bytes at a time only from addresses aligned so. A
    workgroup attribution that a `vector.load` or `vector.store` of the
    `gpu.func` reads or writes directly with an `alignment` gets
    `llvm.align` of the largest such, where it has less.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let statistics = [
    Statistic<"numAligned", "aligned", "workgroup buffers aligned">
  ];
}

def XfmrGpuMinBlocksPerSM : Pass<"xfmr-gpu-min-blocks-per-sm",
                                  "mlir::gpu::GPUModuleOp"> {
  let summary = "kernels' registers bounded so that 16 warps fit on an SM";
  let description = [{
    Runs after `gpu-kernel-outlining`. Each kernel of `n` threads a block
    (its `known_block_size`) with fewer than 512 gets `nvvm.minctasm =
    ceil(512 / n)` (PTX `.minnctapersm`): ptxas then keeps its registers
    to at most 128 a thread, so that an SM holds at least 16 warps of it
    and one block's waits for memory and barriers overlap another's
    arithmetic. Only the exact tiled contraction (8 × 8 accumulators a
    thread) needs more otherwise: 159 registers, one block of 256 threads
    per SM; bounded it takes 128, with no spills. A kernel that already
    states a bound keeps it.
  }];
  let statistics = [
    Statistic<"numBounded", "bounded", "kernels given a minimum of blocks per SM">
  ];
}

def XfmrGpuEmulatedBinary : Pass<"xfmr-gpu-emulated-binary",
                                  "mlir::ModuleOp"> {
  let summary = "kernels compiled for the CUDA emulator, in the host module";
  let description = [{
    Runs where `gpu-module-to-binary` would, after `convert-gpu-to-nvvm`
    and the host's `gpu-to-llvm` (xfmrc --cuda-binary=emulated). Each
    `gpu.module`'s functions and globals move into the host module,
    prefixed with the module's name (libdevice's `__nv_*` functions become
    the C library's), every pointer in the host's address space. NVVM's
    special registers, `shfl.sync`, `bar.sync 0` and the TF32 `mma.sync`
    become calls through `xfmr_emulated_device`, the table of functions
    the emulator (`libxfmr-cuda-emulator.so`) fills in; each kernel gets an
    exported entry `xfmr_emulated_kernel__<module>__<kernel>(void **)` that
    takes `cuLaunchKernel`'s parameters. The `gpu.module` becomes a
    `gpu.binary` of one object whose image names the module, so the host
    code loads and launches the kernels exactly as a GPU library does.
    An NVVM operation the emulator has no model of is an error.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::gpu::GPUDialect"];
}

#endif // XFMR_CODEGEN_CUDA_PASSES_TD
