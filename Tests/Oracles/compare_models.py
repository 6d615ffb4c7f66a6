#!/usr/bin/env python3
"""Oracle for load → save round trips, using the `onnx` package.

Usage: compare_models.py PAIRS.json
PAIRS.json is a list of [original, copy] paths. For each pair, checks that the graphs are equal as
protobuf messages and that every initializer (external data resolved) has identical bytes.
Prints JSON: {"compared": N, "mismatches": [{"original": …, "copy": …, "reason": …}]}.
"""
import json
import sys

import onnx
from onnx import numpy_helper


def initializer_bytes(model):
    return {t.name: (t.data_type, tuple(t.dims), numpy_helper.to_array(t).tobytes()) for t in model.graph.initializer}


def strip_data(graph):
    """The graph with initializer payload fields cleared, so inline and external copies compare equal."""
    g = onnx.GraphProto()
    g.CopyFrom(graph)
    for t in g.initializer:
        for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data", "uint64_data", "string_data",
                      "external_data", "data_location"):
            t.ClearField(field)
    return g


def compare(original, copy, payload_agnostic):
    a = onnx.load(original)
    b = onnx.load(copy)
    if payload_agnostic:
        if strip_data(a.graph) != strip_data(b.graph):
            return "graphs differ"
    elif a.graph != b.graph:
        for field in ("node", "input", "output", "value_info", "initializer"):
            if list(getattr(a.graph, field)) != list(getattr(b.graph, field)):
                return f"graph field '{field}' differs"
        return "graphs differ"
    if initializer_bytes(a) != initializer_bytes(b):
        return "initializer bytes differ"
    for field in ("ir_version", "opset_import", "producer_name", "producer_version", "metadata_props", "functions"):
        if getattr(a, field) != getattr(b, field):
            return f"model field '{field}' differs"
    return None


def main():
    pairs = json.load(open(sys.argv[1]))
    payload_agnostic = "--payload-agnostic" in sys.argv
    mismatches = []
    for original, copy in pairs:
        try:
            reason = compare(original, copy, payload_agnostic)
        except Exception as error:  # a copy onnx cannot read is a mismatch, not a crash of the oracle
            reason = f"onnx failed: {error}"
        if reason:
            mismatches.append({"original": original, "copy": copy, "reason": reason})
    print(json.dumps({"compared": len(pairs), "mismatches": mismatches}))


if __name__ == "__main__":
    main()
