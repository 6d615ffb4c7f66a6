// WebP encoding with libwebp, lossy or lossless, 8-bit RGB or RGBA (gray is widened to RGB);
// libwebpmux adds the ICC profile. libwebp encodes a whole picture at once, so the rows are kept
// until finish (at most 16383² pixels: 1 GiB).

#include "codecs_internal.h"

#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>
#include <webp/mux.h>

typedef struct webp_writer {
    ic_whole_picture picture;
    int lossless;
    int quality;
} webp_writer;

static void free_webp_writer(void *state) {
    webp_writer *writer = state;
    ic_whole_picture_release(&writer->picture);
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
    writer->lossless = options->webp_lossless;
    writer->quality = options->webp_quality;
    if (!ic_whole_picture_open(&writer->picture, path, options, error)) {
        free_webp_writer(writer);
        return NULL;
    }
    return writer;
}

static ic_status write_webp_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    webp_writer *writer = state;
    return ic_whole_picture_append(&writer->picture, samples, row_count, error);
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
    const ic_whole_picture *kept = &writer->picture;
    picture.width = (int)kept->width;
    picture.height = (int)kept->height;
    picture.use_argb = 1;
    int stride = (int)(kept->width * kept->stored_channels);
    int imported = kept->stored_channels == 4 ? WebPPictureImportRGBA(&picture, kept->image, stride)
                                              : WebPPictureImportRGB(&picture, kept->image, stride);
    // The picture holds its own copy now.
    ic_whole_picture_drop_samples(&writer->picture);
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
    WebPData profile = {writer->picture.icc, writer->picture.icc_length};
    WebPMuxError status = WebPMuxSetImage(mux, &image, 0);
    if (status == WEBP_MUX_OK) status = WebPMuxSetChunk(mux, "ICCP", &profile, 0);
    if (status == WEBP_MUX_OK) status = WebPMuxAssemble(mux, file);
    WebPMuxDelete(mux);
    if (status != WEBP_MUX_OK)
        ic_fail(error, IC_ERR_LIBRARY, "libwebpmux could not add the ICC profile (error %d)", (int)status);
}

static ic_status finish_webp(void *state, ic_error *error) {
    webp_writer *writer = state;
    if (ic_whole_picture_complete(&writer->picture, error) != IC_OK) return error->status;
    WebPMemoryWriter bitstream;
    WebPMemoryWriterInit(&bitstream);
    WebPData file = {NULL, 0};
    if (encode(writer, &bitstream, error)) {
        if (writer->picture.icc == NULL) {
            file.bytes = bitstream.mem;
            file.size = bitstream.size;
        } else {
            add_profile(writer, &bitstream, &file, error);
        }
    }
    ic_whole_picture_save(&writer->picture, file.bytes, file.size, error);
    if (writer->picture.icc != NULL) WebPDataClear(&file);
    WebPMemoryWriterClear(&bitstream);
    return error->status;
}

const ic_writer_ops ic_webp_writer_ops = {
    .write_rows = write_webp_rows, .finish = finish_webp, .free = free_webp_writer};
