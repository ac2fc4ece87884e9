#===- xfmr_session.py - a decoder library's sessions through the C API -----===#
#
# A compiled decoder library (xfmrc on a GPT-2 checkpoint) opened with ctypes
# and driven through the session calls of runtime/include/xfmr/runtime.h:
# xfmr_session_create on the library's call context, xfmr_session_prefill
# (the prompts, next-token logits [batch, vocab]) and xfmr_session_decode (one
# token per sequence appended to the K/V cache the session owns). The model
# handle, the context and set_num_threads come from the encoder benchmark's
# Library.
#
#===------------------------------------------------------------------------===#

import ctypes
import os
import sys

import numpy as np

sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                             "encoder"))
import xfmr_lib  # noqa: E402

XFMR_OK = xfmr_lib.XFMR_OK
_i64p = ctypes.POINTER(ctypes.c_int64)
_f32p = ctypes.POINTER(ctypes.c_float)


class SessionInfo(ctypes.Structure):
    _fields_ = [("batch", ctypes.c_int64), ("capacity", ctypes.c_int64),
                ("length", ctypes.c_int64), ("cache_bytes", ctypes.c_int64)]


class Library(xfmr_lib.Library):
    """A decoder library: the encoder benchmark's model and context, plus
    sessions."""

    def __init__(self, path, weights=None):
        super().__init__(path, weights)
        lib = self.lib
        lib.xfmr_session_create.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                                            ctypes.POINTER(ctypes.c_void_p)]
        lib.xfmr_session_free.argtypes = [ctypes.c_void_p]
        lib.xfmr_session_free.restype = None
        lib.xfmr_session_get_info.argtypes = [ctypes.c_void_p, ctypes.POINTER(SessionInfo)]
        lib.xfmr_session_prefill.argtypes = [ctypes.c_void_p, ctypes.c_int64, _i64p, _i64p,
                                             _f32p]
        lib.xfmr_session_decode.argtypes = [ctypes.c_void_p, _i64p, _f32p]

    def session(self, batch, capacity):
        return Session(self, batch, capacity)


class Session:
    """One xfmr_session: `batch` sequences of up to `capacity` tokens."""

    def __init__(self, library, batch, capacity):
        self.library, self.batch = library, batch
        self.handle = ctypes.c_void_p()
        library._check(library.lib.xfmr_session_create(library.context, batch, capacity,
                                                        ctypes.byref(self.handle)),
                       "xfmr_session_create(batch %d, capacity %d)" % (batch, capacity))
        self._info = SessionInfo()

    def info(self):
        self.library._check(self.library.lib.xfmr_session_get_info(
            self.handle, ctypes.byref(self._info)), "xfmr_session_get_info")
        return self._info

    def prefiller(self, ids, vocab):
        """A no-argument callable that prefills the session with `ids` [batch,
        seq] (no padding: the mask is NULL) and returns the next-token logits
        [batch, vocab], in a buffer it owns."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        assert ids.shape[0] == self.batch
        out = np.empty((self.batch, vocab), dtype=np.float32)
        prefill, check = self.library.lib.xfmr_session_prefill, self.library._check
        args = (self.handle, ids.shape[1], ids.ctypes.data_as(_i64p), None,
                out.ctypes.data_as(_f32p))

        def run():
            status = prefill(*args)
            if status != XFMR_OK:
                check(status, "xfmr_session_prefill(seq %d)" % ids.shape[1])
            return out

        run.keep = ids
        return run

    def decoder(self, step_ids, vocab):
        """A no-argument callable that appends `step_ids` [batch] and returns
        the next-token logits [batch, vocab], in a buffer it owns."""
        step_ids = np.ascontiguousarray(step_ids, dtype=np.int64).reshape(self.batch)
        out = np.empty((self.batch, vocab), dtype=np.float32)
        decode, check = self.library.lib.xfmr_session_decode, self.library._check
        args = (self.handle, step_ids.ctypes.data_as(_i64p), out.ctypes.data_as(_f32p))

        def run():
            status = decode(*args)
            if status != XFMR_OK:
                check(status, "xfmr_session_decode")
            return out

        run.keep = step_ids
        return run

    def free(self):
        if self.handle:
            self.library.lib.xfmr_session_free(self.handle)
            self.handle = ctypes.c_void_p()
