#!/usr/bin/env python3
"""A loopback HTTP server for the model store's tests: serves DIRECTORY, honours Range requests,
and can cut the connection partway through a response to test resumed downloads.

usage: http_server.py DIRECTORY [--cut-after N] [--log FILE]

Binds 127.0.0.1 on a free port and prints the port on the first line of stdout. With
--cut-after N, the first response that would send more than N body bytes sends exactly N and
then closes the connection, although its Content-Length promised more. --log appends one line
per request: "METHOD PATH RANGE-HEADER-OR-DASH STATUS". Runs until killed.
"""

import argparse
import http.server
import os
import re
import signal
import socket
import sys
import threading


def make_handler(directory, cut_after, log_path):
    state = {"cut_pending": cut_after is not None}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass  # stdout carries the port only; requests go to --log

        def record(self, status):
            if log_path is None:
                return
            with lock, open(log_path, "a") as log:
                log.write(f"{self.command} {self.path} {self.headers.get('Range') or '-'} {status}\n")

        def do_GET(self):
            name = os.path.basename(self.path.split("?", 1)[0])
            path = os.path.join(directory, name)
            if not name or not os.path.isfile(path):
                self.record(404)
                self.send_error(404)
                return
            with open(path, "rb") as f:
                body = f.read()
            total = len(body)
            start, status = 0, 200
            requested = self.headers.get("Range")
            if requested:
                match = re.fullmatch(r"bytes=(\d+)-(\d*)", requested.strip())
                if not match:
                    self.record(400)
                    self.send_error(400)
                    return
                start = int(match.group(1))
                end = int(match.group(2)) if match.group(2) else total - 1
                if start >= total or end < start:
                    self.record(416)
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{total}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = body[start:min(end, total - 1) + 1]
                status = 206
            self.record(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{start + len(body) - 1}/{total}")
            self.end_headers()
            with lock:
                cut = state["cut_pending"] and len(body) > cut_after
                if cut:
                    state["cut_pending"] = False
            if cut:
                self.wfile.write(body[:cut_after])
                self.wfile.flush()
                # Close the write side cleanly: the client sees every byte sent, then an early end.
                self.connection.shutdown(socket.SHUT_WR)
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


def main():
    # A parent that blocks signals (Foundation's Process does) passes its mask on; unblock them
    # so that SIGTERM and Ctrl-C stop the server.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--cut-after", type=int, default=None)
    parser.add_argument("--log", default=None)
    args = parser.parse_args()
    handler = make_handler(os.path.abspath(args.directory), args.cut_after, args.log)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
