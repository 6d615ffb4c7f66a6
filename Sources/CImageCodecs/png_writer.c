// PNG encoding. libpng writes the signature and the header chunks (IHDR, iCCP). Then, as pigz
// does, rows are collected into bands, each band is filtered and deflated on its own worker
// thread while later rows still arrive, and the pieces are written in order as IDAT chunks that
// together hold one zlib stream. Interlaced images go through libpng row by row at finish: Adam7
// needs every row before its first pass, so there is nothing to overlap.
//
// The workers are pthreads here rather than Swift tasks: ImageWriter's API is synchronous, the
// deflate state is C's, and the caller must block when too many bands are in flight (bounded
// memory for huge images), which a condition variable does without an async context.

#include "codecs_internal.h"

#include <png.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* zlib's default level 6 made writing a 4× upscale take as long as computing it. Level 1 with
   run-length matching on Average-filtered rows (upscaled photos are smooth, so the residuals are
   runs of small values) writes 9× faster than level 6 with adaptive filtering, and the file is
   10% smaller: a 2048² upscale in 0.16 s and 4.6 MB against 1.5 s and 5.1 MB on one core (Paeth:
   as small, 0.23 s; Sub or Up: 0.16 s, 6–11% larger). Run-length matching looks back one byte
   only, so bands deflated without the previous band's window lose nothing but a match at
   each band's first byte. */
enum { deflate_level = 1, deflate_strategy = Z_RLE, png_filter_average = 3 };

/* About 256 KiB of rows per band: a 2048-row RGB image makes 50 bands to spread over the cores,
   the first is compressed after a few of the stitcher's blocks, and the per-band costs (a thread
   hand-off, deflateReset, a 5-byte flush marker) stay below 0.1%. */
enum { band_target_bytes = 256 * 1024 };

/// The most compression threads; more would only queue for the same few bands.
enum { max_threads = 64 };

typedef struct png_band {
    /// Rows 1…rows are the band's samples as given (host order); row 0 is the row above the
    /// band, which the Average filter reads (zeros above the image).
    uint8_t *raw;
    uint32_t rows;
    bool last;
    /// Each row as it is deflated: its filter type byte and the filtered bytes.
    uint8_t *filtered;
    size_t filtered_length;
    uLong adler;
    /// Raw deflate output ending in a sync flush (or the final block for the last band).
    uint8_t *packed;
    size_t packed_length;
    size_t packed_capacity;
    /// CRC-32 of `packed`, combined into its chunk's CRC by the writing thread.
    uLong crc;
    /// Set by the worker under the lock when `packed` is complete.
    bool done;
    ic_error error;
} png_band;

typedef struct png_writer {
    FILE *file;
    png_structp png;
    png_infop info;
    ic_error *error;
    uint32_t height;
    uint32_t rows_written;
    size_t row_bytes;
    /// Adam7 passes each need every row, so an interlaced image is kept here until finish.
    int passes;
    uint8_t *image;

    /// Banded output: bytes per complete pixel (the filter's left neighbour distance), rows per
    /// band, and whether 16-bit samples are swapped to PNG's big-endian order while filtering.
    size_t pixel_bytes;
    uint32_t band_rows;
    bool swap_bytes;
    /// Bands are used round-robin; band n lives in slot n % slot_count. Counts of bands handed
    /// to the workers, taken by a worker and written to the file: written ≤ taken ≤ submitted
    /// ≤ written + slot_count.
    png_band *bands;
    size_t slot_count;
    size_t submitted;
    size_t taken;
    size_t written;
    /// The band being filled by the caller, or NULL between bands.
    png_band *filling;
    /// The last row of the previous band, in its slot, which is not refilled before the next
    /// band has copied it.
    const uint8_t *above;
    uLong adler;
    /// The first failure, returned again by any later call.
    ic_error failure;
    pthread_mutex_t lock;
    /// Signalled when a band is submitted or the workers must stop.
    pthread_cond_t queued;
    /// Signalled when a worker finishes a band.
    pthread_cond_t compressed;
    pthread_t *threads;
    size_t thread_count;
    bool stopping;
    bool pool_ready;
} png_writer;

