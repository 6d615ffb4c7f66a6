// Tessera's own declarations of the part of OpenVINO's C API (`libopenvino_c`) that the
// OpenVINOBackend target uses. Nothing here is linked: the backend resolves every function with
// dlsym at run time and stores it in a pointer of the matching type below.
//
// Written against OpenVINO 2026.4.1 (`openvino/c/*.h` in the `openvino` wheel). Layout facts the
// declarations rely on:
//   - every function is plain C with the platform's default calling convention (Linux, macOS);
//   - `ov_status_e` and `ov_element_type_e` are C enums, passed as 32-bit ints;
//   - a shape is `{int64 rank; int64 *dims}`, a dimension or rank is `{int64 min; int64 max}`,
//     a partial shape is `{rank; dimension *dims}`; all are passed by value where the API says so;
//   - strings that OpenVINO returns through `char **` are released with `ov_free`.
// Names carry a `tessera_ov_` prefix so they cannot collide with a real OpenVINO header or with
// the very generic enumerator names OpenVINO uses (`OK`, `NOT_FOUND`).
#ifndef TESSERA_OV_H
#define TESSERA_OV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Status codes and element types

/// Return value of every fallible OpenVINO C function: 0 is success, failures are negative.
/// Only the codes of a caught C++ exception (GENERAL_ERROR, NOT_IMPLEMENTED, REQUEST_BUSY,
/// INFER_CANCELLED, UNKNOWN_EXCEPTION) set `ov_get_last_err_msg`; the others (INVALID_C_PARAM
/// above all) are returned by the C layer itself and leave whatever message was there before.
typedef enum {
    TESSERA_OV_OK = 0,
    TESSERA_OV_GENERAL_ERROR = -1,
    TESSERA_OV_NOT_IMPLEMENTED = -2,
    TESSERA_OV_NETWORK_NOT_LOADED = -3,
    TESSERA_OV_PARAMETER_MISMATCH = -4,
    TESSERA_OV_NOT_FOUND = -5,
    TESSERA_OV_OUT_OF_BOUNDS = -6,
    TESSERA_OV_UNEXPECTED = -7,
    TESSERA_OV_REQUEST_BUSY = -8,
    TESSERA_OV_RESULT_NOT_READY = -9,
    TESSERA_OV_NOT_ALLOCATED = -10,
    TESSERA_OV_INFER_NOT_STARTED = -11,
    TESSERA_OV_NETWORK_NOT_READ = -12,
    TESSERA_OV_INFER_CANCELLED = -13,
    TESSERA_OV_INVALID_C_PARAM = -14,
    TESSERA_OV_UNKNOWN_C_ERROR = -15,
    TESSERA_OV_NOT_IMPLEMENTED_C_METHOD = -16,
    TESSERA_OV_UNKNOWN_EXCEPTION = -17,
} tessera_ov_status;

/// Element type codes, numbered as OpenVINO 2026 numbers them. Older releases numbered them
/// differently (the sub-byte types were inserted later), so the backend verifies a few codes by
/// their byte sizes before trusting this table.
typedef enum {
    TESSERA_OV_TYPE_DYNAMIC = 0,
    TESSERA_OV_TYPE_BOOLEAN = 1,
    TESSERA_OV_TYPE_BF16 = 2,
    TESSERA_OV_TYPE_F16 = 3,
    TESSERA_OV_TYPE_F32 = 4,
    TESSERA_OV_TYPE_F64 = 5,
    TESSERA_OV_TYPE_I4 = 6,
    TESSERA_OV_TYPE_I8 = 7,
    TESSERA_OV_TYPE_I16 = 8,
    TESSERA_OV_TYPE_I32 = 9,
    TESSERA_OV_TYPE_I64 = 10,
    TESSERA_OV_TYPE_U1 = 11,
    TESSERA_OV_TYPE_U2 = 12,
    TESSERA_OV_TYPE_U3 = 13,
    TESSERA_OV_TYPE_U4 = 14,
    TESSERA_OV_TYPE_U6 = 15,
    TESSERA_OV_TYPE_U8 = 16,
    TESSERA_OV_TYPE_U16 = 17,
    TESSERA_OV_TYPE_U32 = 18,
    TESSERA_OV_TYPE_U64 = 19,
    TESSERA_OV_TYPE_NF4 = 20,
    TESSERA_OV_TYPE_F8E4M3 = 21,
    TESSERA_OV_TYPE_F8E5M2 = 22,
    TESSERA_OV_TYPE_STRING = 23,
    TESSERA_OV_TYPE_F4E2M1 = 24,
    TESSERA_OV_TYPE_F8E8M0 = 25,
} tessera_ov_element_type;

// MARK: - Value structs

/// The library's build number (`2026.4.1-…`) and a description; released with `ov_version_free`.
typedef struct {
    const char *build_number;
    const char *description;
} tessera_ov_version;

