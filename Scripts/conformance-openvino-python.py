#!/usr/bin/env python3
"""Runs ONNX's node test cases through OpenVINO's own Python API, judged as `tessera conformance` judges.

Usage: .venv/bin/python Scripts/conformance-openvino-python.py [--filter TEXT] [--verbose] [--json]
                                                                [--data DIR]

Why: `tessera conformance --library openvino` reaches OpenVINO through its C API. When it counts
fewer passes than OpenVINO's own Python binding on the same cases, the difference is a bug in
Tessera's binding, not in OpenVINO. This script gives the reference count, and with `--json`
a `summary` of the counts and the per-case verdicts as `cases` entries with the CLI's fields
(`name`, `operatorType`, `outcome`, `detail`), so the two can be compared case by case.

Method, mirroring `Sources/Conformance/ConformanceRunner.swift`:
- skipped: the model cannot be parsed, its expected outputs are random draws, or a runtime input
  (a graph input that is not an initializer) or an output is not a tensor;
- unsupported: `Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})` raises;
- failed: a run raises, or an output differs in element type, shape or values
  (|actual - expected| <= 1e-5 + 1e-3 * |expected|; NaN must meet NaN, infinities must be equal);
- passed: every data set's outputs match.
Inputs are fed by their ONNX names (`input_K.pb` is the K-th runtime input, as in the harness). A
name OpenVINO lost while merging tensor names (an input that only feeds `Dropout` or a one-input
`Max` is left with the output's name) is found by position when every declared input survived;
an input OpenVINO folded away (unused, zero-size) is not fed. Each case runs in a worker process,
so a crash inside OpenVINO fails that case instead of ending the run.
"""
import argparse
import json
import os
import subprocess
import sys

DATA = "/usr/share/libonnx-testdata/data"
RANDOM_OUTPUT_CASES = {
    "test_bernoulli", "test_bernoulli_double", "test_bernoulli_double_expanded", "test_bernoulli_expanded",
    "test_bernoulli_seed", "test_bernoulli_seed_expanded", "test_training_dropout", "test_training_dropout_default",
    "test_training_dropout_default_mask", "test_training_dropout_mask",
}
RTOL, ATOL = 1e-3, 1e-5
# OpenVINO element type names → ONNX TensorProto data types, to compare output types as the harness does.
OV_TO_ONNX = {
    "f32": 1, "u8": 2, "i8": 3, "u16": 4, "i16": 5, "i32": 6, "i64": 7, "string": 8, "boolean": 9, "f16": 10,
    "f64": 11, "u32": 12, "u64": 13, "bf16": 16, "f8e4m3": 17, "f8e5m2": 19, "u4": 21, "i4": 22, "f4e2m1": 23,
}


def read_tensor(path, declared_type):
    """A data file as (numpy array, ONNX type); bfloat16 stored as uint16 is read as bfloat16 (as the harness does)."""
    from onnx import TensorProto, numpy_helper
    proto = TensorProto()
    with open(path, "rb") as file:
        proto.ParseFromString(file.read())
    if proto.data_type == TensorProto.UINT16 and declared_type == TensorProto.BFLOAT16:
        proto.data_type = TensorProto.BFLOAT16
    return numpy_helper.to_array(proto), proto.data_type


def data_files(data_set, prefix, values):
    """`prefixK.pb` for the K-th value, keyed by the value's name; absent files are omitted optional values."""
    found = {}
    for index, value in enumerate(values):
        path = os.path.join(data_set, f"{prefix}{index}.pb")
        if os.path.exists(path):
            found[value.name] = read_tensor(path, value.type.tensor_type.elem_type)
    return found


