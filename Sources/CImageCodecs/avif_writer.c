// AVIF encoding with libavif and the AV1 encoder it was built with (libaom in Debian): 4:4:4
// YUV, 8-bit from 8-bit rows and 10-bit from 16-bit ones, RGB or RGBA (gray is widened to RGB),
// with the ICC profile in the container. Lossless files use the identity matrix at full range,
// so RGB survives exactly. AV1 encodes a whole picture at once, so the rows are kept until finish.

#include "codecs_internal.h"

#include <avif/avif.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct avif_writer {
    FILE *file;
    uint32_t width;
    uint32_t height;
    /// Channels given (1…4) and stored (3 or 4).
    uint32_t channels;
    uint32_t stored_channels;
    /// Bytes per sample of the kept rows: 1 or 2.
    uint32_t sample_bytes;
    uint32_t rows_written;
    uint8_t *image;
    int lossless;
    int quality;
    uint8_t *icc;
    size_t icc_length;
} avif_writer;

static void free_avif_writer(void *state) {
    avif_writer *writer = state;
    if (writer->file != NULL) fclose(writer->file);
    free(writer->image);
    free(writer->icc);
    free(writer);
}

void *ic_avif_create(const char *path, const ic_write_options *options, ic_error *error) {
    if (options->avif_quality < 0 || options->avif_quality > 100) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "AVIF quality %d is outside 0…100", options->avif_quality);
        return NULL;
    }
    avif_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    writer->width = options->width;
    writer->height = options->height;
    writer->channels = options->channels;
    writer->stored_channels = options->channels == 2 || options->channels == 4 ? 4 : 3;
    writer->sample_bytes = options->bit_depth / 8;
    writer->lossless = options->avif_lossless;
    writer->quality = options->avif_quality;
    size_t bytes = ic_image_bytes(options->width, options->height, writer->stored_channels, options->bit_depth);
    writer->image = bytes > 0 ? malloc(bytes) : NULL;
    if (writer->image == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for the %ux%u image", options->width, options->height);
        free_avif_writer(writer);
        return NULL;
    }
    if (options->icc != NULL && options->icc_length > 0) {
        // The caller's profile lives only as long as this call.
        writer->icc = malloc(options->icc_length);
        if (writer->icc == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for the ICC profile");
            free_avif_writer(writer);
            return NULL;
        }
        memcpy(writer->icc, options->icc, options->icc_length);
        writer->icc_length = options->icc_length;
    }
    writer->file = fopen(path, "wb");
    if (writer->file == NULL) {
        ic_fail_errno(error, "create");
        free_avif_writer(writer);
        return NULL;
    }
    return writer;
}

static ic_status write_avif_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    avif_writer *writer = state;
    if (row_count > writer->height - writer->rows_written) {
        ic_fail(error, IC_ERR_LIBRARY, "more rows than the image's height");
        return error->status;
    }
    size_t pixels = (size_t)row_count * writer->width;
    size_t offset = (size_t)writer->rows_written * writer->width * writer->stored_channels;
    if (writer->channels == writer->stored_channels) {
        memcpy(writer->image + offset * writer->sample_bytes, samples, pixels * writer->channels * writer->sample_bytes);
    } else if (writer->sample_bytes == 1) {
        // Gray (and gray+alpha) repeated into red, green and blue.
        const uint8_t *source = samples;
        uint8_t *target = writer->image + offset;
        for (size_t pixel = 0; pixel < pixels; pixel++) {
            const uint8_t *in = source + pixel * writer->channels;
            uint8_t *out = target + pixel * writer->stored_channels;
            out[0] = out[1] = out[2] = in[0];
            if (writer->channels == 2) out[3] = in[1];
        }
    } else {
        const uint16_t *source = samples;
        uint16_t *target = (uint16_t *)writer->image + offset;
        for (size_t pixel = 0; pixel < pixels; pixel++) {
            const uint16_t *in = source + pixel * writer->channels;
            uint16_t *out = target + pixel * writer->stored_channels;
            out[0] = out[1] = out[2] = in[0];
            if (writer->channels == 2) out[3] = in[1];
        }
    }
    writer->rows_written += row_count;
    return IC_OK;
}

