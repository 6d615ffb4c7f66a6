#!/usr/bin/env python3
"""Oracle for ImageIOTests: Pillow writes the images Tessera reads, and decodes the ones it writes.

Usage:
  pillow_images.py make DIR
      Writes seeded-random fixtures to DIR and lists them in DIR/cases.json, one entry per file:
      {"name", "file", "expected": .npy of height x width x channels as Pillow decodes it (palette
      expanded, EXIF orientation applied with ImageOps.exif_transpose), "tolerance": the largest
      sample difference allowed (1 for JPEG: two libjpeg-turbo builds), "icc": .icc file or null,
      "orientation"}. DIR/unsupported.json lists valid files of variants Tessera refuses.
      WebP fixtures come from the libwebp inside Pillow's wheel, a different build from Debian's.
      HEIF fixtures come from heif-enc (libheif with x265; one given a quarter turn, an 'irot' box,
      afterwards), their expected pixels from heif-convert (libheif with libde265); JPEG XL fixtures from cjxl, expected pixels from djxl (Debian's
      libheif-examples and libjxl-tools).
  pillow_images.py decode-to-npy FILE OUT.npy
      Decodes FILE to a uint8/uint16 height x width x channels array and prints its properties.
  pillow_images.py check SPEC.json
      SPEC is a list of {"file", "reference": .npy, "quantize": bits when the reference holds
      floats (clipped to [0, 1], scaled, rounded half up in float32), "icc": .icc file or null,
      "decoder": "heif-convert" to decode with libheif's tool instead of Pillow (AVIF deeper than
      8 bits, which Pillow reduces)}.
      Prints a JSON list, per file: {"file", "shape_equal", "max_diff", "psnr", "icc_equal",
      and the properties decode-to-npy reports}.
  pillow_images.py interlace FILE OUT.png
      Writes FILE's pixels, as Pillow decodes them, to OUT.png with Adam7 interlacing.
  pillow_images.py header-bomb OUT.png WIDTH HEIGHT ROWS
      Writes an 8-bit RGB PNG whose header claims WIDTH x HEIGHT but whose data holds only ROWS
      black rows: a decompression bomb's shape, a few hundred bytes.

Pillow reduces 16-bit PNGs with colour or alpha, and 16-bit multi-channel TIFFs, to 8 bits; those
are written and decoded with OpenCV and tifffile instead (the 16-bit PNG fixtures with a minimal
PNG writer below, which `make` first checks against Pillow on 8-bit data).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image, ImageCms, ImageOps

SEED = 20260412
AVIF_TOLERANCE = 2
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Adam7 passes as (first column, first row, column step, row step).
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def minimal_png(array, interlaced=False):
    """PNG bytes for an 8/16-bit height x width x channels array, every row with filter 0."""
    height, width, channels = array.shape
    depth = 16 if array.dtype == np.uint16 else 8
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    sample = ">u2" if depth == 16 else "u1"

    def scanlines(image):
        return b"".join(b"\x00" + row.astype(sample).tobytes() for row in image)

    if interlaced:
        passes = (array[y::dy, x::dx] for x, y, dx, dy in ADAM7)
        data = b"".join(scanlines(p) for p in passes if p.size)
    else:
        data = scanlines(array)
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlaced))
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(data)) + png_chunk(b"IEND", b"")


def as_hwc(array):
    return array.reshape(array.shape[0], array.shape[1], -1)


def pillow_array(image):
    """Pillow's decode as uint8/uint16 height x width x channels."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "1":
        image = image.convert("L")
    array = np.asarray(image)
    if image.mode.startswith("I"):
        array = array.astype(np.uint16)
    return as_hwc(array)


def webp_chunks(path):
    """The four-character names of a WebP file's RIFF chunks, in order (VP8 lossy, VP8L lossless)."""
    with open(path, "rb") as file:
        data = file.read()
    names, offset = [], 12
    while offset + 8 <= len(data):
        names.append(data[offset:offset + 4])
        size = struct.unpack("<I", data[offset + 4:offset + 8])[0]
        offset += 8 + size + (size & 1)
    return names


