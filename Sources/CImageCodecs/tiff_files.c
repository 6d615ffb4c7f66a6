#include "tiff_files.h"

#include <string.h>

static int on_error(TIFF *tiff, void *user_data, const char *module, const char *format, va_list arguments) {
    ic_tiff_sink *sink = user_data;
    char text[400];
    vsnprintf(text, sizeof text, format, arguments);
    // Codecs pass the file name as the module; the Swift error names the file already.
    int named_after_file = module != NULL && tiff != NULL && strcmp(module, TIFFFileName(tiff)) == 0;
    if (module != NULL && module[0] != '\0' && !named_after_file)
        ic_fail(sink->error, sink->status, "%s: %s", module, text);
    else
        ic_fail(sink->error, sink->status, "%s", text);
    return 1;  // handled: libtiff's global handler (stderr) is not called
}

static int on_warning(TIFF *tiff, void *user_data, const char *module, const char *format, va_list arguments) {
    // Unknown tags and similar: libtiff carries on, and so do we.
    (void)tiff;
    (void)user_data;
    (void)module;
    (void)format;
    (void)arguments;
    return 1;
}

TIFF *ic_tiff_open_file(const char *path, const char *mode, ic_tiff_sink *sink) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) {
        ic_fail(sink->error, IC_ERR_MEMORY, "out of memory");
        return NULL;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, sink);
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, sink);
    TIFF *tiff = TIFFOpenExt(path, mode, options);
    TIFFOpenOptionsFree(options);
    return tiff;
}
