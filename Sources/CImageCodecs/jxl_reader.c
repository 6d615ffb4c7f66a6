// JPEG XL decoding with libjxl (bare codestream or container), first frame only: gray, gray+alpha,
// RGB or RGBA, 8-bit files to 8-bit samples and deeper (or floating-point) ones to 16-bit. The
// stored orientation is reported, not applied, as TIFF's and AVIF's are. A file described as sRGB
// gives no profile; any other colour space gives the ICC profile of the decoded samples (the
// attached one itself for a file that keeps its original profile). The file is decoded whole
// (libjxl's groups arrive in any order), from memory, on libjxl's thread pool.

#include "codecs_internal.h"

#include <jxl/decode.h>
#include <jxl/thread_parallel_runner.h>
#include <stdlib.h>
#include <string.h>

typedef struct jxl_reader {
    JxlDecoder *decoder;
    void *runner;
    uint8_t *data;
    size_t size;
    uint8_t *icc;
    JxlPixelFormat format;
} jxl_reader;

static void close_jxl(void *state) {
    jxl_reader *reader = state;
    if (reader->decoder != NULL) JxlDecoderDestroy(reader->decoder);
    if (reader->runner != NULL) JxlThreadParallelRunnerDestroy(reader->runner);
    free(reader->data);
    free(reader->icc);
    free(reader);
}

/// Runs the decoder to its next event. The whole file is its input and the input is left open,
/// so asking for more means the file ends early.
static JxlDecoderStatus next_event(jxl_reader *reader, const char *stage, ic_error *error) {
    JxlDecoderStatus status = JxlDecoderProcessInput(reader->decoder);
    if (status == JXL_DEC_NEED_MORE_INPUT)
        ic_fail(error, IC_ERR_TRUNCATED, "%s: the file ends before the image does", stage);
    else if (status == JXL_DEC_ERROR)
        ic_fail(error, IC_ERR_CORRUPT, "%s: libjxl found the data malformed", stage);
    return status;
}

/// Whether the file's colour space is sRGB (or sRGB's gray), which needs no profile.
static int is_srgb(const JxlDecoder *decoder) {
    JxlColorEncoding encoding;
    if (JxlDecoderGetColorAsEncodedProfile(decoder, NULL, JXL_COLOR_PROFILE_TARGET_DATA, &encoding) !=
        JXL_DEC_SUCCESS)
        return 0;
    return (encoding.color_space == JXL_COLOR_SPACE_RGB || encoding.color_space == JXL_COLOR_SPACE_GRAY) &&
           encoding.white_point == JXL_WHITE_POINT_D65 &&
           (encoding.color_space == JXL_COLOR_SPACE_GRAY || encoding.primaries == JXL_PRIMARIES_SRGB) &&
           encoding.transfer_function == JXL_TRANSFER_FUNCTION_SRGB;
}

/// Copies the decoded samples' ICC profile into the reader; returns 0 on failure.
static int read_profile(jxl_reader *reader, ic_info *info, ic_error *error) {
    size_t length = 0;
    if (JxlDecoderGetICCProfileSize(reader->decoder, NULL, JXL_COLOR_PROFILE_TARGET_DATA, &length) !=
            JXL_DEC_SUCCESS ||
        length == 0)
        return 1;  // no profile can describe it (an unknown space): the samples go on without one
    reader->icc = malloc(length);
    if (reader->icc == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for the ICC profile");
        return 0;
    }
    if (JxlDecoderGetColorAsICCProfile(reader->decoder, NULL, JXL_COLOR_PROFILE_TARGET_DATA, reader->icc, length) !=
        JXL_DEC_SUCCESS) {
        ic_fail(error, IC_ERR_CORRUPT, "libjxl could not give the ICC profile");
        return 0;
    }
    info->icc = reader->icc;
    info->icc_length = length;
    return 1;
}

