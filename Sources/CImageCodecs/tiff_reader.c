// TIFF decoding with libtiff: 8/16-bit gray, gray+alpha, RGB, RGBA and 8-bit palette images,
// striped or tiled, contiguous or planar, in any compression libtiff was built with.

#include "tiff_files.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct tiff_reader {
    TIFF *tiff;
    ic_tiff_sink sink;
    uint64_t file_size;
    uint16_t photometric;
    uint16_t samples;
    uint16_t bits;
    uint16_t planar;
    /// 1 for gray and palette indices, 3 for RGB; one more sample, if present, is alpha.
    uint16_t color_samples;
    int premultiplied;
    uint16_t *palette[3];
    uint32_t channels;
    uint32_t width;
    uint32_t height;
    uint16_t compression;
    /// Row reading: one scanline as stored, and the strip it came from (checked against the file's size once).
    uint8_t *scanline;
    uint32_t strip;
} tiff_reader;

static uint64_t read_unsigned(const uint8_t *bytes, int count, int big_endian) {
    uint64_t value = 0;
    for (int index = 0; index < count; index++) {
        int shift = big_endian ? 8 * (count - 1 - index) : 8 * index;
        value |= (uint64_t)bytes[index] << shift;
    }
    return value;
}

/// When libtiff cannot open a file, tells truncation (the first directory, or its entries, lie
/// past the end) from corruption, by reading the header's directory offset and entry count.
static int directory_is_missing(const char *path, uint64_t file_size) {
    uint8_t header[16] = {0};
    uint8_t count[8] = {0};
    FILE *file = fopen(path, "rb");
    if (file == NULL) return 0;
    size_t got = fread(header, 1, sizeof header, file);
    int big_endian = header[0] == 'M';
    int big_tiff = got >= 4 && read_unsigned(header + 2, 2, big_endian) == 43;
    uint64_t offset = big_tiff ? read_unsigned(header + 8, 8, big_endian) : read_unsigned(header + 4, 4, big_endian);
    // Classic TIFF: a 2-byte count, 12-byte entries, a 4-byte next offset; BigTIFF: 8, 20 and 8.
    int count_size = big_tiff ? 8 : 2;
    uint64_t entry_size = big_tiff ? 20 : 12;
    uint64_t next_size = big_tiff ? 8 : 4;
    int missing = got < (big_tiff ? 16u : 8u) || offset > file_size || file_size - offset < (uint64_t)count_size;
    if (!missing && fseek(file, (long)offset, SEEK_SET) == 0 && fread(count, 1, (size_t)count_size, file) == (size_t)count_size) {
        uint64_t entries = read_unsigned(count, count_size, big_endian);
        uint64_t needed = (uint64_t)count_size + entries * entry_size + next_size;
        // A real directory holds tens of entries; a count in the thousands is garbage, not a cut file.
        missing = entries <= 1000 && file_size - offset < needed;
    }
    fclose(file);
    return missing;
}

static void tiff_close(void *state) {
    tiff_reader *reader = state;
    ic_error ignored = {0};
    reader->sink.error = &ignored;
    if (reader->tiff != NULL) TIFFClose(reader->tiff);
    free(reader->scanline);
    free(reader);
}

