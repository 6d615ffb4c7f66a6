// Opening TIFF files with per-file message handlers, so libtiff never prints and every message
// lands in the ic_error of the call that caused it.

#ifndef C_IMAGE_CODECS_TIFF_FILES_H
#define C_IMAGE_CODECS_TIFF_FILES_H

#include "codecs_internal.h"

#include <tiffio.h>

typedef struct ic_tiff_sink {
    /// Where the current call wants its failure; point it at a live ic_error before each call.
    ic_error *error;
    ic_status status;
} ic_tiff_sink;

/// TIFFOpenExt with `sink` receiving errors (warnings are dropped).
TIFF *ic_tiff_open_file(const char *path, const char *mode, ic_tiff_sink *sink);

#endif
