/* A shared library that presents itself as ONNX Runtime 1.8.0 through OrtGetApiBase, so tests can
 * check that Tessera refuses a library older than the API it was written against, without ever
 * asking it for that API. Compiled by the test with the system's C compiler. */
#include <stddef.h>
#include <stdint.h>

static const char *version(void) { return "1.8.0"; }
static const void *get_api(uint32_t api_version) { (void)api_version; return NULL; }

struct api_base {
    const void *(*GetApi)(uint32_t);
    const char *(*GetVersionString)(void);
};

static const struct api_base base = {get_api, version};

const struct api_base *OrtGetApiBase(void) { return &base; }
