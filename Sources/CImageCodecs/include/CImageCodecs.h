// A small C interface to libpng, libjpeg-turbo, libtiff, libwebp, libavif, libheif and libjxl for
// the Swift target ImageIO.
//
// libpng and libjpeg report errors by longjmp, which Swift cannot survive, so every library call
// happens inside these functions, under setjmp; libtiff's messages go to per-file handlers. Each
// function reports failure through an `ic_error` (a kind and a one-line message) and never prints.
// The library headers stay private to this target: Swift sees only the declarations below.
//
// Samples are interleaved, top row first, 8-bit as uint8_t and 16-bit as uint16_t in host byte
// order (each codec converts to and from its file's byte order).

#ifndef C_IMAGE_CODECS_H
#define C_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ic_format {
    IC_FORMAT_PNG = 1,
    IC_FORMAT_JPEG = 2,
    IC_FORMAT_TIFF = 3,
    IC_FORMAT_WEBP = 4,
    IC_FORMAT_AVIF = 5,
    /// HEIC and other HEIF files; read only.
    IC_FORMAT_HEIF = 6,
    /// JPEG XL, codestream or container; read only.
    IC_FORMAT_JXL = 7,
} ic_format;

/// What went wrong, so the Swift side can name the cause.
typedef enum ic_status {
    IC_OK = 0,
    /// The operating system refused: open, read, write or close failed (the message has errno's text).
    IC_ERR_IO = 1,
    /// The file ends before its data does.
    IC_ERR_TRUNCATED = 2,
    /// The library found the data malformed.
    IC_ERR_CORRUPT = 3,
    /// A valid file or request that these codecs do not handle (CMYK, float samples, …).
    IC_ERR_UNSUPPORTED = 4,
    /// The library refused a request while writing.
    IC_ERR_LIBRARY = 5,
    IC_ERR_MEMORY = 6,
} ic_status;

typedef struct ic_error {
    ic_status status;
    char message[512];
} ic_error;

/// What a reader found in the file's header. The pointers stay valid until `ic_reader_close`.
typedef struct ic_info {
    uint32_t width;
    uint32_t height;
    /// Channels as decoded: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palettes expand to RGB or RGBA).
    uint32_t channels;
    /// 8 or 16.
    uint32_t bit_depth;
    /// TIFF's orientation tag, AVIF's rotation and mirror or JPEG XL's orientation as that tag's
    /// value (1…8); 0 where the format keeps orientation in EXIF instead. HEIF reports 1: libheif
    /// applies the file's rotation and mirror while decoding (and HEIF's EXIF orientation is only
    /// informative).
    uint32_t orientation;
    const uint8_t *icc;
    size_t icc_length;
    /// TIFF-structured EXIF (JPEG's "Exif\0\0" prefix removed); NULL when absent.
    const uint8_t *exif;
    size_t exif_length;
} ic_info;

typedef struct ic_reader ic_reader;

/// Opens `path`, reads its header into `info`; NULL on failure.
ic_reader *ic_reader_open(ic_format format, const char *path, ic_info *info, ic_error *error);

/// Decodes the whole image into `samples`, which holds exactly
/// width × height × channels samples of bit_depth bits (`byte_count` bytes). A PNG's EXIF chunk
/// may follow the image data, so `info` is refreshed afterwards.
ic_status ic_reader_decode(ic_reader *reader, void *samples, size_t byte_count, ic_info *info, ic_error *error);

/// Whether `ic_reader_read_rows` can decode this file from the top a few rows at a time, holding
/// one row: not for interlaced PNG (Adam7 spreads every row over seven passes), a PNG with an EXIF
/// chunk after its pixels (the orientation is known only at the end), tiled or planar TIFF, or
/// JPEG-compressed TIFF. Progressive JPEG streams, though libjpeg keeps the whole image's
/// coefficients to do it.
int ic_reader_streams(ic_reader *reader);

/// Decodes the next `row_count` rows of a streaming reader (see `ic_reader_streams`), keeping
/// columns [first_column, first_column + column_count) of each in `samples`:
/// row_count × column_count × channels samples. A column_count of 0 (samples may be NULL) decodes
/// and drops the rows. After the last row the end of the file is checked, as a whole decode does.
/// Not to be mixed with `ic_reader_decode`; after a failure every call fails.
ic_status ic_reader_read_rows(ic_reader *reader, void *samples, uint32_t row_count, uint32_t first_column,
                              uint32_t column_count, ic_error *error);

void ic_reader_close(ic_reader *reader);

typedef enum ic_tiff_compression {
    IC_TIFF_NONE = 0,
    IC_TIFF_LZW = 1,
    IC_TIFF_DEFLATE = 2,
} ic_tiff_compression;

typedef struct ic_write_options {
    ic_format format;
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint32_t bit_depth;
    /// JPEG: 1…100.
    int jpeg_quality;
    int jpeg_progressive;
    /// PNG: Adam7 needs every row before the first pass, so the writer keeps the image until finish.
    int png_interlaced;
    /// TIFF: 256 × 256 tiles (one row of tiles is buffered) instead of strips.
    int tiff_tiled;
    /// TIFF: 64-bit offsets ("w8"), needed past 4 GiB.
    int tiff_big;
    ic_tiff_compression tiff_compression;
    /// WebP: lossless, or lossy at webp_quality (0…100). Rows are kept until finish (libwebp
    /// encodes whole pictures); gray is stored as RGB.
    int webp_lossless;
    int webp_quality;
    /// AVIF: lossless (identity matrix, quantizer 0), or lossy at avif_quality (0…100, mapped
    /// linearly onto AV1's quantizers 63…0). Rows are kept until finish; 16-bit rows are stored as
    /// 10-bit, gray as RGB.
    int avif_lossless;
    int avif_quality;
    const uint8_t *icc;
    size_t icc_length;
} ic_write_options;

typedef struct ic_writer ic_writer;

/// Creates `path` and writes the header; NULL on failure (the caller removes any file left).
ic_writer *ic_writer_open(const char *path, const ic_write_options *options, ic_error *error);

/// Appends `row_count` full rows (width × channels samples each) below those already written.
ic_status ic_writer_write_rows(ic_writer *writer, const void *samples, uint32_t row_count, ic_error *error);

/// Completes the file after the last row and closes it.
ic_status ic_writer_finish(ic_writer *writer, ic_error *error);

/// Releases the writer, closing its file if `ic_writer_finish` did not.
void ic_writer_free(ic_writer *writer);

/// Float samples in [0, 1] (clamped; NaN becomes 0) scaled to 255 or 65535 and rounded to
/// nearest, halves up.
void ic_samples_to_8(const float *values, uint8_t *samples, size_t count);
void ic_samples_to_16(const float *values, uint16_t *samples, size_t count);

#ifdef __cplusplus
}
#endif

#endif
