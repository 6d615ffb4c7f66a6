#!/usr/bin/env python3
"""Measures which ONNX operators ONNX Runtime's CPU provider can run, by loading one-node models.

Usage:  .venv/bin/python Scripts/probe-onnxruntime-operators.py [OUTPUT.json]
Default output: Sources/ONNXRuntimeBackend/Resources/operators-onnxruntime.json

`ai.onnx.ml` operators are listed as ORT's CPU kernel registry has them (any element type); what
follows describes the `ai.onnx` probes.

What it does, for every `ai.onnx` operator in `onnx.defs.get_all_schemas_with_history()` and every
since-version of it:
  * The element types probed are those of the type variable bound to the operator's FIRST INPUT
    (that is what `OperatorSupportTable` checks a node against); an operator whose first input has
    a fixed type, or no inputs, is probed once and gets `types: null` (any).
  * For each type, candidate one-node models are tried until one gives a conclusive answer:
      1. Debian's ONNX node tests (`/usr/share/libonnx-testdata/data/{node,pytorch-*}/*/model.onnx`)
         that hold a single node of the operator, re-stamped with `opset_import = since-version`
         (and the lowest IR version that opset needs), with every graph input, initializer and
         output bound to that type variable re-typed;
      2. a synthesized node: the schema's required inputs as rank-free graph inputs, required
         attributes filled with simple values.
  * Each candidate is loaded with `onnxruntime.InferenceSession` on the CPU provider with graph
    optimization off. Creating a session resolves every kernel, so loading is the test; nothing
    is run. A load succeeds: supported. ORT says "Could not find an implementation" or "not a
    registered function/op": missing for that type (unless another candidate loads). Any other
    error (the re-typed or re-stamped model is invalid for that version) is inconclusive.
  * Supported = some candidate loaded, OR ORT's own kernel registry (`get_all_opkernel_def()`) has
    a CPU kernel for (operator, since-version, type). The registry decides where every candidate was
    inconclusive, and overrides a "missing" that came from another input or attribute of the probe
    model. A load counts even without a kernel: ORT inserts float16→float casts around float-only
    CPU kernels and expands ONNX function bodies, which the registry does not show. The script
    prints these disagreements. A registered kernel with an open version range only covers schema
    versions before the operator's next since-version (ORT does not match it to a newer one).
Consecutive since-versions with the same supported types are collapsed into one entry
`{since, until, types}`; `until` is the last since-version of the run, so a newer version than the
probed onnx package knows is reported as "version too new". `maxOpset` is the newest ai.onnx opset a
model may import and still load; `maxIRVersion` the newest IR version the library accepts.

Reproducible: the inputs are the pinned wheels (requirements.txt: onnx 1.23.2, onnxruntime 1.31.1)
and the Debian package libonnx-testdata; no randomness. Runs in about a minute on two cores.
"""
import collections
import glob
import json
import os
import sys

import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.capi import _pybind_state as ort_c

TESTDATA = "/usr/share/libonnx-testdata/data"
DEFAULT_OUTPUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "ONNXRuntimeBackend", "Resources",
                              "operators-onnxruntime.json")

# Element types probed, by their ONNX names (the same names Tessera's DataType.onnxName uses).
ELEMENT_TYPES = {
    name: getattr(TensorProto, name.upper())
    for name in ("float", "double", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "uint16",
                 "uint32", "uint64", "bool", "string", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2",
                 "float8e5m2fnuz", "uint4", "int4", "float4e2m1")
}


def tensor_type_name(type_string):
    """'tensor(float)' → 'float'; None for sequences, maps, optionals and unknown names."""
    if type_string.startswith("tensor(") and type_string.endswith(")"):
        name = type_string[len("tensor("):-1]
        return name if name in ELEMENT_TYPES else None
    return None


OPTIONS = ort.SessionOptions()
OPTIONS.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
OPTIONS.log_severity_level = 4
OPTIONS.intra_op_num_threads = 1  # no thread pool to start per probe


