// libjpeg's error manager, routed into an ic_error and a longjmp back to the calling shim.

#ifndef C_IMAGE_CODECS_JPEG_ERRORS_H
#define C_IMAGE_CODECS_JPEG_ERRORS_H

#include "codecs_internal.h"

#include <jpeglib.h>
#include <setjmp.h>

typedef struct ic_jpeg_errors {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    ic_error *error;
    /// How a library error is reported: corrupt data when reading, a refused request when writing.
    ic_status default_status;
} ic_jpeg_errors;

/// Installs the handlers on `info` (a compress or decompress struct, before jpeg_create_*).
void ic_jpeg_errors_install(ic_jpeg_errors *errors, struct jpeg_common_struct *info, ic_error *error,
                            ic_status default_status);

#endif
