/* Placeholder until refs.c lands. */
#include "model.h"

int model_pod_refs(const resource *r, pod_ref_fn fn, void *payload)
{
    (void)r;
    (void)fn;
    (void)payload;
    return RC_OK;
}

const char *model_ref_kind_name(ref_kind k)
{
    (void)k;
    return "";
}
