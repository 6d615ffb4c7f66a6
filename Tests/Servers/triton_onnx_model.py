"""Triton Python-backend model that runs `model.onnx` (beside this file) with onnxruntime on the CPU.

Copied into a model repository as `<name>/1/model.py` by the tests' TritonServer; the input and
output names come from the ONNX file itself, so one script serves any single-input model.
"""

import os

import numpy as np
import onnxruntime
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        folder = os.path.join(args["model_repository"], args["model_version"])
        options = onnxruntime.SessionOptions()
        # Two cores are shared with the test process: one intra-op thread keeps them responsive.
        options.intra_op_num_threads = int(os.environ.get("TESSERA_SERVER_THREADS", "1"))
        self.session = onnxruntime.InferenceSession(
            os.path.join(folder, "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        self.outputs = [output.name for output in self.session.get_outputs()]

    def execute(self, requests):
        responses = []
        for request in requests:
            data = pb_utils.get_input_tensor_by_name(request, self.input).as_numpy()
            results = self.session.run(self.outputs, {self.input: np.ascontiguousarray(data, dtype=np.float32)})
            tensors = [pb_utils.Tensor(name, value) for name, value in zip(self.outputs, results)]
            responses.append(pb_utils.InferenceResponse(output_tensors=tensors))
        return responses
