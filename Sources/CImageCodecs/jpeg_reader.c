// JPEG decoding with libjpeg-turbo to gray or RGB, 8-bit; the ICC profile and EXIF block are kept.

#include "jpeg_errors.h"

#include <stdlib.h>
#include <string.h>

typedef struct jpeg_reader {
    struct jpeg_decompress_struct info;
    ic_jpeg_errors errors;
    int created;
    /// Row reading has called jpeg_start_decompress.
    int started;
    FILE *file;
    JOCTET *icc;
    unsigned int icc_length;
    uint8_t *exif;
} jpeg_reader;

static void close_jpeg(void *state) {
    jpeg_reader *reader = state;
    if (reader->created) jpeg_destroy_decompress(&reader->info);
    if (reader->file != NULL) fclose(reader->file);
    free(reader->icc);
    free(reader->exif);
    free(reader);
}

/// Copies the first APP1 "Exif" segment's TIFF structure (what Pillow's getexif reads too).
static void copy_exif(jpeg_reader *reader, ic_info *info) {
    static const char prefix[6] = {'E', 'x', 'i', 'f', 0, 0};
    for (jpeg_saved_marker_ptr marker = reader->info.marker_list; marker != NULL; marker = marker->next) {
        if (marker->marker != JPEG_APP0 + 1 || marker->data_length <= sizeof prefix) continue;
        if (memcmp(marker->data, prefix, sizeof prefix) != 0) continue;
        size_t length = marker->data_length - sizeof prefix;
        reader->exif = malloc(length);
        if (reader->exif == NULL) return;
        memcpy(reader->exif, marker->data + sizeof prefix, length);
        info->exif = reader->exif;
        info->exif_length = length;
        return;
    }
}

void *ic_jpeg_open(const char *path, ic_info *info, ic_error *error) {
    jpeg_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    reader->file = fopen(path, "rb");
    if (reader->file == NULL) {
        ic_fail_errno(error, "open");
        close_jpeg(reader);
        return NULL;
    }
    ic_jpeg_errors_install(&reader->errors, (struct jpeg_common_struct *)&reader->info, error, IC_ERR_CORRUPT);
    if (setjmp(reader->errors.jump)) {
        close_jpeg(reader);
        return NULL;
    }
    jpeg_create_decompress(&reader->info);
    reader->created = 1;
    jpeg_stdio_src(&reader->info, reader->file);
    jpeg_save_markers(&reader->info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(&reader->info, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&reader->info, TRUE);

    switch (reader->info.jpeg_color_space) {
    case JCS_GRAYSCALE:
        reader->info.out_color_space = JCS_GRAYSCALE;
        info->channels = 1;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        reader->info.out_color_space = JCS_RGB;
        info->channels = 3;
        break;
    default:
        ic_fail(error, IC_ERR_UNSUPPORTED, "%s JPEG is not supported (gray, YCbCr and RGB are)",
                reader->info.jpeg_color_space == JCS_CMYK    ? "CMYK"
                : reader->info.jpeg_color_space == JCS_YCCK ? "YCCK"
                                                             : "unknown-color-space");
        close_jpeg(reader);
        return NULL;
    }
    info->width = reader->info.image_width;
    info->height = reader->info.image_height;
    info->bit_depth = 8;
    if (jpeg_read_icc_profile(&reader->info, &reader->icc, &reader->icc_length)) {
        info->icc = reader->icc;
        info->icc_length = reader->icc_length;
    }
    copy_exif(reader, info);
    return reader;
}

/// jpeg_start_decompress, then checks that libjpeg's output has the layout the header promised.
static int start(jpeg_reader *reader, uint32_t width, uint32_t channels, ic_error *error) {
    jpeg_start_decompress(&reader->info);
    if (reader->info.output_width != width || (uint32_t)reader->info.output_components != channels) {
        ic_fail(error, IC_ERR_LIBRARY, "libjpeg's output differs from the header's layout");
        return 0;
    }
    return 1;
}

static ic_status decode_jpeg(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    jpeg_reader *reader = state;
    reader->errors.error = error;
    size_t row_bytes = byte_count / info->height;
    if (setjmp(reader->errors.jump)) return error->status;
    if (!start(reader, info->width, info->channels, error)) return error->status;
    while (reader->info.output_scanline < reader->info.output_height) {
        JSAMPROW row = (JSAMPROW)samples + reader->info.output_scanline * row_bytes;
        jpeg_read_scanlines(&reader->info, &row, 1);
    }
    // Every row is in; what follows the image (even a missing end marker) does not matter.
    jpeg_abort_decompress(&reader->info);
    return IC_OK;
}

static int streams_jpeg(void *state) {
    (void)state;
    return 1;
}

static ic_status read_jpeg_row(void *state, void *row, uint32_t index, ic_error *error) {
    (void)index;
    jpeg_reader *reader = state;
    reader->errors.error = error;
    if (setjmp(reader->errors.jump)) return error->status;
    if (!reader->started) {
        reader->started = 1;
        if (!start(reader, reader->info.image_width, reader->info.out_color_space == JCS_GRAYSCALE ? 1 : 3, error))
            return error->status;
    }
    JSAMPROW target = row;
    jpeg_read_scanlines(&reader->info, &target, 1);
    // As decode_jpeg does: once every row is in, what follows the image does not matter.
    if (reader->info.output_scanline == reader->info.output_height) jpeg_abort_decompress(&reader->info);
    return IC_OK;
}

const ic_reader_ops ic_jpeg_reader_ops = {
    .decode = decode_jpeg, .streams = streams_jpeg, .read_row = read_jpeg_row, .close = close_jpeg};
