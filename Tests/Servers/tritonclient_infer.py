"""Runs one inference through NVIDIA's own Python client, tritonclient, with binary tensors.

    tritonclient_infer.py HOST:PORT MODEL INPUT_NAME OUTPUT_NAME IN.npy OUT.npy

An independent client of the Open Inference Protocol: what `tessera serve` must satisfy besides
Tessera's own remote backend.
"""

import sys

import numpy as np
import tritonclient.http as http

url, model, input_name, output_name, source, target = sys.argv[1:7]
client = http.InferenceServerClient(url=url)
data = np.load(source)
tensor = http.InferInput(input_name, list(data.shape), "FP32")
tensor.set_data_from_numpy(data, binary_data=True)
result = client.infer(model, [tensor], outputs=[http.InferRequestedOutput(output_name, binary_data=True)])
np.save(target, result.as_numpy(output_name))
