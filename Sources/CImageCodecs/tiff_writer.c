// TIFF encoding with libtiff: strips written row by row as rows arrive, or 256 × 256 tiles
// written one row of tiles at a time; classic or BigTIFF; optionally LZW or deflate.

#include "tiff_files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { tile_side = 256, strip_target_bytes = 256 * 1024 };

typedef struct tiff_writer {
    TIFF *tiff;
    ic_tiff_sink sink;
    uint32_t width;
    uint32_t height;
    uint32_t rows_written;
    size_t pixel_bytes;
    size_t row_bytes;
    /// Striped output: libtiff's predictor differences a row in place, so each row is copied here
    /// first (the caller's samples are read-only).
    uint8_t *row;
    /// Tiled output: the rows of the current row of tiles, and one tile being assembled.
    uint8_t *band;
    uint32_t band_rows;
    uint8_t *tile;
} tiff_writer;

static void tiff_free_writer(void *state) {
    tiff_writer *writer = state;
    ic_error ignored = {0};
    writer->sink.error = &ignored;
    if (writer->tiff != NULL) TIFFClose(writer->tiff);
    free(writer->row);
    free(writer->band);
    free(writer->tile);
    free(writer);
}

/// Sets the tags of the one image directory; 0 if libtiff refused one.
static int set_tags(tiff_writer *writer, const ic_write_options *options) {
    TIFF *tiff = writer->tiff;
    int alpha = options->channels == 2 || options->channels == 4;
    int ok = TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, options->width) &&
             TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, options->height) &&
             TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, (uint16_t)options->bit_depth) &&
             TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)options->channels) &&
             TIFFSetField(tiff, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) &&
             TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, options->channels >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK) &&
             TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
             TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    if (ok && alpha) {
        uint16_t extra[1] = {EXTRASAMPLE_UNASSALPHA};
        ok = TIFFSetField(tiff, TIFFTAG_EXTRASAMPLES, 1, extra);
    }
    if (ok && options->tiff_compression != IC_TIFF_NONE) {
        uint16_t scheme = options->tiff_compression == IC_TIFF_LZW ? COMPRESSION_LZW : COMPRESSION_ADOBE_DEFLATE;
        // Horizontal differencing makes photographic rows compress far better.
        ok = TIFFSetField(tiff, TIFFTAG_COMPRESSION, scheme) && TIFFSetField(tiff, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
    }
    if (ok && options->icc != NULL && options->icc_length > 0)
        ok = TIFFSetField(tiff, TIFFTAG_ICCPROFILE, (uint32_t)options->icc_length, options->icc);
    if (ok && options->tiff_tiled) {
        ok = TIFFSetField(tiff, TIFFTAG_TILEWIDTH, (uint32_t)tile_side) &&
             TIFFSetField(tiff, TIFFTAG_TILELENGTH, (uint32_t)tile_side);
    } else if (ok) {
        size_t rows = strip_target_bytes / writer->row_bytes;
        if (rows < 1) rows = 1;
        if (rows > options->height) rows = options->height;
        ok = TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, (uint32_t)rows);
    }
    return ok;
}

void *ic_tiff_create(const char *path, const ic_write_options *options, ic_error *error) {
    tiff_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    writer->width = options->width;
    writer->height = options->height;
    writer->pixel_bytes = (size_t)options->channels * (options->bit_depth / 8);
    writer->row_bytes = writer->pixel_bytes * options->width;
    writer->sink.error = error;
    writer->sink.status = IC_ERR_LIBRARY;
    // Create the file first, so an unwritable folder is reported with the system's reason.
    int descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (descriptor < 0) {
        ic_fail_errno(error, "create");
        tiff_free_writer(writer);
        return NULL;
    }
    close(descriptor);
    writer->tiff = ic_tiff_open_file(path, options->tiff_big ? "w8" : "w", &writer->sink);
    if (writer->tiff == NULL || !set_tags(writer, options)) {
        ic_fail(error, IC_ERR_LIBRARY, "libtiff refused the image's tags");
        tiff_free_writer(writer);
        return NULL;
    }
    if (options->tiff_tiled) {
        writer->band = malloc(writer->row_bytes * tile_side);
        writer->tile = malloc(writer->pixel_bytes * tile_side * tile_side);
        if (writer->band == NULL || writer->tile == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for a row of tiles");
            tiff_free_writer(writer);
            return NULL;
        }
    } else {
        writer->row = malloc(writer->row_bytes);
        if (writer->row == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for a row");
            tiff_free_writer(writer);
            return NULL;
        }
    }
    return writer;
}

/// Writes the buffered row of tiles, zero-padding the right and bottom edge tiles.
static int flush_band(tiff_writer *writer) {
    uint32_t top = writer->rows_written - writer->band_rows;
    size_t tile_row_bytes = writer->pixel_bytes * tile_side;
    for (uint32_t left = 0; left < writer->width; left += tile_side) {
        uint32_t columns = writer->width - left < tile_side ? writer->width - left : tile_side;
        memset(writer->tile, 0, tile_row_bytes * tile_side);
        for (uint32_t row = 0; row < writer->band_rows; row++)
            memcpy(writer->tile + row * tile_row_bytes, writer->band + row * writer->row_bytes + left * writer->pixel_bytes,
                   columns * writer->pixel_bytes);
        if (TIFFWriteTile(writer->tiff, writer->tile, left, top, 0, 0) < 0) return 0;
    }
    writer->band_rows = 0;
    return 1;
}

static ic_status tiff_write_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    tiff_writer *writer = state;
    writer->sink.error = error;
    if (row_count > writer->height - writer->rows_written) {
        ic_fail(error, IC_ERR_LIBRARY, "more rows than the image's height");
        return error->status;
    }
    const uint8_t *rows = samples;
    for (uint32_t index = 0; index < row_count; index++) {
        const uint8_t *row = rows + index * writer->row_bytes;
        int written;
        if (writer->band != NULL) {
            memcpy(writer->band + writer->band_rows * writer->row_bytes, row, writer->row_bytes);
            writer->band_rows++;
            writer->rows_written++;
            written = writer->band_rows < tile_side || flush_band(writer);
        } else {
            memcpy(writer->row, row, writer->row_bytes);
            written = TIFFWriteScanline(writer->tiff, writer->row, writer->rows_written, 0) >= 0;
            writer->rows_written++;
        }
        if (!written) {
            ic_fail(error, IC_ERR_LIBRARY, "libtiff could not write row %u", writer->rows_written - 1);
            break;
        }
    }
    return error->status;
}

static ic_status tiff_finish(void *state, ic_error *error) {
    tiff_writer *writer = state;
    writer->sink.error = error;
    if (writer->rows_written != writer->height) {
        ic_fail(error, IC_ERR_LIBRARY, "%u of %u rows written", writer->rows_written, writer->height);
        return error->status;
    }
    if (writer->band != NULL && writer->band_rows > 0 && !flush_band(writer)) {
        ic_fail(error, IC_ERR_LIBRARY, "libtiff could not write the last row of tiles");
        return error->status;
    }
    // TIFFFlush writes the directory and reports failure; TIFFClose then only releases.
    if (!TIFFFlush(writer->tiff)) ic_fail(error, IC_ERR_LIBRARY, "libtiff could not complete the file");
    TIFFClose(writer->tiff);
    writer->tiff = NULL;
    return error->status;
}

const ic_writer_ops ic_tiff_writer_ops = {.write_rows = tiff_write_rows, .finish = tiff_finish, .free = tiff_free_writer};
