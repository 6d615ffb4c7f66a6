#!/usr/bin/env python3
"""Builds the small malformed models the loader must refuse cleanly. Their outputs are committed;
rerun with the project's venv after changing a case: .venv/bin/python Tests/Fixtures/BadModels/make_bad_models.py
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = pathlib.Path(__file__).resolve().parent


def save(model, name):
    # onnx.save would run no checks, which is the point: these models are invalid on purpose.
    (HERE / name).write_bytes(model.SerializeToString())


def value(name, dims=(1, 4)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def model_of(graph, opset=17):
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="tessera-tests")


def main():
    # a → Relu → b → Add(b, d) → c → Relu → d: c and d depend on each other.
    cycle = helper.make_graph([
        helper.make_node("Relu", ["a"], ["b"], name="first"),
        helper.make_node("Add", ["b", "d"], ["c"], name="loop_add"),
        helper.make_node("Relu", ["c"], ["d"], name="loop_relu"),
    ], "cycle", [value("a")], [value("d")])
    save(model_of(cycle), "cycle.onnx")

    # An initializer whose bytes would live outside the model's folder.
    escaping = numpy_helper.from_array(np.zeros(4, dtype=np.float32), "w")
    escaping.ClearField("raw_data")
    escaping.data_location = TensorProto.EXTERNAL
    for key, val in [("location", "../outside.bin"), ("offset", "0"), ("length", "16")]:
        entry = escaping.external_data.add()
        entry.key, entry.value = key, val
    escape_graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "escape",
                                     [value("x", (4,))], [value("y", (4,))], [escaping])
    save(model_of(escape_graph), "external-escape.onnx")

    absolute = onnx.TensorProto()
    absolute.CopyFrom(escaping)
    absolute.external_data[0].value = "/etc/passwd"
    abs_graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "absolute",
                                  [value("x", (4,))], [value("y", (4,))], [absolute])
    save(model_of(abs_graph), "external-absolute.onnx")

    # An initializer claiming 2^62 elements.
    huge = onnx.TensorProto(name="huge", data_type=TensorProto.FLOAT, dims=[2**62], raw_data=b"")
    huge_graph = helper.make_graph([helper.make_node("Add", ["x", "huge"], ["y"], name="add")], "huge",
                                   [value("x", (1,))], [value("y", (1,))], [huge])
    save(model_of(huge_graph), "huge-dimension.onnx")

    # A graph input declared with a dimension of 2^62.
    huge_input = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "huge_input",
                                   [value("x", (1, 2**62))], [value("y", (1, 2**62))])
    save(model_of(huge_input), "huge-input-dimension.onnx")

    # A node reading a value nothing produces.
    dangling = helper.make_graph([helper.make_node("Add", ["x", "ghost"], ["y"], name="add_ghost")], "dangling",
                                 [value("x")], [value("y")])
    save(model_of(dangling), "dangling-input.onnx")

    # Two nodes writing the same value.
    duplicate = helper.make_graph([
        helper.make_node("Relu", ["x"], ["y"], name="relu_a"),
        helper.make_node("Sigmoid", ["x"], ["y"], name="sigmoid_b"),
    ], "duplicate", [value("x")], [value("y")])
    save(model_of(duplicate), "duplicate-producer.onnx")

    # A node in a domain the model does not import.
    unknown_domain = helper.make_graph([helper.make_node("Frobnicate", ["x"], ["y"], name="frob", domain="com.example")],
                                       "unknown_domain", [value("x")], [value("y")])
    save(model_of(unknown_domain), "unknown-domain.onnx")

    # A PNG image with a model's extension.
    from PIL import Image
    Image.new("RGB", (4, 4), (200, 30, 30)).save(HERE / "image-renamed.onnx", format="PNG")


if __name__ == "__main__":
    main()
