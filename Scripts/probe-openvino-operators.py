#!/usr/bin/env python3
"""Measures which ONNX operators OpenVINO's CPU plugin accepts, and writes Tessera's support table
`Sources/OpenVINOBackend/Resources/operators-openvino.json` (an `OperatorSupportTable`).

Usage: .venv/bin/python Scripts/probe-openvino-operators.py [--output PATH] [--report PATH]

Method
------
1. Source models: every one-node model of ONNX's node test suite as Debian ships it
   (`/usr/share/libonnx-testdata/data/node/*/model.onnx`). Multi-node cases (the `_expanded`
   function bodies) test other operators and are skipped.
2. Each model names one (domain, operator, since-version): the since-version is what the model's
   opset import resolves to in `onnx.defs`, exactly as Tessera's `ModelSummary` resolves it.
   The element type of the node's first input is the type the table records.
3. Variants, so the table covers the opsets real models use and not only the test suite's:
   - the model with every input but the first turned into an initializer holding the case's
     `test_data_set_0` value: test models feed axes, shapes and scales as graph inputs, real
     models store them as constants, and OpenVINO needs some of them constant (Unsqueeze-13's
     axes, for one);
   - the same model re-targeted to every other since-version of the operator (older and newer),
     both by changing its opset import alone (passing an empty tensor for an input the model
     omits but the older schema requires, like Resize-11's `roi`) and with `onnx.version_converter` (which moves
     inputs to attributes where older schemas had them, e.g. Squeeze-13's axes to Squeeze-11's);
     a variant is kept only where it is still one node of the same operator and
     `onnx.checker.check_model(full_check=True)` accepts it, i.e. where that version's schema
     allows it;
   - of each float case, a float16 copy (every float tensor, initializer and tensor attribute
     converted), kept only where the checker accepts it.
4. Each model is compiled with `openvino.Core().compile_model(path, "CPU")` in a child process,
   so a crash inside OpenVINO counts as a failure instead of ending the probe. Once a
   (domain, operator, since-version, type) has compiled, its other cases are not tried.
5. The table: for each operator, the since-versions with at least one success become entries
   covering up to the next since-version ONNX defines (open-ended for the newest), each listing
   the first-input types that compiled (no list when the operator has no inputs); neighbouring
   entries with equal type lists are merged.

Compiling proves OpenVINO has a conversion and a CPU implementation; it does not prove the
numbers are right (the conformance suite does that).
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np
import onnx
import onnx.version_converter
from onnx import TensorProto, defs, helper, numpy_helper

NODE_DATA = "/usr/share/libonnx-testdata/data/node"
TYPE_NAMES = {
    1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool",
    10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16",
    17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz", 21: "uint4", 22: "int4",
    23: "float4e2m1",
}


def canonical(domain):
    return "ai.onnx" if domain in ("", "ai.onnx") else domain


def since_versions(op, domain):
    """Every since-version ONNX defines for the operator, ascending."""
    return sorted({s.since_version for s in defs.get_all_schemas_with_history()
                   if s.name == op and canonical(s.domain) == canonical(domain)})


def first_input_type(model):
    node = model.graph.node[0]
    if not node.input or not node.input[0]:
        return None
    name = node.input[0]
    for value in list(model.graph.input) + list(model.graph.value_info):
        if value.name == name and value.type.HasField("tensor_type"):
            return TYPE_NAMES.get(value.type.tensor_type.elem_type, str(value.type.tensor_type.elem_type))
    for tensor in model.graph.initializer:
        if tensor.name == name:
            return TYPE_NAMES.get(tensor.data_type, str(tensor.data_type))
    return "unknown"


def retarget(model, domain, version):
    """The model with the operator's domain imported at `version`; None if the schema refuses it."""
    variant = copy.deepcopy(model)
    for opset in variant.opset_import:
        if canonical(opset.domain) == canonical(domain):
            opset.version = version
    if canonical(domain) == "ai.onnx":
        try:
            variant.ir_version = max(variant.ir_version, helper.find_min_ir_version_for(list(variant.opset_import)))
        except Exception:
            pass
    if valid(variant):
        return variant
    filled = fill_required_inputs(variant, domain, version)
    return filled if filled is not None and valid(filled) else None


