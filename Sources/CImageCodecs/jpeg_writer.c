// JPEG encoding with libjpeg-turbo: 8-bit gray or RGB rows, written as they arrive.

#include "jpeg_errors.h"

#include <stdlib.h>

typedef struct jpeg_writer {
    struct jpeg_compress_struct info;
    ic_jpeg_errors errors;
    int created;
    FILE *file;
    size_t row_bytes;
} jpeg_writer;

static void free_jpeg_writer(void *state) {
    jpeg_writer *writer = state;
    if (writer->created) jpeg_destroy_compress(&writer->info);
    if (writer->file != NULL) fclose(writer->file);
    free(writer);
}

void *ic_jpeg_create(const char *path, const ic_write_options *options, ic_error *error) {
    if (options->bit_depth != 8 || (options->channels != 1 && options->channels != 3)) {
        ic_fail(error, IC_ERR_UNSUPPORTED, "JPEG holds 8-bit gray or RGB only");
        return NULL;
    }
    jpeg_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    writer->row_bytes = (size_t)options->width * options->channels;
    writer->file = fopen(path, "wb");
    if (writer->file == NULL) {
        ic_fail_errno(error, "create");
        free_jpeg_writer(writer);
        return NULL;
    }
    ic_jpeg_errors_install(&writer->errors, (struct jpeg_common_struct *)&writer->info, error, IC_ERR_LIBRARY);
    if (setjmp(writer->errors.jump)) {
        free_jpeg_writer(writer);
        return NULL;
    }
    jpeg_create_compress(&writer->info);
    writer->created = 1;
    jpeg_stdio_dest(&writer->info, writer->file);
    writer->info.image_width = options->width;
    writer->info.image_height = options->height;
    writer->info.input_components = (int)options->channels;
    writer->info.in_color_space = options->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&writer->info);
    jpeg_set_quality(&writer->info, options->jpeg_quality, TRUE);
    if (options->jpeg_progressive) jpeg_simple_progression(&writer->info);
    jpeg_start_compress(&writer->info, TRUE);
    if (options->icc != NULL && options->icc_length > 0)
        jpeg_write_icc_profile(&writer->info, options->icc, (unsigned int)options->icc_length);
    return writer;
}

static ic_status write_jpeg_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    jpeg_writer *writer = state;
    writer->errors.error = error;
    if (row_count > writer->info.image_height - writer->info.next_scanline) {
        ic_fail(error, IC_ERR_LIBRARY, "more rows than the image's height");
        return error->status;
    }
    if (setjmp(writer->errors.jump)) return error->status;
    for (uint32_t index = 0; index < row_count; index++) {
        // libjpeg reads the rows only; its prototype lacks the const.
        JSAMPROW row = (JSAMPROW)samples + index * writer->row_bytes;
        jpeg_write_scanlines(&writer->info, &row, 1);
    }
    return IC_OK;
}

static ic_status finish_jpeg(void *state, ic_error *error) {
    jpeg_writer *writer = state;
    writer->errors.error = error;
    if (writer->info.next_scanline != writer->info.image_height) {
        ic_fail(error, IC_ERR_LIBRARY, "%u of %u rows written", writer->info.next_scanline, writer->info.image_height);
        return error->status;
    }
    if (setjmp(writer->errors.jump)) return error->status;
    jpeg_finish_compress(&writer->info);
    FILE *file = writer->file;
    writer->file = NULL;
    if (fclose(file) != 0) ic_fail_errno(error, "close");
    return error->status;
}

const ic_writer_ops ic_jpeg_writer_ops = {.write_rows = write_jpeg_rows, .finish = finish_jpeg, .free = free_jpeg_writer};