def decode(path):
    """(array, properties) of an image file, by the decoder that keeps every bit."""
    with open(path, "rb") as file:
        head = file.read(32)
    properties = {}
    if head.startswith(PNG_SIGNATURE) and head[24] == 16 and head[25] in (2, 4, 6):
        import cv2

        array = cv2.imread(path, cv2.IMREAD_UNCHANGED)  # BGR(A); gray+alpha comes as gray x3 + alpha
        order = {2: [2, 1, 0], 4: [0, 3], 6: [2, 1, 0, 3]}[head[25]]
        properties.update(decoder="opencv", interlaced=head[28] == 1)
        return np.ascontiguousarray(array[..., order]), properties
    if head[:2] in (b"II", b"MM"):
        import tifffile

        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            properties.update(
                bigtiff=tiff.is_bigtiff, tiled=page.is_tiled, compression=page.compression.name,
                bits=int(page.bitspersample))
            if page.bitspersample == 16 and page.samplesperpixel > 1:
                properties["decoder"] = "tifffile"
                return as_hwc(page.asarray()), properties
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        properties["webp_lossless"] = b"VP8L" in webp_chunks(path)
    with Image.open(path) as image:
        image.load()
        properties.update(
            decoder="pillow", format=image.format, mode=image.mode,
            progressive=bool(image.info.get("progressive") or image.info.get("progression")),
            interlaced=bool(image.info.get("interlace")), icc_length=len(image.info.get("icc_profile") or b""))
        return pillow_array(image), properties


