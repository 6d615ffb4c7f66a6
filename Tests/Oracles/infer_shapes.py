#!/usr/bin/env python3
"""Shape-inference oracle for Tessera's tests.

Usage: infer_shapes.py [--symbolic | --inline-inputs DIR] MODEL [MODEL ...]

Runs onnx.shape_inference.infer_shapes(model, strict_mode=False, data_prop=True) on each model and
prints one JSON object on stdout, keyed by the model paths given:

    {"PATH": {"values": {"NAME": {"elem": INT, "dims": [INT | "SYMBOL" | null, ...] | null}, ...},
              "own_outputs": {"NAME": {"elem": ..., "dims": ...}, ...},
              "strict_error": null | "MESSAGE",
              "error": null | "MESSAGE",
              "model": "PATH OF THE MODEL INFERRED"}, ...}

"values" holds every graph input, output and value_info entry after inference (tensor types only;
"dims" is null when even the rank is unknown, a null entry is an unknown dimension).
"own_outputs" holds the graph outputs as onnx infers them with their declared types removed: what
onnx works out by itself, since "values" merges in the types the file declares for its outputs.
"strict_error" is the message of onnx's strict-mode inference when that fails, so the tests can
tell a model onnx itself rejects from one it accepts. "error" is set when the model could not be
loaded or non-strict inference raised.

--symbolic: each model is first changed in memory: in graph input i (counting every entry of
graph.input, initializers included, but changing only runtime tensor inputs), dim j becomes the
symbol "S<j>" when i + j is even, and the declared output types are removed. The Swift tests apply
the same rule to check symbolic inference against onnx's.

--inline-inputs DIR: for node tests (a model.onnx next to test_data_set_0/), every runtime input
after the first whose test value is a tensor of rank <= 1 with at most 64 elements (shapes, axes,
pads, scales, sizes, K, ...) becomes an initializer holding that value; declared output types are
removed; the result is saved as DIR/<n>.onnx and reported under "model". Models with nothing to
inline are left out of the output.
"""
import json
import os
import sys

import onnx
from onnx import shape_inference


def tensor_entry(type_proto):
    if not type_proto.HasField("tensor_type"):
        return None
    tensor = type_proto.tensor_type
    if not tensor.HasField("shape"):
        return {"elem": tensor.elem_type, "dims": None}
    dims = []
    for dim in tensor.shape.dim:
        if dim.HasField("dim_value"):
            dims.append(dim.dim_value)
        elif dim.HasField("dim_param"):
            dims.append(dim.dim_param)
        else:
            dims.append(None)
    return {"elem": tensor.elem_type, "dims": dims}


def symbolize(model):
    initializers = {tensor.name for tensor in model.graph.initializer}
    for i, value in enumerate(model.graph.input):
        if value.name in initializers or not value.type.HasField("tensor_type"):
            continue
        for j, dim in enumerate(value.type.tensor_type.shape.dim):
            if (i + j) % 2 == 0 and dim.HasField("dim_value"):
                dim.ClearField("dim_value")
                dim.dim_param = f"S{j}"
    for output in model.graph.output:
        output.ClearField("type")


def inline_inputs(model, path):
    """Turns small runtime inputs into initializers from the test's first data set; False if none."""
    data = os.path.join(os.path.dirname(path), "test_data_set_0")
    initializers = {tensor.name for tensor in model.graph.initializer}
    runtime = [value for value in model.graph.input if value.name not in initializers]
    inlined = False
    for k, value in enumerate(runtime):
        file = os.path.join(data, f"input_{k}.pb")
        if k == 0 or not os.path.exists(file) or not value.type.HasField("tensor_type"):
            continue
        tensor = onnx.TensorProto()
        try:
            with open(file, "rb") as handle:
                tensor.ParseFromString(handle.read())
        except Exception:
            continue
        count = 1
        for dim in tensor.dims:
            count *= dim
        if len(tensor.dims) > 1 or count > 64 or tensor.data_type != value.type.tensor_type.elem_type:
            continue
        tensor.name = value.name
        model.graph.initializer.append(tensor)
        inlined = True
    if inlined:
        for output in model.graph.output:
            output.ClearField("type")
    return inlined


def infer(model, path):
    result = {"values": {}, "own_outputs": {}, "strict_error": None, "error": None, "model": path}
    try:
        shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)
    except Exception as error:
        message = str(error).strip()
        result["strict_error"] = message.splitlines()[0] if message else type(error).__name__
    try:
        inferred = shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception as error:
        result["error"] = f"infer: {error}"
        return result
    graph = inferred.graph
    for info in list(graph.input) + list(graph.output) + list(graph.value_info):
        entry = tensor_entry(info.type)
        if entry is not None:
            result["values"][info.name] = entry
    for output in model.graph.output:
        output.ClearField("type")
    try:
        stripped = shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception as error:
        result["error"] = f"infer without output types: {error}"
        return result
    for info in stripped.graph.output:
        entry = tensor_entry(info.type)
        if entry is not None:
            result["own_outputs"][info.name] = entry
    return result


def main(arguments):
    symbolic = False
    inline_directory = None
    paths = []
    iterator = iter(arguments)
    for argument in iterator:
        if argument == "--symbolic":
            symbolic = True
        elif argument == "--inline-inputs":
            inline_directory = next(iterator)
        else:
            paths.append(argument)
    results = {}
    for index, path in enumerate(paths):
        try:
            model = onnx.load(path)
        except Exception as error:  # a file onnx cannot even parse
            results[path] = {"values": {}, "own_outputs": {}, "strict_error": None, "error": f"load: {error}",
                             "model": path}
            continue
        target = path
        if symbolic:
            symbolize(model)
        if inline_directory is not None:
            if not inline_inputs(model, path):
                continue
            target = os.path.join(inline_directory, f"{index}.onnx")
            onnx.save(model, target)
        results[path] = infer(model, target)
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
