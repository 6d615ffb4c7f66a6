#!/usr/bin/env python3
"""Writes two models whose interfaces carry ONNX maps, with data sets whose expected outputs come
from onnxruntime's Python API, in the node-case layout (`model.onnx`, `test_data_set_0/input_K.pb`,
`output_K.pb`; maps as MapProto, a sequence of maps as a SequenceProto of MapProtos).

Usage: map_model.py FOLDER

FOLDER/zipmap: ai.onnx.ml ZipMap turns probabilities float[N,3] into seq(map(int64,float)), one
map per row keyed by the class labels 10, 20, 30; a second output zips the same rows with string
labels (seq(map(string,float))).
FOLDER/dictvectorizer: ai.onnx.ml DictVectorizer turns map(int64,float) into float[1,4] over the
vocabulary 1, 2, 3, 5 (a key outside it is dropped, an absent key is 0).
FOLDER/passthrough: a graph of no nodes whose map(string,float) input `labels` is its output, so
a map leaves the model as it came in, with nothing but the interface for an engine to refuse;
FOLDER/passthrough/labels/ holds the same map as NumPy's keys.npy (<U3) and values.npy.
"""
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

ML = helper.make_opsetid("ai.onnx.ml", 3)
ONNX = helper.make_opsetid("", 17)


def save(folder, model, inputs):
    """Saves the model and one data set; the outputs are onnxruntime's."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, folder / "model.onnx")
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    outputs = session.run(None, inputs)
    data = folder / "test_data_set_0"
    data.mkdir(exist_ok=True)
    for index, value in enumerate(inputs.values()):
        (data / f"input_{index}.pb").write_bytes(serialize(value).SerializeToString())
    for index, value in enumerate(outputs):
        (data / f"output_{index}.pb").write_bytes(serialize(value).SerializeToString())


def serialize(value):
    """A tensor, map or list of maps as ONNX's test data stores them. A map is built by hand:
    numpy_helper.from_dict cannot take string keys, and would widen onnxruntime's Python floats
    to float64; ORT's maps here hold float32."""
    if isinstance(value, dict):
        proto = onnx.MapProto(values=onnx.SequenceProto(elem_type=onnx.SequenceProto.TENSOR))
        if isinstance(next(iter(value)), str):
            proto.key_type = TensorProto.STRING
            proto.string_keys.extend(key.encode() for key in value)
        else:
            proto.key_type = TensorProto.INT64
            proto.keys.extend(int(key) for key in value)
        proto.values.tensor_values.extend(numpy_helper.from_array(np.float32(v)) for v in value.values())
        return proto
    if isinstance(value, list):
        sequence = onnx.SequenceProto(elem_type=onnx.SequenceProto.MAP)
        sequence.map_values.extend(serialize(item) for item in value)
        return sequence
    return numpy_helper.from_array(np.asarray(value))


def zipmap(folder):
    probabilities = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])
    by_id = helper.make_value_info("by_id", helper.make_sequence_type_proto(
        helper.make_map_type_proto(TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, []))))
    by_name = helper.make_value_info("by_name", helper.make_sequence_type_proto(
        helper.make_map_type_proto(TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.FLOAT, []))))
    nodes = [
        helper.make_node("ZipMap", ["probabilities"], ["by_id"], domain="ai.onnx.ml", classlabels_int64s=[10, 20, 30]),
        helper.make_node("ZipMap", ["probabilities"], ["by_name"], domain="ai.onnx.ml",
                         classlabels_strings=["cat", "dog", "owl"]),
    ]
    graph = helper.make_graph(nodes, "zipmap", [probabilities], [by_id, by_name])
    model = helper.make_model(graph, opset_imports=[ONNX, ML], ir_version=8)
    rows = np.array([[0.25, 0.5, 0.25], [0.125, 0.0625, 0.8125]], dtype=np.float32)
    save(folder / "zipmap", model, {"probabilities": rows})


def dict_vectorizer(folder):
    features = helper.make_value_info("features", helper.make_map_type_proto(
        TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, [])))
    vector = helper.make_tensor_value_info("vector", TensorProto.FLOAT, [1, 4])
    node = helper.make_node("DictVectorizer", ["features"], ["vector"], domain="ai.onnx.ml", int64_vocabulary=[1, 2, 3, 5])
    graph = helper.make_graph([node], "dictvectorizer", [features], [vector])
    model = helper.make_model(graph, opset_imports=[ONNX, ML], ir_version=8)
    save(folder / "dictvectorizer", model, {"features": {5: 0.75, 1: 1.5, 9: 4.0}})


def passthrough(folder):
    labels = helper.make_value_info("labels", helper.make_map_type_proto(
        TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.FLOAT, [])))
    graph = helper.make_graph([], "passthrough", [labels], [labels])
    model = helper.make_model(graph, opset_imports=[ONNX], ir_version=8)
    labels = {"owl": 0.5, "cat": -7.25}
    save(folder / "passthrough", model, {"labels": labels})
    # The same map as NumPy writes it, for `tessera run --input labels=FOLDER`: keys as <U3.
    (folder / "passthrough" / "labels").mkdir(exist_ok=True)
    np.save(folder / "passthrough" / "labels" / "keys.npy", np.array(list(labels)))
    np.save(folder / "passthrough" / "labels" / "values.npy", np.array(list(labels.values()), dtype=np.float32))


def main():
    folder = pathlib.Path(sys.argv[1])
    zipmap(folder)
    dict_vectorizer(folder)
    passthrough(folder)


if __name__ == "__main__":
    main()
