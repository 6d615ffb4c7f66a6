#!/usr/bin/env python3
"""Writes docs/reference-engine-failures.md: every node case the reference engine does not pass, on
Debian's libonnx-testdata 1.12 and on the onnx wheel's current cases, grouped by reason.

Usage: .venv/bin/python Scripts/list-reference-failures.py [TESSERA]

TESSERA is the `tessera` binary (default: .build/debug/tessera). It runs
`tessera conformance --library reference --json` on both suites. `NodeSuiteTests` fails when the
list and the engine disagree, so the file stays true: rerun this after changing the engine.

Reasons:
- Data fault: the recorded expected outputs are wrong by the operator's specification (named
  below, with why); no correct implementation passes.
- Random: the expected outputs are random draws.
- Not implemented: the engine refuses the model (an operator, type or value kind it lacks).
- Known difference: the engine runs the model and disagrees; the detail says where.
"""
import collections
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "reference-engine-failures.md"
SUITES = [
    ("Debian libonnx-testdata 1.12", "/usr/share/libonnx-testdata/data"),
    ("onnx 1.23.2 node cases", str(ROOT / "fixtures" / "onnx-node-suite")),
]
# onnx 1.12 truncated float32 to bfloat16 when it wrote these outputs; the specification (and the
# engine, and onnx 1.23's own cases) round to nearest even, so exactly the truncated elements differ.
BFLOAT16_TRUNCATION = "expected outputs truncate float32 to bfloat16 instead of rounding to nearest even"
# onnx 1.12's generator computed test_adam_multiple's outputs with epsilon 1e-2 but wrote the node
# without the attribute, so the node means the default 1e-6 (every output matches with 1e-2).
ADAM_EPSILON = "expected outputs use epsilon 1e-2; the node has no epsilon attribute, so 1e-6 applies"
DATA_FAULTS = {
    "Debian libonnx-testdata 1.12": {
        "test_adam_multiple": ADAM_EPSILON,
        "test_cast_FLOAT_to_BFLOAT16": BFLOAT16_TRUNCATION,
        "test_castlike_FLOAT_to_BFLOAT16": BFLOAT16_TRUNCATION,
        "test_castlike_FLOAT_to_BFLOAT16_expanded": BFLOAT16_TRUNCATION,
    },
    "onnx 1.23.2 node cases": {
        "test_convinteger_with_padding": "w has two output channels of all-ones weights, so both output channels are equal; "
        "the expected second channel is all zeros",
    },
}
REASONS = ["Data fault", "Random", "Not implemented", "Known difference"]
# Why the engine's answer differs where that is understood, by a fragment of the case name.
DIFFERENCES = {
    "_bf16": "the expected outputs round every intermediate to bfloat16; the engine computes in float32 and rounds once",
    "_fp16_expanded": "the expected outputs round every intermediate to float16; the engine computes in float32 and rounds once",
}


def operator(case):
    """The operator to charge a case to: the one the engine reports missing, else the case's first
    node's (an expanded case's first node is often a Constant, not the operator that failed)."""
    missing = re.search(r"operator (\S+?)-\d+ is not implemented", case["detail"])
    return missing.group(1) if missing else case["operatorType"]


def classify(suite, case):
    """(reason, why) for one case that did not pass."""
    detail = " ".join(case["detail"].split())
    if case["name"] in DATA_FAULTS[suite]:
        return "Data fault", DATA_FAULTS[suite][case["name"]]
    if case["outcome"] == "skipped":
        if "random" in detail:
            return "Random", detail
        return "Not implemented", "value the harness cannot read: " + detail
    if case["outcome"] == "unsupported":
        # Keep what follows the model path: the node and what the engine lacks.
        return "Not implemented", detail.split(".onnx: ", 1)[-1][:200]
    why = next((text for fragment, text in DIFFERENCES.items() if fragment in case["name"]), None)
    return "Known difference", f"{why} ({detail[:120]})" if why else detail[:200]


def main():
    tessera = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "debug" / "tessera")
    lines = [
        "# Node cases the reference engine does not pass",
        "",
        "Written by `Scripts/list-reference-failures.py` from `tessera conformance --library reference`;",
        "`NodeSuiteTests` fails when this list and the engine disagree. Reasons: *data fault* (the recorded",
        "outputs contradict the operator's specification), *random* (expected outputs are random draws),",
        "*not implemented* (the engine refuses the model), *known difference* (it runs and disagrees).",
    ]
    for suite, data in SUITES:
        report = json.loads(subprocess.run(
            [tessera, "conformance", "--library", "reference", "--data", data, "--json"],
            check=True, capture_output=True, text=True).stdout)
        groups = collections.defaultdict(list)
        for case in report["cases"]:
            if case["outcome"] != "passed":
                reason, why = classify(suite, case)
                groups[reason].append((case["name"], operator(case), why))
        summary = report["summary"]["overall"]
        total = sum(summary.values())
        lines += ["", f"## {suite}: {summary['passed']} of {total} passed"]
        for reason in REASONS:
            if not groups[reason]:
                continue
            by_operator = collections.Counter(op for _, op, _ in groups[reason])
            lines += ["", f"### {reason} ({len(groups[reason])})", ""]
            lines.append("By operator: " + ", ".join(f"{op} {count}" for op, count in by_operator.most_common()) + ".")
            lines.append("")
            lines += [f"- `{name}` ({op}): {why}" for name, op, why in sorted(groups[reason])]
    OUTPUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
