/*
 * Fuzz target: the whole post-renderer (parse, model, graph, annotations,
 * emit). On success the output must parse again into as many documents as
 * the input had: render never drops or duplicates a document. Sharing key
 * nodes (share_keys, as the CLI parses) changes neither the outcome nor a
 * byte of the output.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mutate.h"
#include "render.h"

static size_t count_docs(const char *buf, size_t len)
{
    manifest *m = NULL;
    size_t n = (size_t)-1;
    if (manifest_parse(&m, "<out>", buf, len, NULL) == RC_OK)
        n = m->ndocs;
    manifest_free(m);
    return n;
}

/* The same render with shared keys: the same code and the same bytes. */
static void shared_agrees(const char *buf, size_t size, const render_opts *o,
                          int want, const sbuf *out)
{
    render_opts so = *o;
    manifest *m = NULL;
    sbuf again = SBUF_INIT;
    int ret;
    so.mopts.share_keys = SHARE_KEYS_ALL;
    sbuf_init(&again, (size_t)64 << 20);
    ret = render_stream(&again, &m, "<fuzz>", buf, size, &so, NULL);
    if (ret != want ||
        (!ret && (again.len != out->len ||
                  (out->len &&
                   memcmp(again.ptr, out->ptr, out->len) != 0))))
        abort();
    sbuf_dispose(&again);
    manifest_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    render_opts o = RENDER_OPTS_INIT;
    manifest *m = NULL;
    sbuf out = SBUF_INIT;
    char *buf = malloc(size + 1);
    size_t docs;
    int ret;
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    o.mopts.lim.depth = 64;
    /* as the CLI parses */
    o.mopts.share_keys = size && (data[0] & 2) ? SHARE_KEYS_ALL : SHARE_KEYS_NONE;
    o.annotate = size && (data[0] & 1) ? ANNOTATE_ARGOCD | ANNOTATE_KPT |
                                             ANNOTATE_HIP25
                                       : 0;
    sbuf_init(&out, (size_t)64 << 20);
    ret = render_stream(&out, &m, "<fuzz>", buf, size, &o, NULL);
    if (ret == RC_OK) {
        docs = m->ndocs;
        /* an empty stream with only comments has no documents either way */
        if (docs && count_docs(sbuf_cstr(&out), out.len) != docs)
            abort();
    }
    if (!o.mopts.share_keys)
        shared_agrees(buf, size, &o, ret, &out);
    sbuf_dispose(&out);
    manifest_free(m);
    free(buf);
    return 0;
}