static void on_error(png_structp png, png_const_charp message) {
    png_writer *writer = png_get_error_ptr(png);
    ic_fail(writer->error, IC_ERR_LIBRARY, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    // libpng warns, and leaves the chunk out, when it judges an ICC profile malformed.
    (void)png;
    (void)message;
}

static void write_data(png_structp png, png_bytep data, size_t length) {
    png_writer *writer = png_get_io_ptr(png);
    if (fwrite(data, 1, length, writer->file) != length) {
        ic_fail_errno(writer->error, "write");
        png_error(png, "write failed");
    }
}

static void flush_data(png_structp png) {
    png_writer *writer = png_get_io_ptr(png);
    if (fflush(writer->file) != 0) {
        ic_fail_errno(writer->error, "write");
        png_error(png, "write failed");
    }
}

static void stop_workers(png_writer *writer) {
    if (!writer->pool_ready) return;
    pthread_mutex_lock(&writer->lock);
    writer->stopping = true;
    pthread_cond_broadcast(&writer->queued);
    pthread_mutex_unlock(&writer->lock);
    for (size_t index = 0; index < writer->thread_count; index++) pthread_join(writer->threads[index], NULL);
    writer->thread_count = 0;
}

static void free_png_writer(void *state) {
    png_writer *writer = state;
    stop_workers(writer);
    if (writer->pool_ready) {
        pthread_mutex_destroy(&writer->lock);
        pthread_cond_destroy(&writer->queued);
        pthread_cond_destroy(&writer->compressed);
    }
    ic_error ignored = {0};
    writer->error = &ignored;
    if (writer->png != NULL) png_destroy_write_struct(&writer->png, &writer->info);
    if (writer->file != NULL) fclose(writer->file);
    for (size_t slot = 0; writer->bands != NULL && slot < writer->slot_count; slot++) {
        free(writer->bands[slot].raw);
        free(writer->bands[slot].filtered);
        free(writer->bands[slot].packed);
    }
    free(writer->bands);
    free(writer->threads);
    free(writer->image);
    free(writer);
}

/// PNG's Average filter (type 3) of one row: each byte minus the floor of the mean of the byte
/// one pixel to its left and the byte above, in the file's byte order; `order` is 1 to read
/// little-endian 16-bit samples as big-endian bytes, else 0. Inlined with a constant `order`, so
/// the 8-bit loop vectorises.
static inline __attribute__((always_inline)) void average_filter(uint8_t *restrict out, const uint8_t *restrict row,
                                                                 const uint8_t *restrict above, size_t length,
                                                                 size_t pixel_bytes, size_t order) {
    *out++ = png_filter_average;
    for (size_t i = 0; i < pixel_bytes; i++) out[i] = (uint8_t)(row[i ^ order] - (above[i ^ order] >> 1));
    for (size_t i = pixel_bytes; i < length; i++)
        out[i] = (uint8_t)(row[i ^ order] - ((row[(i - pixel_bytes) ^ order] + above[i ^ order]) >> 1));
}

/// Filters and deflates one band on a worker; `stream` is the worker's raw deflate state, or
/// NULL when zlib could not allocate it.
static void compress_band(const png_writer *writer, png_band *band, z_stream *stream) {
    size_t stride = writer->row_bytes + 1;
    for (uint32_t row = 0; row < band->rows; row++) {
        const uint8_t *current = band->raw + (size_t)(row + 1) * writer->row_bytes;
        const uint8_t *above = current - writer->row_bytes;
        uint8_t *out = band->filtered + row * stride;
        if (writer->swap_bytes)
            average_filter(out, current, above, writer->row_bytes, writer->pixel_bytes, 1);
        else
            average_filter(out, current, above, writer->row_bytes, writer->pixel_bytes, 0);
    }
    band->filtered_length = band->rows * stride;
    band->adler = adler32(adler32(0, Z_NULL, 0), band->filtered, (uInt)band->filtered_length);
    if (stream == NULL || deflateReset(stream) != Z_OK) {
        ic_fail(&band->error, IC_ERR_MEMORY, "zlib could not allocate a deflate stream");
        return;
    }
    // deflateBound does not count the sync flush's empty stored block; zlib's manual asks for
    // more than six bytes of room when flushing.
    size_t needed = deflateBound(stream, (uLong)band->filtered_length) + 16;
    if (band->packed_capacity < needed) {
        uint8_t *grown = realloc(band->packed, needed);
        if (grown == NULL) {
            ic_fail(&band->error, IC_ERR_MEMORY, "out of memory for a compressed band of %zu bytes", needed);
            return;
        }
        band->packed = grown;
        band->packed_capacity = needed;
    }
    stream->next_in = band->filtered;
    stream->avail_in = (uInt)band->filtered_length;
    stream->next_out = band->packed;
    stream->avail_out = (uInt)band->packed_capacity;
    // A sync flush ends the band on a byte boundary with the deflate stream still open, so the
    // next band's blocks follow it directly; only the last band ends with the final block.
    int result = deflate(stream, band->last ? Z_FINISH : Z_SYNC_FLUSH);
    bool complete = band->last ? result == Z_STREAM_END : result == Z_OK && stream->avail_out > 0;
    if (!complete) {
        ic_fail(&band->error, IC_ERR_LIBRARY, "deflate failed on a band of %u rows (zlib %d)", band->rows, result);
        return;
    }
    band->packed_length = band->packed_capacity - stream->avail_out;
    band->crc = crc32(crc32(0, Z_NULL, 0), band->packed, (uInt)band->packed_length);
}

static void *compression_worker(void *state) {
    png_writer *writer = state;
    z_stream stream = {0};
    // A negative window size makes raw deflate: the writer writes the zlib header and trailer.
    bool ready = deflateInit2(&stream, deflate_level, Z_DEFLATED, -15, 8, deflate_strategy) == Z_OK;
    pthread_mutex_lock(&writer->lock);
    for (;;) {
        while (!writer->stopping && writer->taken == writer->submitted)
            pthread_cond_wait(&writer->queued, &writer->lock);
        if (writer->stopping) break;
        png_band *band = &writer->bands[writer->taken++ % writer->slot_count];
        pthread_mutex_unlock(&writer->lock);
        compress_band(writer, band, ready ? &stream : NULL);
        pthread_mutex_lock(&writer->lock);
        band->done = true;
        pthread_cond_broadcast(&writer->compressed);
    }
    pthread_mutex_unlock(&writer->lock);
    if (ready) deflateEnd(&stream);
    return NULL;
}

/// Sizes the bands to the image and starts one worker per online core, no more than there are
/// bands. Twice as many slots as workers, plus the one being filled, keep every worker busy while
/// bounding memory to a few megabytes whatever the image's size.
static bool start_pool(png_writer *writer, const ic_write_options *options, ic_error *error) {
    writer->pixel_bytes = (size_t)options->channels * (options->bit_depth / 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    writer->swap_bytes = options->bit_depth == 16;
#endif
    size_t rows = band_target_bytes / writer->row_bytes;
    writer->band_rows = rows == 0 ? 1 : rows < options->height ? (uint32_t)rows : options->height;
    size_t band_count = (options->height + writer->band_rows - 1) / writer->band_rows;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cores < 1 ? 1 : (size_t)cores;
    if (workers > max_threads) workers = max_threads;
    if (workers > band_count) workers = band_count;
    writer->slot_count = 2 * workers + 1;
    writer->bands = calloc(writer->slot_count, sizeof *writer->bands);
    writer->threads = calloc(workers, sizeof *writer->threads);
    if (writer->bands == NULL || writer->threads == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return false;
    }
    writer->adler = adler32(0, Z_NULL, 0);
    if (pthread_mutex_init(&writer->lock, NULL) != 0) {
        ic_fail(error, IC_ERR_MEMORY, "cannot create a lock for the compression threads");
        return false;
    }
    pthread_cond_init(&writer->queued, NULL);
    pthread_cond_init(&writer->compressed, NULL);
    writer->pool_ready = true;
    for (size_t index = 0; index < workers; index++) {
        int failed = pthread_create(&writer->threads[index], NULL, compression_worker, writer);
        if (failed != 0) {
            // Fewer workers only make it slower; none would leave the bands uncompressed.
            if (index > 0) break;
            ic_fail(error, IC_ERR_MEMORY, "cannot start a compression thread: %s", strerror(failed));
            return false;
        }
        writer->thread_count++;
    }
    return true;
}

static bool put(png_writer *writer, const void *data, size_t length, ic_error *error) {
    if (length == 0 || fwrite(data, 1, length, writer->file) == length) return true;
    ic_fail_errno(error, "write");
    return false;
}

static void store_u32(uint8_t *out, uint32_t value) {
    out[0] = (uint8_t)(value >> 24);
    out[1] = (uint8_t)(value >> 16);
    out[2] = (uint8_t)(value >> 8);
    out[3] = (uint8_t)value;
}

/// Writes one chunk whose data is `head`, then `body` (whose CRC-32 is `body_crc`), then `tail`.
/// A band's compressed size stays far below PNG's 2^31 − 1 limit on a chunk: libpng refuses
/// rows wider than 1,000,000 pixels, so a band is at most 8 MB before deflate.
static bool write_chunk(png_writer *writer, const char type[4], const uint8_t *head, size_t head_length,
                        const uint8_t *body, size_t body_length, uLong body_crc, const uint8_t *tail,
                        size_t tail_length, ic_error *error) {
    uint8_t prefix[8];
    store_u32(prefix, (uint32_t)(head_length + body_length + tail_length));
    memcpy(prefix + 4, type, 4);
    uLong crc = crc32(crc32(0, Z_NULL, 0), prefix + 4, 4);
    // crc32 with a null pointer returns the initial value, so empty parts are skipped.
    if (head_length > 0) crc = crc32(crc, head, (uInt)head_length);
    crc = crc32_combine(crc, body_crc, (z_off_t)body_length);
    if (tail_length > 0) crc = crc32(crc, tail, (uInt)tail_length);
    uint8_t suffix[4];
    store_u32(suffix, (uint32_t)crc);
    return put(writer, prefix, 8, error) && put(writer, head, head_length, error) &&
           put(writer, body, body_length, error) && put(writer, tail, tail_length, error) &&
           put(writer, suffix, 4, error);
}

/// The oldest band not yet written once a worker has finished it (waiting for that when
/// `wait`), or NULL.
static png_band *oldest_compressed(png_writer *writer, bool wait) {
    if (writer->written == writer->submitted) return NULL;
    png_band *band = &writer->bands[writer->written % writer->slot_count];
    pthread_mutex_lock(&writer->lock);
    while (wait && !band->done) pthread_cond_wait(&writer->compressed, &writer->lock);
    bool done = band->done;
    pthread_mutex_unlock(&writer->lock);
    return done ? band : NULL;
}

/// Appends a compressed band as one IDAT chunk: the first carries the zlib header, the last the
/// Adler-32 of all the filtered rows, combined from the bands' own.
static ic_status write_band(png_writer *writer, png_band *band, ic_error *error) {
    if (band->error.status != IC_OK) {
        ic_fail(error, band->error.status, "%s", band->error.message);
        return error->status;
    }
    /* RFC 1950: deflate with a 32 KiB window (CMF 0x78); FLEVEL 0, the fastest algorithm, as zlib
       marks level 1 and run-length matching; FCHECK makes the pair a multiple of 31. */
    uint8_t header[2] = {0x78, 0};
    header[1] = (uint8_t)((31 - header[0] * 256 % 31) % 31);
    bool first = writer->written == 0;
    writer->adler = adler32_combine(writer->adler, band->adler, (z_off_t)band->filtered_length);
    uint8_t trailer[4];
    store_u32(trailer, (uint32_t)writer->adler);
    if (!write_chunk(writer, "IDAT", header, first ? 2 : 0, band->packed, band->packed_length, band->crc, trailer,
                     band->last ? 4 : 0, error))
        return error->status;
    writer->written++;
    return IC_OK;
}

/// Writes every band at the front that is already compressed, or all of them when `wait`.
static ic_status write_compressed(png_writer *writer, bool wait, ic_error *error) {
    png_band *band;
    while ((band = oldest_compressed(writer, wait)) != NULL)
        if (write_band(writer, band, error) != IC_OK) return error->status;
    return IC_OK;
}

/// Starts the next band in a free slot (writing the oldest band first when none is free), with
/// the row above it copied in.
static png_band *begin_band(png_writer *writer, ic_error *error) {
    if (writer->submitted - writer->written == writer->slot_count) {
        png_band *oldest = oldest_compressed(writer, true);
        if (write_band(writer, oldest, error) != IC_OK) return NULL;
    }
    png_band *band = &writer->bands[writer->submitted % writer->slot_count];
    if (band->raw == NULL) {
        band->raw = malloc((writer->band_rows + 1) * writer->row_bytes);
        band->filtered = malloc(writer->band_rows * (writer->row_bytes + 1));
        if (band->raw == NULL || band->filtered == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for a band of %u rows", writer->band_rows);
            return NULL;
        }
    }
    if (writer->above != NULL)
        memcpy(band->raw, writer->above, writer->row_bytes);
    else
        memset(band->raw, 0, writer->row_bytes);
    band->rows = 0;
    return band;
}

static void submit_band(png_writer *writer, png_band *band) {
    band->last = writer->rows_written == writer->height;
    memset(&band->error, 0, sizeof band->error);
    writer->above = band->raw + band->rows * writer->row_bytes;
    pthread_mutex_lock(&writer->lock);
    band->done = false;
    writer->submitted++;
    pthread_cond_signal(&writer->queued);
    pthread_mutex_unlock(&writer->lock);
}

void *ic_png_create(const char *path, const ic_write_options *options, ic_error *error) {
    png_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    writer->error = error;
    writer->height = options->height;
    writer->row_bytes = (size_t)options->width * options->channels * (options->bit_depth / 8);
    writer->file = fopen(path, "wb");
    if (writer->file == NULL) {
        ic_fail_errno(error, "create");
        free_png_writer(writer);
        return NULL;
    }
    writer->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, on_error, on_warning);
    if (writer->png != NULL) writer->info = png_create_info_struct(writer->png);
    if (writer->info == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "libpng could not allocate its state");
        free_png_writer(writer);
        return NULL;
    }
    if (setjmp(png_jmpbuf(writer->png))) {
        free_png_writer(writer);
        return NULL;
    }
    png_set_write_fn(writer->png, writer, write_data, flush_data);
    /* Photos often carry the widespread, slightly wrong HP sRGB profile; libpng refuses it unless
       told to pass it through, and carrying the input's profile unchanged is the point. */
    png_set_option(writer->png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);
    png_set_benign_errors(writer->png, 1);
    static const int color_types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                      PNG_COLOR_TYPE_RGB_ALPHA};
    png_set_IHDR(writer->png, writer->info, options->width, options->height, (int)options->bit_depth,
                 color_types[options->channels - 1], options->png_interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (options->icc != NULL && options->icc_length > 0)
        png_set_iCCP(writer->png, writer->info, "ICC Profile", PNG_COMPRESSION_TYPE_BASE, options->icc,
                     (png_uint_32)options->icc_length);
    png_write_info(writer->png, writer->info);
    if (!options->png_interlaced) {
        if (!start_pool(writer, options, error)) {
            free_png_writer(writer);
            return NULL;
        }
        return writer;
    }
    png_set_compression_level(writer->png, deflate_level);
    png_set_compression_strategy(writer->png, deflate_strategy);
    png_set_filter(writer->png, PNG_FILTER_TYPE_BASE, PNG_FILTER_AVG);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (options->bit_depth == 16) png_set_swap(writer->png);
#endif
    writer->passes = png_set_interlace_handling(writer->png);
    writer->image = malloc(writer->row_bytes * options->height);
    if (writer->image == NULL) {
        ic_fail(error, IC_ERR_MEMORY, "out of memory for an interlaced image");
        free_png_writer(writer);
        return NULL;
    }
    return writer;
}

