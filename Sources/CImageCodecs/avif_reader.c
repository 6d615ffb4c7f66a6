// AVIF decoding with libavif (and the AV1 decoder it was built with) to RGB or RGBA: 8-bit
// files to 8-bit samples, 10- and 12-bit ones to 16-bit. The ICC profile and EXIF block come from
// the container. The first image of a sequence is read; the file is decoded whole (AV1 frames are
// not row-addressable), so it does not stream; the compressed file is read into memory first.

#include "codecs_internal.h"

#include <avif/avif.h>
#include <stdlib.h>
#include <string.h>

typedef struct avif_reader {
    avifDecoder *decoder;
    uint8_t *data;
    size_t size;
    uint8_t *icc;
    uint8_t *exif;
} avif_reader;

static void close_avif(void *state) {
    avif_reader *reader = state;
    if (reader->decoder != NULL) avifDecoderDestroy(reader->decoder);
    free(reader->data);
    free(reader->icc);
    free(reader->exif);
    free(reader);
}

/// The EXIF orientation (1…8) that AVIF's transforms describe: a rotation by `angle` quarter turns
/// anticlockwise, then a mirror (mode 0 exchanges top and bottom, 1 left and right; -1 none);
/// 0 without transforms, where the EXIF block decides.
static uint32_t orientation(const avifImage *image) {
    static const uint8_t table[4][3] = {{1, 4, 2}, {8, 5, 7}, {3, 2, 4}, {6, 7, 5}};
    int angle = image->transformFlags & AVIF_TRANSFORM_IROT ? image->irot.angle & 3 : 0;
    int mirror = image->transformFlags & AVIF_TRANSFORM_IMIR ? (image->imir.mode & 1) + 1 : 0;
    return angle == 0 && mirror == 0 ? 0 : table[angle][mirror];
}

static void fail_result(ic_error *error, avifResult result, const char *stage) {
    ic_status status;
    switch (result) {
    case AVIF_RESULT_TRUNCATED_DATA: status = IC_ERR_TRUNCATED; break;
    case AVIF_RESULT_IO_ERROR: status = IC_ERR_IO; break;
    case AVIF_RESULT_OUT_OF_MEMORY: status = IC_ERR_MEMORY; break;
    case AVIF_RESULT_NO_CODEC_AVAILABLE:
    case AVIF_RESULT_UNSUPPORTED_DEPTH:
    case AVIF_RESULT_NOT_IMPLEMENTED: status = IC_ERR_UNSUPPORTED; break;
    default: status = IC_ERR_CORRUPT; break;
    }
    ic_fail(error, status, "%s: libavif: %s", stage, avifResultToString(result));
}

/// A copy of `data` (NULL when empty).
static uint8_t *copy_bytes(const avifRWData *data, size_t *length) {
    if (data->size == 0) return NULL;
    uint8_t *copy = malloc(data->size);
    if (copy == NULL) return NULL;
    memcpy(copy, data->data, data->size);
    *length = data->size;
    return copy;
}

void *ic_avif_open(const char *path, ic_info *info, ic_error *error) {
    avif_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL || (reader->decoder = avifDecoderCreate()) == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        if (reader != NULL) close_avif(reader);
        return NULL;
    }
    // The caller's pixel limit applies after the header; this one stops libavif from allocating
    // past 2^28 pixels on its own (its default, kept explicit).
    reader->decoder->imageSizeLimit = AVIF_DEFAULT_IMAGE_SIZE_LIMIT;
    if (!ic_read_file(path, SIZE_MAX, &reader->data, &reader->size, error) ||
        !ic_boxes_fit(reader->data, reader->size, error)) {
        close_avif(reader);
        return NULL;
    }
    avifResult result = avifDecoderSetIOMemory(reader->decoder, reader->data, reader->size);
    if (result != AVIF_RESULT_OK) {
        fail_result(error, result, "open");
        close_avif(reader);
        return NULL;
    }
    result = avifDecoderParse(reader->decoder);
    if (result != AVIF_RESULT_OK) {
        fail_result(error, result, "header");
        close_avif(reader);
        return NULL;
    }
    const avifImage *image = reader->decoder->image;
    info->width = image->width;
    info->height = image->height;
    info->channels = reader->decoder->alphaPresent ? 4 : 3;
    info->bit_depth = image->depth > 8 ? 16 : 8;
    info->orientation = orientation(image);
    reader->icc = copy_bytes(&image->icc, &info->icc_length);
    info->icc = reader->icc;
    reader->exif = copy_bytes(&image->exif, &info->exif_length);
    info->exif = reader->exif;
    return reader;
}

static ic_status decode_avif(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    avif_reader *reader = state;
    avifResult result = avifDecoderNextImage(reader->decoder);
    if (result != AVIF_RESULT_OK) {
        fail_result(error, result, "pixels");
        return error->status;
    }
    const avifImage *image = reader->decoder->image;
    if (image->width != info->width || image->height != info->height) {
        ic_fail(error, IC_ERR_CORRUPT, "the image is %ux%u, its header said %ux%u", image->width, image->height,
                info->width, info->height);
        return error->status;
    }
    avifRGBImage rgb;
    avifRGBImageSetDefaults(&rgb, image);
    rgb.depth = info->bit_depth;
    rgb.format = info->channels == 4 ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB;
    rgb.pixels = samples;
    rgb.rowBytes = (uint32_t)(byte_count / info->height);
    result = avifImageYUVToRGB(image, &rgb);
    if (result != AVIF_RESULT_OK) fail_result(error, result, "colour conversion");
    return error->status;
}

// No streams and no read_row: the file is decoded whole, and the dispatcher never asks for rows.
const ic_reader_ops ic_avif_reader_ops = {.decode = decode_avif, .close = close_avif};
