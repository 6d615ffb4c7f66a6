// PNG decoding with libpng: every variant is expanded to 8- or 16-bit gray, gray+alpha, RGB or RGBA.

#include "codecs_internal.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_reader {
    FILE *file;
    png_structp png;
    png_infop info;
    ic_error *error;
    /// Set when the file ran out, so libpng's follow-up message is reported as truncation.
    int hit_end;
    png_bytep *rows;
    /// For the chunk scan that decides whether rows can stream.
    char *path;
    /// 1 or 0 once known, -1 before.
    int streams;
} png_reader;

static void on_error(png_structp png, png_const_charp message) {
    png_reader *reader = png_get_error_ptr(png);
    ic_fail(reader->error, reader->hit_end ? IC_ERR_TRUNCATED : IC_ERR_CORRUPT, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    // Warnings (an ancillary chunk's bad CRC, a questionable sRGB profile) do not stop decoding.
    (void)png;
    (void)message;
}

static void read_data(png_structp png, png_bytep data, size_t length) {
    png_reader *reader = png_get_io_ptr(png);
    if (fread(data, 1, length, reader->file) == length) return;
    if (ferror(reader->file)) {
        ic_fail_errno(reader->error, "read");
        png_error(png, "read failed");
    }
    reader->hit_end = 1;
    png_error(png, "the file ends before the PNG data does");
}

static void copy_metadata(png_reader *reader, ic_info *info) {
    png_charp name;
    int compression;
    png_bytep profile;
    png_uint_32 length;
    if (png_get_iCCP(reader->png, reader->info, &name, &compression, &profile, &length) & PNG_INFO_iCCP) {
        info->icc = profile;
        info->icc_length = length;
    }
    png_bytep exif;
    png_uint_32 exif_length = 0;
    if ((png_get_eXIf_1(reader->png, reader->info, &exif_length, &exif) & PNG_INFO_eXIf) && exif_length > 0) {
        info->exif = exif;
        info->exif_length = exif_length;
    }
}

static void close_png(void *state) {
    png_reader *reader = state;
    if (reader->png != NULL) png_destroy_read_struct(&reader->png, &reader->info, NULL);
    if (reader->file != NULL) fclose(reader->file);
    free(reader->rows);
    free(reader->path);
    free(reader);
}

void *ic_png_open(const char *path, ic_info *info, ic_error *error) {
    png_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    reader->error = error;
    reader->streams = -1;
    reader->path = strdup(path);
    reader->file = reader->path == NULL ? NULL : fopen(path, "rb");
    if (reader->file == NULL) {
        ic_fail_errno(error, "open");
        close_png(reader);
        return NULL;
    }
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_error, on_warning);
    if (reader->png != NULL) reader->info = png_create_info_struct(reader->png);
    if (reader->info == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "libpng could not allocate its state");
        close_png(reader);
        return NULL;
    }
    if (setjmp(png_jmpbuf(reader->png))) {
        close_png(reader);
        return NULL;
    }
    png_set_read_fn(reader->png, reader, read_data);
    png_read_info(reader->png, reader->info);

    int color_type = png_get_color_type(reader->png, reader->info);
    int bit_depth = png_get_bit_depth(reader->png, reader->info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(reader->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(reader->png);
    if (png_get_valid(reader->png, reader->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(reader->png);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // PNG stores 16-bit samples big-endian.
    if (bit_depth == 16) png_set_swap(reader->png);
#endif
    png_set_interlace_handling(reader->png);
    png_read_update_info(reader->png, reader->info);

    info->width = png_get_image_width(reader->png, reader->info);
    info->height = png_get_image_height(reader->png, reader->info);
    info->channels = png_get_channels(reader->png, reader->info);
    info->bit_depth = png_get_bit_depth(reader->png, reader->info);
    copy_metadata(reader, info);
    return reader;
}

static ic_status decode_png(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error) {
    png_reader *reader = state;
    reader->error = error;
    size_t row_bytes = byte_count / info->height;
    if (png_get_rowbytes(reader->png, reader->info) != row_bytes) {
        ic_fail(error, IC_ERR_LIBRARY, "libpng's row size differs from the decoded layout");
        return error->status;
    }
    reader->rows = malloc(sizeof(png_bytep) * info->height);
    if (reader->rows == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return error->status;
    }
    for (uint32_t row = 0; row < info->height; row++) reader->rows[row] = (png_bytep)samples + row * row_bytes;
    if (setjmp(png_jmpbuf(reader->png))) return error->status;
    png_read_image(reader->png, reader->rows);
    // Reads the chunks after the image: an eXIf chunk may sit there, and it checks for truncation.
    png_read_end(reader->png, reader->info);
    copy_metadata(reader, info);
    return IC_OK;
}

/// Whether an eXIf chunk follows the first IDAT: libpng reports it only after the last row, too
/// late for rows already handed out, so such a file is decoded whole. Walks the chunk headers
/// (seeking over their data) with a stream of its own, leaving libpng's untouched.
static int exif_after_pixels(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return 0;
    // One small read per chunk: buffering would read kilobytes only to seek away from them.
    setvbuf(file, NULL, _IONBF, 0);
    int seen_pixels = 0;
    int found = 0;
    uint8_t header[8];
    if (fseek(file, 8, SEEK_SET) == 0) {
        while (!found && fread(header, 1, sizeof header, file) == sizeof header) {
            uint32_t length = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
            if (memcmp(header + 4, "IDAT", 4) == 0) seen_pixels = 1;
            if (memcmp(header + 4, "IEND", 4) == 0) break;
            found = seen_pixels && memcmp(header + 4, "eXIf", 4) == 0;
            // The data and its 4-byte CRC.
            if (fseeko(file, (off_t)length + 4, SEEK_CUR) != 0) break;
        }
    }
    fclose(file);
    return found;
}

static int streams_png(void *state) {
    png_reader *reader = state;
    if (reader->streams < 0) {
        int interlaced = png_get_interlace_type(reader->png, reader->info) != PNG_INTERLACE_NONE;
        reader->streams = !interlaced && !exif_after_pixels(reader->path);
    }
    return reader->streams;
}

static ic_status read_png_row(void *state, void *row, uint32_t index, ic_error *error) {
    png_reader *reader = state;
    reader->error = error;
    if (setjmp(png_jmpbuf(reader->png))) return error->status;
    png_read_row(reader->png, row, NULL);
    // As decode_png does: the chunks after the image, which checks for truncation.
    if (index + 1 == png_get_image_height(reader->png, reader->info)) png_read_end(reader->png, reader->info);
    return IC_OK;
}

const ic_reader_ops ic_png_reader_ops = {
    .decode = decode_png, .streams = streams_png, .read_row = read_png_row, .close = close_png};
