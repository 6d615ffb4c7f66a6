// Float samples to file samples: a plain loop the C compiler vectorises, which Swift's checked
// float-to-integer conversions prevent; it runs on every output sample.

#include "CImageCodecs.h"

static inline float unit_clamped(float value) {
    // NaN fails both comparisons and becomes 0.
    return value >= 0.0f ? (value <= 1.0f ? value : 1.0f) : 0.0f;
}

void ic_samples_to_8(const float *values, uint8_t *samples, size_t count) {
    for (size_t i = 0; i < count; i++) samples[i] = (uint8_t)(unit_clamped(values[i]) * 255.0f + 0.5f);
}

void ic_samples_to_16(const float *values, uint16_t *samples, size_t count) {
    for (size_t i = 0; i < count; i++) samples[i] = (uint16_t)(unit_clamped(values[i]) * 65535.0f + 0.5f);
}
