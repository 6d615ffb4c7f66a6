// WebP encoding with libwebp, lossy or lossless, 8-bit RGB or RGBA (gray is widened to RGB);
// libwebpmux adds the ICC profile. libwebp encodes a whole picture at once, so the rows are kept
// until finish (at most 16383² pixels: 1 GiB).

#include "codecs_internal.h"

#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>
#include <webp/mux.h>

typedef struct webp_writer {
    FILE *file;
    uint32_t width;
    uint32_t height;
    /// Channels given (1…4) and stored (3 or 4).
    uint32_t channels;
    uint32_t stored_channels;
    uint32_t rows_written;
    uint8_t *image;
    int lossless;
    int quality;
    uint8_t *icc;
    size_t icc_length;
} webp_writer;

static void free_webp_writer(void *state) {
    webp_writer *writer = state;
    if (writer->file != NULL) fclose(writer->file);
    free(writer->image);
    free(writer->icc);
    free(writer);
}

void *ic_webp_create(const char *path, const ic_write_options *options, ic_error *error) {
    if (options->bit_depth != 8) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "WebP holds 8-bit samples only");
        return NULL;
    }
    if (options->width > WEBP_MAX_DIMENSION || options->height > WEBP_MAX_DIMENSION) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "WebP allows at most %d pixels a side", WEBP_MAX_DIMENSION);
        return NULL;
    }
    webp_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    writer->width = options->width;
    writer->height = options->height;
    writer->channels = options->channels;
    writer->stored_channels = options->channels == 2 || options->channels == 4 ? 4 : 3;
    writer->lossless = options->webp_lossless;
    writer->quality = options->webp_quality;
    writer->image = malloc(ic_image_bytes(options->width, options->height, writer->stored_channels, 8));
    if (writer->image == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for the %ux%u image", options->width, options->height);
        free_webp_writer(writer);
        return NULL;
    }
    if (options->icc != NULL && options->icc_length > 0) {
        // The caller's profile lives only as long as this call.
        writer->icc = malloc(options->icc_length);
        if (writer->icc == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for the ICC profile");
            free_webp_writer(writer);
            return NULL;
        }
        memcpy(writer->icc, options->icc, options->icc_length);
        writer->icc_length = options->icc_length;
    }
    writer->file = fopen(path, "wb");
    if (writer->file == NULL) {
        ic_fail_errno(error, "create");
        free_webp_writer(writer);
        return NULL;
    }
    return writer;
}

static ic_status write_webp_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    webp_writer *writer = state;
    if (row_count > writer->height - writer->rows_written) {
        ic_fail(error, IC_ERR_LIBRARY, "more rows than the image's height");
        return error->status;
    }
    const uint8_t *source = samples;
    size_t pixels = (size_t)row_count * writer->width;
    uint8_t *target = writer->image + (size_t)writer->rows_written * writer->width * writer->stored_channels;
    if (writer->channels == writer->stored_channels) {
        memcpy(target, source, pixels * writer->channels);
    } else {
        // Gray (and gray+alpha) repeated into red, green and blue.
        for (size_t pixel = 0; pixel < pixels; pixel++) {
            const uint8_t *in = source + pixel * writer->channels;
            uint8_t *out = target + pixel * writer->stored_channels;
            out[0] = out[1] = out[2] = in[0];
            if (writer->channels == 2) out[3] = in[1];
        }
    }
    writer->rows_written += row_count;
    return IC_OK;
}

static const char *encoding_error_text(WebPEncodingError code) {
    switch (code) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "a side is 0 or past 16383 pixels";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW: return "the first partition passed 512 KiB (lower the quality)";
    case VP8_ENC_ERROR_FILE_TOO_BIG: return "the file would pass 4 GiB";
    default: return "libwebp refused the picture";
    }
}

