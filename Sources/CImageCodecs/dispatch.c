// The format-independent entry points: pick the codec's table, hold its state, share the helpers.

#include "codecs_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ic_reader {
    const ic_reader_ops *ops;
    void *state;
    /// The decoded geometry, for row reading.
    uint32_t width;
    uint32_t height;
    size_t pixel_bytes;
    /// Row reading: the next row, one full row of scratch, and whether a failure ended it.
    uint32_t next_row;
    uint8_t *row;
    int failed;
};

struct ic_writer {
    const ic_writer_ops *ops;
    void *state;
};

void ic_fail_v(ic_error *error, ic_status status, const char *format, va_list arguments) {
    if (error->status != IC_OK) return;
    error->status = status;
    vsnprintf(error->message, sizeof error->message, format, arguments);
    // Library messages often end with a newline; the Swift side wants one line.
    size_t length = strlen(error->message);
    while (length > 0 && (error->message[length - 1] == '\n' || error->message[length - 1] == '.'))
        error->message[--length] = '\0';
}

void ic_fail(ic_error *error, ic_status status, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    ic_fail_v(error, status, format, arguments);
    va_end(arguments);
}

void ic_fail_errno(ic_error *error, const char *what) {
    ic_fail(error, IC_ERR_IO, "%s: %s", what, strerror(errno));
}

size_t ic_image_bytes(uint32_t width, uint32_t height, uint32_t channels, uint32_t bit_depth) {
    size_t total = (size_t)channels * (bit_depth / 8);
    if (width != 0 && total > SIZE_MAX / width) return 0;
    total *= width;
    if (height != 0 && total > SIZE_MAX / height) return 0;
    return total * height;
}

ic_reader *ic_reader_open(ic_format format, const char *path, ic_info *info, ic_error *error) {
    memset(info, 0, sizeof *info);
    memset(error, 0, sizeof *error);
    ic_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    switch (format) {
    case IC_FORMAT_PNG:
        reader->ops = &ic_png_reader_ops;
        reader->state = ic_png_open(path, info, error);
        break;
    case IC_FORMAT_JPEG:
        reader->ops = &ic_jpeg_reader_ops;
        reader->state = ic_jpeg_open(path, info, error);
        break;
    case IC_FORMAT_TIFF:
        reader->ops = &ic_tiff_reader_ops;
        reader->state = ic_tiff_open(path, info, error);
        break;
    case IC_FORMAT_WEBP:
        reader->ops = &ic_webp_reader_ops;
        reader->state = ic_webp_open(path, info, error);
        break;
    case IC_FORMAT_AVIF:
        reader->ops = &ic_avif_reader_ops;
        reader->state = ic_avif_open(path, info, error);
        break;
    case IC_FORMAT_HEIF:
        reader->ops = &ic_heif_reader_ops;
        reader->state = ic_heif_open(path, info, error);
        break;
    case IC_FORMAT_JXL:
        reader->ops = &ic_jxl_reader_ops;
        reader->state = ic_jxl_open(path, info, error);
        break;
    }
    if (reader->state == NULL) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "unknown format %d", (int)format);
        free(reader);
        return NULL;
    }
    reader->width = info->width;
    reader->height = info->height;
    reader->pixel_bytes = (size_t)info->channels * (info->bit_depth / 8);
    return reader;
}

int ic_reader_streams(ic_reader *reader) { return reader->ops->streams != NULL && reader->ops->streams(reader->state); }

ic_status ic_reader_read_rows(ic_reader *reader, void *samples, uint32_t row_count, uint32_t first_column,
                              uint32_t column_count, ic_error *error) {
    memset(error, 0, sizeof *error);
    if (reader->failed) {
        ic_fail(error, IC_ERR_LIBRARY, "an earlier error stopped the decoder");
        return error->status;
    }
    if (!ic_reader_streams(reader) || row_count > reader->height - reader->next_row ||
        first_column > reader->width || column_count > reader->width - first_column) {
        ic_fail(error, IC_ERR_LIBRARY, "rows %u+%u, columns %u+%u are not the next rows of this %ux%u image",
                reader->next_row, row_count, first_column, column_count, reader->width, reader->height);
        return error->status;
    }
    if (reader->row == NULL) {
        reader->row = malloc(reader->width * reader->pixel_bytes);
        if (reader->row == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for one row");
            return error->status;
        }
    }
    const size_t kept = column_count * reader->pixel_bytes;
    for (uint32_t index = 0; index < row_count; index++) {
        ic_status status = reader->ops->read_row(reader->state, reader->row, reader->next_row, error);
        if (status != IC_OK) {
            reader->failed = 1;
            return status;
        }
        if (kept > 0) memcpy((uint8_t *)samples + index * kept, reader->row + first_column * reader->pixel_bytes, kept);
        reader->next_row++;
    }
    return IC_OK;
}

ic_status ic_reader_decode(ic_reader *reader, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    memset(error, 0, sizeof *error);
    if (ic_image_bytes(info->width, info->height, info->channels, info->bit_depth) != byte_count) {
        ic_fail(error, IC_ERR_LIBRARY, "the sample buffer has %zu bytes, not the image's size", byte_count);
        return error->status;
    }
    return reader->ops->decode(reader->state, samples, byte_count, info, error);
}

void ic_reader_close(ic_reader *reader) {
    if (reader == NULL) return;
    reader->ops->close(reader->state);
    free(reader->row);
    free(reader);
}

ic_writer *ic_writer_open(const char *path, const ic_write_options *options, ic_error *error) {
    memset(error, 0, sizeof *error);
    if (options->width == 0 || options->height == 0 || options->channels < 1 || options->channels > 4 ||
        (options->bit_depth != 8 && options->bit_depth != 16)) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "%ux%u with %u channels of %u bits is not a writable image",
                options->width, options->height, options->channels, options->bit_depth);
        return NULL;
    }
    ic_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    switch (options->format) {
    case IC_FORMAT_PNG:
        writer->ops = &ic_png_writer_ops;
        writer->state = ic_png_create(path, options, error);
        break;
    case IC_FORMAT_JPEG:
        writer->ops = &ic_jpeg_writer_ops;
        writer->state = ic_jpeg_create(path, options, error);
        break;
    case IC_FORMAT_TIFF:
        writer->ops = &ic_tiff_writer_ops;
        writer->state = ic_tiff_create(path, options, error);
        break;
    case IC_FORMAT_WEBP:
        writer->ops = &ic_webp_writer_ops;
        writer->state = ic_webp_create(path, options, error);
        break;
    case IC_FORMAT_AVIF:
        writer->ops = &ic_avif_writer_ops;
        writer->state = ic_avif_create(path, options, error);
        break;
    case IC_FORMAT_HEIF:  // read only: no writer, refused below
    case IC_FORMAT_JXL:
        break;
    }
    if (writer->state == NULL) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "unknown format %d", (int)options->format);
        free(writer);
        return NULL;
    }
    return writer;
}

ic_status ic_writer_write_rows(ic_writer *writer, const void *samples, uint32_t row_count, ic_error *error) {
    memset(error, 0, sizeof *error);
    return writer->ops->write_rows(writer->state, samples, row_count, error);
}

ic_status ic_writer_finish(ic_writer *writer, ic_error *error) {
    memset(error, 0, sizeof *error);
    return writer->ops->finish(writer->state, error);
}

void ic_writer_free(ic_writer *writer) {
    if (writer == NULL) return;
    writer->ops->free(writer->state);
    free(writer);
}
