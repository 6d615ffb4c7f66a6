#!/usr/bin/env python3
"""The reference engine's convolution against Debian's OpenBLAS on the same work.

Usage:
  openblas_conv.py model OUT.onnx        writes one 3×3 convolution, 64 → 64 channels on 256×256
                                         (the layer realesr-animevideov3 repeats), seeded weights
  openblas_conv.py sgemm THREADS ROUNDS  times Debian's libopenblas cblas_sgemm on that layer's
                                         im2col product (64×576 by 576×65536), im2col not counted;
                                         prints JSON: median seconds and GFLOP/s
"""
import ctypes
import ctypes.util
import json
import sys
import time

import numpy as np

CHANNELS, SIDE, KERNEL = 64, 256, 3


def write_model(path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    weight = (rng.standard_normal((CHANNELS, CHANNELS, KERNEL, KERNEL)) * 0.05).astype(np.float32)
    bias = (rng.standard_normal(CHANNELS) * 0.05).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[KERNEL, KERNEL], pads=[1, 1, 1, 1])
    graph = helper.make_graph(
        [node], "conv3x3",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, CHANNELS, SIDE, SIDE])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, CHANNELS, SIDE, SIDE])],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")])
    # IR 8: what every library here reads (onnx 1.23 writes 14 by default).
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8), path)


def time_sgemm(threads, rounds):
    name = ctypes.util.find_library("openblas") or "libopenblas.so.0"
    blas = ctypes.CDLL(name)
    blas.openblas_set_num_threads(threads)
    m, k, n = CHANNELS, CHANNELS * KERNEL * KERNEL, SIDE * SIDE
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    pointer = ctypes.POINTER(ctypes.c_float)
    args = [ctypes.c_int(101), ctypes.c_int(111), ctypes.c_int(111), ctypes.c_int(m), ctypes.c_int(n), ctypes.c_int(k),
            ctypes.c_float(1), a.ctypes.data_as(pointer), ctypes.c_int(k), b.ctypes.data_as(pointer), ctypes.c_int(n),
            ctypes.c_float(0), c.ctypes.data_as(pointer), ctypes.c_int(n)]
    blas.cblas_sgemm(*args)  # warm-up: thread start, page faults
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        blas.cblas_sgemm(*args)
        times.append(time.perf_counter() - start)
    if not np.allclose(c[:2, :64], a[:2] @ b[:, :64], rtol=1e-3, atol=1e-3):
        sys.exit("cblas_sgemm gave a wrong product")
    median = sorted(times)[len(times) // 2]
    print(json.dumps({"library": name, "seconds": median, "gflops": 2 * m * k * n / median / 1e9}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["model"]:
        write_model(sys.argv[2])
    elif sys.argv[1:2] == ["sgemm"]:
        time_sgemm(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