/// Device names (`CPU`, `GPU.0`); released with `ov_available_devices_free`.
typedef struct {
    char **devices;
    size_t size;
} tessera_ov_available_devices;

/// A static shape. When OpenVINO fills one in, `dims` is released with `ov_shape_free`; a shape
/// Tessera builds itself points at Swift memory and is only read by OpenVINO.
typedef struct {
    int64_t rank;
    int64_t *dims;
} tessera_ov_shape;

/// An interval of sizes: static when `min == max`; OpenVINO uses -1 for "no upper bound".
typedef struct {
    int64_t min;
    int64_t max;
} tessera_ov_dimension;

/// A shape whose rank and dimensions may be dynamic. Filled in by OpenVINO, `dims` is released
/// with `ov_partial_shape_free`.
typedef struct {
    tessera_ov_dimension rank;
    tessera_ov_dimension *dims;
} tessera_ov_partial_shape;

// MARK: - Opaque objects

typedef struct tessera_ov_core tessera_ov_core;
typedef struct tessera_ov_model tessera_ov_model;
typedef struct tessera_ov_compiled_model tessera_ov_compiled_model;
typedef struct tessera_ov_infer_request tessera_ov_infer_request;
typedef struct tessera_ov_tensor tessera_ov_tensor;
typedef struct tessera_ov_output_const_port tessera_ov_output_const_port;

// MARK: - Function pointer types, one per `ov_*` function used, named after it (the compiled
// model's input and output accessors have identical signatures and share one type)

// Library-wide
typedef tessera_ov_status (*tessera_ov_get_openvino_version_fn)(tessera_ov_version *version);
typedef void (*tessera_ov_version_free_fn)(tessera_ov_version *version);
typedef const char *(*tessera_ov_get_error_info_fn)(tessera_ov_status status);
typedef const char *(*tessera_ov_get_last_err_msg_fn)(void);
typedef void (*tessera_ov_free_fn)(const char *content);

// Core
typedef tessera_ov_status (*tessera_ov_core_create_fn)(tessera_ov_core **core);
typedef void (*tessera_ov_core_free_fn)(tessera_ov_core *core);
typedef tessera_ov_status (*tessera_ov_core_read_model_fn)(
    const tessera_ov_core *core, const char *model_path, const char *bin_path, tessera_ov_model **model);
/// C-variadic: `...` is `property_args_size` `const char *` arguments, alternating key and value.
/// Call it only through the `tessera_ov_compile_model_N` trampolines.
typedef tessera_ov_status (*tessera_ov_core_compile_model_fn)(
    const tessera_ov_core *core, const tessera_ov_model *model, const char *device_name,
    size_t property_args_size, tessera_ov_compiled_model **compiled_model, ...);
/// C-variadic: `...` is exactly one key and one value, both `const char *` for the properties
/// Tessera sets. Call it only through `tessera_ov_core_set_property_2`.
typedef tessera_ov_status (*tessera_ov_core_set_property_fn)(
    const tessera_ov_core *core, const char *device_name, ...);
/// Reads the blob through a stream over `content`, but the CPU plugin of 2026.4.1 leaves the
/// imported model's weights in `content` rather than copying them: keep `content` alive and
/// unchanged until the compiled model is freed.
typedef tessera_ov_status (*tessera_ov_core_import_model_fn)(
    const tessera_ov_core *core, const char *content, size_t content_size, const char *device_name,
    tessera_ov_compiled_model **compiled_model);
typedef tessera_ov_status (*tessera_ov_core_get_property_fn)(
    const tessera_ov_core *core, const char *device_name, const char *property_key, char **property_value);
typedef tessera_ov_status (*tessera_ov_core_get_available_devices_fn)(
    const tessera_ov_core *core, tessera_ov_available_devices *devices);
typedef void (*tessera_ov_available_devices_free_fn)(tessera_ov_available_devices *devices);

// Model
typedef void (*tessera_ov_model_free_fn)(tessera_ov_model *model);
typedef tessera_ov_status (*tessera_ov_model_inputs_size_fn)(const tessera_ov_model *model, size_t *size);
typedef tessera_ov_status (*tessera_ov_model_const_input_by_index_fn)(
    const tessera_ov_model *model, size_t index, tessera_ov_output_const_port **port);
typedef tessera_ov_status (*tessera_ov_model_reshape_fn)(
    const tessera_ov_model *model, const char **tensor_names, const tessera_ov_partial_shape *partial_shapes,
    size_t size);

// Compiled model
typedef tessera_ov_status (*tessera_ov_compiled_model_ports_size_fn)(
    const tessera_ov_compiled_model *compiled_model, size_t *size);
typedef tessera_ov_status (*tessera_ov_compiled_model_port_by_index_fn)(
    const tessera_ov_compiled_model *compiled_model, size_t index, tessera_ov_output_const_port **port);
typedef tessera_ov_status (*tessera_ov_compiled_model_create_infer_request_fn)(
    const tessera_ov_compiled_model *compiled_model, tessera_ov_infer_request **infer_request);