/// Encodes the kept image into `output` (libwebp's memory writer).
static int encode(webp_writer *writer, WebPMemoryWriter *output, ic_error *error) {
    WebPConfig config;
    if (!WebPConfigPreset(&config, WEBP_PRESET_DEFAULT, (float)writer->quality)) {
        ic_fail(error, IC_ERR_LIBRARY, "libwebp's encoder does not match its header");
        return 0;
    }
    if (writer->lossless) {
        config.lossless = 1;
        // Keep the colour of fully transparent pixels, so that the file holds exactly what was given.
        config.exact = 1;
    }
    if (!WebPValidateConfig(&config)) {
        ic_fail(error, IC_ERR_LIBRARY, "WebP quality %d is not valid", writer->quality);
        return 0;
    }
    WebPPicture picture;
    if (!WebPPictureInit(&picture)) {
        ic_fail(error, IC_ERR_LIBRARY, "libwebp's encoder does not match its header");
        return 0;
    }
    picture.width = (int)writer->width;
    picture.height = (int)writer->height;
    picture.use_argb = 1;
    int stride = (int)(writer->width * writer->stored_channels);
    int imported = writer->stored_channels == 4 ? WebPPictureImportRGBA(&picture, writer->image, stride)
                                                : WebPPictureImportRGB(&picture, writer->image, stride);
    // The picture holds its own copy now.
    free(writer->image);
    writer->image = NULL;
    if (!imported) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for libwebp's copy of the picture");
        WebPPictureFree(&picture);
        return 0;
    }
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = output;
    int ok = WebPEncode(&config, &picture);
    if (!ok) ic_fail(error, IC_ERR_LIBRARY, "libwebp: %s", encoding_error_text(picture.error_code));
    WebPPictureFree(&picture);
    return ok;
}

/// The bitstream wrapped with the ICC profile in an extended (VP8X) file; `file` is libwebpmux's.
static void add_profile(const webp_writer *writer, const WebPMemoryWriter *bitstream, WebPData *file,
                       ic_error *error) {
    WebPMux *mux = WebPMuxNew();
    if (mux == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return;
    }
    WebPData image = {bitstream->mem, bitstream->size};
    WebPData profile = {writer->icc, writer->icc_length};
    WebPMuxError status = WebPMuxSetImage(mux, &image, 0);
    if (status == WEBP_MUX_OK) status = WebPMuxSetChunk(mux, "ICCP", &profile, 0);
    if (status == WEBP_MUX_OK) status = WebPMuxAssemble(mux, file);
    WebPMuxDelete(mux);
    if (status != WEBP_MUX_OK)
        ic_fail(error, IC_ERR_LIBRARY, "libwebpmux could not add the ICC profile (error %d)", (int)status);
}

static ic_status finish_webp(void *state, ic_error *error) {
    webp_writer *writer = state;
    if (writer->rows_written != writer->height) {
        ic_fail(error, IC_ERR_LIBRARY, "%u of %u rows written", writer->rows_written, writer->height);
        return error->status;
    }
    WebPMemoryWriter bitstream;
    WebPMemoryWriterInit(&bitstream);
    WebPData file = {NULL, 0};
    if (encode(writer, &bitstream, error)) {
        if (writer->icc == NULL) {
            file.bytes = bitstream.mem;
            file.size = bitstream.size;
        } else {
            add_profile(writer, &bitstream, &file, error);
        }
    }
    if (error->status == IC_OK && fwrite(file.bytes, 1, file.size, writer->file) != file.size)
        ic_fail_errno(error, "write");
    if (writer->icc != NULL) WebPDataClear(&file);
    WebPMemoryWriterClear(&bitstream);
    FILE *handle = writer->file;
    writer->file = NULL;
    if (fclose(handle) != 0) ic_fail_errno(error, "close");
    return error->status;
}

const ic_writer_ops ic_webp_writer_ops = {
    .write_rows = write_webp_rows, .finish = finish_webp, .free = free_webp_writer};