def tool_decode(command, path, bits=None):
    """(array, ICC profile) of what a command-line decoder (`command` INPUT OUTPUT.png) writes.

    heif-convert writes samples of `bits` bits (10, 12) to a 16-bit PNG shifted left (v << 6 for
    10); given `bits`, they are rescaled to the full range as round(v x 65535 / (2^bits - 1)), as
    readers that widen to 16 bits do, so that such files compare exactly."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "decoded.png")
        subprocess.run([*command, path, out], check=True, capture_output=True)
        array, _ = decode(out)
        with Image.open(out) as image:
            icc = image.info.get("icc_profile")
    if bits is not None and array.dtype == np.uint16:
        top = (1 << bits) - 1
        array = (((array.astype(np.int64) >> (16 - bits)) * 65535 + top // 2) // top).astype(np.uint16)
    return array, icc


def boxes(data, start, end):
    """(offset, size, type) of the ISO-BMFF boxes in data[start:end] (32-bit sizes)."""
    while start < end:
        size, kind = struct.unpack(">I4s", data[start:start + 8])
        yield start, size, kind.decode("latin-1")
        start += size


def add_rotation(path, quarter_turns):
    """Adds an 'irot' property (anticlockwise quarter turns) to the primary image of a HEIF file that
    heif-enc wrote (metadata before the data; heif-enc has no option for it): appended to 'ipco',
    associated (essential) in 'ipma', and the 'iloc' file offsets moved past the inserted bytes."""
    with open(path, "rb") as file:
        data = bytearray(file.read())
    top = {kind: (offset, size) for offset, size, kind in boxes(data, 0, len(data))}
    meta_at, meta_size = top["meta"]
    meta = {kind: (offset, size) for offset, size, kind in boxes(data, meta_at + 12, meta_at + meta_size)}
    iprp_at, iprp_size = meta["iprp"]
    iprp = {kind: (offset, size) for offset, size, kind in boxes(data, iprp_at + 8, iprp_at + iprp_size)}
    ipco_at, ipco_size = iprp["ipco"]
    ipma_at, ipma_size = iprp["ipma"]
    assert data[ipma_at + 8] == 0 and data[ipma_at + 11] & 1 == 0, "ipma version 0, 7-bit indices expected"
    new_index = len(list(boxes(data, ipco_at + 8, ipco_at + ipco_size))) + 1
    primary = struct.unpack(">H", data[meta["pitm"][0] + 12:meta["pitm"][0] + 14])[0]
    rotation = struct.pack(">I4sB", 9, b"irot", quarter_turns & 3)
    entries, at = bytearray(data[ipma_at + 12:ipma_at + 16]), ipma_at + 16
    for _ in range(struct.unpack(">I", entries)[0]):
        item, count = struct.unpack(">HB", data[at:at + 3])
        associations = data[at + 3:at + 3 + count]
        at += 3 + count
        if item == primary:
            associations += bytes([0x80 | new_index])
        entries += struct.pack(">HB", item, len(associations)) + associations
    ipma = struct.pack(">I4s", 12 + len(entries), b"ipma") + data[ipma_at + 8:ipma_at + 12] + entries
    grown = len(rotation) + len(ipma) - ipma_size
    iloc_at = meta["iloc"][0]
    version, at = data[iloc_at + 8], iloc_at + 12
    assert version in (0, 1), "iloc version 0 or 1 expected"
    offset_size, length_size, base_size = data[at] >> 4, data[at] & 15, data[at + 1] >> 4
    index_size = data[at + 1] & 15 if version == 1 else 0
    count, at = struct.unpack(">H", data[at + 2:at + 4])[0], at + 4
    for _ in range(count):
        # Item ID, [construction method,] data reference index; method 0 addresses the file.
        in_file = version == 0 or data[at + 3] & 15 == 0
        at += 4 if version == 0 else 6
        base = int.from_bytes(data[at:at + base_size], "big")
        if in_file and base:
            data[at:at + base_size] = (base + grown).to_bytes(base_size, "big")
        extents, at = struct.unpack(">H", data[at + base_size:at + base_size + 2])[0], at + base_size + 2
        for _ in range(extents):
            at += index_size
            if in_file and not base:
                value = int.from_bytes(data[at:at + offset_size], "big") + grown
                data[at:at + offset_size] = value.to_bytes(offset_size, "big")
            at += offset_size + length_size
    result = data[:ipco_at + ipco_size] + rotation + data[ipco_at + ipco_size:ipma_at] + ipma + data[ipma_at + ipma_size:]
    for offset, growth in [(ipco_at, len(rotation)), (iprp_at, grown), (meta_at, grown)]:
        result[offset:offset + 4] = struct.pack(">I", struct.unpack(">I", result[offset:offset + 4])[0] + growth)
    with open(path, "wb") as file:
        file.write(result)


def icc_of(path):
    with Image.open(path) as image:
        return image.info.get("icc_profile")


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def large_profile(rng):
    """A 150 kB profile-shaped blob (header size field patched): JPEG needs three APP2 chunks for it."""
    body = srgb_profile() + rng.integers(0, 256, 150_000, dtype=np.uint8).tobytes()
    return struct.pack(">I", len(body)) + body[4:]


class Fixtures:
    def __init__(self, folder):
        self.folder = folder
        self.rng = np.random.default_rng(SEED)
        self.cases = []
        self.unsupported = []

    def path(self, name):
        return os.path.join(self.folder, name)

    def noise(self, height, width, channels, dtype=np.uint8):
        top = 65536 if dtype == np.uint16 else 256
        return self.rng.integers(0, top, (height, width, channels), dtype=np.int64).astype(dtype)

    def add(self, name, file, expected=None, tolerance=0, icc=None, orientation=1):
        """Records a case; `expected` defaults to Pillow's own decode (EXIF orientation applied)."""
        if expected is None:
            with Image.open(self.path(file)) as image:
                expected = pillow_array(ImageOps.exif_transpose(image))
        np.save(self.path(name + ".npy"), np.ascontiguousarray(expected))
        icc_file = None
        if icc is not None:
            icc_file = name + ".icc"
            with open(self.path(icc_file), "wb") as out:
                out.write(icc)
        self.cases.append({
            "name": name, "file": file, "expected": name + ".npy", "tolerance": tolerance, "icc": icc_file,
            "orientation": orientation})

    def save(self, array, file, mode=None, **options):
        image = Image.fromarray(array.squeeze(axis=2) if array.shape[2] == 1 else array, mode)
        image.save(self.path(file), **options)

    def png(self):
        for name, channels in [("gray8", 1), ("gray_alpha8", 2), ("rgb8", 3), ("rgba8", 4)]:
            data = self.noise(23, 37, channels)
            self.save(data, f"png_{name}.png")
            self.add(f"png_{name}", f"png_{name}.png", data)
        gray16 = self.noise(23, 37, 1, np.uint16)
        Image.fromarray(gray16[..., 0]).save(self.path("png_gray16.png"))
        self.add("png_gray16", "png_gray16.png", gray16)
        # The minimal writer is what Pillow cannot be here; prove it on data Pillow can read back.
        probe = self.noise(19, 21, 3)
        for interlaced in (False, True):
            with open(self.path("probe.png"), "wb") as out:
                out.write(minimal_png(probe, interlaced))
            with Image.open(self.path("probe.png")) as image:
                assert (pillow_array(image) == probe).all(), "the minimal PNG writer disagrees with Pillow"
        os.remove(self.path("probe.png"))
        for name, channels in [("gray_alpha16", 2), ("rgb16", 3), ("rgba16", 4)]:
            data = self.noise(23, 37, channels, np.uint16)
            with open(self.path(f"png_{name}.png"), "wb") as out:
                out.write(minimal_png(data))
            self.add(f"png_{name}", f"png_{name}.png", data)
        for name, data in [("interlaced8", self.noise(29, 31, 3)), ("interlaced16", self.noise(29, 31, 4, np.uint16))]:
            with open(self.path(f"png_{name}.png"), "wb") as out:
                out.write(minimal_png(data, interlaced=True))
            self.add(f"png_{name}", f"png_{name}.png", data)
        indices = self.rng.integers(0, 200, (23, 37), dtype=np.uint8)
        palette = self.rng.integers(0, 256, 200 * 3, dtype=np.uint8).tolist()
        image = Image.fromarray(indices, "P")
        image.putpalette(palette)
        image.save(self.path("png_palette.png"))
        self.add("png_palette", "png_palette.png")
        image.save(self.path("png_palette_alpha.png"), transparency=bytes(self.rng.integers(0, 256, 200, dtype=np.uint8)))
        self.add("png_palette_alpha", "png_palette_alpha.png")
        Image.fromarray(self.noise(23, 37, 1)[..., 0] > 127).save(self.path("png_gray1.png"))
        self.add("png_gray1", "png_gray1.png")
        icc = srgb_profile()
        self.save(self.noise(23, 37, 3), "png_icc.png", icc_profile=icc)
        self.add("png_icc", "png_icc.png", icc=icc)
        for orientation in (3, 6):
            exif = Image.Exif()
            exif[0x0112] = orientation
            self.save(self.noise(23, 37, 3), f"png_orientation{orientation}.png", exif=exif)
            self.add(f"png_orientation{orientation}", f"png_orientation{orientation}.png", orientation=orientation)

    def jpeg(self):
        self.save(self.noise(23, 37, 1), "jpeg_gray.jpg", quality=90)
        self.add("jpeg_gray", "jpeg_gray.jpg", tolerance=1)
        self.save(self.noise(23, 37, 3), "jpeg_rgb420.jpg", quality=90)
        self.add("jpeg_rgb420", "jpeg_rgb420.jpg", tolerance=1)
        self.save(self.noise(23, 37, 3), "jpeg_rgb444.jpg", quality=95, subsampling=0)
        self.add("jpeg_rgb444", "jpeg_rgb444.jpg", tolerance=1)
        self.save(self.noise(45, 61, 3), "jpeg_progressive.jpg", quality=85, progressive=True)
        self.add("jpeg_progressive", "jpeg_progressive.jpg", tolerance=1)
        icc = large_profile(self.rng)
        self.save(self.noise(23, 37, 3), "jpeg_icc.jpg", icc_profile=icc)
        self.add("jpeg_icc", "jpeg_icc.jpg", tolerance=1, icc=icc)
        for orientation in range(1, 9):
            exif = Image.Exif()
            exif[0x0112] = orientation
            self.save(self.noise(24, 40, 3), f"jpeg_orientation{orientation}.jpg", quality=95, exif=exif)
            self.add(f"jpeg_orientation{orientation}", f"jpeg_orientation{orientation}.jpg", tolerance=1,
                     orientation=orientation)
        cmyk = Image.fromarray(self.noise(16, 16, 4), "CMYK")
        cmyk.save(self.path("jpeg_cmyk.jpg"))
        self.unsupported.append("jpeg_cmyk.jpg")

    def tiff(self):
        import tifffile

        for name, channels in [("gray8", 1), ("gray_alpha8", 2), ("rgb8", 3), ("rgba8", 4)]:
            data = self.noise(23, 37, channels)
            self.save(data, f"tiff_{name}.tif")
            self.add(f"tiff_{name}", f"tiff_{name}.tif", data)
        gray16 = self.noise(23, 37, 1, np.uint16)
        Image.fromarray(gray16[..., 0]).save(self.path("tiff_gray16.tif"))
        self.add("tiff_gray16", "tiff_gray16.tif", gray16)
        for name, channels in [("gray_alpha16", 2), ("rgb16", 3), ("rgba16", 4)]:
            data = self.noise(23, 37, channels, np.uint16)
            extra = ["unassalpha"] if channels in (2, 4) else None
            tifffile.imwrite(self.path(f"tiff_{name}.tif"), data, photometric="rgb" if channels > 2 else "minisblack",
                             extrasamples=extra)
            self.add(f"tiff_{name}", f"tiff_{name}.tif", data)
        # Associated (premultiplied) alpha: colour samples never exceed alpha. Pillow divides alpha
        # back out truncating, ImageIO rounding, hence the tolerance.
        alpha = self.noise(23, 37, 1)
        colors = (self.noise(23, 37, 3).astype(np.int64) * (alpha.astype(np.int64) + 1) // 256).astype(np.uint8)
        tifffile.imwrite(self.path("tiff_premultiplied.tif"), np.concatenate([colors, alpha], axis=2), photometric="rgb",
                         extrasamples=["assocalpha"])
        self.add("tiff_premultiplied", "tiff_premultiplied.tif", tolerance=1)
        data = self.noise(37, 41, 3)
        tifffile.imwrite(self.path("tiff_tiled.tif"), data, photometric="rgb", tile=(16, 16))
        self.add("tiff_tiled", "tiff_tiled.tif", data)
        data = self.noise(37, 41, 1, np.uint16)
        tifffile.imwrite(self.path("tiff_tiled16.tif"), data, photometric="minisblack", tile=(32, 16))
        self.add("tiff_tiled16", "tiff_tiled16.tif", data)
        data = self.noise(23, 37, 3)
        tifffile.imwrite(self.path("tiff_planar.tif"), np.moveaxis(data, 2, 0), photometric="rgb", planarconfig="separate",
                         rowsperstrip=5)
        self.add("tiff_planar", "tiff_planar.tif", data)
        data = np.repeat(np.arange(37, dtype=np.uint8)[None, :, None] * 6, 23, axis=0).repeat(3, axis=2)
        self.save(data, "tiff_lzw.tif", compression="tiff_lzw")
        self.add("tiff_lzw", "tiff_lzw.tif", data)
        self.save(data, "tiff_deflate.tif", compression="tiff_adobe_deflate")
        self.add("tiff_deflate", "tiff_deflate.tif", data)
        # JPEG inside TIFF, stored as YCbCr: libtiff converts to RGB.
        Image.fromarray(self.noise(23, 37, 3)).convert("YCbCr").save(self.path("tiff_jpeg.tif"), compression="jpeg")
        self.add("tiff_jpeg", "tiff_jpeg.tif", tolerance=1)
        data = self.noise(23, 37, 1)
        tifffile.imwrite(self.path("tiff_miniswhite.tif"), data[..., 0], photometric="miniswhite")
        self.add("tiff_miniswhite", "tiff_miniswhite.tif")
        indices = self.rng.integers(0, 256, (23, 37), dtype=np.uint8)
        image = Image.fromarray(indices, "P")
        image.putpalette(self.rng.integers(0, 256, 256 * 3, dtype=np.uint8).tolist())
        image.save(self.path("tiff_palette.tif"))
        self.add("tiff_palette", "tiff_palette.tif")
        icc = large_profile(self.rng)
        self.save(self.noise(23, 37, 3), "tiff_icc.tif", icc_profile=icc)
        self.add("tiff_icc", "tiff_icc.tif", icc=icc)
        self.save(self.noise(24, 40, 3), "tiff_orientation6.tif", tiffinfo={0x0112: 6})
        self.add("tiff_orientation6", "tiff_orientation6.tif", orientation=6)
        tifffile.imwrite(self.path("tiff_float.tif"), self.rng.random((8, 8), dtype=np.float32))
        self.unsupported.append("tiff_float.tif")

    def webp(self):
        for name, channels in [("rgb", 3), ("rgba", 4)]:
            data = self.noise(23, 37, channels)
            self.save(data, f"webp_{name}_lossless.webp", lossless=True, exact=True)
            self.add(f"webp_{name}_lossless", f"webp_{name}_lossless.webp", data)
        smooth = np.linspace(0, 255, 41 * 29 * 3).reshape(29, 41, 3).astype(np.uint8)
        self.save(smooth, "webp_rgb_lossy.webp", quality=80)
        self.add("webp_rgb_lossy", "webp_rgb_lossy.webp")
        self.save(self.noise(29, 41, 4), "webp_rgba_lossy.webp", quality=90)
        self.add("webp_rgba_lossy", "webp_rgba_lossy.webp")
        # Pillow stores gray as RGB.
        self.save(self.noise(23, 37, 1), "webp_gray.webp", lossless=True)
        self.add("webp_gray", "webp_gray.webp")
        icc = large_profile(self.rng)
        self.save(self.noise(23, 37, 3), "webp_icc.webp", lossless=True, icc_profile=icc)
        self.add("webp_icc", "webp_icc.webp", icc=icc)
        for orientation in (3, 6):
            exif = Image.Exif()
            exif[0x0112] = orientation
            self.save(self.noise(23, 37, 3), f"webp_orientation{orientation}.webp", lossless=True, exif=exif)
            self.add(f"webp_orientation{orientation}", f"webp_orientation{orientation}.webp", orientation=orientation)
        frames = [Image.fromarray(self.noise(16, 16, 3)) for _ in range(2)]
        frames[0].save(self.path("webp_animated.webp"), save_all=True, append_images=frames[1:], lossless=True)
        self.unsupported.append("webp_animated.webp")

    def avif(self):
        # Pillow's own libavif and AV1 decoder; its YUV to RGB conversion may round differently.
        for name, channels, options in [("rgb", 3, {"quality": 90}), ("rgba", 4, {"quality": 90}),
                                        ("rgb444", 3, {"quality": 95, "subsampling": "4:4:4"}),
                                        ("q100", 3, {"quality": 100, "subsampling": "4:4:4"})]:
            self.save(self.noise(23, 37, channels), f"avif_{name}.avif", **options)
            self.add(f"avif_{name}", f"avif_{name}.avif", tolerance=AVIF_TOLERANCE)
        icc = srgb_profile()
        self.save(self.noise(23, 37, 3), "avif_icc.avif", icc_profile=icc)
        self.add("avif_icc", "avif_icc.avif", tolerance=AVIF_TOLERANCE, icc=icc)
        # Pillow stores orientation as AVIF's rotation and mirror transforms.
        for orientation in (3, 5, 6, 7):
            exif = Image.Exif()
            exif[0x0112] = orientation
            self.save(self.noise(24, 40, 3), f"avif_orientation{orientation}.avif", exif=exif)
            self.add(f"avif_orientation{orientation}", f"avif_orientation{orientation}.avif", tolerance=AVIF_TOLERANCE,
                     orientation=orientation)

    def heif(self):
        # x265 encodes, libde265 decodes: heif-convert's pixels are what libheif gives any reader.
        for name, data, options in [
                ("rgb", self.noise(23, 37, 3), ["-q", "90"]), ("rgba", self.noise(23, 37, 4), ["-q", "90"]),
                ("q40", self.noise(24, 40, 3), ["-q", "40"]), ("lossless", self.noise(23, 37, 3), ["-L"]),
                ("rgb10", self.noise(23, 37, 3, np.uint16), ["-b", "10"]),
                ("rgba10", self.noise(23, 37, 4, np.uint16), ["-b", "10"])]:
            with open(self.path(f"heif_{name}.png"), "wb") as out:
                out.write(minimal_png(data))
            self.heif_case(name, options, bits=10 if data.dtype == np.uint16 else None)
        self.save(self.noise(23, 37, 3), "heif_icc.png", icc_profile=srgb_profile())
        self.heif_case("icc", ["-q", "90"], icc=True)
        # A quarter turn in the file: heif-convert, like libheif for Tessera, returns it turned.
        self.save(self.noise(24, 40, 3), "heif_rotated.png")
        self.heif_case("rotated", ["-L"], quarter_turns=1)

    def heif_case(self, name, options, bits=None, icc=False, quarter_turns=0):
        source, file = self.path(f"heif_{name}.png"), f"heif_{name}.heic"
        subprocess.run(["heif-enc", *options, "-o", self.path(file), source], check=True, capture_output=True)
        os.remove(source)
        if quarter_turns:
            add_rotation(self.path(file), quarter_turns)
        expected, profile = tool_decode(["heif-convert"], self.path(file), bits)
        if quarter_turns:
            assert expected.shape[:2] == (40, 24), f"heif-convert did not turn {file}: {expected.shape}"
        assert not icc or profile, "heif-convert gave no ICC profile back"
        self.add(f"heif_{name}", file, expected, icc=profile if icc else None)

    def jxl(self):
        # Lossless files decode to the source exactly; djxl's decode is the expectation all the same.
        # (No 16-bit RGBA: djxl 0.7 cannot write the PNG of one, "Alpha bit depth does not match".)
        for name, data in [("gray8", self.noise(23, 37, 1)), ("gray_alpha8", self.noise(23, 37, 2)),
                           ("rgb8", self.noise(23, 37, 3)), ("rgba8", self.noise(23, 37, 4)),
                           ("rgb16", self.noise(23, 37, 3, np.uint16))]:
            with open(self.path(f"jxl_{name}.png"), "wb") as out:
                out.write(minimal_png(data))
            expected = self.jxl_case(name, f"jxl_{name}.png", ["-d", "0"])
            assert np.array_equal(expected, data), f"djxl does not give jxl_{name}'s source back"
        smooth = np.linspace(0, 255, 48 * 64 * 3).reshape(48, 64, 3).astype(np.uint8)
        self.save(smooth, "jxl_lossy.png")
        self.jxl_case("lossy", "jxl_lossy.png", ["-d", "1"])
        self.save(self.noise(23, 37, 3), "jxl_icc.png", icc_profile=srgb_profile())
        self.jxl_case("icc", "jxl_icc.png", ["-d", "0"], icc=True)
        # cjxl moves a JPEG's EXIF orientation into the codestream, which djxl applies.
        exif = Image.Exif()
        exif[0x0112] = 6
        self.save(self.noise(24, 40, 3), "jxl_orientation6.jpg", exif=exif, quality=95)
        self.jxl_case("orientation6", "jxl_orientation6.jpg", [], orientation=6)

    def jxl_case(self, name, source, options, icc=False, orientation=1):
        file = f"jxl_{name}.jxl"
        subprocess.run(["cjxl", *options, self.path(source), self.path(file)], check=True, capture_output=True)
        os.remove(self.path(source))
        expected, profile = tool_decode(["djxl"], self.path(file))
        self.add(f"jxl_{name}", file, expected, icc=profile if icc else None, orientation=orientation)
        return expected

    def plane(self):
        """A region reaching past two edges of png_rgb8, channel 1, edge pixels repeated."""
        source = np.load(self.path("png_rgb8.npy"))
        padded = np.pad(source[..., 1], 40, mode="edge")
        x, y, width, height = -7, 15, 50, 12
        region = padded[y + 40:y + 40 + height, x + 40:x + 40 + width].astype(np.float32) / np.float32(255)
        np.save(self.path("plane_rgb8_g.npy"), region)


def make(folder):
    os.makedirs(folder, exist_ok=True)
    fixtures = Fixtures(folder)
    fixtures.png()
    fixtures.jpeg()
    fixtures.tiff()
    fixtures.webp()
    fixtures.avif()
    fixtures.heif()
    fixtures.jxl()
    fixtures.plane()
    with open(os.path.join(folder, "cases.json"), "w") as out:
        json.dump(fixtures.cases, out, indent=1)
    with open(os.path.join(folder, "unsupported.json"), "w") as out:
        json.dump(fixtures.unsupported, out)
    print(len(fixtures.cases))


def quantized(values, bits):
    values = values.astype(np.float32)
    clamped = np.where(values >= 0, np.where(values <= 1, values, np.float32(1)), np.float32(0))
    top = np.float32(65535 if bits == 16 else 255)
    return np.floor(clamped * top + np.float32(0.5)).astype(np.uint16 if bits == 16 else np.uint8)


def psnr(a, b, top):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(top * top / mse))


