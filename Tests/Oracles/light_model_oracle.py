#!/usr/bin/env python3
"""Oracle for ReferenceEngineTests: a light model with seeded random weights, run by onnxruntime.

Usage: light_model_oracle.py MODEL OUT_DIR SEED
The `light` models in the onnx wheel build every weight with ConstantOfShape(0.02), so their
outputs are nearly constant. This writes OUT_DIR/model.onnx, a copy in which every such weight is
an initializer of seeded random values (uniform, scaled by fan-in so activations stay bounded;
1-D parameters such as batch-norm variances in [0.5, 1.5]) and whose output is the input of the
final Softmax (the logits), then runs it with onnxruntime (CPU, one thread) on a seeded random
input and writes OUT_DIR/input.npy and OUT_DIR/expected.npy. Prints the input and output names.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper


def main():
    source, out_dir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    model = onnx.load(source)
    graph = model.graph
    shapes = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    kept = []
    for node in graph.node:
        if node.op_type == "ConstantOfShape" and node.input[0] in shapes:
            shape = [int(d) for d in shapes[node.input[0]]]
            if len(shape) == 1:
                values = rng.uniform(0.5, 1.5, shape)
            else:
                limit = np.sqrt(3.0 / max(1, int(np.prod(shape[1:]))))
                values = rng.uniform(-limit, limit, shape)
            graph.initializer.append(numpy_helper.from_array(values.astype(np.float32), node.output[0]))
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    last = graph.node[-1]
    if last.op_type == "Softmax":
        logits = last.input[0]
        graph.node.remove(last)
        del graph.output[:]
        graph.output.append(onnx.helper.make_tensor_value_info(logits, onnx.TensorProto.FLOAT, None))
    used = {name for node in graph.node for name in node.input}
    initializers = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    names = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in names and i.name in used]
    del graph.input[:]
    graph.input.extend(inputs)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    onnx.save(model, path)

    feed = graph.input[0]
    dims = [d.dim_value for d in feed.type.tensor_type.shape.dim]
    data = rng.uniform(0, 1, dims).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    output = session.get_outputs()[0].name
    result = session.run([output], {feed.name: data})[0]
    np.save(os.path.join(out_dir, "input.npy"), data)
    np.save(os.path.join(out_dir, "expected.npy"), result.astype(np.float32))
    print(feed.name)
    print(output)


if __name__ == "__main__":
    main()
