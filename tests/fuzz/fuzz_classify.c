/*
 * Fuzz target: helm's stderr and an API Status message are untrusted. An
 * even first byte feeds the rest to classify_text (NUL bytes included); an
 * odd one picks an HTTP code and feeds the rest to classify_status as a C
 * string. Every error must have a text and a known code.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fuzz.h"

static const long CODES[] = {0, 400, 403, 404, 409, 429, 500, 503, 504};
static const char *const REASONS[] = {"", "InternalError", "TooManyRequests",
                                      "Timeout", "ServiceUnavailable"};

static void check(const classify_result *r)
{
    size_t i;
    for (i = 0; i < r->n; i++)
        if (!r->errors[i].text || r->errors[i].code >= CL_CODE_COUNT ||
            r->errors[i].retry > CL_RETRY_RECOVER)
            abort();
    if (r->n > CLASSIFY_ERRORS_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    classify_result r;
    char *msg;
    if (!size)
        return 0;
    if (!(data[0] & 1)) {
        if (classify_text(&r, (const char *)data + 1, size - 1) == RC_OK) {
            check(&r);
            classify_result_free(&r);
        }
        return 0;
    }
    msg = malloc(size);
    if (!msg)
        return 0;
    memcpy(msg, data + 1, size - 1);
    msg[size - 1] = '\0';
    if (classify_status(&r, CODES[(data[0] >> 1) % 9],
                        REASONS[(data[0] >> 5) % 5], msg) == RC_OK) {
        if (r.n != 1)
            abort();
        check(&r);
        classify_result_free(&r);
    }
    free(msg);
    return 0;
}
