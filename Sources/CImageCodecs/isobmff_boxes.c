// The top-level box walk shared by the ISO base media file readers (AVIF, HEIF): their libraries
// report a cut inside the metadata as a parse failure, this tells a truncation apart.

#include "codecs_internal.h"

int ic_boxes_fit(const uint8_t *data, size_t size, ic_error *error) {
    size_t offset = 0;
    while (size - offset >= 8) {
        const uint8_t *box = data + offset;
        uint64_t length = (uint64_t)box[0] << 24 | (uint64_t)box[1] << 16 | (uint64_t)box[2] << 8 | box[3];
        if (length == 0) return 1;
        if (length == 1) {
            if (size - offset < 16) break;
            length = 0;
            for (int index = 8; index < 16; index++) length = length << 8 | box[index];
        }
        // A size below a header or a type that is not four printable characters is garbage, not a
        // cut: libavif names it.
        if (length < 8) return 1;
        for (int index = 4; index < 8; index++)
            if (box[index] < 0x20 || box[index] > 0x7E) return 1;
        if (length > size - offset) {
            ic_fail(error, IC_ERR_TRUNCATED, "the '%.4s' box needs %llu bytes at offset %zu, the file has %zu",
                    (const char *)box + 4, (unsigned long long)length, offset, size);
            return 0;
        }
        offset += (size_t)length;
    }
    if (offset != size) {
        ic_fail(error, IC_ERR_TRUNCATED, "the file ends inside a box header at offset %zu", offset);
        return 0;
    }
    return 1;
}