/// Reads the layout tags and refuses what the decoder cannot turn into gray/RGB(+alpha).
static int describe(tiff_reader *reader, ic_error *error) {
    TIFF *tiff = reader->tiff;
    uint16_t sample_format = SAMPLEFORMAT_UINT;
    uint16_t compression = COMPRESSION_NONE;
    uint16_t extra_count = 0;
    uint16_t *extra = NULL;
    TIFFGetFieldDefaulted(tiff, TIFFTAG_IMAGEWIDTH, &reader->width);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_IMAGELENGTH, &reader->height);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &reader->samples);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &reader->bits);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &reader->planar);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLEFORMAT, &sample_format);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
    reader->compression = compression;
    TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);
    if (!TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &reader->photometric)) {
        ic_fail(error, IC_ERR_CORRUPT, "no photometric interpretation tag");
        return 0;
    }
    if (reader->photometric == PHOTOMETRIC_YCBCR && compression == COMPRESSION_JPEG) {
        // libtiff's JPEG codec converts to RGB itself when asked.
        TIFFSetField(tiff, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
        reader->photometric = PHOTOMETRIC_RGB;
    }
    switch (reader->photometric) {
    case PHOTOMETRIC_MINISBLACK:
    case PHOTOMETRIC_MINISWHITE:
    case PHOTOMETRIC_PALETTE:
        reader->color_samples = 1;
        break;
    case PHOTOMETRIC_RGB:
        reader->color_samples = 3;
        break;
    default:
        ic_fail(error, IC_ERR_UNSUPPORTED, "photometric interpretation %u (CMYK, YCbCr, Lab, …) is not supported",
                reader->photometric);
        return 0;
    }
    if (sample_format != SAMPLEFORMAT_UINT) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "sample format %u (signed or floating-point) is not supported",
                sample_format);
        return 0;
    }
    if ((reader->bits != 8 && reader->bits != 16) || (reader->photometric == PHOTOMETRIC_PALETTE && reader->bits != 8)) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "%u-bit samples are not supported (8 or 16; palettes 8)", reader->bits);
        return 0;
    }
    if (reader->samples < reader->color_samples || reader->samples > reader->color_samples + 1) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "%u samples per pixel with photometric interpretation %u is not supported",
                reader->samples, reader->photometric);
        return 0;
    }
    int has_alpha = reader->samples > reader->color_samples;
    reader->premultiplied = has_alpha && extra_count > 0 && extra[0] == EXTRASAMPLE_ASSOCALPHA;
    if (reader->photometric == PHOTOMETRIC_PALETTE) {
        if (!TIFFGetField(tiff, TIFFTAG_COLORMAP, &reader->palette[0], &reader->palette[1], &reader->palette[2])) {
            ic_fail(error, IC_ERR_CORRUPT, "a palette image without a color map");
            return 0;
        }
        reader->channels = 3 + (uint32_t)has_alpha;
    } else {
        reader->channels = reader->samples;
    }
    return 1;
}

void *ic_tiff_open(const char *path, ic_info *info, ic_error *error) {
    tiff_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    struct stat status;
    if (stat(path, &status) != 0) {
        ic_fail_errno(error, "open");
        free(reader);
        return NULL;
    }
    reader->file_size = (uint64_t)status.st_size;
    reader->strip = UINT32_MAX;
    reader->sink.error = error;
    reader->sink.status = IC_ERR_CORRUPT;
    reader->tiff = ic_tiff_open_file(path, "r", &reader->sink);
    if (reader->tiff == NULL) {
        if (directory_is_missing(path, reader->file_size)) {
            error->status = IC_OK;
            ic_fail(error, IC_ERR_TRUNCATED, "the file ends before its first image directory");
        }
        ic_fail(error, IC_ERR_CORRUPT, "libtiff could not open the file");
        tiff_close(reader);
        return NULL;
    }
    if (!describe(reader, error)) {
        tiff_close(reader);
        return NULL;
    }
    info->width = reader->width;
    info->height = reader->height;
    info->channels = reader->channels;
    info->bit_depth = reader->bits;
    uint16_t orientation = ORIENTATION_TOPLEFT;
    TIFFGetFieldDefaulted(reader->tiff, TIFFTAG_ORIENTATION, &orientation);
    info->orientation = orientation;
    uint32_t icc_length = 0;
    void *icc = NULL;
    if (TIFFGetField(reader->tiff, TIFFTAG_ICCPROFILE, &icc_length, &icc) && icc_length > 0) {
        info->icc = icc;
        info->icc_length = icc_length;
    }
    return reader;
}

/// Copies `count` pixels of one strip or tile row into the image, expanding palette indices,
/// inverting min-is-white gray, and placing a planar file's sample at its channel.
static void place_pixels(const tiff_reader *reader, const uint8_t *source, void *image, size_t first_pixel,
                         uint32_t count, uint16_t first_sample, uint16_t samples_here) {
    const uint32_t channels = reader->channels;
    const int palette = reader->photometric == PHOTOMETRIC_PALETTE;
    const int invert = reader->photometric == PHOTOMETRIC_MINISWHITE;
    for (uint32_t pixel = 0; pixel < count; pixel++) {
        size_t out = (first_pixel + pixel) * channels;
        for (uint16_t k = 0; k < samples_here; k++) {
            uint16_t sample = first_sample + k;
            size_t at = (size_t)pixel * samples_here + k;
            if (reader->bits == 8) {
                uint8_t value = source[at];
                uint8_t *target = image;
                if (palette && sample == 0) {
                    for (int c = 0; c < 3; c++) target[out + c] = (uint8_t)(reader->palette[c][value] >> 8);
                } else {
                    if (invert && sample == 0) value = (uint8_t)(255 - value);
                    target[out + (palette ? sample + 2 : sample)] = value;
                }
            } else {
                uint16_t value = ((const uint16_t *)source)[at];
                if (invert && sample == 0) value = (uint16_t)(65535 - value);
                ((uint16_t *)image)[out + sample] = value;
            }
        }
    }
}