typedef tessera_ov_status (*tessera_ov_compiled_model_get_property_fn)(
    const tessera_ov_compiled_model *compiled_model, const char *property_key, char **property_value);
/// Writes the blob `ov_core_import_model` reads back (the plugin's own format) to a file.
typedef tessera_ov_status (*tessera_ov_compiled_model_export_model_fn)(
    const tessera_ov_compiled_model *compiled_model, const char *export_model_path);
typedef void (*tessera_ov_compiled_model_free_fn)(tessera_ov_compiled_model *compiled_model);

// Ports
typedef tessera_ov_status (*tessera_ov_port_get_any_name_fn)(
    const tessera_ov_output_const_port *port, char **tensor_name);
typedef tessera_ov_status (*tessera_ov_port_get_partial_shape_fn)(
    const tessera_ov_output_const_port *port, tessera_ov_partial_shape *partial_shape);
typedef tessera_ov_status (*tessera_ov_port_get_element_type_fn)(
    const tessera_ov_output_const_port *port, tessera_ov_element_type *tensor_type);
typedef void (*tessera_ov_output_const_port_free_fn)(tessera_ov_output_const_port *port);
typedef void (*tessera_ov_partial_shape_free_fn)(tessera_ov_partial_shape *partial_shape);

// Infer request
typedef tessera_ov_status (*tessera_ov_infer_request_set_input_tensor_by_index_fn)(
    tessera_ov_infer_request *infer_request, size_t index, const tessera_ov_tensor *tensor);
typedef tessera_ov_status (*tessera_ov_infer_request_infer_fn)(tessera_ov_infer_request *infer_request);
typedef tessera_ov_status (*tessera_ov_infer_request_get_output_tensor_by_index_fn)(
    const tessera_ov_infer_request *infer_request, size_t index, tessera_ov_tensor **tensor);
typedef void (*tessera_ov_infer_request_free_fn)(tessera_ov_infer_request *infer_request);

// Tensor
typedef tessera_ov_status (*tessera_ov_tensor_create_fn)(
    tessera_ov_element_type type, tessera_ov_shape shape, tessera_ov_tensor **tensor);
typedef tessera_ov_status (*tessera_ov_tensor_create_from_host_ptr_fn)(
    tessera_ov_element_type type, tessera_ov_shape shape, void *host_ptr, tessera_ov_tensor **tensor);
/// Fails with `TESSERA_OV_INVALID_C_PARAM` for a rank-0 tensor in 2026.4.1: it builds the answer
/// with `ov_shape_create`, which refuses rank 0, and passes that status on.
typedef tessera_ov_status (*tessera_ov_tensor_get_shape_fn)(const tessera_ov_tensor *tensor, tessera_ov_shape *shape);
typedef tessera_ov_status (*tessera_ov_tensor_get_element_type_fn)(
    const tessera_ov_tensor *tensor, tessera_ov_element_type *type);
typedef tessera_ov_status (*tessera_ov_tensor_get_byte_size_fn)(const tessera_ov_tensor *tensor, size_t *byte_size);
/// The number of elements: the product of the dimensions, 1 for a scalar.
typedef tessera_ov_status (*tessera_ov_tensor_get_size_fn)(const tessera_ov_tensor *tensor, size_t *elements_size);
typedef tessera_ov_status (*tessera_ov_tensor_data_fn)(const tessera_ov_tensor *tensor, void **data);
typedef void (*tessera_ov_tensor_free_fn)(tessera_ov_tensor *tensor);
typedef tessera_ov_status (*tessera_ov_shape_free_fn)(tessera_ov_shape *shape);

// MARK: - Trampolines for the C-variadic `ov_core_compile_model` and `ov_core_set_property`
//
// Swift cannot call a C-variadic function through a pointer. Each trampoline calls `function`
// with a fixed number of property arguments (keys and values alternate, all NUL-terminated
// strings); the digit is that number, as OpenVINO's `property_args_size` counts them.

tessera_ov_status tessera_ov_compile_model_0(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model);

tessera_ov_status tessera_ov_compile_model_2(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model, const char *key1, const char *value1);

tessera_ov_status tessera_ov_compile_model_4(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model, const char *key1, const char *value1,
    const char *key2, const char *value2);

tessera_ov_status tessera_ov_compile_model_6(
    tessera_ov_core_compile_model_fn function, const tessera_ov_core *core, const tessera_ov_model *model,
    const char *device_name, tessera_ov_compiled_model **compiled_model, const char *key1, const char *value1,
    const char *key2, const char *value2, const char *key3, const char *value3);

/// `ov_core_set_property` reads exactly one key/value pair from its `...`; setting two
/// properties takes two calls.
tessera_ov_status tessera_ov_core_set_property_2(
    tessera_ov_core_set_property_fn function, const tessera_ov_core *core, const char *device_name,
    const char *key, const char *value);

#ifdef __cplusplus
}
#endif

#endif  // TESSERA_OV_H
