#!/usr/bin/env python3
"""Builds small models that reproduce what real exporters write outside ONNX's strict rules. Each is
valid enough for ONNX Runtime 1.31 to load and run (or, for the `refused-` ones, is refused by it
with the cause given below); Tessera must accept exactly the same. Their outputs are committed;
rerun with the project's venv after changing a case:
.venv/bin/python Tests/Fixtures/QuirkModels/make_quirk_models.py

Every model reads `x`, float32 [1, 3, 5, 6] when run by the tests (Tests/Oracles/quirk_oracle.py).
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = pathlib.Path(__file__).resolve().parent
RNG = np.random.default_rng(15)
WEIGHT = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
BIAS = RNG.standard_normal(4).astype(np.float32)
DENSE = RNG.standard_normal((4, 5)).astype(np.float32)


def save(model, name):
    # onnx.save would run no checks either; serializing directly keeps every quirk as built.
    (HERE / name).write_bytes(model.SerializeToString())


def tensor(name, dims, element=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, element, dims)


def raw_dims(name, dims, element=TensorProto.FLOAT):
    """A value whose dims are written as given, `dim_value` for ints (negative ones included)."""
    info = helper.make_tensor_value_info(name, element, [])
    for dim in dims:
        entry = info.type.tensor_type.shape.dim.add()
        if isinstance(dim, int):
            entry.dim_value = dim
        else:
            entry.dim_param = dim
    return info


def conv_relu(domain=""):
    return [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1], domain=domain),
        helper.make_node("Relu", ["c"], ["y"], name="relu", domain=domain),
    ]


def weights():
    return [numpy_helper.from_array(WEIGHT, "w"), numpy_helper.from_array(BIAS, "b")]


def model_of(nodes, inputs, outputs, initializers=None, value_info=(), opsets=(("", 17),), ir_version=8):
    graph = helper.make_graph(nodes, "quirk", inputs, outputs,
                              weights() if initializers is None else initializers, value_info=list(value_info))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets],
                              producer_name="tessera-tests")
    model.ir_version = ir_version
    return model


def main():
    plain_input = [tensor("x", [1, 3, "H", "W"])]
    plain_output = [tensor("y", [1, 4, "H", "W"])]

    # paddle2onnx: dynamic dims written as dim_value -1, on inputs, outputs and value_info, ending in
    # the classifier head PaddleOCR's direction model has (pool, flatten, dense, softmax).
    head = conv_relu() + [
        helper.make_node("GlobalAveragePool", ["y"], ["pooled"], name="pool"),
        helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten"),
        helper.make_node("MatMul", ["flat", "dense"], ["logits"], name="dense"),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
    ]
    save(model_of(head, [raw_dims("x", [-1, 3, -1, -1])], [raw_dims("probabilities", [-1, 5])],
                  weights() + [numpy_helper.from_array(DENSE, "dense")],
                  value_info=[raw_dims("c", [-1, 4, -1, -1]), raw_dims("flat", [-1, 4])], ir_version=7,
                  opsets=(("", 11),)), "negative-dims.onnx")

    # No shape at all: an input typed only by element type, an output with no type, a value_info
    # entry without shape (tf2onnx and hand-built graphs leave what they do not know out).
    shapeless_input = helper.make_tensor_value_info("x", TensorProto.FLOAT, None)
    untyped_output = onnx.ValueInfoProto(name="y")
    save(model_of(conv_relu(), [shapeless_input], [untyped_output],
                  value_info=[helper.make_tensor_value_info("c", TensorProto.FLOAT, None)]), "missing-shapes.onnx")

    # A shape message with no dims (rank 0) on values that are 4-D: ONNX Runtime warns and merges leniently.
    save(model_of(conv_relu(), plain_input, [tensor("y", [])], value_info=[tensor("c", [])]), "empty-shapes.onnx")

    # dim_param set to the empty string: no name, so no dimension shared with another.
    save(model_of(conv_relu(), [raw_dims("x", [1, 3, "", ""])], [raw_dims("y", [1, 4, "", ""])]),
         "empty-dim-param.onnx")

    # The default domain spelled out: imported as "ai.onnx", nodes in "".
    save(model_of(conv_relu(), plain_input, plain_output, opsets=(("ai.onnx", 17),)), "domain-import-ai-onnx.onnx")
    # Nodes in "ai.onnx" under an import of "": ONNX Runtime resolves them, OpenVINO has no rule for them.
    save(model_of(conv_relu("ai.onnx"), plain_input, plain_output), "domain-node-ai-onnx.onnx")
    # Both spellings imported at the same version.
    save(model_of(conv_relu(), plain_input, plain_output, opsets=(("", 17), ("ai.onnx", 17))),
         "domain-both-imports.onnx")

    # IR 3 (PyTorch before 1.2, Caffe2): every initializer also listed as a graph input. Before IR 4
    # ONNX Runtime keeps them constant and refuses a feed for them.
    listed = plain_input + [tensor("w", [4, 3, 3, 3]), tensor("b", [4])]
    save(model_of(conv_relu(), listed, plain_output, ir_version=3, opsets=(("", 9),)), "initializer-inputs-ir3.onnx")
    # The same listing at IR 8: the initializers become defaults a caller may override.
    save(model_of(conv_relu(), listed, plain_output), "initializer-inputs.onnx")

    # No value_info at all and an output typed without shape (many exporters write no value_info).
    chain = conv_relu() + [
        helper.make_node("Sigmoid", ["y"], ["s"], name="sigmoid"),
        helper.make_node("Mul", ["y", "s"], ["z"], name="swish"),
    ]
    save(model_of(chain, plain_input, [helper.make_tensor_value_info("z", TensorProto.FLOAT, None)]),
         "missing-value-info.onnx")

    # value_info and outputs recorded at a traced size (224×224) and one entry of the wrong rank:
    # ONNX Runtime warns and uses what it infers.
    save(model_of(chain, plain_input, [tensor("z", [1, 4, 224, 224])],
                  value_info=[tensor("c", [1, 4, 224, 224]), tensor("y", [1, 4]), tensor("s", [1, 4, "H", "W"])]),
         "stale-value-info.onnx")

    # Nodes not in topological order (graphs edited by hand or by tools that append).
    save(model_of(list(reversed(chain)), plain_input, [tensor("z", [1, 4, "H", "W"])]), "unsorted-nodes.onnx")

    # A value_info entry with the wrong element type: ONNX Runtime refuses ("Type Error").
    save(model_of(conv_relu(), plain_input, plain_output, value_info=[tensor("c", [1, 4, "H", "W"], TensorProto.DOUBLE)]),
         "refused-stale-value-info-type.onnx")

    # An input declared as a scalar that a Conv reads: ONNX Runtime refuses at load.
    save(model_of(conv_relu(), [tensor("x", [])], plain_output), "refused-empty-input-shape.onnx")


if __name__ == "__main__":
    main()