def try_load(model):
    """'ok', 'missing' or 'inconclusive' for one candidate model."""
    try:
        ort.InferenceSession(model.SerializeToString(), OPTIONS, providers=["CPUExecutionProvider"])
        return "ok"
    except Exception as error:  # ORT raises several exception types; the message decides
        text = str(error)
        if "Could not find an implementation" in text or "is not a registered function/op" in text:
            return "missing"
        return "inconclusive"


def stamp(model, opset):
    model.ClearField("opset_import")
    model.opset_import.append(helper.make_opsetid("", opset))
    try:
        model.ir_version = helper.find_min_ir_version_for([helper.make_opsetid("", opset)])
    except ValueError:  # an opset newer than onnx's own version table: the newest IR
        model.ir_version = onnx.IR_VERSION
    return model


def formal_index(schema, position, outputs=False):
    params = schema.outputs if outputs else schema.inputs
    if not params:
        return None
    if position < len(params):
        return position
    last = params[-1]
    return len(params) - 1 if last.option == onnx.defs.OpSchema.FormalParameterOption.Variadic else None


def load_templates():
    """op type → [ModelProto] for the single-node test models of the default domain."""
    paths = sorted(glob.glob(f"{TESTDATA}/node/*/model.onnx") + glob.glob(f"{TESTDATA}/pytorch-*/*/model.onnx"))
    templates = collections.defaultdict(list)
    for path in paths:
        model = onnx.load(path)
        if len(model.graph.node) == 1 and model.graph.node[0].domain in ("", "ai.onnx"):
            templates[model.graph.node[0].op_type].append(model)
    return templates


def retyped_template(template, schema, variable, element, opset):
    """The template with everything bound to `variable` re-typed to `element`, stamped `opset`."""
    model = onnx.ModelProto()
    model.CopyFrom(template)
    model.graph.ClearField("value_info")
    node = model.graph.node[0]
    initializers = {t.name: t for t in model.graph.initializer}
    graph_inputs = {v.name: v for v in model.graph.input}
    graph_outputs = {v.name: v for v in model.graph.output}
    if variable is not None and element is not None:
        target = ELEMENT_TYPES[element]
        for position, name in enumerate(node.input):
            index = formal_index(schema, position)
            if not name or index is None or schema.inputs[index].type_str != variable:
                continue
            if name in initializers:
                try:
                    array = numpy_helper.to_array(initializers[name])
                    cast = array.astype(helper.tensor_dtype_to_np_dtype(target))
                    initializers[name].CopyFrom(numpy_helper.from_array(cast, name))
                except (ValueError, TypeError, NotImplementedError):
                    return None  # no sensible cast (numbers to strings): not a usable candidate
            if name in graph_inputs and graph_inputs[name].type.HasField("tensor_type"):
                graph_inputs[name].type.tensor_type.elem_type = target
        for position, name in enumerate(node.output):
            index = formal_index(schema, position, outputs=True)
            if index is not None and schema.outputs[index].type_str == variable and name in graph_outputs:
                if graph_outputs[name].type.HasField("tensor_type"):
                    graph_outputs[name].type.tensor_type.elem_type = target
    return stamp(model, opset)


def value_type(type_string):
    """A TypeProto for a formal parameter's type string, or None when none can be made."""
    name = tensor_type_name(type_string)
    if name:
        return helper.make_tensor_type_proto(ELEMENT_TYPES[name], None)
    if type_string.startswith("seq(") and type_string.endswith(")"):
        inner = value_type(type_string[4:-1])
        return helper.make_sequence_type_proto(inner) if inner else None
    return None