/// The kept rows as a 4:4:4 AV1 image (NULL on failure, recorded in `error`).
static avifImage *yuv_image(const avif_writer *writer, ic_error *error) {
    avifImage *image = avifImageCreate(writer->width, writer->height, writer->sample_bytes == 2 ? 10 : 8,
                                       AVIF_PIXEL_FORMAT_YUV444);
    if (image == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    // sRGB primaries and transfer unless a profile says otherwise; BT.601 YUV for lossy files.
    image->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
    image->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;
    image->matrixCoefficients =
        writer->lossless ? AVIF_MATRIX_COEFFICIENTS_IDENTITY : AVIF_MATRIX_COEFFICIENTS_BT601;
    image->yuvRange = AVIF_RANGE_FULL;
    if (writer->icc != NULL) avifImageSetProfileICC(image, writer->icc, writer->icc_length);
    avifRGBImage rgb;
    avifRGBImageSetDefaults(&rgb, image);
    rgb.depth = writer->sample_bytes * 8;
    rgb.format = writer->stored_channels == 4 ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB;
    rgb.pixels = writer->image;
    rgb.rowBytes = writer->width * writer->stored_channels * writer->sample_bytes;
    avifResult result = avifImageRGBToYUV(image, &rgb);
    if (result != AVIF_RESULT_OK) {
        ic_fail(error, result == AVIF_RESULT_OUT_OF_MEMORY ? IC_ERR_MEMORY : IC_ERR_LIBRARY,
                "colour conversion: libavif: %s", avifResultToString(result));
        avifImageDestroy(image);
        return NULL;
    }
    return image;
}

/// Encodes the kept rows into `output` (libavif's buffer); returns 0 on failure.
static int encode_avif(avif_writer *writer, avifRWData *output, ic_error *error) {
    avifImage *image = yuv_image(writer, error);
    if (image == NULL) return 0;
    // The YUV planes hold the picture now.
    free(writer->image);
    writer->image = NULL;
    avifEncoder *encoder = avifEncoderCreate();
    if (encoder == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        avifImageDestroy(image);
        return 0;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    encoder->maxThreads = cores > 1 ? (int)cores : 1;
    // Speed 6 on libavif's scale of 0 (slowest) to 10, as Pillow's AVIF writer defaults to: upscaled
    // outputs are many megapixels, where every slower step costs noticeably more time.
    encoder->speed = 6;
    // Quality 100 is quantizer 0 (lossless only with the identity matrix), 0 is the coarsest, 63.
    int quantizer = writer->lossless ? AVIF_QUANTIZER_LOSSLESS
                                     : ((100 - writer->quality) * AVIF_QUANTIZER_WORST_QUALITY + 50) / 100;
    encoder->minQuantizer = encoder->maxQuantizer = quantizer;
    encoder->minQuantizerAlpha = encoder->maxQuantizerAlpha = writer->lossless ? AVIF_QUANTIZER_LOSSLESS : quantizer;
    avifResult result = avifEncoderWrite(encoder, image, output);
    if (result != AVIF_RESULT_OK)
        ic_fail(error, result == AVIF_RESULT_OUT_OF_MEMORY ? IC_ERR_MEMORY : IC_ERR_LIBRARY, "libavif: %s",
                avifResultToString(result));
    avifEncoderDestroy(encoder);
    avifImageDestroy(image);
    return result == AVIF_RESULT_OK;
}

static ic_status finish_avif(void *state, ic_error *error) {
    avif_writer *writer = state;
    if (writer->rows_written != writer->height) {
        ic_fail(error, IC_ERR_LIBRARY, "%u of %u rows written", writer->rows_written, writer->height);
        return error->status;
    }
    avifRWData output = AVIF_DATA_EMPTY;
    if (encode_avif(writer, &output, error) && fwrite(output.data, 1, output.size, writer->file) != output.size)
        ic_fail_errno(error, "write");
    avifRWDataFree(&output);
    FILE *handle = writer->file;
    writer->file = NULL;
    if (fclose(handle) != 0) ic_fail_errno(error, "close");
    return error->status;
}

const ic_writer_ops ic_avif_writer_ops = {
    .write_rows = write_avif_rows, .finish = finish_avif, .free = free_avif_writer};