void *ic_jxl_open(const char *path, ic_info *info, ic_error *error) {
    jxl_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL || (reader->decoder = JxlDecoderCreate(NULL)) == NULL ||
        (reader->runner = JxlThreadParallelRunnerCreate(NULL, JxlThreadParallelRunnerDefaultNumWorkerThreads())) ==
            NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        if (reader != NULL) close_jxl(reader);
        return NULL;
    }
    if (!ic_read_file(path, SIZE_MAX, &reader->data, &reader->size, error)) {
        close_jxl(reader);
        return NULL;
    }
    if (JxlDecoderSubscribeEvents(reader->decoder, JXL_DEC_BASIC_INFO | JXL_DEC_COLOR_ENCODING | JXL_DEC_FULL_IMAGE) !=
            JXL_DEC_SUCCESS ||
        JxlDecoderSetParallelRunner(reader->decoder, JxlThreadParallelRunner, reader->runner) != JXL_DEC_SUCCESS ||
        JxlDecoderSetKeepOrientation(reader->decoder, JXL_TRUE) != JXL_DEC_SUCCESS ||
        JxlDecoderSetUnpremultiplyAlpha(reader->decoder, JXL_TRUE) != JXL_DEC_SUCCESS ||
        JxlDecoderSetInput(reader->decoder, reader->data, reader->size) != JXL_DEC_SUCCESS) {
        ic_fail(error, IC_ERR_LIBRARY, "libjxl refused its settings");
        close_jxl(reader);
        return NULL;
    }
    JxlBasicInfo basic;
    if (next_event(reader, "header", error) != JXL_DEC_BASIC_INFO ||
        JxlDecoderGetBasicInfo(reader->decoder, &basic) != JXL_DEC_SUCCESS ||
        next_event(reader, "colour encoding", error) != JXL_DEC_COLOR_ENCODING) {
        ic_fail(error, IC_ERR_CORRUPT, "libjxl did not give the image's header");
        close_jxl(reader);
        return NULL;
    }
    info->width = basic.xsize;
    info->height = basic.ysize;
    info->channels = (basic.num_color_channels == 1 ? 1 : 3) + (basic.alpha_bits > 0 ? 1 : 0);
    info->bit_depth = basic.bits_per_sample > 8 || basic.exponent_bits_per_sample > 0 ? 16 : 8;
    info->orientation = basic.orientation >= 1 && basic.orientation <= 8 ? (uint32_t)basic.orientation : 1;
    reader->format = (JxlPixelFormat){.num_channels = info->channels,
                                      .data_type = info->bit_depth == 16 ? JXL_TYPE_UINT16 : JXL_TYPE_UINT8,
                                      .endianness = JXL_NATIVE_ENDIAN,
                                      .align = 0};
    if (!is_srgb(reader->decoder) && !read_profile(reader, info, error)) {
        close_jxl(reader);
        return NULL;
    }
    return reader;
}

static ic_status decode_jxl(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    (void)info;
    jxl_reader *reader = state;
    if (next_event(reader, "pixels", error) != JXL_DEC_NEED_IMAGE_OUT_BUFFER) {
        ic_fail(error, IC_ERR_CORRUPT, "pixels: libjxl did not reach the first frame");
        return error->status;
    }
    size_t needed = 0;
    if (JxlDecoderImageOutBufferSize(reader->decoder, &reader->format, &needed) != JXL_DEC_SUCCESS ||
        needed != byte_count ||
        JxlDecoderSetImageOutBuffer(reader->decoder, &reader->format, samples, byte_count) != JXL_DEC_SUCCESS) {
        ic_fail(error, IC_ERR_CORRUPT, "pixels: the first frame needs %zu bytes, the header's image %zu", needed,
                byte_count);
        return error->status;
    }
    if (next_event(reader, "pixels", error) != JXL_DEC_FULL_IMAGE)
        ic_fail(error, IC_ERR_CORRUPT, "pixels: libjxl stopped before the first frame's end");
    return error->status;
}

// No streams and no read_row: the file is decoded whole, and the dispatcher never asks for rows.
const ic_reader_ops ic_jxl_reader_ops = {.decode = decode_jxl, .close = close_jxl};
