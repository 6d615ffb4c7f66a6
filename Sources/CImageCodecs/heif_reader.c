// HEIF (HEIC and AVIF-in-HEIF) decoding with libheif and the decoders it was built with (libde265
// for HEVC in Debian), primary image only, to RGB or RGBA: 8-bit files to 8-bit samples, deeper
// ones to 16-bit. libheif applies the file's crop, rotation and mirror as it decodes, so the
// orientation reported is 1 (HEIF's EXIF orientation is informative only; the transforms rule).
// An ICC profile ("prof" or "rICC") is passed on; an nclx colour box gives no profile (sRGB).
// The file is decoded whole (HEVC tiles are not row-addressable), from memory.

#include "codecs_internal.h"

#include <libheif/heif.h>
#include <stdlib.h>
#include <string.h>

typedef struct heif_file_reader {
    struct heif_context *context;
    struct heif_image_handle *handle;
    uint8_t *data;
    size_t size;
    uint8_t *icc;
    /// Bits per sample in the file (8, 10, 12…).
    int file_bits;
} heif_file_reader;

static void close_heif(void *state) {
    heif_file_reader *reader = state;
    if (reader->handle != NULL) heif_image_handle_release(reader->handle);
    if (reader->context != NULL) heif_context_free(reader->context);
    free(reader->data);
    free(reader->icc);
    free(reader);
}

/// Records libheif's failure `result` at `stage`; returns 0 when there was one.
static int heif_ok(struct heif_error result, const char *stage, ic_error *error) {
    if (result.code == heif_error_Ok) return 1;
    ic_status status;
    switch (result.code) {
    case heif_error_Invalid_input:
        status = result.subcode == heif_suberror_End_of_data ? IC_ERR_TRUNCATED : IC_ERR_CORRUPT;
        break;
    // Only files whose 'ftyp' names a HEIF brand get here, so a file libheif finds no brand in is damaged.
    case heif_error_Unsupported_filetype: status = IC_ERR_CORRUPT; break;
    case heif_error_Unsupported_feature: status = IC_ERR_UNSUPPORTED; break;
    case heif_error_Memory_allocation_error: status = IC_ERR_MEMORY; break;
    default: status = IC_ERR_CORRUPT; break;
    }
    ic_fail(error, status, "%s: libheif: %s", stage, result.message != NULL ? result.message : "failed");
    return 0;
}

void *ic_heif_open(const char *path, ic_info *info, ic_error *error) {
    heif_file_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL || (reader->context = heif_context_alloc()) == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        if (reader != NULL) close_heif(reader);
        return NULL;
    }
    if (!ic_read_file(path, SIZE_MAX, &reader->data, &reader->size, error) ||
        !ic_boxes_fit(reader->data, reader->size, error) ||
        !heif_ok(heif_context_read_from_memory_without_copy(reader->context, reader->data, reader->size, NULL),
                 "header", error) ||
        !heif_ok(heif_context_get_primary_image_handle(reader->context, &reader->handle), "primary image", error)) {
        close_heif(reader);
        return NULL;
    }
    int width = heif_image_handle_get_width(reader->handle);
    int height = heif_image_handle_get_height(reader->handle);
    reader->file_bits = heif_image_handle_get_luma_bits_per_pixel(reader->handle);
    if (width <= 0 || height <= 0 || reader->file_bits <= 0 || reader->file_bits > 16) {
        ic_fail(error, IC_ERR_CORRUPT, "the primary image is %dx%d with %d-bit samples", width, height,
                reader->file_bits);
        close_heif(reader);
        return NULL;
    }
    info->width = (uint32_t)width;
    info->height = (uint32_t)height;
    info->channels = heif_image_handle_has_alpha_channel(reader->handle) ? 4 : 3;
    info->bit_depth = reader->file_bits > 8 ? 16 : 8;
    info->orientation = 1;
    enum heif_color_profile_type profile = heif_image_handle_get_color_profile_type(reader->handle);
    size_t icc_length = heif_image_handle_get_raw_color_profile_size(reader->handle);
    if ((profile == heif_color_profile_type_prof || profile == heif_color_profile_type_rICC) && icc_length > 0) {
        reader->icc = malloc(icc_length);
        if (reader->icc == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for the ICC profile");
            close_heif(reader);
            return NULL;
        }
        if (!heif_ok(heif_image_handle_get_raw_color_profile(reader->handle, reader->icc), "ICC profile", error)) {
            close_heif(reader);
            return NULL;
        }
        info->icc = reader->icc;
        info->icc_length = icc_length;
    }
    return reader;
}

/// Copies the interleaved plane to `samples`, widening little-endian samples of `bits` bits to the
/// full 16-bit range.
static void copy_plane(const uint8_t *plane, int stride, const ic_info *info, int bits, void *samples) {
    size_t row_samples = (size_t)info->width * info->channels;
    for (uint32_t y = 0; y < info->height; y++) {
        const uint8_t *row = plane + (size_t)y * (size_t)stride;
        if (info->bit_depth == 8) {
            memcpy((uint8_t *)samples + y * row_samples, row, row_samples);
            continue;
        }
        const uint32_t top = (1u << bits) - 1;
        uint16_t *out = (uint16_t *)samples + y * row_samples;
        for (size_t index = 0; index < row_samples; index++) {
            uint32_t value = row[index * 2] | (uint32_t)row[index * 2 + 1] << 8;
            out[index] = (uint16_t)((value * 65535u + top / 2) / top);
        }
    }
}

static ic_status decode_heif(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    (void)byte_count;
    heif_file_reader *reader = state;
    enum heif_chroma chroma;
    if (info->bit_depth == 8)
        chroma = info->channels == 4 ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB;
    else
        chroma = info->channels == 4 ? heif_chroma_interleaved_RRGGBBAA_LE : heif_chroma_interleaved_RRGGBB_LE;
    struct heif_image *image = NULL;
    if (!heif_ok(heif_decode_image(reader->handle, &image, heif_colorspace_RGB, chroma, NULL), "pixels", error))
        return error->status;
    int stride = 0;
    const uint8_t *plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride);
    int width = heif_image_get_width(image, heif_channel_interleaved);
    int height = heif_image_get_height(image, heif_channel_interleaved);
    if (plane == NULL || width != (int)info->width || height != (int)info->height) {
        ic_fail(error, IC_ERR_CORRUPT, "the decoded image is %dx%d, its header said %ux%u", width, height, info->width,
                info->height);
    } else {
        copy_plane(plane, stride, info, heif_image_get_bits_per_pixel_range(image, heif_channel_interleaved), samples);
    }
    heif_image_release(image);
    return error->status;
}

// No streams and no read_row: the file is decoded whole, and the dispatcher never asks for rows.
const ic_reader_ops ic_heif_reader_ops = {.decode = decode_heif, .close = close_heif};
