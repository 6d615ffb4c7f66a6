#!/usr/bin/env python3
"""Oracle for OpenVINOBackendTests: prepares models and inputs, and runs them through Python's
OpenVINO (f32 precision hint) and ONNX Runtime, the independent reference.

Usage:
  openvino_run.py light MODEL OUTDIR [--seed N]
      Copies a `light` model from the onnx wheel into OUTDIR/model.onnx with seeded random weights
      (its own weights are all 0.02, so outputs would prove little) and without its final Softmax
      (logits are compared, not saturated probabilities). Writes OUTDIR/input_<i>.pb (seeded
      uniform [0, 1) inputs), OUTDIR/openvino_output_<i>.pb and OUTDIR/onnxruntime_output_<i>.pb.
  openvino_run.py dynamic OUTDIR
      Writes OUTDIR/model.onnx: Conv 3x3 (pad 1, stride 2) + Relu on a [1, 3, H, W] input with
      symbolic H and W, and for two sizes k = 0, 1: OUTDIR/input_<k>.pb and OUTDIR/expected_<k>.pb
      from ONNX Runtime.
Prints a JSON summary on stdout. Tensor files are serialized TensorProto messages, named.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
import openvino
from onnx import TensorProto, helper, numpy_helper


def write(path, array, name):
    with open(path, "wb") as out:
        out.write(numpy_helper.from_array(array, name).SerializeToString())


def consumers(graph, value):
    return [(node, node.input[:].index(value)) for node in graph.node if value in node.input]


def random_weight(rng, graph, name, shape):
    """A weight of `shape` for the value `name`, scaled for the operator that consumes it."""
    uses = consumers(graph, name)
    while uses and uses[0][0].op_type == "Unsqueeze":  # look through broadcast helpers
        uses = consumers(graph, uses[0][0].output[0])
    op, slot = (uses[0][0], uses[0][1]) if uses else (None, -1)
    kind = op.op_type if op is not None else ""
    if (kind == "Conv" and slot == 1) or (kind == "Gemm" and slot == 1):
        if kind == "Gemm":
            trans_b = next((a.i for a in op.attribute if a.name == "transB"), 0)
            fan_in = shape[1] if trans_b else shape[0]
        else:
            fan_in = int(np.prod(shape[1:]))
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / max(fan_in, 1)))
    if (kind == "BatchNormalization" and slot in (1, 4)) or kind == "Mul":
        return rng.uniform(0.5, 1.5, shape).astype(np.float32)
    return (rng.standard_normal(shape, dtype=np.float32) * np.float32(0.1)).astype(np.float32)


def randomize(model, rng):
    """Replaces float ConstantOfShape weights by random initializers; drops the final Softmax."""
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    kept = []
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value"), None)
        if (node.op_type == "ConstantOfShape" and node.input[0] in initializers and value is not None
                and value.data_type == TensorProto.FLOAT):
            shape = [int(d) for d in numpy_helper.to_array(initializers[node.input[0]])]
            graph.initializer.append(numpy_helper.from_array(random_weight(rng, graph, node.output[0], shape),
                                                             node.output[0]))
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    last = graph.node[-1]
    if last.op_type == "Softmax" and last.output[0] == graph.output[0].name:
        logits = last.input[0]
        graph.node.pop()
        output = helper.make_tensor_value_info(logits, TensorProto.FLOAT, None)
        del graph.output[:]
        graph.output.append(output)
    # IR 3 lists every initializer as a graph input too; IR 4 (still opset 9) does not need to,
    # so the shape constants that fed ConstantOfShape can go with their inputs.
    model.ir_version = max(model.ir_version, 4)
    used = {name for node in graph.node for name in node.input}
    survivors = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(survivors)
    constants = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in constants and v.name in used]
    del graph.input[:]
    graph.input.extend(inputs)
    return model


def run_openvino(path, feeds):
    core = openvino.Core()
    compiled = core.compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled.create_infer_request().infer(feeds)
    return [np.asarray(result[output]) for output in compiled.outputs]


def run_onnxruntime(path, feeds):
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def light(model_path, folder, seed):
    rng = np.random.default_rng(seed)
    model = randomize(onnx.load(model_path), rng)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    constants = {t.name for t in model.graph.initializer}
    feeds = {}
    for index, value in enumerate(v for v in model.graph.input if v.name not in constants):
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        feeds[value.name] = rng.random(shape, dtype=np.float32)
        write(os.path.join(folder, f"input_{index}.pb"), feeds[value.name], value.name)
    names = [o.name for o in model.graph.output]
    for library, outputs in (("openvino", run_openvino(path, feeds)), ("onnxruntime", run_onnxruntime(path, feeds))):
        for index, (name, array) in enumerate(zip(names, outputs)):
            write(os.path.join(folder, f"{library}_output_{index}.pb"), np.asarray(array), name)
    return {"model": path, "inputs": list(feeds), "outputs": names}


def dynamic(folder):
    rng = np.random.default_rng(7)
    weight = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("Relu", ["c"], ["y"])],
        "dynamic_hw",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, None, None])],
        [numpy_helper.from_array(weight, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    sizes = [(32, 48), (17, 9)]
    for index, (height, width) in enumerate(sizes):
        x = rng.random((1, 3, height, width), dtype=np.float32)
        write(os.path.join(folder, f"input_{index}.pb"), x, "x")
        write(os.path.join(folder, f"expected_{index}.pb"), run_onnxruntime(path, {"x": x})[0], "y")
    return {"model": path, "sizes": sizes}


def main():
    mode = sys.argv[1]
    if mode == "light":
        seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 2024
        print(json.dumps(light(sys.argv[2], sys.argv[3], seed)))
    elif mode == "dynamic":
        print(json.dumps(dynamic(sys.argv[2])))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
