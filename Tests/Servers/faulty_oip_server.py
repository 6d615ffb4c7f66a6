"""An Open Inference Protocol server that answers inference wrongly, on purpose, on 127.0.0.1.

    faulty_oip_server.py --port PORT --fault none|wrong-shape|…|garbage [--delay S] [--tls CERT KEY]

Health, readiness and metadata are correct (a 4x upscaler named `srvgg`, input and output FP32
[-1, 3, -1, -1]), so a client accepts it; every inference reply then breaks in the named way
(`none`: a well-formed reply). It computes nothing: the replies are zeros of the sizes the fault
calls for. `--delay` holds every inference reply that long (requests are answered side by side,
one thread each): a slow server. `--tls CERT KEY` answers HTTPS only. "listening" is printed
once the port is open.
"""

import argparse
import http.server
import json
import ssl
import struct
import time

METADATA = {"name": "srvgg", "versions": ["1"], "platform": "faulty",
            "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 3, -1, -1]}],
            "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 3, -1, -1]}]}


def reply_for(fault, shape):
    """The body and header length of the broken reply to an input of `shape`."""
    n, c, h, w = shape
    out_shape, datatype, size = [n, c, 4 * h, 4 * w], "FP32", 4
    if fault == "wrong-shape":
        out_shape = [n, c, 2 * h, 2 * w]
    if fault == "wrong-type":
        datatype, size = "FP64", 8
    count = out_shape[0] * out_shape[1] * out_shape[2] * out_shape[3]
    payload = bytes(count * size)
    header = {"model_name": "srvgg", "outputs": [{"name": "output", "datatype": datatype, "shape": out_shape,
                                                  "parameters": {"binary_data_size": len(payload)}}]}
    text = json.dumps(header).encode()
    if fault == "truncated":
        payload = payload[: len(payload) // 2]
    return text + payload, len(text)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path in ("/v2/health/live", "/v2/health/ready", "/v2/models/srvgg/ready"):
            self.send(200, b"")
        elif self.path == "/v2":
            self.send(200, json.dumps({"name": "faulty", "version": "1", "extensions": ["binary_tensor_data"]}).encode())
        elif self.path == "/v2/models/srvgg":
            self.send(200, json.dumps(METADATA).encode())
        else:
            self.send(404, b'{"error": "not found"}')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        length = int(self.headers.get("Inference-Header-Content-Length", len(body)))
        header = json.loads(body[:length])
        shape = header["inputs"][0]["shape"]
        fault = self.server.fault
        time.sleep(self.server.delay)
        if fault == "status-500":
            self.send(500, b'{"error": "injected failure"}')
        elif fault == "garbage":
            self.send(200, b"\x00\xff this is not a reply", [("Inference-Header-Content-Length", "7")])
        else:
            reply, header_length = reply_for(fault, shape)
            self.send(200, reply, [("Inference-Header-Content-Length", str(header_length)),
                                   ("Content-Type", "application/octet-stream")])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fault", required=True,
                        choices=["none", "wrong-shape", "wrong-type", "truncated", "status-500", "garbage"])
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.fault = args.fault
    server.delay = args.delay
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