def fill_required_inputs(model, domain, version):
    """Where the older schema requires an input that the model omits (`""`, as Resize-13 omits
    `roi`, which Resize-11 requires), passes an empty tensor of the first type the schema allows."""
    node = model.graph.node[0]
    try:
        schema = defs.get_schema(node.op_type, version, "" if canonical(domain) == "ai.onnx" else domain)
    except Exception:
        return None
    allowed = {c.type_param_str: list(c.allowed_type_strs) for c in schema.type_constraints}
    changed = False
    for index, name in enumerate(node.input):
        if name or index >= len(schema.inputs):
            continue
        formal = schema.inputs[index]
        if formal.option != defs.OpSchema.FormalParameterOption.Single:
            continue
        types = allowed.get(formal.type_str, [formal.type_str])
        element = next((t[len("tensor("):-1] for t in types if t.startswith("tensor(")), None)
        code = {name: code for code, name in TYPE_NAMES.items()}.get("float" if element == "float" else element)
        if code is None:
            return None
        filler = f"empty_{formal.name}"
        model.graph.initializer.append(helper.make_tensor(filler, code, [0], []))
        node.input[index] = filler
        changed = True
    return model if changed else None


def convert(model, domain, version):
    """The model converted by onnx's version converter to opset `version`; None where it cannot be."""
    if canonical(domain) != "ai.onnx":
        return None
    try:
        variant = onnx.version_converter.convert_version(model, version)
    except Exception:
        return None
    original = model.graph.node[0]
    if len(variant.graph.node) != 1 or variant.graph.node[0].op_type != original.op_type:
        return None
    return variant if valid(variant) else None


def to_float16(model):
    """A copy with every float tensor made float16; None if the result is not a valid model."""
    variant = copy.deepcopy(model)
    graph = variant.graph
    for value in list(graph.input) + list(graph.output) + list(graph.value_info):
        if value.type.HasField("tensor_type") and value.type.tensor_type.elem_type == TensorProto.FLOAT:
            value.type.tensor_type.elem_type = TensorProto.FLOAT16

    def convert(tensor):
        if tensor.data_type == TensorProto.FLOAT:
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float16), tensor.name))

    for tensor in graph.initializer:
        convert(tensor)
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.TENSOR:
                convert(attribute.t)
    return variant if valid(variant) else None


def with_constant_inputs(model, case_folder):
    """A copy whose inputs after the first are initializers with the case's recorded values."""
    constants = {t.name for t in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in constants]
    if len(inputs) < 2:
        return None
    variant = copy.deepcopy(model)
    for index, value in enumerate(inputs[1:], start=1):
        path = os.path.join(case_folder, "test_data_set_0", f"input_{index}.pb")
        if not os.path.exists(path) or not value.type.HasField("tensor_type"):
            return None
        tensor = onnx.load_tensor(path)
        tensor.name = value.name
        variant.graph.initializer.append(tensor)
    keep = [v for v in variant.graph.input if v.name == inputs[0].name or v.name in constants]
    del variant.graph.input[:]
    variant.graph.input.extend(keep)
    return variant if valid(variant) else None


def valid(model):
    try:
        onnx.checker.check_model(model, full_check=True)
        return True
    except Exception:
        return False


def cases():
    """(key, model) for every probe model: key = (domain, op, since, first input type)."""
    for case in sorted(os.listdir(NODE_DATA)):
        path = os.path.join(NODE_DATA, case, "model.onnx")
        if not os.path.exists(path):
            continue
        model = onnx.load(path)
        if len(model.graph.node) != 1:
            continue
        node = model.graph.node[0]
        domain = canonical(node.domain)
        opset = next((o.version for o in model.opset_import if canonical(o.domain) == domain), None)
        try:
            since = defs.get_schema(node.op_type, opset, "" if domain == "ai.onnx" else domain).since_version
        except Exception:
            continue  # an operator this onnx release no longer defines
        bases = [model]
        constant = with_constant_inputs(model, os.path.join(NODE_DATA, case))
        if constant is not None:
            bases.append(constant)
        variants = [(since, base) for base in bases]
        for version in since_versions(node.op_type, domain):
            if version != since:
                for base in bases:
                    for other in (retarget(base, domain, version), convert(base, domain, version)):
                        if other is not None:
                            variants.append((version, other))
        for version, variant in variants:
            yield (domain, node.op_type, version, first_input_type(variant)), variant, case
            if first_input_type(variant) == "float":
                half = to_float16(variant)
                if half is not None:
                    yield (domain, node.op_type, version, "float16"), half, case