/// Copies rows into bands, hands each full band to the workers, and writes the bands they have
/// finished.
static ic_status write_banded_rows(png_writer *writer, const uint8_t *samples, uint32_t row_count, ic_error *error) {
    while (row_count > 0) {
        if (writer->filling == NULL && (writer->filling = begin_band(writer, error)) == NULL) return error->status;
        png_band *band = writer->filling;
        uint32_t rows = writer->band_rows - band->rows;
        if (rows > row_count) rows = row_count;
        memcpy(band->raw + (size_t)(band->rows + 1) * writer->row_bytes, samples, rows * writer->row_bytes);
        band->rows += rows;
        writer->rows_written += rows;
        samples += rows * writer->row_bytes;
        row_count -= rows;
        if (band->rows == writer->band_rows || writer->rows_written == writer->height) {
            submit_band(writer, band);
            writer->filling = NULL;
        }
    }
    return write_compressed(writer, false, error);
}

static ic_status write_png_rows(void *state, const void *samples, uint32_t row_count, ic_error *error) {
    png_writer *writer = state;
    writer->error = error;
    if (writer->failure.status != IC_OK) {
        *error = writer->failure;
        return error->status;
    }
    if (row_count > writer->height - writer->rows_written) {
        ic_fail(error, IC_ERR_LIBRARY, "more rows than the image's height");
        return error->status;
    }
    if (writer->image == NULL) {
        if (write_banded_rows(writer, samples, row_count, error) != IC_OK) writer->failure = *error;
        return error->status;
    }
    memcpy(writer->image + writer->rows_written * writer->row_bytes, samples, row_count * writer->row_bytes);
    writer->rows_written += row_count;
    return IC_OK;
}

