// Tessera's own declarations for the part of ONNX Runtime's C API it calls.
//
// Nothing here is linked: the Swift target `ONNXRuntimeBackend` opens libonnxruntime with dlopen,
// looks up the single exported symbol `OrtGetApiBase`, and calls everything else through the
// function table that `OrtApiBase.GetApi` returns. The table is append-only and versioned, so a
// struct that repeats its first entries in order (a prefix) reads the same slots in every library
// that serves at least the API version below. Field offsets come from the C compiler, never from
// hand-counted indices, and shim.c checks them against the version markers of ORT's own
// onnxruntime_c_api.cc.
//
// Written from the ONNX Runtime 1.31 C API header (API 29 table, unchanged in this prefix since
// API 12). Entries Tessera does not call are `void *` placeholders: they only keep the order.

#ifndef TESSERA_ORT_H
#define TESSERA_ORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The API version whose table these declarations are a prefix of: the last entry used,
/// `SessionOptionsAppendExecutionProvider`, arrived in API 12 (ONNX Runtime 1.12).
#define TESSERA_ORT_API_VERSION 12

// Opaque objects: only ever handled through pointers the library gives out.
typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtAllocator OrtAllocator;
typedef struct OrtTensorRTProviderOptionsV2 OrtTensorRTProviderOptionsV2;
typedef struct OrtCUDAProviderOptionsV2 OrtCUDAProviderOptionsV2;

/// Status codes; a NULL `OrtStatus *` means success and carries no code at all.
typedef enum OrtErrorCode {
    ORT_OK = 0,
    ORT_FAIL = 1,
    ORT_INVALID_ARGUMENT = 2,
    ORT_NO_SUCHFILE = 3,
    ORT_NO_MODEL = 4,
    ORT_ENGINE_ERROR = 5,
    ORT_RUNTIME_EXCEPTION = 6,
    ORT_INVALID_PROTOBUF = 7,
    ORT_MODEL_LOADED = 8,
    ORT_NOT_IMPLEMENTED = 9,
    ORT_INVALID_GRAPH = 10,
    ORT_EP_FAIL = 11,
} OrtErrorCode;

/// Element types; the values are ONNX's TensorProto.DataType codes. Newer libraries continue
/// the list (float8, int4, …) with the same codes as ONNX.
typedef enum ONNXTensorElementDataType {
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 = 2,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 = 3,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 = 4,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 = 5,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 = 6,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 = 7,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING = 8,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL = 9,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 = 10,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE = 11,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 = 12,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 = 13,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64 = 14,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128 = 15,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 = 16,
} ONNXTensorElementDataType;

/// What kind of value a model input or output is.
typedef enum ONNXType {
    ONNX_TYPE_UNKNOWN = 0,
    ONNX_TYPE_TENSOR = 1,
    ONNX_TYPE_SEQUENCE = 2,
    ONNX_TYPE_MAP = 3,
    ONNX_TYPE_OPAQUE = 4,
    ONNX_TYPE_SPARSETENSOR = 5,
    ONNX_TYPE_OPTIONAL = 6,
} ONNXType;

/// The least severe log message the library prints.
typedef enum OrtLoggingLevel {
    ORT_LOGGING_LEVEL_VERBOSE = 0,
    ORT_LOGGING_LEVEL_INFO = 1,
    ORT_LOGGING_LEVEL_WARNING = 2,
    ORT_LOGGING_LEVEL_ERROR = 3,
    ORT_LOGGING_LEVEL_FATAL = 4,
} OrtLoggingLevel;

/// How much the library rewrites the graph before running it.
typedef enum GraphOptimizationLevel {
    ORT_DISABLE_ALL = 0,
    ORT_ENABLE_BASIC = 1,
    ORT_ENABLE_EXTENDED = 2,
    ORT_ENABLE_ALL = 99,
} GraphOptimizationLevel;

/// Allocator kinds for `CreateCpuMemoryInfo`.
typedef enum OrtAllocatorType {
    OrtInvalidAllocator = -1,
    OrtDeviceAllocator = 0,
    OrtArenaAllocator = 1,
} OrtAllocatorType;

/// Memory kinds for `CreateCpuMemoryInfo`; only the default is used.
typedef enum OrtMemType {
    OrtMemTypeCPUInput = -2,
    OrtMemTypeCPUOutput = -1,
    OrtMemTypeDefault = 0,
} OrtMemType;

typedef struct TesseraOrtApi TesseraOrtApi;

/// The one structure `OrtGetApiBase` returns; ORT promises it never changes.
typedef struct OrtApiBase {
    /// Returns the table for `version`, or NULL (after printing to stderr) when the library is older.
    const TesseraOrtApi *(*GetApi)(uint32_t version);
    /// The library's version, e.g. "1.31.1"; a static string.
    const char *(*GetVersionString)(void);
} OrtApiBase;

