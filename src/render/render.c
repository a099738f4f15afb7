/* parse -> model -> order -> emit */
#include <stdlib.h>

#include "model.h"
#include "order.h"
#include "render.h"

int render_stream(sbuf *out, manifest **parsed, const char *name,
                  const char *buf, size_t len, const render_opts *opts)
{
    static const render_opts defaults = RENDER_OPTS_INIT;
    model *md = NULL;
    uint32_t *order = NULL;
    int ret;
    if (!opts)
        opts = &defaults;
    ret = manifest_parse(parsed, name, buf, len, &opts->mopts);
    if (!ret)
        ret = model_build(&md, *parsed);
    if (!ret) {
        order = malloc(((*parsed)->ndocs ? (*parsed)->ndocs : 1) *
                       sizeof(*order));
        if (!order)
            ret = err_set(RC_NOMEM, NULL, "out of memory");
    }
    if (!ret && opts->order == RENDER_ORDER_KEEP)
        order_keep(order, md);
    else if (!ret)
        ret = order_by_kind(order, md);
    if (!ret) {
        ret = manifest_emit(out, *parsed, order);
        if (ret)
            err_set(ret, NULL, "cannot build the output: %s",
                    ret == RC_LIMIT ? "it is too large" : "out of memory");
    }
    free(order);
    model_free(md);
    return ret;
}
