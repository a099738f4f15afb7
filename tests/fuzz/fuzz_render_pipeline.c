/*
 * Fuzz target: the whole post-renderer (parse, model, graph, annotations,
 * emit). On success the output must parse again into as many documents as
 * the input had: render never drops or duplicates a document. Without
 * annotations, it must parse into the very trees render made: a changed
 * document, partly copied from the input, says what its tree says. Sharing
 * key nodes (share_keys, as the CLI parses) and parsing in two halves at
 * once change neither the outcome nor a byte of the output, and rendering
 * the output again gives it back.
 * The first byte's bits choose: 1 annotations, 2 shared keys, 4 a parse in
 * two halves at once.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"
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

typedef struct canon {
    char **v;
    size_t n;
} canon;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each document's tree as clean YAML (node_emit_yaml), sorted, since render
 * reorders documents; trees it cannot write are "!". */
static void canon_of(canon *c, const manifest *m)
{
    size_t i;
    c->n = m->ndocs;
    c->v = calloc(c->n ? c->n : 1, sizeof(*c->v));
    if (!c->v)
        abort();
    for (i = 0; i < m->ndocs; i++) {
        sbuf b = SBUF_INIT;
        sbuf_init(&b, (size_t)64 << 20);
        if (node_emit_yaml(&b, m->docs[i].root, "\n") != RC_OK) {
            sbuf_dispose(&b);
            sbuf_init(&b, 16);
            sbuf_puts(&b, "!");
        }
        c->v[i] = strdup(sbuf_cstr(&b));
        sbuf_dispose(&b);
        if (!c->v[i])
            abort();
    }
    qsort(c->v, c->n, sizeof(*c->v), cmp_str);
}

static void canon_free(canon *c)
{
    size_t i;
    for (i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
}

static void trees_agree(const manifest *m, const char *out, size_t len)
{
    manifest *back = NULL;
    canon want, got;
    size_t i;
    if (manifest_parse(&back, "<out>", out, len, NULL) != RC_OK)
        abort();
    canon_of(&want, m);
    canon_of(&got, back);
    if (want.n != got.n)
        abort();
    for (i = 0; i < want.n; i++)
        if (strcmp(want.v[i], got.v[i]))
            abort();
    canon_free(&want);
    canon_free(&got);
    manifest_free(back);
}

static int cmp_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Do two objects have the same group, kind and name? (Namespaces are left
 * out: an object naming none may be in the other's.) */
static int duplicate_objects(const manifest *m)
{
    model *md = NULL;
    char **ids;
    size_t i, n = 0;
    int dup = 0;
    if (model_build(&md, m) != RC_OK || !md->nres) {
        model_free(md);
        return 0;
    }
    ids = calloc(md->nres, sizeof(*ids));
    for (i = 0; ids && i < md->nres; i++) {
        const resource *r = &md->res[i];
        size_t len = strlen(r->group) + strlen(r->kind) + strlen(r->name) + 3;
        ids[n] = malloc(len);
        if (!ids[n])
            abort();
        snprintf(ids[n++], len, "%s\x1f%s\x1f%s", r->group, r->kind, r->name);
    }
    if (!ids)
        abort();
    qsort(ids, n, sizeof(*ids), cmp_ids);
    for (i = 1; i < n; i++)
        if (!strcmp(ids[i - 1], ids[i]))
            dup = 1;
    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    model_free(md);
    return dup;
}

/* Empty documents with explicit `...` ends: where the comments between
 * them belong changes as they move (noted on issue 9, left for later). */
static int empty_and_ended(const manifest *m)
{
    size_t i;
    int empty = 0, ended = 0;
    for (i = 0; i < m->ndocs; i++) {
        empty |= !m->docs[i].root || node_is_null(m->docs[i].root);
        ended |= m->docs[i].explicit_end;
    }
    return empty && ended;
}

/* Does the input set order annotations that --annotate would write? */
static int has_own_order(const char *buf, size_t size)
{
    static const char *const keys[] = {"sync-wave", "resource-group",
                                       "depends-on"};
    size_t i, at;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        size_t n = strlen(keys[i]);
        for (at = 0; at + n <= size; at++)
            if (!memcmp(buf + at, keys[i], n))
                return 1;
    }
    return 0;
}

/* Rendering the output again changes nothing (DESIGN.md: injection and
 * annotations are idempotent, the order is stable). The output is a bit
 * deeper than the input: a wait container nests four levels. */
static void render_is_idempotent(const render_opts *o, const sbuf *out)
{
    render_opts again_o = *o;
    manifest *m = NULL;
    sbuf again = SBUF_INIT;
    again_o.mopts.lim.depth += 8;
    sbuf_init(&again, (size_t)64 << 20);
    if (render_stream(&again, &m, "<again>", out->ptr, out->len, &again_o,
                      NULL) != RC_OK ||
        again.len != out->len ||
        (out->len && memcmp(again.ptr, out->ptr, out->len) != 0))
        abort();
    sbuf_dispose(&again);
    manifest_free(m);
}

/* The same render with shared keys and the other parse (whole or in two
 * halves): the same code and the same bytes. */
static void shared_agrees(const char *buf, size_t size, const render_opts *o,
                          int want, const sbuf *out)
{
    render_opts so = *o;
    manifest *m = NULL;
    sbuf again = SBUF_INIT;
    int ret;
    so.mopts.share_keys = SHARE_KEYS_ALL;
    so.mopts.split_min = o->mopts.split_min ? 0 : 1; /* the other parse */
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
    render_info info;
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
    /* parsed in two halves at once, as big streams are */
    o.mopts.split_min = size && (data[0] & 4) ? 1 : 0;
    sbuf_init(&out, (size_t)64 << 20);
    memset(&info, 0, sizeof(info));
    ret = render_stream(&out, &m, "<fuzz>", buf, size, &o, &info);
    if (ret == RC_OK) {
        docs = m->ndocs;
        /* an empty stream with only comments has no documents either way */
        if (docs && count_docs(sbuf_cstr(&out), out.len) != docs)
            abort();
        /* annotations edit bytes, not trees; a verbatim fallback keeps the
         * input's bytes for a changed tree */
        if (docs && !o.annotate && !info.verbatim)
            trees_agree(m, sbuf_cstr(&out), out.len);
        /* not when an object could not be annotated (Argo CD puts it in
         * wave 0 then, whatever its level) or kept a wave or group of its
         * own (never overwritten: the next render reads it with ours), or
         * two objects share a name (which one a reference finds depends on
         * the order) */
        if (docs && !info.not_annotated && !duplicate_objects(m) &&
            !(o.annotate && has_own_order(buf, size)) &&
            !empty_and_ended(m))
            render_is_idempotent(&o, &out);
    }
    if (!o.mopts.share_keys)
        shared_agrees(buf, size, &o, ret, &out);
    sbuf_dispose(&out);
    manifest_free(m);
    free(buf);
    return 0;
}
