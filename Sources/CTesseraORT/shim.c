// SwiftPM needs one C source file to build a C target; this one also holds the compile-time
// checks that tessera_ort.h lays out ORT's function table as ORT does. The expected slots are
// the "Size of version N API cannot change" markers in ORT's onnxruntime_c_api.cc, and two
// entries checked against the 1.31 header.

#include "tessera_ort.h"

_Static_assert(sizeof(OrtApiBase) == 2 * sizeof(void *), "OrtApiBase holds exactly two pointers");
_Static_assert(offsetof(TesseraOrtApi, CreateSession) / sizeof(void *) == 7, "CreateSession is slot 7");
_Static_assert(offsetof(TesseraOrtApi, Run) / sizeof(void *) == 9, "Run is slot 9");
_Static_assert(offsetof(TesseraOrtApi, CreateTensorWithDataAsOrtValue) / sizeof(void *) == 49,
               "CreateTensorWithDataAsOrtValue is slot 49");
_Static_assert(offsetof(TesseraOrtApi, GetValueType) / sizeof(void *) == 67, "GetValueType is slot 67");
_Static_assert(offsetof(TesseraOrtApi, GetValue) / sizeof(void *) == 80, "GetValue is slot 80");
_Static_assert(offsetof(TesseraOrtApi, CreateValue) / sizeof(void *) == 82, "CreateValue is slot 82");
_Static_assert(offsetof(TesseraOrtApi, HasValue) / sizeof(void *) == 192, "HasValue is slot 192");
_Static_assert(offsetof(TesseraOrtApi, ReleaseCustomOpDomain) / sizeof(void *) == 101, "end of API 1");
_Static_assert(offsetof(TesseraOrtApi, ReleaseModelMetadata) / sizeof(void *) == 118, "end of API 2");
_Static_assert(offsetof(TesseraOrtApi, ReleaseAvailableProviders) / sizeof(void *) == 126, "end of API 4");
_Static_assert(offsetof(TesseraOrtApi, SetGlobalSpinControl) / sizeof(void *) == 149, "end of API 5");
_Static_assert(offsetof(TesseraOrtApi, CreateSessionFromArrayWithPrepackedWeightsContainer) / sizeof(void *) == 169,
               "end of API 8");
_Static_assert(offsetof(TesseraOrtApi, SynchronizeBoundOutputs) / sizeof(void *) == 203, "end of API 10");
_Static_assert(offsetof(TesseraOrtApi, SessionOptionsAppendExecutionProvider_MIGraphX) / sizeof(void *) == 209,
               "end of API 11");
// The last entry Tessera calls, and the end of the prefix (the end of API 12).
_Static_assert(offsetof(TesseraOrtApi, SessionOptionsAppendExecutionProvider) / sizeof(void *) == 216,
               "SessionOptionsAppendExecutionProvider is slot 216");
_Static_assert(offsetof(TesseraOrtApi, ReleaseKernelInfo) / sizeof(void *) == 218, "end of API 12");
_Static_assert(sizeof(TesseraOrtApi) == 219 * sizeof(void *), "the prefix ends with API 12");
// Every slot is one pointer wide, so an enum parameter or a function pointer adds no padding.
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function and data pointers have one size");