def pick(schema, type_string, variable, element):
    """The concrete type string for a parameter: the probed element for the probed variable, a common
    tensor type for other variables."""
    constraints = {c.type_param_str: list(c.allowed_type_strs) for c in schema.type_constraints}
    if type_string not in constraints:
        return type_string
    allowed = constraints[type_string]
    if type_string == variable:
        return f"tensor({element})" if f"tensor({element})" in allowed else allowed[0]
    for preference in (f"tensor({element})", "tensor(float)", "tensor(int64)", "seq(tensor(float))"):
        if preference in allowed:
            return preference
    return allowed[0]


ATTRIBUTE_DEFAULTS = {
    onnx.defs.OpSchema.AttrType.INT: 1, onnx.defs.OpSchema.AttrType.FLOAT: 1.0,
    onnx.defs.OpSchema.AttrType.STRING: "a", onnx.defs.OpSchema.AttrType.INTS: [1],
    onnx.defs.OpSchema.AttrType.FLOATS: [1.0], onnx.defs.OpSchema.AttrType.STRINGS: ["a"],
}


def synthesized(schema, variable, element, opset):
    """A node with the schema's required inputs and attributes, or None when one cannot be made."""
    inputs, outputs, attributes = [], [], {}
    for index, param in enumerate(schema.inputs):
        if index >= max(schema.min_input, 1) or param.option == onnx.defs.OpSchema.FormalParameterOption.Optional:
            break
        proto = value_type(pick(schema, param.type_str, variable, element))
        if proto is None:
            return None
        inputs.append(helper.make_value_info(f"x{index}", proto))
    for index, param in enumerate(schema.outputs[: max(schema.min_output, 1)]):
        outputs.append(helper.make_value_info(f"y{index}", onnx.TypeProto()))
    for name, attribute in schema.attributes.items():
        if attribute.required:
            if attribute.type not in ATTRIBUTE_DEFAULTS:
                return None
            attributes[name] = ATTRIBUTE_DEFAULTS[attribute.type]
    node = helper.make_node(schema.name, [v.name for v in inputs], [v.name for v in outputs], **attributes)
    graph = helper.make_graph([node], "probe", inputs, outputs)
    return stamp(helper.make_model(graph), opset)


def registry(domains=("", "ai.onnx")):
    """op → ORT's CPU kernels for it in `domains`, from ORT's kernel registry."""
    kernels = collections.defaultdict(list)
    for kernel in ort_c.get_all_opkernel_def():
        if kernel.provider == "CPUExecutionProvider" and kernel.domain in domains:
            kernels[kernel.op_name].append(kernel)
    return kernels


def registry_supports(kernels, op, version, variable, element, since_versions):
    """Whether a registered kernel covers (op, since-version, element). A kernel registered without an
    end (high = INT_MAX) only covers schema versions before the next since-version after its start:
    ORT does not match it to a newer definition of the operator."""
    for kernel in kernels.get(op, []):
        low, high = kernel.version_range
        if high >= 2**31 - 1:
            later = [s for s in since_versions if s > low]
            high = later[0] - 1 if later else high
        if low <= version <= high:
            allowed = kernel.type_constraints.get(variable) if variable else None
            if allowed is None or element is None or f"tensor({element})" in allowed:
                return True
    return False


def ml_operators():
    """The ai.onnx.ml operators ORT's CPU kernel registry covers, by since-version, any element
    type: their inputs are maps and sequences of maps that the one-node probes do not build."""
    kernels = registry(("ai.onnx.ml",))
    by_op = collections.defaultdict(list)
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain == "ai.onnx.ml":
            by_op[schema.name].append(schema.since_version)
    table = {}
    for op in sorted(by_op):
        since_versions = sorted(by_op[op])
        entries = []
        for since in since_versions:
            if not registry_supports(kernels, op, since, None, None, since_versions):
                continue
            earlier = [s for s in since_versions if s < since]
            if entries and earlier and entries[-1]["until"] == earlier[-1]:
                entries[-1]["until"] = since
            else:
                entries.append({"since": since, "until": since, "types": None})
        if entries:
            table[op] = entries
    return table