def check(spec_path):
    with open(spec_path) as file:
        spec = json.load(file)
    results = []
    for entry in spec:
        if entry.get("decoder") == "heif-convert":
            array, _ = tool_decode(["heif-convert"], entry["file"], entry.get("bits"))
            properties = {"decoder": "heif-convert"}
        else:
            array, properties = decode(entry["file"])
        reference = as_hwc(np.load(entry["reference"]))
        if entry.get("quantize"):
            reference = quantized(reference, entry["quantize"])
        result = {"file": entry["file"], "shape_equal": array.shape == reference.shape, **properties}
        if result["shape_equal"] and np.array_equal(array, reference):
            result.update(max_diff=0, psnr=999.0)
        elif result["shape_equal"]:
            difference = np.abs(array.astype(np.int32) - reference.astype(np.int32))
            result["max_diff"] = int(difference.max())
            result["psnr"] = psnr(array, reference, 65535 if array.dtype == np.uint16 else 255)
        if entry.get("icc"):
            with open(entry["icc"], "rb") as file:
                result["icc_equal"] = icc_of(entry["file"]) == file.read()
        results.append(result)
    print(json.dumps(results))


def decode_to_npy(path, out):
    array, properties = decode(path)
    np.save(out, array)
    print(json.dumps(properties))


def interlace(path, out):
    array, _ = decode(path)
    with open(out, "wb") as file:
        file.write(minimal_png(array, interlaced=True))


def header_bomb(out, width, height, rows):
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(bytes(rows * (1 + 3 * width)), 9)
    with open(out, "wb") as file:
        file.write(PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b""))


def main():
    command = sys.argv[1]
    if command == "make":
        make(sys.argv[2])
    elif command == "decode-to-npy":
        decode_to_npy(sys.argv[2], sys.argv[3])
    elif command == "check":
        check(sys.argv[2])
    elif command == "interlace":
        interlace(sys.argv[2], sys.argv[3])
    elif command == "header-bomb":
        header_bomb(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