def worker():
    """Child process: compiles each model path read from stdin, one verdict per line."""
    import openvino
    core = openvino.Core()
    for line in sys.stdin:
        path = line.strip()
        try:
            core.compile_model(path, "CPU")
            print("ok", flush=True)
        except Exception as error:
            print("fail " + " ".join(str(error).split())[:300], flush=True)


def compile_all(paths):
    """Verdicts for `paths`, restarting the child after a crash (which fails that model)."""
    verdicts = []
    while len(verdicts) < len(paths):
        pending = paths[len(verdicts):]
        child = subprocess.run([sys.executable, __file__, "--worker"], input="\n".join(pending) + "\n",
                               capture_output=True, text=True)
        lines = [line for line in child.stdout.splitlines() if line.startswith(("ok", "fail"))]
        verdicts += lines
        if len(verdicts) < len(paths):
            verdicts.append(f"fail crashed (exit {child.returncode})")
    return verdicts


def collapse(successes, op, domain):
    """Entries for one operator from {since: set of types (None = no typed input)}."""
    versions = since_versions(op, domain)
    entries = []
    for since in sorted(successes):
        later = [v for v in versions if v > since]
        types = successes[since]
        entry = {"since": since}
        if later:
            entry["until"] = later[0] - 1
        if None not in types:
            entry["types"] = sorted(types)
        previous = entries[-1] if entries else None
        if previous and previous.get("until") == since - 1 and previous.get("types") == entry.get("types"):
            previous.pop("until")
            if "until" in entry:
                previous["until"] = entry["until"]
        else:
            entries.append(entry)
    return entries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "..",
                                                         "Sources/OpenVINOBackend/Resources/operators-openvino.json"))
    parser.add_argument("--report", help="also write every case's verdict here (JSON)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()

    import openvino
    version = openvino.get_version().split("-")[0]
    results = defaultdict(lambda: defaultdict(set))  # (domain, op) -> since -> types
    report = []
    with tempfile.TemporaryDirectory() as folder:
        pending = defaultdict(list)  # key -> [(path, case)], tried in order until one compiles
        for index, (key, model, case) in enumerate(cases()):
            path = os.path.join(folder, f"{index}.onnx")
            onnx.save(model, path)
            pending[key].append((path, case))
        round_index = 0
        while pending:
            batch = [(key, items[round_index]) for key, items in pending.items() if round_index < len(items)]
            if not batch:
                break
            verdicts = compile_all([path for _, (path, _) in batch])
            for (key, (path, case)), verdict in zip(batch, verdicts):
                report.append({"case": case, "key": list(key), "verdict": verdict})
                if verdict == "ok":
                    domain, op, since, type_name = key
                    results[(domain, op)][since].add(type_name)
                    del pending[key]
            round_index += 1
            print(f"round {round_index}: {len(batch)} models, {len(pending)} keys still failing", file=sys.stderr)

    operators = defaultdict(dict)
    for (domain, op), successes in sorted(results.items()):
        operators[domain][op] = collapse(successes, op, domain)
    table = {"library": "openvino", "libraryVersion": version, "device": "CPU",
             "method": "Scripts/probe-openvino-operators.py (one-node ONNX test models compiled by the CPU plugin)",
             "operators": {domain: dict(sorted(ops.items())) for domain, ops in sorted(operators.items())}}
    with open(args.output, "w") as out:
        json.dump(table, out, indent=1, sort_keys=False)
        out.write("\n")
    if args.report:
        with open(args.report, "w") as out:
            json.dump(report, out, indent=1)
    print(f"{sum(len(ops) for ops in operators.values())} operators written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
