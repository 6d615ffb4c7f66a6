// The picture WebP's and AVIF's writers keep until finish: their encoders take whole pictures.

#include "codecs_internal.h"

#include <stdlib.h>
#include <string.h>

int ic_whole_picture_open(ic_whole_picture *picture, const char *path, const ic_write_options *options,
                          ic_error *error) {
    picture->width = options->width;
    picture->height = options->height;
    picture->channels = options->channels;
    picture->stored_channels = options->channels == 2 || options->channels == 4 ? 4 : 3;
    picture->sample_bytes = options->bit_depth / 8;
    size_t bytes = ic_image_bytes(options->width, options->height, picture->stored_channels, options->bit_depth);
    picture->image = bytes > 0 ? malloc(bytes) : NULL;
    if (picture->image == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for the %ux%u image", options->width, options->height);
        return 0;
    }
    if (options->icc != NULL && options->icc_length > 0) {
        picture->icc = malloc(options->icc_length);
        if (picture->icc == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for the ICC profile");
            return 0;
        }
        memcpy(picture->icc, options->icc, options->icc_length);
        picture->icc_length = options->icc_length;
    }
    picture->file = fopen(path, "wb");
    if (picture->file == NULL) {
        ic_fail_errno(error, "create");
        return 0;
    }
    return 1;
}

/// Gray (and gray+alpha) samples of one width repeated into red, green and blue.
#define WIDEN_GRAY(type)                                                                                  \
    do {                                                                                                  \
        const type *source = samples;                                                                     \
        type *target = (type *)picture->image + offset;                                                   \
        for (size_t pixel = 0; pixel < pixels; pixel++) {                                                 \
            const type *in = source + pixel * picture->channels;                                          \
            type *out = target + pixel * picture->stored_channels;                                        \
            out[0] = out[1] = out[2] = in[0];                                                             \
            if (picture->channels == 2) out[3] = in[1];                                                   \
        }                                                                                                 \
    } while (0)

ic_status ic_whole_picture_append(ic_whole_picture *picture, const void *samples, uint32_t row_count,
                                  ic_error *error) {
    if (row_count > picture->height - picture->rows_written) {
        ic_fail(error, IC_ERR_LIBRARY, "more rows than the image's height");
        return error->status;
    }
    size_t pixels = (size_t)row_count * picture->width;
    size_t offset = (size_t)picture->rows_written * picture->width * picture->stored_channels;
    if (picture->channels == picture->stored_channels) {
        memcpy(picture->image + offset * picture->sample_bytes, samples,
               pixels * picture->channels * picture->sample_bytes);
    } else if (picture->sample_bytes == 1) {
        WIDEN_GRAY(uint8_t);
    } else {
        WIDEN_GRAY(uint16_t);
    }
    picture->rows_written += row_count;
    return IC_OK;
}

ic_status ic_whole_picture_complete(const ic_whole_picture *picture, ic_error *error) {
    if (picture->rows_written != picture->height)
        ic_fail(error, IC_ERR_LIBRARY, "%u of %u rows written", picture->rows_written, picture->height);
    return error->status;
}

ic_status ic_whole_picture_save(ic_whole_picture *picture, const void *bytes, size_t size, ic_error *error) {
    if (error->status == IC_OK && fwrite(bytes, 1, size, picture->file) != size) ic_fail_errno(error, "write");
    FILE *handle = picture->file;
    picture->file = NULL;
    if (fclose(handle) != 0) ic_fail_errno(error, "close");
    return error->status;
}

void ic_whole_picture_drop_samples(ic_whole_picture *picture) {
    free(picture->image);
    picture->image = NULL;
}

void ic_whole_picture_release(ic_whole_picture *picture) {
    if (picture->file != NULL) fclose(picture->file);
    free(picture->image);
    free(picture->icc);
}
