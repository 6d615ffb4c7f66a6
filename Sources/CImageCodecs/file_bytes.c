// Whole files in memory, for the codecs whose libraries decode from a buffer (libwebp, libavif).

#include "codecs_internal.h"

#include <stdlib.h>

int ic_read_file(const char *path, size_t limit, uint8_t **data, size_t *size, ic_error *error) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        ic_fail_errno(error, "open");
        return 0;
    }
    int ok = fseek(file, 0, SEEK_END) == 0;
    long length = ok ? ftell(file) : -1;
    ok = length >= 0 && fseek(file, 0, SEEK_SET) == 0;
    if (!ok) {
        ic_fail_errno(error, "seek");
    } else if ((unsigned long)length > limit) {
        ic_fail(error, IC_ERR_CORRUPT, "%ld bytes, more than the format can hold", length);
        ok = 0;
    } else {
        *size = (size_t)length;
        *data = malloc(*size > 0 ? *size : 1);
        if (*data == NULL) {
            ic_fail(error, IC_ERR_MEMORY, "out of memory for the %zu-byte file", *size);
            ok = 0;
        } else if (fread(*data, 1, *size, file) != *size) {
            ic_fail_errno(error, "read");
            ok = 0;
        }
    }
    fclose(file);
    return ok;
}
