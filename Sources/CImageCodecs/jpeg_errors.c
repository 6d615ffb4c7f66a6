// libjpeg's error manager for both directions: errors longjmp back into the shim that made the
// call, the end-of-file warning counts as truncation, and nothing is printed.

#include "jpeg_errors.h"

#include <jerror.h>

static ic_status status_for(const ic_jpeg_errors *errors, int code) {
    switch (code) {
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
    case JWRN_JPEG_EOF:
        return IC_ERR_TRUNCATED;
    case JERR_FILE_WRITE:
        return IC_ERR_IO;
    case JERR_BAD_PRECISION:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOTIMPL:
    case JERR_IMAGE_TOO_BIG:
        return IC_ERR_UNSUPPORTED;
    default:
        return errors->default_status;
    }
}

static void fail_and_jump(j_common_ptr info) {
    ic_jpeg_errors *errors = info->client_data;
    char text[JMSG_LENGTH_MAX];
    info->err->format_message(info, text);
    ic_fail(errors->error, status_for(errors, info->err->msg_code), "%s", text);
    longjmp(errors->jump, 1);
}

static void emit_message(j_common_ptr info, int level) {
    if (level >= 0) return;  // trace output
    // libjpeg pads a truncated file with an end marker and carries on; a grey lower half is not
    // a decoded image, so the end-of-file warning stops decoding. Other warnings (extraneous
    // bytes before a marker) are common in files that decode fine.
    if (info->err->msg_code == JWRN_JPEG_EOF) fail_and_jump(info);
    info->err->num_warnings++;
}

static void output_message(j_common_ptr info) { (void)info; }

void ic_jpeg_errors_install(ic_jpeg_errors *errors, struct jpeg_common_struct *info, ic_error *error,
                            ic_status default_status) {
    info->err = jpeg_std_error(&errors->manager);
    errors->manager.error_exit = fail_and_jump;
    errors->manager.emit_message = emit_message;
    errors->manager.output_message = output_message;
    errors->error = error;
    errors->default_status = default_status;
    info->client_data = errors;
}
