#!/usr/bin/env python3
"""Generates the large fixtures that are too big to commit, into ./fixtures (ignored by git).

- fixtures/large/rrdb-class.onnx: a Real-ESRGAN-x4plus-sized network (about 16.7 M float32
  parameters, 64 MB) with seeded random weights, for load-time and memory benchmarks.
- fixtures/srvgg-x4.onnx: the architecture of realesr-animevideov3-x4 (SRVGGNetCompact: 3×3
  convolutions with PReLU, a 4× pixel shuffle and a nearest-upsampled residual), seeded random
  weights, dynamic N, H, W, for cross-library and overhead measurements.
Skips work whose output already exists.
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures"
IR_VERSION = 10  # what ONNX Runtime 1.31 and OpenVINO 2026.4 read; onnx 1.23 would write 14


def conv(name, x, cin, cout, rng, initializers, gain=1.0):
    w = (rng.standard_normal((cout, cin, 3, 3)) * (gain / np.sqrt(cin * 9))).astype(np.float32)
    b = (rng.standard_normal(cout) * 0.01).astype(np.float32)
    initializers += [numpy_helper.from_array(w, f"{name}.weight"), numpy_helper.from_array(b, f"{name}.bias")]
    return helper.make_node("Conv", [x, f"{name}.weight", f"{name}.bias"], [f"{name}.out"], name=name,
                            kernel_shape=[3, 3], pads=[1, 1, 1, 1])


def rrdb_class_model(path):
    """3 → 64 channels, 452 residual 3×3 convolutions with LeakyReLU, two nearest 2× upsamplings, 64 → 3."""
    rng = np.random.default_rng(2024)
    nodes, initializers = [], []
    nodes.append(conv("conv_first", "input", 3, 64, rng, initializers))
    x = "conv_first.out"
    for i in range(452):
        # A small gain keeps 452 residual additions from overflowing float32.
        c = conv(f"body.{i}", x, 64, 64, rng, initializers, gain=0.1)
        act = helper.make_node("LeakyRelu", [c.output[0]], [f"body.{i}.act"], alpha=0.2, name=f"body.{i}.lrelu")
        add = helper.make_node("Add", [x, act.output[0]], [f"body.{i}.sum"], name=f"body.{i}.add")
        nodes += [c, act, add]
        x = add.output[0]
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "up.scales")
    initializers.append(scales)
    for i in range(2):
        nodes.append(helper.make_node("Resize", [x, "", "up.scales"], [f"up.{i}"], mode="nearest", name=f"up.{i}"))
        x = f"up.{i}"
    nodes.append(conv("conv_last", x, 64, 3, rng, initializers))
    graph = helper.make_graph(
        nodes, "rrdb-class",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("conv_last.out", TensorProto.FLOAT, None)],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tessera-fixtures")
    model.ir_version = IR_VERSION
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def srvgg_model(path, features=64, convs=16, scale=4):
    rng = np.random.default_rng(7)
    nodes, initializers = [], []
    x = "input"
    for i in range(convs + 1):
        c = conv(f"body.{i}", x, 3 if i == 0 else features, features, rng, initializers, gain=1.4)
        slope = numpy_helper.from_array(np.full((features, 1, 1), 0.25, dtype=np.float32), f"body.{i}.slope")
        initializers.append(slope)
        act = helper.make_node("PRelu", [c.output[0], slope.name], [f"body.{i}.act"], name=f"body.{i}.prelu")
        nodes += [c, act]
        x = act.output[0]
    last = conv("body.last", x, features, 3 * scale * scale, rng, initializers)
    shuffle = helper.make_node("DepthToSpace", [last.output[0]], ["shuffled"], blocksize=scale, mode="DCR", name="shuffle")
    scales = numpy_helper.from_array(np.array([1, 1, scale, scale], dtype=np.float32), "base.scales")
    initializers.append(scales)
    base = helper.make_node("Resize", ["input", "", scales.name], ["base"], mode="nearest", name="base")
    add = helper.make_node("Add", ["shuffled", "base"], ["output"], name="residual")
    nodes += [last, shuffle, base, add]
    graph = helper.make_graph(
        nodes, "srvgg-x4",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3, "H4", "W4"])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tessera-fixtures")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def main():
    for target, build in [(ROOT / "large/rrdb-class.onnx", rrdb_class_model), (ROOT / "srvgg-x4.onnx", srvgg_model)]:
        if not target.exists():
            build(target)
            print(f"  wrote {target.relative_to(ROOT.parent)} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