static ic_status finish_png(void *state, ic_error *error) {
    png_writer *writer = state;
    writer->error = error;
    if (writer->failure.status != IC_OK) {
        *error = writer->failure;
        return error->status;
    }
    if (writer->file == NULL) {
        ic_fail(error, IC_ERR_LIBRARY, "the file is already closed");
        return error->status;
    }
    if (writer->rows_written != writer->height) {
        ic_fail(error, IC_ERR_LIBRARY, "%u of %u rows written", writer->rows_written, writer->height);
        return error->status;
    }
    if (writer->image == NULL) {
        // The last band was submitted with the last row; libpng would refuse to end a file
        // whose IDAT chunks it did not write, so IEND is written here too.
        if (write_compressed(writer, true, error) != IC_OK ||
            !write_chunk(writer, "IEND", NULL, 0, NULL, 0, crc32(0, Z_NULL, 0), NULL, 0, error)) {
            writer->failure = *error;
            return error->status;
        }
    } else {
        if (setjmp(png_jmpbuf(writer->png))) return error->status;
        for (int pass = 0; pass < writer->passes; pass++)
            for (uint32_t row = 0; row < writer->height; row++)
                png_write_row(writer->png, writer->image + row * writer->row_bytes);
        png_write_end(writer->png, writer->info);
    }
    FILE *file = writer->file;
    writer->file = NULL;
    if (fclose(file) != 0) ic_fail_errno(error, "close");
    return error->status;
}

const ic_writer_ops ic_png_writer_ops = {.write_rows = write_png_rows, .finish = finish_png, .free = free_png_writer};
