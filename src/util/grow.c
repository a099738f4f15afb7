/* Growing heap arrays by doubling. */
#include <stdlib.h>

#include "util.h"

int array_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *np;
    if (need <= *cap)
        return RC_OK;
    ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    if (ncap > (size_t)-1 / elem)
        return err_set(RC_NOMEM, NULL, "out of memory");
    np = realloc(*p, ncap * elem);
    if (!np)
        return err_set(RC_NOMEM, NULL, "out of memory");
    *p = np;
    *cap = ncap;
    return RC_OK;
}
