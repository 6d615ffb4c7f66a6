#!/usr/bin/env bash
# Regenerates Sources/RemoteBackend/Generated/grpc_predict_v2.{pb,grpc}.swift: the Open Inference
# Protocol's gRPC service (KServe v2, package `inference`, which Triton serves too).
#
# The protocol's definition is taken from the pinned `kserve` wheel in .venv-serving
# (requirements-serving.txt): the wheel ships it compiled, as the descriptor inside
# grpc_predict_v2_pb2.py, which protoc reads as a descriptor set. Needs Debian's protobuf-compiler;
# the two plugins (swift-protobuf's protoc-gen-swift and grpc-swift-protobuf's
# protoc-gen-grpc-swift-2) are built in a package of their own under the scratch folder (SCRATCH,
# default .build-protoc/, ignored by git; CONFIGURATION=debug builds them faster): Tessera itself
# does not depend on grpc-swift-protobuf, whose plugins would bring protoc into every build, so the
# generated client is pointed at RemoteBackend's own message coding (ProtobufMessageCoding.swift).
# They take minutes to build, which is why the output is committed and CI never runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."

out=Sources/RemoteBackend/Generated
scratch=${SCRATCH:-.build-protoc}
configuration=${CONFIGURATION:-release}
command -v protoc >/dev/null || { echo "protoc missing: apt-get install protobuf-compiler" >&2; exit 1; }
[ -x .venv-serving/bin/python ] || { echo ".venv-serving missing: run Scripts/setup.sh --deps" >&2; exit 1; }

tools="$scratch/tools"
mkdir -p "$tools"
cat >"$tools/Package.swift" <<'SWIFT'
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "InferenceGRPCTools",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
    ]
)
SWIFT
build=(swift build -c "$configuration" --package-path "$tools" --scratch-path "$scratch/tools-build")
"${build[@]}" --product protoc-gen-swift
"${build[@]}" --product protoc-gen-grpc-swift-2
bin=$("${build[@]}" --show-bin-path)

descriptors=$(mktemp)
trap 'rm -f "$descriptors"' EXIT
.venv-serving/bin/python - "$descriptors" <<'PY'
import sys
from google.protobuf import descriptor_pb2
from kserve.protocol.grpc import grpc_predict_v2_pb2

files = descriptor_pb2.FileDescriptorSet()
files.file.add().ParseFromString(grpc_predict_v2_pb2.DESCRIPTOR.serialized_pb)
open(sys.argv[1], "wb").write(files.SerializeToString())
PY

protoc --descriptor_set_in="$descriptors" \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" --swift_opt=Visibility=Internal --swift_out="$out" \
    --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
    --grpc-swift_opt=Visibility=Internal,Server=false --grpc-swift_out="$out" \
    grpc_predict_v2.proto
sed -i -e '/^import GRPCProtobuf$/d' -e 's/GRPCProtobuf\.ProtobufSerializer/ProtobufMessageSerializer/g' \
    -e 's/GRPCProtobuf\.ProtobufDeserializer/ProtobufMessageDeserializer/g' "$out/grpc_predict_v2.grpc.swift"
echo "regenerated $out from kserve $(.venv-serving/bin/python -m pip show kserve | sed -n 's/^Version: //p')"