/// The signature of the exported entry point `OrtGetApiBase`.
typedef const OrtApiBase *(*TesseraOrtGetApiBaseFunction)(void);

/// The first entries of ORT's `OrtApi` table, in table order, through the end of API 12
/// (`ReleaseKernelInfo`). The numbers are table slots. On Linux and macOS the calling convention is
/// plain C; every `OrtStatus *` result is NULL on success and must be released otherwise.
struct TesseraOrtApi {
    /*   0 */ void *CreateStatus;
    /*   1 */ OrtErrorCode (*GetErrorCode)(const OrtStatus *status);
    /*   2 */ const char *(*GetErrorMessage)(const OrtStatus *status);
    /*   3 */ OrtStatus *(*CreateEnv)(OrtLoggingLevel level, const char *log_id, OrtEnv **out);
    /*   4 */ void *CreateEnvWithCustomLogger, *EnableTelemetryEvents, *DisableTelemetryEvents;
    /*   7 */ OrtStatus *(*CreateSession)(const OrtEnv *env, const char *model_path, const OrtSessionOptions *options,
                  OrtSession **out);
    /*   8 */ void *CreateSessionFromArray;
    /*   9 */ OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *run_options, const char *const *input_names,
                  const OrtValue *const *inputs, size_t input_count, const char *const *output_names,
                  size_t output_count, OrtValue **outputs);
    /*  10 */ OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **out);
    /*  11 */ OrtStatus *(*SetOptimizedModelFilePath)(OrtSessionOptions *options, const char *path);
    /*  12 */ void *CloneSessionOptions, *SetSessionExecutionMode, *EnableProfiling, *DisableProfiling;
    /*  16 */ void *EnableMemPattern, *DisableMemPattern, *EnableCpuMemArena, *DisableCpuMemArena, *SetSessionLogId;
    /*  21 */ void *SetSessionLogVerbosityLevel, *SetSessionLogSeverityLevel;
    /*  23 */ OrtStatus *(*SetSessionGraphOptimizationLevel)(OrtSessionOptions *options, GraphOptimizationLevel level);
    /*  24 */ OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int threads);
    /*  25 */ void *SetInterOpNumThreads, *CreateCustomOpDomain, *CustomOpDomain_Add, *AddCustomOpDomain;
    /*  29 */ void *RegisterCustomOpsLibrary;
    /*  30 */ OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);
    /*  31 */ OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);
    /*  32 */ void *SessionGetOverridableInitializerCount;
    /*  33 */ OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **out);
    /*  34 */ OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **out);
    /*  35 */ void *SessionGetOverridableInitializerTypeInfo;
    /*  36 */ OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                  char **out);
    /*  37 */ OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                  char **out);
    /*  38 */ void *SessionGetOverridableInitializerName, *CreateRunOptions, *RunOptionsSetRunLogVerbosityLevel;
    /*  41 */ void *RunOptionsSetRunLogSeverityLevel, *RunOptionsSetRunTag, *RunOptionsGetRunLogVerbosityLevel;
    /*  44 */ void *RunOptionsGetRunLogSeverityLevel, *RunOptionsGetRunTag, *RunOptionsSetTerminate;
    /*  47 */ void *RunOptionsUnsetTerminate;
    /*  48 */ OrtStatus *(*CreateTensorAsOrtValue)(OrtAllocator *allocator, const int64_t *shape, size_t rank,
                  ONNXTensorElementDataType type, OrtValue **out);
    /*  49 */ OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *data, size_t byte_count,
                  const int64_t *shape, size_t rank, ONNXTensorElementDataType type,
                  OrtValue **out);
    /*  50 */ OrtStatus *(*IsTensor)(const OrtValue *value, int *out);
    /*  51 */ OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);
    /*  52 */ OrtStatus *(*FillStringTensor)(OrtValue *value, const char *const *strings, size_t count);
    /*  53 */ OrtStatus *(*GetStringTensorDataLength)(const OrtValue *value, size_t *out);
    /*  54 */ OrtStatus *(*GetStringTensorContent)(const OrtValue *value, void *bytes, size_t byte_count, size_t *offsets,
                  size_t offset_count);
    /*  55 */ OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *type_info, const OrtTensorTypeAndShapeInfo **out);
    /*  56 */ OrtStatus *(*GetOnnxTypeFromTypeInfo)(const OrtTypeInfo *type_info, ONNXType *out);
    /*  57 */ void *CreateTensorTypeAndShapeInfo, *SetTensorElementType, *SetDimensions;
    /*  60 */ OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info, ONNXTensorElementDataType *out);
    /*  61 */ OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
    /*  62 */ OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *dims, size_t count);
    /*  63 */ void *GetSymbolicDimensions;
    /*  64 */ OrtStatus *(*GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);
    /*  65 */ OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value, OrtTensorTypeAndShapeInfo **out);
    /*  66 */ void *GetTypeInfo;
    /*  67 */ OrtStatus *(*GetValueType)(const OrtValue *value, ONNXType *out);
    /*  68 */ void *CreateMemoryInfo;
    /*  69 */ OrtStatus *(*CreateCpuMemoryInfo)(OrtAllocatorType type, OrtMemType mem_type, OrtMemoryInfo **out);
    /*  70 */ void *CompareMemoryInfo, *MemoryInfoGetName, *MemoryInfoGetId, *MemoryInfoGetMemType, *MemoryInfoGetType;
    /*  75 */ void *AllocatorAlloc;
    /*  76 */ OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *pointer);
    /*  77 */ void *AllocatorGetInfo;
    /*  78 */ OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);
    /*  79 */ void *AddFreeDimensionOverride;
    /*  80 */ OrtStatus *(*GetValue)(const OrtValue *value, int index, OrtAllocator *allocator, OrtValue **out);
    /*  81 */ OrtStatus *(*GetValueCount)(const OrtValue *value, size_t *out);
    /// Builds a sequence (or map) from `num_values` values; ORT copies the elements.
    /*  82 */ OrtStatus *(*CreateValue)(const OrtValue *const *in, size_t num_values, ONNXType value_type, OrtValue **out);
    /*  83 */ void *CreateOpaqueValue;
    /*  84 */ void *GetOpaqueValue, *KernelInfoGetAttribute_float, *KernelInfoGetAttribute_int64;
    /*  87 */ void *KernelInfoGetAttribute_string, *KernelContext_GetInputCount, *KernelContext_GetOutputCount;
    /*  90 */ void *KernelContext_GetInput, *KernelContext_GetOutput;
    /*  92 */ void (*ReleaseEnv)(OrtEnv *object);
    /*  93 */ void (*ReleaseStatus)(OrtStatus *object);
    /*  94 */ void (*ReleaseMemoryInfo)(OrtMemoryInfo *object);
    /*  95 */ void (*ReleaseSession)(OrtSession *object);
    /*  96 */ void (*ReleaseValue)(OrtValue *object);
    /*  97 */ void *ReleaseRunOptions;
    /*  98 */ void (*ReleaseTypeInfo)(OrtTypeInfo *object);
    /*  99 */ void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *object);
    /* 100 */ void (*ReleaseSessionOptions)(OrtSessionOptions *object);
    /* 101 */ void *ReleaseCustomOpDomain, *GetDenotationFromTypeInfo, *CastTypeInfoToMapTypeInfo;
    /* 104 */ void *CastTypeInfoToSequenceTypeInfo, *GetMapKeyType, *GetMapValueType, *GetSequenceElementType;
    /* 108 */ void *ReleaseMapTypeInfo, *ReleaseSequenceTypeInfo, *SessionEndProfiling, *SessionGetModelMetadata;
    /* 112 */ void *ModelMetadataGetProducerName, *ModelMetadataGetGraphName, *ModelMetadataGetDomain;
    /* 115 */ void *ModelMetadataGetDescription, *ModelMetadataLookupCustomMetadataMap, *ModelMetadataGetVersion;
    /* 118 */ void *ReleaseModelMetadata, *CreateEnvWithGlobalThreadPools, *DisablePerSessionThreads;
    /* 121 */ void *CreateThreadingOptions, *ReleaseThreadingOptions, *ModelMetadataGetCustomMetadataMapKeys;
    /* 124 */ void *AddFreeDimensionOverrideByName;
    /* 125 */ OrtStatus *(*GetAvailableProviders)(char ***out, int *count);
    /* 126 */ OrtStatus *(*ReleaseAvailableProviders)(char **providers, int count);
    /* 127 */ void *GetStringTensorElementLength, *GetStringTensorElement, *FillStringTensorElement;
    /* 130 */ OrtStatus *(*AddSessionConfigEntry)(OrtSessionOptions *options, const char *key, const char *value);
    /* 131 */ void *CreateAllocator, *ReleaseAllocator, *RunWithBinding, *CreateIoBinding, *ReleaseIoBinding;
    /* 136 */ void *BindInput, *BindOutput, *BindOutputToDevice, *GetBoundOutputNames, *GetBoundOutputValues;
    /* 141 */ void *ClearBoundInputs, *ClearBoundOutputs, *TensorAt, *CreateAndRegisterAllocator;
    /* 145 */ void *SetLanguageProjection, *SessionGetProfilingStartTimeNs, *SetGlobalIntraOpNumThreads;
    /* 148 */ void *SetGlobalInterOpNumThreads, *SetGlobalSpinControl, *AddInitializer;
    /* 151 */ void *CreateEnvWithCustomLoggerAndGlobalThreadPools, *SessionOptionsAppendExecutionProvider_CUDA;
    /* 153 */ void *SessionOptionsAppendExecutionProvider_ROCM, *SessionOptionsAppendExecutionProvider_OpenVINO;
    /* 155 */ void *SetGlobalDenormalAsZero, *CreateArenaCfg, *ReleaseArenaCfg, *ModelMetadataGetGraphDescription;
    /* 159 */ void *SessionOptionsAppendExecutionProvider_TensorRT, *SetCurrentGpuDeviceId, *GetCurrentGpuDeviceId;
    /* 162 */ void *KernelInfoGetAttributeArray_float, *KernelInfoGetAttributeArray_int64, *CreateArenaCfgV2;
    /* 165 */ void *AddRunConfigEntry, *CreatePrepackedWeightsContainer, *ReleasePrepackedWeightsContainer;
    /* 168 */ void *CreateSessionWithPrepackedWeightsContainer, *CreateSessionFromArrayWithPrepackedWeightsContainer;
    /* 170 */ OrtStatus *(*SessionOptionsAppendExecutionProvider_TensorRT_V2)(OrtSessionOptions *options,
                  const OrtTensorRTProviderOptionsV2 *provider_options);
    /* 171 */ OrtStatus *(*CreateTensorRTProviderOptions)(OrtTensorRTProviderOptionsV2 **out);
    /* 172 */ OrtStatus *(*UpdateTensorRTProviderOptions)(OrtTensorRTProviderOptionsV2 *provider_options, const char *const *keys,
                  const char *const *values, size_t count);
    /* 173 */ void *GetTensorRTProviderOptionsAsString;
    /* 174 */ void (*ReleaseTensorRTProviderOptions)(OrtTensorRTProviderOptionsV2 *object);
    /* 175 */ void *EnableOrtCustomOps, *RegisterAllocator, *UnregisterAllocator, *IsSparseTensor;
    /* 179 */ void *CreateSparseTensorAsOrtValue, *FillSparseTensorCoo, *FillSparseTensorCsr;
    /* 182 */ void *FillSparseTensorBlockSparse, *CreateSparseTensorWithValuesAsOrtValue, *UseCooIndices;
    /* 185 */ void *UseCsrIndices, *UseBlockSparseIndices, *GetSparseTensorFormat, *GetSparseTensorValuesTypeAndShape;
    /* 189 */ void *GetSparseTensorValues, *GetSparseTensorIndicesTypeShape, *GetSparseTensorIndices;
    /// Whether an optional value holds something (0 for ONNX's None).
    /* 192 */ OrtStatus *(*HasValue)(const OrtValue *value, int *out);
    /* 193 */ void *KernelContext_GetGPUComputeStream, *GetTensorMemoryInfo, *GetExecutionProviderApi;
    /* 196 */ void *SessionOptionsSetCustomCreateThreadFn, *SessionOptionsSetCustomThreadCreationOptions;
    /* 198 */ void *SessionOptionsSetCustomJoinThreadFn, *SetGlobalCustomCreateThreadFn;
    /* 200 */ void *SetGlobalCustomThreadCreationOptions, *SetGlobalCustomJoinThreadFn, *SynchronizeBoundInputs;
    /* 203 */ void *SynchronizeBoundOutputs;
    /* 204 */ OrtStatus *(*SessionOptionsAppendExecutionProvider_CUDA_V2)(OrtSessionOptions *options,
                  const OrtCUDAProviderOptionsV2 *provider_options);
    /* 205 */ OrtStatus *(*CreateCUDAProviderOptions)(OrtCUDAProviderOptionsV2 **out);
    /* 206 */ OrtStatus *(*UpdateCUDAProviderOptions)(OrtCUDAProviderOptionsV2 *provider_options, const char *const *keys,
                  const char *const *values, size_t count);
    /* 207 */ void *GetCUDAProviderOptionsAsString;
    /* 208 */ void (*ReleaseCUDAProviderOptions)(OrtCUDAProviderOptionsV2 *object);
    /* 209 */ void *SessionOptionsAppendExecutionProvider_MIGraphX, *AddExternalInitializers, *CreateOpAttr;
    /* 212 */ void *ReleaseOpAttr, *CreateOp, *InvokeOp, *ReleaseOp;
    /* 216 */ OrtStatus *(*SessionOptionsAppendExecutionProvider)(OrtSessionOptions *options, const char *provider_name,
                  const char *const *keys, const char *const *values,
                  size_t count);
    /* 217 */ void *CopyKernelInfo, *ReleaseKernelInfo;
};

#ifdef __cplusplus
}
#endif

#endif  // TESSERA_ORT_H