/// Divides associated (premultiplied) alpha back out of `pixels` pixels, rounding, as the decoded
/// layout is unassociated.
static void unpremultiply(const tiff_reader *reader, void *image, size_t pixels) {
    const uint32_t channels = reader->channels;
    const uint32_t maximum = reader->bits == 8 ? 255 : 65535;
    for (size_t pixel = 0; pixel < pixels; pixel++) {
        size_t base = pixel * channels;
        for (uint32_t c = 0; c + 1 < channels; c++) {
            uint32_t alpha, value;
            if (reader->bits == 8) {
                alpha = ((uint8_t *)image)[base + channels - 1];
                value = ((uint8_t *)image)[base + c];
            } else {
                alpha = ((uint16_t *)image)[base + channels - 1];
                value = ((uint16_t *)image)[base + c];
            }
            uint64_t result = alpha == 0 ? 0 : ((uint64_t)value * maximum + alpha / 2) / alpha;
            if (result > maximum) result = maximum;
            if (reader->bits == 8)
                ((uint8_t *)image)[base + c] = (uint8_t)result;
            else
                ((uint16_t *)image)[base + c] = (uint16_t)result;
        }
    }
}

/// The largest tile side accepted for an image side of `side` pixels (see tiff_decode).
static uint64_t max_tile_side(uint32_t side) {
    const uint64_t rounded = ((uint64_t)side + 15) / 16 * 16;
    return rounded > 1024 ? rounded : 1024;
}

static ic_status tiff_decode(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    (void)byte_count;
    (void)info;
    tiff_reader *reader = state;
    TIFF *tiff = reader->tiff;
    reader->sink.error = error;
    const int tiled = TIFFIsTiled(tiff);
    const int separate = reader->planar == PLANARCONFIG_SEPARATE;
    const uint16_t planes = separate ? reader->samples : 1;
    const uint16_t samples_per_chunk = separate ? 1 : reader->samples;
    uint32_t chunk_width = reader->width;
    uint32_t chunk_height = reader->height;
    if (tiled) {
        TIFFGetField(tiff, TIFFTAG_TILEWIDTH, &chunk_width);
        TIFFGetField(tiff, TIFFTAG_TILELENGTH, &chunk_height);
    } else {
        TIFFGetFieldDefaulted(tiff, TIFFTAG_ROWSPERSTRIP, &chunk_height);
        if (chunk_height > reader->height) chunk_height = reader->height;
    }
    tmsize_t chunk_size = tiled ? TIFFTileSize(tiff) : TIFFStripSize(tiff);
    if (chunk_width == 0 || chunk_height == 0 || chunk_size <= 0) {
        ic_fail(error, IC_ERR_CORRUPT, "bad strip or tile dimensions");
        return error->status;
    }
    // A strip is at most the image's rows, but a tile's size is the header's word alone, and one
    // tile is allocated before any is read: a corrupt tile width could ask for hundreds of GB for
    // a 16 × 12 image. A tile past the image (rounded up to the spec's multiple of 16) is only
    // padding; writers use 256 or 512 even for small images, so up to 1024 always passes.
    if (tiled && (chunk_width > max_tile_side(reader->width) || chunk_height > max_tile_side(reader->height))) {
        ic_fail(error, IC_ERR_CORRUPT, "%u × %u tiles do not fit a %u × %u image", chunk_width, chunk_height,
                reader->width, reader->height);
        return error->status;
    }
    uint8_t *chunk = malloc((size_t)chunk_size);
    if (chunk == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for a %lld-byte strip or tile", (long long)chunk_size);
        return error->status;
    }
    const size_t bytes = reader->bits / 8;
    const size_t chunk_row_bytes = (size_t)chunk_width * samples_per_chunk * bytes;
    for (uint16_t plane = 0; plane < planes && error->status == IC_OK; plane++) {
        for (uint32_t top = 0; top < reader->height && error->status == IC_OK; top += chunk_height) {
            for (uint32_t left = 0; left < reader->width && error->status == IC_OK; left += chunk_width) {
                uint32_t index = tiled ? TIFFComputeTile(tiff, left, top, 0, plane) : TIFFComputeStrip(tiff, top, plane);
                uint64_t offset = TIFFGetStrileOffset(tiff, index);
                uint64_t length = TIFFGetStrileByteCount(tiff, index);
                if (offset > reader->file_size || length > reader->file_size - offset) {
                    ic_fail(error, IC_ERR_TRUNCATED, "%s %u lies past the end of the file", tiled ? "tile" : "strip",
                            index);
                    break;
                }
                tmsize_t got = tiled ? TIFFReadEncodedTile(tiff, index, chunk, chunk_size)
                                     : TIFFReadEncodedStrip(tiff, index, chunk, chunk_size);
                if (got < 0) {
                    ic_fail(error, IC_ERR_CORRUPT, "cannot decode %s %u", tiled ? "tile" : "strip", index);
                    break;
                }
                uint32_t rows = reader->height - top < chunk_height ? reader->height - top : chunk_height;
                uint32_t columns = reader->width - left < chunk_width ? reader->width - left : chunk_width;
                if ((size_t)got < (rows - 1) * chunk_row_bytes + (size_t)columns * samples_per_chunk * bytes) {
                    ic_fail(error, IC_ERR_CORRUPT, "%s %u holds too few bytes", tiled ? "tile" : "strip", index);
                    break;
                }
                for (uint32_t row = 0; row < rows; row++)
                    place_pixels(reader, chunk + row * chunk_row_bytes, samples,
                                 (size_t)(top + row) * reader->width + left, columns, separate ? plane : 0,
                                 samples_per_chunk);
            }
        }
    }
    free(chunk);
    if (error->status == IC_OK && reader->premultiplied)
        unpremultiply(reader, samples, (size_t)reader->width * reader->height);
    return error->status;
}

