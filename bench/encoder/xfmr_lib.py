#===- xfmr_lib.py - a compiled xfmr model library through its C API -------===#
#
# Opens a library built by xfmrc with ctypes and drives it through
# runtime/include/xfmr/runtime.h (model, call context, encode), so that the
# benchmark times xfmr in the same process as its peers, with the inputs and
# the output buffer prepared before the clock starts.
#
#===------------------------------------------------------------------------===#

import ctypes

import numpy as np

XFMR_OK = 0
XFMR_ERROR_UNSUPPORTED = 6

_i64p = ctypes.POINTER(ctypes.c_int64)
_f32p = ctypes.POINTER(ctypes.c_float)


class XfmrError(RuntimeError):
    pass


class Library:
    """One model library: its model handle and one call context."""

    def __init__(self, path, weights=None):
        # RTLD_LOCAL (ctypes' default): every model library exports the same
        # runtime API, and each handle must resolve to its own.
        self.lib = lib = ctypes.CDLL(path)
        lib.xfmr_last_error.restype = ctypes.c_char_p
        lib.xfmr_status_string.restype = ctypes.c_char_p
        lib.xfmr_status_string.argtypes = [ctypes.c_int]
        lib.xfmr_model_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.xfmr_model_close.argtypes = [ctypes.c_void_p]
        lib.xfmr_context_create.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.xfmr_context_free.argtypes = [ctypes.c_void_p]
        lib.xfmr_context_set_num_threads.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        lib.xfmr_context_encode.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                                            _i64p, _i64p, _i64p, _f32p]
        self.model = ctypes.c_void_p()
        self.context = ctypes.c_void_p()
        self._check(lib.xfmr_model_open(weights.encode() if weights else None,
                                        ctypes.byref(self.model)), "xfmr_model_open")
        self._check(lib.xfmr_context_create(self.model, ctypes.byref(self.context)),
                    "xfmr_context_create")

    def _check(self, status, what):
        if status != XFMR_OK:
            raise XfmrError("%s: %s: %s" % (what, self.lib.xfmr_status_string(status).decode(),
                                            self.lib.xfmr_last_error().decode()))

    def set_num_threads(self, n):
        """None on success, else the reason the library gave."""
        status = self.lib.xfmr_context_set_num_threads(self.context, n)
        if status == XFMR_OK:
            return None
        if status == XFMR_ERROR_UNSUPPORTED:
            return "n/a (not supported by this build)"
        return "error: " + self.lib.xfmr_last_error().decode()

    def encoder(self, ids, mask, width):
        """A no-argument callable that encodes `ids` [batch, seq] (int64) with
        `mask` into a buffer it owns, [batch, seq, width] float32, and returns
        that buffer. Pointers are taken once, outside the timed call."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        mask = np.ascontiguousarray(mask, dtype=np.int64)
        out = np.empty(ids.shape + (width,), dtype=np.float32)
        batch, seq = ids.shape
        encode = self.lib.xfmr_context_encode
        args = (self.context, batch, seq, ids.ctypes.data_as(_i64p), mask.ctypes.data_as(_i64p),
                None, out.ctypes.data_as(_f32p))
        keep = (ids, mask)  # the pointers above refer to these arrays

        def run():
            status = encode(*args)
            if status != XFMR_OK:
                self._check(status, "xfmr_context_encode")
            return out

        run.keep = keep
        return run

    def close(self):
        if self.context:
            self.lib.xfmr_context_free(self.context)
            self.context = ctypes.c_void_p()
        if self.model:
            self.lib.xfmr_model_close(self.model)
            self.model = ctypes.c_void_p()
