"""A KServe ModelServer serving one ONNX model with onnxruntime, REST only, on 127.0.0.1.

    kserve_onnx_server.py MODEL.onnx --name NAME --http-port PORT [--input-type FP32]

The second, independent implementation of the Open Inference Protocol the remote backend is
tested against (Triton is the first). KServe's REST server listens on every interface and its
gRPC server on [::]; the tests want loopback only, so uvicorn's host is pinned to 127.0.0.1 and
gRPC is left off (Triton covers it). `--input-type` lets a test serve wrong metadata on purpose.
"""

import argparse
import sys

import numpy as np
import onnxruntime

# KServe parses sys.argv itself when imported: hand it only the program name.
arguments = sys.argv[1:]
sys.argv = sys.argv[:1]

import kserve  # noqa: E402
import uvicorn  # noqa: E402
from kserve.protocol.infer_type import InferOutput, InferResponse  # noqa: E402

ONNX_TYPES = {"tensor(float)": "FP32", "tensor(float16)": "FP16", "tensor(double)": "FP64", "tensor(int64)": "INT64"}


class LoopbackConfig(uvicorn.Config):
    """uvicorn's configuration with the host pinned to loopback, whatever KServe asks for."""

    def __init__(self, *args, **kwargs):
        kwargs["host"] = "127.0.0.1"
        super().__init__(*args, **kwargs)


class OnnxModel(kserve.Model):
    def __init__(self, name, path, input_type):
        super().__init__(name)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.input_type = input_type
        self.ready = True

    @staticmethod
    def describe(values, datatype=None):
        return [{"name": v.name, "datatype": datatype or ONNX_TYPES.get(v.type, "BYTES"),
                 "shape": [d if isinstance(d, int) else -1 for d in v.shape]} for v in values]

    def get_input_types(self):
        return self.describe(self.session.get_inputs(), self.input_type)

    def get_output_types(self):
        return self.describe(self.session.get_outputs())

    async def predict(self, payload, headers=None, response_headers=None):
        feeds = {tensor.name: tensor.as_numpy().astype(np.float32) for tensor in payload.inputs}
        names = [output.name for output in self.session.get_outputs()]
        outputs = []
        for name, value in zip(names, self.session.run(names, feeds)):
            output = InferOutput(name=name, shape=list(value.shape), datatype="FP32")
            output.set_data_from_numpy(value, binary_data=True)
            outputs.append(output)
        return InferResponse(response_id=payload.id or "", model_name=self.name, infer_outputs=outputs,
                             use_binary_outputs=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--name", required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--input-type", default=None)
    args = parser.parse_args(arguments)
    uvicorn.Config = LoopbackConfig
    import kserve.protocol.rest.server as rest_server
    rest_server.uvicorn.Config = LoopbackConfig
    model = OnnxModel(args.name, args.model, args.input_type)
    kserve.ModelServer(http_port=args.http_port, enable_grpc=False, workers=1).start([model])


if __name__ == "__main__":
    main()