def compare(actual, actual_type, expected, expected_type):
    """`None` when `actual` matches within the tolerance, else why not."""
    import numpy as np
    if actual_type != expected_type:
        return f"type {actual_type}, expected {expected_type}"
    if list(actual.shape) != list(expected.shape):
        return f"shape {list(actual.shape)}, expected {list(expected.shape)}"
    try:
        a = np.asarray(actual, dtype=np.float64).ravel()
        b = np.asarray(expected, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return None if np.array_equal(actual, expected) else "payload differs (compared as objects)"
    nan = np.isnan(a) | np.isnan(b)
    bad = np.isnan(a) != np.isnan(b)
    infinite = ~nan & (np.isinf(a) | np.isinf(b))
    bad |= infinite & (a != b)
    finite = ~nan & ~infinite
    with np.errstate(invalid="ignore", over="ignore"):  # non-finite pairs are judged above
        bad |= finite & (np.abs(a - b) > ATOL + RTOL * np.abs(b))
    if bad.any():
        index = int(np.argmax(bad))
        return f"element {index}: {a[index]}, expected {b[index]} (rtol {RTOL}, atol {ATOL})"
    return None


def feed_value(array, onnx_type):
    """An OpenVINO tensor for types numpy cannot name (bfloat16, float8), else the array itself."""
    import openvino as ov
    special = {16: ov.Type.bf16, 17: ov.Type.f8e4m3, 19: ov.Type.f8e5m2}
    if onnx_type not in special:
        return array
    tensor = ov.Tensor(special[onnx_type], list(array.shape))
    tensor.data.view(array.dtype)[...] = array  # same bit width: copy the raw bits
    return tensor


def input_ports(compiled, inputs):
    """The compiled model's input port for each ONNX input name it still has.

    OpenVINO merges tensor names (an input that only feeds `Identity` may be left with the output's
    name), so a name it lost is found by position when every declared input survived; an input
    it folded away (unused, or constant) has no port and is not fed.
    """
    ports = {}
    for position, value in enumerate(inputs):
        named = [port for port in compiled.inputs if value.name in port.get_names()]
        if named:
            ports[value.name] = named[0]
        elif len(compiled.inputs) == len(inputs):
            ports[value.name] = compiled.inputs[position]
    return ports


def run_case(case_dir, core):
    """(outcome, detail, operator) for one case."""
    import onnx
    name = os.path.basename(case_dir)
    path = os.path.join(case_dir, "model.onnx")
    try:
        model = onnx.load(path)
    except Exception as error:  # noqa: BLE001 - any parse failure makes the case unjudgeable
        return "skipped", str(error), "?"
    op = model.graph.node[0].op_type if model.graph.node else "?"
    if name in RANDOM_OUTPUT_CASES:
        return "skipped", "expected outputs are random draws", op
    constants = {init.name for init in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in constants]
    outputs = list(model.graph.output)
    for value in inputs + outputs:
        if not value.type.HasField("tensor_type"):
            return "skipped", f"'{value.name}' is not a tensor", op
    try:
        compiled = core.compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    except Exception as error:  # noqa: BLE001 - OpenVINO reports refusals as exceptions of several types
        return "unsupported", " ".join(str(error).split())[:400], op
    ports = input_ports(compiled, inputs)
    sets = sorted(entry for entry in os.listdir(case_dir) if entry.startswith("test_data_set_"))
    for data_set in sets:
        directory = os.path.join(case_dir, data_set)
        try:
            feeds = {ports[key]: feed_value(array, kind)
                     for key, (array, kind) in data_files(directory, "input_", inputs).items() if key in ports}
            expected = data_files(directory, "output_", outputs)
            request = compiled.create_infer_request()
            results = request.infer(feeds)  # copies of the outputs, keyed by port
            for position, value in enumerate(outputs):
                if value.name not in expected:
                    continue
                try:
                    port = compiled.output(value.name)
                except Exception:  # noqa: BLE001 - OpenVINO lost the name: outputs keep the ONNX order
                    port = compiled.outputs[position]
                actual_type = OV_TO_ONNX.get(request.get_tensor(port).element_type.get_type_name(), -1)
                want, want_type = expected[value.name]
                actual = results[port]
                if actual_type in (16, 17, 19) and want.dtype.itemsize == actual.dtype.itemsize:
                    actual = actual.view(want.dtype)  # the raw bits, read as the ml_dtypes type onnx uses
                problem = compare(actual, actual_type, want, want_type)
                if problem:
                    return "failed", f"{data_set} output '{value.name}': {problem}", op
        except Exception as error:  # noqa: BLE001 - a run failure of any kind fails the case
            return "failed", f"{data_set}: " + " ".join(str(error).split())[:400], op
    return "passed", "", op


def worker():
    """Reads case folders from stdin, answers one JSON line each."""
    import openvino as ov
    core = ov.Core()
    for line in sys.stdin:
        outcome, detail, op = run_case(line.strip(), core)
        print(json.dumps({"outcome": outcome, "detail": detail, "operatorType": op}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--filter")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()
    node = os.path.join(args.data, "node")
    names = sorted(entry for entry in os.listdir(node) if os.path.exists(os.path.join(node, entry, "model.onnx")))
    if args.filter:
        names = [name for name in names if args.filter in name]
    results, child = [], None
    for index, name in enumerate(names):
        if child is None:
            child = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        child.stdin.write(os.path.join(node, name) + "\n")
        child.stdin.flush()
        answer = child.stdout.readline()
        if answer:
            result = json.loads(answer)
        else:  # the worker died inside OpenVINO: fail the case and start a new worker
            child.wait()
            result = {"outcome": "failed", "detail": f"crashed (exit {child.returncode})", "operatorType": "?"}
            child = None
        results.append({"name": name, **result})
        if not args.json and index % 100 == 99:
            print(f"  {index + 1}/{len(names)} cases", file=sys.stderr)
    if child is not None:
        child.stdin.close()
        child.wait()
    counts = {key: sum(r["outcome"] == key for r in results) for key in ("passed", "failed", "unsupported", "skipped")}
    line = (f"openvino-python on CPU: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['unsupported']} unsupported, {counts['skipped']} skipped of {len(results)}")
    if args.json:
        print(json.dumps({"schemaVersion": 1, "summary": {**counts, "line": line}, "cases": results}, indent=1))
        return
    if args.verbose:
        for result in results:
            if result["outcome"] != "passed":
                print(f"{result['outcome']:<12} {result['name']}: {result['detail'][:200]}")
    print(line)


if __name__ == "__main__":
    main()
