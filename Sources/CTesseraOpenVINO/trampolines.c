// Fixed-arity callers for OpenVINO's C-variadic `ov_core_compile_model` and `ov_core_set_property`,
// which Swift can hold as pointers but cannot call. Each passes its property strings through `...`
// exactly as a C caller of the real header would, so the variadic ABI is the C compiler's business,
// not Swift's.
#include "tessera_ov.h"

// The layouts OpenVINO's structs have in 2026.4.1; a change here would mean our declarations no
// longer describe the library and every call through them would be undefined behaviour.
_Static_assert(sizeof(tessera_ov_dimension) == 16, "ov_dimension_t is two int64_t");
_Static_assert(sizeof(tessera_ov_shape) == 16, "ov_shape_t is an int64_t rank and a pointer");
_Static_assert(sizeof(tessera_ov_partial_shape) == 24, "ov_partial_shape_t is a dimension and a pointer");
_Static_assert(sizeof(tessera_ov_status) == sizeof(int), "ov_status_e is passed as an int");
_Static_assert(sizeof(tessera_ov_element_type) == sizeof(int), "ov_element_type_e is passed as an int");

tessera_ov_status tessera_ov_compile_model_0(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model) {
    return function(core, model, device_name, 0, compiled_model);
}

tessera_ov_status tessera_ov_compile_model_2(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model, const char *key1, const char *value1) {
    return function(core, model, device_name, 2, compiled_model, key1, value1);
}

tessera_ov_status tessera_ov_compile_model_4(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model, const char *key1, const char *value1,
    const char *key2, const char *value2) {
    return function(core, model, device_name, 4, compiled_model, key1, value1, key2, value2);
}

tessera_ov_status tessera_ov_compile_model_6(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model, const char *key1, const char *value1,
    const char *key2, const char *value2, const char *key3, const char *value3) {
    return function(core, model, device_name, 6, compiled_model, key1, value1, key2, value2, key3, value3);
}

tessera_ov_status tessera_ov_core_set_property_2(
    tessera_ov_core_set_property_fn function, const tessera_ov_core *core, const char *device_name,
    const char *key, const char *value) {
    return function(core, device_name, key, value);
}
