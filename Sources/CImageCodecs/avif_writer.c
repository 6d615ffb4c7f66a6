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
    ic_whole_picture picture;
    int lossless;
    int quality;
} avif_writer;

static void free_avif_writer(void *state) {
    avif_writer *writer = state;
    ic_whole_picture_release(&writer->picture);
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
    writer->lossless = options->avif_lossless;
    writer->quality = options->avif_quality;
    if (!ic_whole_picture_open(&writer->picture, path, options, error)) {
        free_avif_writer(writer);
        return NULL;
    }
    return writer;
}

static ic_status write_avif_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    avif_writer *writer = state;
    return ic_whole_picture_append(&writer->picture, samples, row_count, error);
}

/// The kept rows as a 4:4:4 AV1 image (NULL on failure, recorded in `error`).
static avifImage *yuv_image(const avif_writer *writer, ic_error *error) {
    const ic_whole_picture *kept = &writer->picture;
    avifImage *image = avifImageCreate(kept->width, kept->height, kept->sample_bytes == 2 ? 10 : 8,
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
    if (kept->icc != NULL) avifImageSetProfileICC(image, kept->icc, kept->icc_length);
    avifRGBImage rgb;
    avifRGBImageSetDefaults(&rgb, image);
    rgb.depth = kept->sample_bytes * 8;
    rgb.format = kept->stored_channels == 4 ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB;
    rgb.pixels = kept->image;
    rgb.rowBytes = kept->width * kept->stored_channels * kept->sample_bytes;
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
    ic_whole_picture_drop_samples(&writer->picture);
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
    if (ic_whole_picture_complete(&writer->picture, error) != IC_OK) return error->status;
    avifRWData output = AVIF_DATA_EMPTY;
    (void)encode_avif(writer, &output, error);
    ic_whole_picture_save(&writer->picture, output.data, output.size, error);
    avifRWDataFree(&output);
    return error->status;
}

const ic_writer_ops ic_avif_writer_ops = {
    .write_rows = write_avif_rows, .finish = finish_avif, .free = free_avif_writer};
