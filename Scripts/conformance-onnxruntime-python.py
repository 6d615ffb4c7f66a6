#!/usr/bin/env python3
"""Runs ONNX's node test cases through ONNX Runtime's own Python API, judged as `tessera conformance` judges.

Usage: .venv/bin/python Scripts/conformance-onnxruntime-python.py [--data DIR] [--filter TEXT] [--verbose]

Why: the count to hold `tessera conformance --library onnxruntime` against (issue 18 asks for at
least as many passes through Tessera as through the library's own API), on Debian's
libonnx-testdata or on the current suite (`--data fixtures/onnx-node-suite`).

Method: the judging (tolerance, types, shapes, skipped random cases) is
`Scripts/conformance-openvino-python.py`'s, which mirrors `ConformanceRunner.swift`; sequences
and optionals are read from their SequenceProto/OptionalProto files and compared element by
element, as the runner does.
- unsupported: `InferenceSession(path, providers=["CPUExecutionProvider"])` raises;
- failed: a run raises or an output differs; passed: every data set's outputs match.
"""
import argparse
import importlib.util
import os
import pathlib

SHARED = pathlib.Path(__file__).resolve().parent / "conformance-openvino-python.py"
_spec = importlib.util.spec_from_file_location("conformance_openvino_python", SHARED)
judging = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(judging)


def read_value(path, value_info):
    """A data file as (value, ONNX tensor type or None): tensors through the shared reader, other
    values (sequences, optionals) as the Python objects ONNX Runtime takes and returns."""
    import onnx
    from onnx import numpy_helper
    kind = value_info.type.WhichOneof("value")
    if kind == "tensor_type":
        return judging.read_tensor(path, value_info.type.tensor_type.elem_type)
    data = pathlib.Path(path).read_bytes()
    if kind == "sequence_type":
        proto = onnx.SequenceProto()
        proto.ParseFromString(data)
        return numpy_helper.to_list(proto), None
    proto = onnx.OptionalProto()
    proto.ParseFromString(data)
    return numpy_helper.to_optional(proto), None


def compare_value(actual, expected, expected_type):
    """`None` when `actual` matches `expected`, else why not."""
    import numpy as np
    from onnx import helper
    if expected_type is not None:
        actual = np.asarray(actual)
        actual_type = helper.np_dtype_to_tensor_dtype(actual.dtype) if actual.dtype != object else 8
        if expected_type == 16 and actual_type == 4:  # bfloat16 stored as uint16 by the old data
            actual_type = 16
        return judging.compare(actual, actual_type, expected, expected_type)
    if expected is None or actual is None:
        return None if expected is None and actual is None else f"{actual!r}, expected {expected!r}"
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"a sequence of {len(actual) if isinstance(actual, list) else '?'}, expected {len(expected)}"
        for index, (a, b) in enumerate(zip(actual, expected)):
            problem = compare_value(a, b, helper.np_dtype_to_tensor_dtype(np.asarray(b).dtype))
            if problem:
                return f"element {index}: {problem}"
        return None
    return compare_value(actual, expected, helper.np_dtype_to_tensor_dtype(np.asarray(expected).dtype))


def run_case(case_dir):
    """(outcome, detail, operator) for one case."""
    import onnx
    import onnxruntime as ort
    name = os.path.basename(case_dir)
    path = os.path.join(case_dir, "model.onnx")
    try:
        model = onnx.load(path)
    except Exception as error:  # noqa: BLE001 - any parse failure makes the case unjudgeable
        return "skipped", str(error), "?"
    op = model.graph.node[0].op_type if model.graph.node else "?"
    if name in judging.RANDOM_OUTPUT_CASES:
        return "skipped", "expected outputs are random draws", op
    constants = {init.name for init in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in constants]
    options = ort.SessionOptions()
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - ONNX Runtime reports refusals as several exception types
        return "unsupported", " ".join(str(error).split())[:400], op
    for data_set in sorted(entry for entry in os.listdir(case_dir) if entry.startswith("test_data_set_")):
        directory = os.path.join(case_dir, data_set)
        try:
            feeds = {}
            for index, value in enumerate(inputs):
                file = os.path.join(directory, f"input_{index}.pb")
                if os.path.exists(file):
                    feeds[value.name] = read_value(file, value)[0]
            results = session.run(None, feeds)
            for index, value in enumerate(model.graph.output):
                file = os.path.join(directory, f"output_{index}.pb")
                if not os.path.exists(file):
                    continue
                want, want_type = read_value(file, value)
                problem = compare_value(results[index], want, want_type)
                if problem:
                    return "failed", f"{data_set} output '{value.name}': {problem}", op
        except Exception as error:  # noqa: BLE001 - a run failure of any kind fails the case
            return "failed", f"{data_set}: " + " ".join(str(error).split())[:400], op
    return "passed", "", op


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=judging.DATA)
    parser.add_argument("--filter")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    node = os.path.join(args.data, "node")
    names = sorted(entry for entry in os.listdir(node) if os.path.exists(os.path.join(node, entry, "model.onnx")))
    if args.filter:
        names = [name for name in names if args.filter in name]
    results = [(name, *run_case(os.path.join(node, name))) for name in names]
    counts = {key: sum(r[1] == key for r in results) for key in ("passed", "failed", "unsupported", "skipped")}
    if args.verbose:
        for name, outcome, detail, _ in results:
            if outcome != "passed":
                print(f"{outcome:<12} {name}: {detail[:200]}")
    print(f"onnxruntime-python on CPU: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['unsupported']} unsupported, {counts['skipped']} skipped of {len(results)}")


if __name__ == "__main__":
    main()
