// Shared between the codec files of this target; never seen by Swift.

#ifndef C_IMAGE_CODECS_INTERNAL_H
#define C_IMAGE_CODECS_INTERNAL_H

#include "CImageCodecs.h"

#include <stdarg.h>
#include <stdio.h>

/// Records the first failure only: later messages are usually consequences of the first.
void ic_fail(ic_error *error, ic_status status, const char *format, ...) __attribute__((format(printf, 3, 4)));
void ic_fail_v(ic_error *error, ic_status status, const char *format, va_list arguments);
/// Records errno's text for a failed system call on `what`.
void ic_fail_errno(ic_error *error, const char *what);

/// Reads the file at `path` into `*data` (the caller frees it), refusing one over `limit` bytes.
int ic_read_file(const char *path, size_t limit, uint8_t **data, size_t *size, ic_error *error);

/// Whether the top-level boxes (32-bit size and type, or size 1 and a 64-bit size, or size 0 to
/// the end) fit the file: libavif and libheif report a cut inside their metadata as a parse
/// failure.
/// Records a truncation and returns 0 when one does not.
int ic_boxes_fit(const uint8_t *data, size_t size, ic_error *error);

/// width × height × channels × bytes per sample, or 0 on overflow.
size_t ic_image_bytes(uint32_t width, uint32_t height, uint32_t channels, uint32_t bit_depth);

/// A picture kept whole for an encoder that takes whole pictures (WebP, AVIF): the file is opened
/// at once, rows are appended as they come (gray widened to RGB, alpha kept), the ICC profile
/// copied, since the caller's lives only as long as the create call.
typedef struct ic_whole_picture {
    FILE *file;
    uint32_t width;
    uint32_t height;
    /// Channels given (1…4) and stored (3 or 4).
    uint32_t channels;
    uint32_t stored_channels;
    /// Bytes per sample: 1 or 2.
    uint32_t sample_bytes;
    uint32_t rows_written;
    uint8_t *image;
    uint8_t *icc;
    size_t icc_length;
} ic_whole_picture;

/// Allocates the picture and creates the file; returns 0 on failure, recorded in `error`
/// (`ic_whole_picture_release` still frees what was made).
int ic_whole_picture_open(ic_whole_picture *picture, const char *path, const ic_write_options *options,
                          ic_error *error);
ic_status ic_whole_picture_append(ic_whole_picture *picture, const void *samples, uint32_t row_count,
                                  ic_error *error);
/// Records an error unless every row arrived.
ic_status ic_whole_picture_complete(const ic_whole_picture *picture, ic_error *error);
/// Writes `size` encoded bytes (unless an error came first) and closes the file.
ic_status ic_whole_picture_save(ic_whole_picture *picture, const void *bytes, size_t size, ic_error *error);
/// The picture's samples are no longer needed (an encoder holds its own copy).
void ic_whole_picture_drop_samples(ic_whole_picture *picture);
void ic_whole_picture_release(ic_whole_picture *picture);

/// One table per format; `state` is the format's own struct.
typedef struct ic_reader_ops {
    ic_status (*decode)(void *state, void *samples, size_t byte_count, ic_info *info, ic_error *error);
    /// Whether `read_row` works for this file; NULL for a format always decoded whole.
    int (*streams)(void *state);
    /// Decodes row `index` (the rows come in order) in full into `row`; NULL where `streams` is always 0.
    ic_status (*read_row)(void *state, void *row, uint32_t index, ic_error *error);
    void (*close)(void *state);
} ic_reader_ops;

typedef struct ic_writer_ops {
    ic_status (*write_rows)(void *state, const void *samples, uint32_t row_count, ic_error *error);
    ic_status (*finish)(void *state, ic_error *error);
    void (*free)(void *state);
} ic_writer_ops;

void *ic_png_open(const char *path, ic_info *info, ic_error *error);
void *ic_jpeg_open(const char *path, ic_info *info, ic_error *error);
void *ic_tiff_open(const char *path, ic_info *info, ic_error *error);
void *ic_webp_open(const char *path, ic_info *info, ic_error *error);
void *ic_avif_open(const char *path, ic_info *info, ic_error *error);
void *ic_heif_open(const char *path, ic_info *info, ic_error *error);
void *ic_jxl_open(const char *path, ic_info *info, ic_error *error);
extern const ic_reader_ops ic_png_reader_ops;
extern const ic_reader_ops ic_jpeg_reader_ops;
extern const ic_reader_ops ic_tiff_reader_ops;
extern const ic_reader_ops ic_webp_reader_ops;
extern const ic_reader_ops ic_avif_reader_ops;
extern const ic_reader_ops ic_heif_reader_ops;
extern const ic_reader_ops ic_jxl_reader_ops;

void *ic_png_create(const char *path, const ic_write_options *options, ic_error *error);
void *ic_jpeg_create(const char *path, const ic_write_options *options, ic_error *error);
void *ic_tiff_create(const char *path, const ic_write_options *options, ic_error *error);
void *ic_webp_create(const char *path, const ic_write_options *options, ic_error *error);
void *ic_avif_create(const char *path, const ic_write_options *options, ic_error *error);
extern const ic_writer_ops ic_png_writer_ops;
extern const ic_writer_ops ic_jpeg_writer_ops;
extern const ic_writer_ops ic_tiff_writer_ops;
extern const ic_writer_ops ic_webp_writer_ops;
extern const ic_writer_ops ic_avif_writer_ops;

#endif
