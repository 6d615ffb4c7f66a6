#!/usr/bin/env python3
"""Writes Sources/ONNXModel/Resources/operator-schemas.json from the installed `onnx` package.

Every operator of every domain the package defines, with each version's since-version and
input/output arity. Run with the project's venv: .venv/bin/python Scripts/generate-operator-schemas.py
"""
import json
import pathlib
import sys

import onnx
from onnx import defs

OUT = pathlib.Path(__file__).resolve().parent.parent / "Sources/ONNXModel/Resources/operator-schemas.json"
UNBOUNDED = 2**31 - 1  # onnx reports "variadic" as INT_MAX; JSON keeps null instead


def arity(value):
    return None if value >= UNBOUNDED else value


def newest_opsets():
    # VERSION_TABLE rows: (release, IR version, ai.onnx opset, ai.onnx.ml opset[, training opset]).
    row = onnx.helper.VERSION_TABLE[-1]
    opsets = {"ai.onnx": row[2], "ai.onnx.ml": row[3]}
    if len(row) > 4:
        opsets["ai.onnx.training"] = row[4]
    opsets["ai.onnx.preview.training"] = max(
        s.since_version for s in defs.get_all_schemas_with_history() if s.domain == "ai.onnx.preview.training")
    return opsets


def compact_json(table):
    """One operator per line, so a regenerated table diffs line by line."""
    lines = ["{", f' "onnx": {json.dumps(table["onnx"])},', f' "generatedBy": {json.dumps(table["generatedBy"])},',
             f' "maxOpset": {json.dumps(table["maxOpset"], sort_keys=True)},', ' "domains": {']
    domain_names = list(table["domains"])
    for di, domain in enumerate(domain_names):
        lines.append(f'  {json.dumps(domain)}: {{')
        operators = table["domains"][domain]
        names = list(operators)
        for oi, name in enumerate(names):
            comma = "," if oi < len(names) - 1 else ""
            lines.append(f'   {json.dumps(name)}: {json.dumps(operators[name], separators=(",", ":"))}{comma}')
        lines.append("  }" + ("," if di < len(domain_names) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def main():
    domains = {}
    for schema in defs.get_all_schemas_with_history():
        domain = domains.setdefault(schema.domain, {})
        versions = domain.setdefault(schema.name, [])
        versions.append({
            "since": schema.since_version,
            "deprecated": bool(schema.deprecated),
            "inputs": [schema.min_input, arity(schema.max_input)],
            "outputs": [schema.min_output, arity(schema.max_output)],
        })
    for operators in domains.values():
        for versions in operators.values():
            versions.sort(key=lambda v: v["since"])
    table = {
        "onnx": onnx.__version__,
        "generatedBy": "Scripts/generate-operator-schemas.py",
        "maxOpset": newest_opsets(),
        "domains": {
            (d or "ai.onnx"): {name: domains[d][name] for name in sorted(domains[d])} for d in sorted(domains)
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(compact_json(table))
    count = sum(len(ops) for ops in domains.values())
    print(f"wrote {OUT.relative_to(OUT.parents[3])}: {count} operators in {len(domains)} domains (onnx {onnx.__version__})")


if __name__ == "__main__":
    sys.exit(main())
