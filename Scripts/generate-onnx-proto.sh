#!/usr/bin/env bash
# Regenerates Sources/ONNXModel/Generated/onnx.pb.swift from the onnx.proto of the pinned `onnx` wheel.
#
# Needs Debian's protobuf-compiler and swift-protobuf's protoc-gen-swift plugin. The plugin takes
# minutes to build, which is why its output is committed and CI never runs this script. Give a
# built plugin with PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift, or let the script build the
# version Package.swift pins into .build-protoc/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

proto_dir=$(.venv/bin/python -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')
out=Sources/ONNXModel/Generated
command -v protoc >/dev/null || { echo "protoc missing: apt-get install protobuf-compiler" >&2; exit 1; }

plugin=${PROTOC_GEN_SWIFT:-}
if [ -z "$plugin" ]; then
    version=$(sed -n 's/.*swift-protobuf", from: "\([0-9.]*\)".*/\1/p' Package.swift)
    if [ ! -d .build-protoc/swift-protobuf ]; then
        git clone --quiet https://github.com/apple/swift-protobuf .build-protoc/swift-protobuf
    fi
    git -C .build-protoc/swift-protobuf checkout --quiet "$version"
    swift build -c release --package-path .build-protoc/swift-protobuf --product protoc-gen-swift
    plugin=.build-protoc/swift-protobuf/.build/release/protoc-gen-swift
fi

cp "$proto_dir/onnx.proto" "$out/onnx.proto"
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$out" \
    --swift_opt=Visibility=Internal --swift_out="$out" "$out/onnx.proto"
echo "regenerated $out/onnx.pb.swift from onnx $(.venv/bin/python -c 'import onnx; print(onnx.__version__)')"
