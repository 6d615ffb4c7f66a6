#!/usr/bin/env python3
"""Writes the node test cases of the installed `onnx` wheel (its case generators,
`onnx.backend.test.case.node.collect_testcases()`) in the usual test-data layout:

    fixtures/onnx-node-suite/node/test_x/model.onnx
    fixtures/onnx-node-suite/node/test_x/test_data_set_0/input_0.pb, output_0.pb, ...

`tessera conformance --data fixtures/onnx-node-suite` runs them. The data is generated, not
committed: the wheel pinned in requirements.txt is its source. A stamp file records the onnx
version and a digest of this script, so a rerun with the same wheel returns at once (collecting
the cases alone takes about 20 s).

Values are written by the type the model declares for them: tensors as TensorProto, sequences as
SequenceProto, optionals as OptionalProto, maps as MapProto (ONNX's own readers expect exactly
this).
"""
import hashlib
import pathlib
import shutil
import sys
import warnings

import onnx
from onnx import numpy_helper

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "onnx-node-suite"
STAMP = ROOT / "stamp.txt"


def serialize(value, value_info):
    """The bytes of one input or output `value` declared by `value_info` (a graph input/output)."""
    kind = value_info.type.WhichOneof("value")
    if kind == "map_type":
        return numpy_helper.from_dict(value, value_info.name).SerializeToString()
    if kind == "sequence_type":
        return numpy_helper.from_list(value, value_info.name).SerializeToString()
    if kind == "optional_type":
        return numpy_helper.from_optional(value, value_info.name).SerializeToString()
    if isinstance(value, onnx.TensorProto):
        # The generators pass already-encoded tensors for types numpy lacks (float8, int4, ...).
        return value.SerializeToString()
    return numpy_helper.from_array(value, value_info.name).SerializeToString()


def write_case(case, folder):
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(case.model.SerializeToString())
    graph = case.model.graph
    for index, (inputs, outputs) in enumerate(case.data_sets):
        data_set = folder / f"test_data_set_{index}"
        data_set.mkdir()
        for position, value in enumerate(inputs):
            (data_set / f"input_{position}.pb").write_bytes(serialize(value, graph.input[position]))
        for position, value in enumerate(outputs):
            (data_set / f"output_{position}.pb").write_bytes(serialize(value, graph.output[position]))


def main():
    # The generators compute their expected outputs with numpy and warn about the overflows and
    # NaNs some cases test on purpose.
    warnings.simplefilter("ignore")
    script = hashlib.sha256(pathlib.Path(__file__).read_bytes()).hexdigest()[:16]
    stamp = f"onnx {onnx.__version__}, script {script}\n"
    if STAMP.exists() and STAMP.read_text() == stamp:
        return
    from onnx.backend.test.case.node import collect_testcases

    cases = collect_testcases()
    if ROOT.exists():
        shutil.rmtree(ROOT)
    node = ROOT / "node"
    node.mkdir(parents=True)
    for case in cases:
        write_case(case, node / case.name)
    STAMP.write_text(stamp)
    print(f"wrote {len(cases)} node cases of onnx {onnx.__version__} to {ROOT}", file=sys.stderr)


if __name__ == "__main__":
    main()
