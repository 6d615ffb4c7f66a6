// WebP decoding with libwebp to RGB or RGBA, 8-bit; the ICC profile and EXIF block come from
// libwebpdemux. The compressed file is read into memory first (libwebp decodes from a buffer),
// then decoded whole: a WebP side is at most 16383 pixels, and libwebp's incremental decoder would
// hold the whole output anyway, so the file does not stream.

#include "codecs_internal.h"

#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

/// RIFF's own header: "RIFF", a 32-bit size of what follows, "WEBP".
enum { riff_header_bytes = 12 };

typedef struct webp_reader {
    uint8_t *data;
    size_t size;
    uint8_t *icc;
    uint8_t *exif;
} webp_reader;

static void close_webp(void *state) {
    webp_reader *reader = state;
    free(reader->data);
    free(reader->icc);
    free(reader->exif);
    free(reader);
}

/// Records libwebp's status as the matching error kind. The file is known whole by the time pixels
/// are decoded (the RIFF size is checked on opening), so data ending early there is a chunk
/// claiming more than its file holds: corrupt, not truncated.
static void fail_status(ic_error *error, VP8StatusCode status, const char *stage) {
    switch (status) {
    case VP8_STATUS_NOT_ENOUGH_DATA:
        if (strcmp(stage, "pixels") == 0)
            ic_fail(error, IC_ERR_CORRUPT, "pixels: a chunk claims more data than the file holds");
        else
            ic_fail(error, IC_ERR_TRUNCATED, "%s: the WebP data ends early", stage);
        break;
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        ic_fail(error, IC_ERR_UNSUPPORTED, "%s: a WebP feature libwebp does not handle", stage);
        break;
    case VP8_STATUS_OUT_OF_MEMORY:
        ic_fail(error, IC_ERR_MEMORY, "%s: out of memory", stage);
        break;
    case VP8_STATUS_INVALID_PARAM:
        ic_fail(error, IC_ERR_LIBRARY, "%s: libwebp refused the decoding parameters", stage);
        break;
    default:
        ic_fail(error, IC_ERR_CORRUPT, "%s: malformed WebP bitstream", stage);
        break;
    }
}

/// Copies the first chunk named `fourcc`, without `prefix` where it starts with it; NULL when absent.
static uint8_t *copy_chunk(WebPDemuxer *demux, const char *fourcc, const uint8_t *prefix, size_t prefix_length,
                           size_t *length) {
    WebPChunkIterator chunk;
    if (!WebPDemuxGetChunk(demux, fourcc, 1, &chunk)) return NULL;
    const uint8_t *bytes = chunk.chunk.bytes;
    size_t size = chunk.chunk.size;
    if (prefix_length > 0 && size > prefix_length && memcmp(bytes, prefix, prefix_length) == 0) {
        bytes += prefix_length;
        size -= prefix_length;
    }
    uint8_t *copy = size > 0 ? malloc(size) : NULL;
    if (copy != NULL) {
        memcpy(copy, bytes, size);
        *length = size;
    }
    WebPDemuxReleaseChunkIterator(&chunk);
    return copy;
}

void *ic_webp_open(const char *path, ic_info *info, ic_error *error) {
    webp_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    // RIFF sizes are 32-bit: a longer file is not a WebP.
    if (!ic_read_file(path, (size_t)UINT32_MAX + 8, &reader->data, &reader->size, error)) {
        close_webp(reader);
        return NULL;
    }
    // libwebp accepts a RIFF size past the end of the buffer (it may be streaming); a file is whole.
    if (reader->size >= riff_header_bytes) {
        const uint8_t *size_bytes = reader->data + 4;
        size_t announced = 8 + ((size_t)size_bytes[0] | (size_t)size_bytes[1] << 8 | (size_t)size_bytes[2] << 16 |
                                (size_t)size_bytes[3] << 24);
        if (announced > reader->size) {
            ic_fail(error, IC_ERR_TRUNCATED, "the RIFF header announces %zu bytes, the file has %zu", announced,
                    reader->size);
            close_webp(reader);
            return NULL;
        }
    }
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(reader->data, reader->size, &features);
    if (status != VP8_STATUS_OK) {
        fail_status(error, status, "header");
        close_webp(reader);
        return NULL;
    }
    if (features.has_animation) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "animated WebP (still images only)");
        close_webp(reader);
        return NULL;
    }
    info->width = (uint32_t)features.width;
    info->height = (uint32_t)features.height;
    info->channels = features.has_alpha ? 4 : 3;
    info->bit_depth = 8;

    WebPData whole = {reader->data, reader->size};
    WebPDemuxer *demux = WebPDemux(&whole);
    if (demux != NULL) {
        reader->icc = copy_chunk(demux, "ICCP", NULL, 0, &info->icc_length);
        info->icc = reader->icc;
        // Some writers keep JPEG's "Exif\0\0" prefix in the chunk; the block itself starts after it.
        static const uint8_t exif_prefix[6] = {'E', 'x', 'i', 'f', 0, 0};
        reader->exif = copy_chunk(demux, "EXIF", exif_prefix, sizeof exif_prefix, &info->exif_length);
        info->exif = reader->exif;
        WebPDemuxDelete(demux);
    }
    return reader;
}

static ic_status decode_webp(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    webp_reader *reader = state;
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        ic_fail(error, IC_ERR_LIBRARY, "libwebp's decoder does not match its header");
        return error->status;
    }
    config.output.colorspace = info->channels == 4 ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = samples;
    config.output.u.RGBA.stride = (int)(byte_count / info->height);
    config.output.u.RGBA.size = byte_count;
    VP8StatusCode status = WebPDecode(reader->data, reader->size, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) fail_status(error, status, "pixels");
    return error->status;
}

// No streams and no read_row: the file is decoded whole, and the dispatcher never asks for rows.
const ic_reader_ops ic_webp_reader_ops = {.decode = decode_webp, .close = close_webp};