def max_loadable_opset():
    newest = 0
    for opset in range(1, onnx.defs.onnx_opset_version() + 3):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
        graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "opset", [x], [y])
        if try_load(stamp(helper.make_model(graph), opset)) == "ok":
            newest = opset
    return newest


def max_loadable_ir_version():
    newest = 0
    for ir_version in range(3, onnx.IR_VERSION + 3):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
        graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "ir", [x], [y])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = ir_version
        if try_load(model) == "ok":
            newest = ir_version
    return newest


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT
    templates = load_templates()
    kernels = registry()
    by_op = collections.defaultdict(list)
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain == "":
            by_op[schema.name].append(schema)
    stats = collections.Counter()
    disagreements = []
    table = {}
    for op in sorted(by_op):
        versions = sorted(by_op[op], key=lambda s: s.since_version)
        results = []  # (since, set of supported type names, or None meaning "any")
        for schema in versions:
            since = schema.since_version
            first = schema.inputs[0] if schema.inputs else None
            constraints = {c.type_param_str: list(c.allowed_type_strs) for c in schema.type_constraints}
            variable = first.type_str if first is not None and first.type_str in constraints else None
            elements = [n for n in map(tensor_type_name, constraints.get(variable, [])) if n] if variable else []
            if not elements:  # no inputs, a fixed type, or sequences: probed once, any type
                elements = [None]
            supported = set()
            for element in elements:
                verdict = "inconclusive"
                candidates = [retyped_template(t, schema, variable, element, since) for t in templates.get(op, [])]
                candidates.append(synthesized(schema, variable, element or "float", since))
                for candidate in candidates:
                    if candidate is None:
                        continue
                    outcome = try_load(candidate)
                    if outcome == "ok":
                        verdict = "ok"
                        break
                    if outcome == "missing":
                        verdict = "missing"
                stats[verdict] += 1
                since_versions = [s.since_version for s in versions]
                in_registry = registry_supports(kernels, op, since, variable, element, since_versions)
                if verdict == "inconclusive":
                    stats["decided by registry"] += 1
                elif (verdict == "ok") != in_registry:
                    disagreements.append(f"{op}-{since} {element or '*'}: probe {verdict}, registry {in_registry}")
                # A load proves support (ORT may insert casts or expand a function body, which the
                # registry does not show); a kernel in the registry proves it too, when a probe model
                # failed only for a reason beyond the first input's type (another input, an attribute).
                if in_registry:
                    verdict = "ok"
                if verdict == "ok":
                    supported.add(element)
            results.append((since, None if elements == [None] and supported else sorted(t for t in supported if t)))
        entries = []
        for since, types in results:
            if types == []:
                continue
            if entries and entries[-1]["types"] == types and entries[-1]["until"] == previous_since(results, since):
                entries[-1]["until"] = since
            else:
                entries.append({"since": since, "until": since, "types": types})
        if entries:
            table[op] = entries
    document = {
        "library": "onnxruntime",
        "libraryVersion": ort.__version__,
        "provider": "CPUExecutionProvider",
        "onnxVersion": onnx.__version__,
        "maxOpset": max_loadable_opset(),
        "maxIRVersion": max_loadable_ir_version(),
        "generatedBy": "Scripts/probe-onnxruntime-operators.py",
        "operators": {"ai.onnx": table, "ai.onnx.ml": ml_operators()},
    }
    with open(output, "w") as file:
        json.dump(document, file, indent=1, sort_keys=True)
        file.write("\n")
    print(f"{len(table)} of {len(by_op)} operators; probes: {dict(stats)}")
    print(f"{len(disagreements)} disagreements with ORT's kernel registry (a load or a registered kernel counts as support):")
    for line in disagreements:
        print("  " + line)


def previous_since(results, since):
    """The since-version just before `since` in this operator's history."""
    earlier = [s for s, _ in results if s < since]
    return earlier[-1] if earlier else None


if __name__ == "__main__":
    main()
