#!/usr/bin/env python3
"""Writes a model whose interface has a sequence input and output and an optional input, with
data sets whose expected outputs come from onnx's ReferenceEvaluator, in the node-case layout
(`model.onnx`, `test_data_set_N/input_K.pb`, `output_K.pb`).

Usage: sequence_model.py FOLDER

The graph: `has = OptionalHasElement(bias)`; an If on `has` takes the bias out of the optional or
makes zeros; SequenceMap adds it to every element of `xs`; SequenceInsert appends `extra`;
ConcatFromSequence and SequenceLength summarise. Data set 0 gives the bias, data set 1 leaves the
optional empty (an OptionalProto with no value).
"""
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator


def main():
    folder = pathlib.Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    float_n = helper.make_tensor_type_proto(TensorProto.FLOAT, ["N"])
    seq = helper.make_sequence_type_proto(float_n)
    optional = helper.make_optional_type_proto(float_n)
    then_branch = helper.make_graph(
        [helper.make_node("OptionalGetElement", ["bias"], ["b_then"])], "then", [],
        [helper.make_value_info("b_then", float_n)])
    else_branch = helper.make_graph(
        [helper.make_node("Sub", ["extra", "extra"], ["b_else"])], "else", [],
        [helper.make_value_info("b_else", float_n)])
    body = helper.make_graph(
        [helper.make_node("Add", ["x", "b"], ["y"])], "body",
        [helper.make_value_info("x", float_n), helper.make_value_info("b", float_n)],
        [helper.make_value_info("y", float_n)])
    nodes = [
        helper.make_node("OptionalHasElement", ["bias"], ["has"]),
        helper.make_node("If", ["has"], ["b"], then_branch=then_branch, else_branch=else_branch),
        helper.make_node("SequenceMap", ["xs", "b"], ["shifted"], body=body),
        helper.make_node("SequenceInsert", ["shifted", "extra"], ["ys"]),
        helper.make_node("ConcatFromSequence", ["ys"], ["total"], axis=0),
        helper.make_node("SequenceLength", ["ys"], ["count"]),
    ]
    graph = helper.make_graph(
        nodes, "sequences",
        [helper.make_value_info("xs", seq), helper.make_value_info("bias", optional),
         helper.make_value_info("extra", float_n)],
        [helper.make_value_info("ys", seq), helper.make_tensor_value_info("total", TensorProto.FLOAT, ["M"]),
         helper.make_tensor_value_info("count", TensorProto.INT64, []),
         helper.make_tensor_value_info("has", TensorProto.BOOL, [])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    onnx.checker.check_model(model)
    onnx.save(model, folder / "model.onnx")

    rng = np.random.default_rng(7)
    xs = [rng.standard_normal(3).astype(np.float32) for _ in range(4)]
    extra = rng.standard_normal(3).astype(np.float32)
    evaluator = ReferenceEvaluator(model)
    for index, bias in enumerate([rng.standard_normal(3).astype(np.float32), None]):
        data = folder / f"test_data_set_{index}"
        data.mkdir(exist_ok=True)
        (data / "input_0.pb").write_bytes(numpy_helper.from_list(xs).SerializeToString())
        (data / "input_1.pb").write_bytes(numpy_helper.from_optional(bias).SerializeToString())
        (data / "input_2.pb").write_bytes(numpy_helper.from_array(extra).SerializeToString())
        results = evaluator.run(None, {"xs": xs, "bias": bias, "extra": extra})
        (data / "output_0.pb").write_bytes(numpy_helper.from_list(list(results[0])).SerializeToString())
        for position, value in enumerate(results[1:], start=1):
            (data / f"output_{position}.pb").write_bytes(numpy_helper.from_array(np.asarray(value)).SerializeToString())


if __name__ == "__main__":
    main()
