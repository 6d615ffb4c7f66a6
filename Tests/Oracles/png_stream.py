#!/usr/bin/env python3
"""Oracle for the PNG writer's zlib stream, read with Python's zlib and numpy only.

Usage:
  png_stream.py check SPEC.json
      SPEC is a list of {"file", "reference": .npy of height x width x channels, uint8 or uint16}.
      Prints a JSON list, per file:
        "chunks": the chunk types in order;
        "crc_ok": every chunk's CRC-32 matches its type and data;
        "header_ok": the IDAT data starts with a valid zlib header (RFC 1950: deflate, 32 KiB
            window, no preset dictionary, FCHECK right);
        "stream_ok": zlib.decompress of the concatenated IDAT data (which checks the Adler-32
            trailer) equals the reference rows, each Average-filtered (PNG filter type 3) here
            from the pixels, 16-bit samples big-endian;
        "adler_ok": the trailer also equals zlib.adler32 of those filtered rows;
        "band_rows": rows that became decodable after each IDAT chunk, fed one at a time to one
            decompressobj (each band ends on a flush, so its rows decode before the next arrives);
        "whole_rows": every IDAT chunk ends on a row boundary.
"""
import json
import struct
import sys
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(data):
    """(type, payload, crc_ok) for each chunk after the signature."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("no PNG signature")
    position = len(PNG_SIGNATURE)
    found = []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        payload = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        found.append((kind.decode("latin-1"), payload, zlib.crc32(kind + payload) == crc))
        position += 12 + length
    return found


def average_filtered(pixels):
    """The scanlines PNG's Average filter makes from height x width x channels pixels."""
    height = pixels.shape[0]
    big_endian = pixels.astype(">u2") if pixels.dtype == np.uint16 else pixels
    raw = np.frombuffer(big_endian.tobytes(), dtype=np.uint8).reshape(height, -1).astype(np.int32)
    pixel_bytes = pixels.shape[2] * pixels.dtype.itemsize
    left = np.zeros_like(raw)
    left[:, pixel_bytes:] = raw[:, :-pixel_bytes]
    above = np.zeros_like(raw)
    above[1:] = raw[:-1]
    filtered = ((raw - ((left + above) >> 1)) & 0xFF).astype(np.uint8)
    types = np.full((height, 1), 3, dtype=np.uint8)
    return np.hstack([types, filtered]).tobytes(), raw.shape[1] + 1


def check_one(entry):
    with open(entry["file"], "rb") as file:
        data = file.read()
    reference = np.load(entry["reference"])
    reference = reference.reshape(reference.shape[0], reference.shape[1], -1)
    found = chunks(data)
    idats = [payload for kind, payload, _ in found if kind == "IDAT"]
    stream = b"".join(idats)
    expected, stride = average_filtered(reference)
    result = {
        "file": entry["file"],
        "chunks": [kind for kind, _, _ in found],
        "crc_ok": all(ok for _, _, ok in found),
        "header_ok": len(stream) >= 2 and stream[0] == 0x78 and (stream[0] * 256 + stream[1]) % 31 == 0
        and not stream[1] & 0x20,
    }
    try:
        result["stream_ok"] = zlib.decompress(stream) == expected
    except zlib.error as error:
        result["stream_ok"] = False
        result["zlib_error"] = str(error)
    result["adler_ok"] = len(stream) >= 4 and struct.unpack(">I", stream[-4:])[0] == zlib.adler32(expected)
    inflater = zlib.decompressobj()
    band_rows, whole = [], True
    try:
        for payload in idats:
            produced = len(inflater.decompress(payload))
            whole = whole and produced % stride == 0
            band_rows.append(produced // stride)
    except zlib.error as error:
        whole = False
        result.setdefault("zlib_error", str(error))
    result["band_rows"] = band_rows
    result["whole_rows"] = whole and inflater.eof and not inflater.unused_data
    return result


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        sys.exit("usage: png_stream.py check SPEC.json")
    with open(sys.argv[2]) as file:
        spec = json.load(file)
    print(json.dumps([check_one(entry) for entry in spec]))


if __name__ == "__main__":
    main()