/// Strips of interleaved samples (or of one sample), which TIFFReadScanline reads a row at a time;
/// libtiff's JPEG codec converts subsampled YCbCr in whole blocks of rows, so it is left out.
static int tiff_streams(void *state) {
    tiff_reader *reader = state;
    return !TIFFIsTiled(reader->tiff) && (reader->planar == PLANARCONFIG_CONTIG || reader->samples == 1) &&
           reader->compression != COMPRESSION_JPEG && reader->compression != COMPRESSION_OJPEG;
}

static ic_status tiff_read_row(void *state, void *row, uint32_t index, ic_error *error) {
    tiff_reader *reader = state;
    TIFF *tiff = reader->tiff;
    reader->sink.error = error;
    if (reader->scanline == NULL) {
        tmsize_t size = TIFFScanlineSize(tiff);
        reader->scanline = size > 0 ? malloc((size_t)size) : NULL;
        if (reader->scanline == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for a %lld-byte scanline", (long long)size);
            return error->status;
        }
    }
    // As tiff_decode does: a strip past the end of the file is truncation, not corruption.
    uint32_t strip = TIFFComputeStrip(tiff, index, 0);
    if (strip != reader->strip) {
        uint64_t offset = TIFFGetStrileOffset(tiff, strip);
        uint64_t length = TIFFGetStrileByteCount(tiff, strip);
        if (offset > reader->file_size || length > reader->file_size - offset) {
            ic_fail(error, IC_ERR_TRUNCATED, "strip %u lies past the end of the file", strip);
            return error->status;
        }
        reader->strip = strip;
    }
    if (TIFFReadScanline(tiff, reader->scanline, index, 0) < 0) {
        ic_fail(error, IC_ERR_CORRUPT, "cannot decode row %u", index);
        return error->status;
    }
    place_pixels(reader, reader->scanline, row, 0, reader->width, 0, reader->samples);
    if (reader->premultiplied) unpremultiply(reader, row, reader->width);
    return IC_OK;
}

const ic_reader_ops ic_tiff_reader_ops = {
    .decode = tiff_decode, .streams = tiff_streams, .read_row = tiff_read_row, .close = tiff_close};
