#!/usr/bin/env python3
"""Generates the large fixtures that are too big to commit, into ./fixtures (ignored by git).

- fixtures/large/rrdb-class.onnx: a Real-ESRGAN-x4plus-sized network (about 16.7 M float32
  parameters, 64 MB) with seeded random weights, for load-time and memory benchmarks.
Skips work whose output already exists.
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures"


def conv(name, x, cin, cout, rng, initializers):
    w = (rng.standard_normal((cout, cin, 3, 3)) * (1.0 / np.sqrt(cin * 9))).astype(np.float32)
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
        c = conv(f"body.{i}", x, 64, 64, rng, initializers)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def main():
    target = ROOT / "large/rrdb-class.onnx"
    if not target.exists():
        rrdb_class_model(target)
        print(f"  wrote {target.relative_to(ROOT.parent)} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
