/*
 * Fuzz target: the manifest reader and the model accept any bytes. Either
 * they succeed, or they fail with an error that has a position inside the
 * input; they never crash, leak or loop. Sharing key nodes (share_keys)
 * changes neither the outcome nor the error's position. Parsing the stream
 * in two halves at once changes nothing at all: the same error, or the
 * same documents and trees.
 */
#include <stdlib.h>
#include <string.h>

#include "../tree_same.h"
#include "fuzz.h"
#include "manifest.h"
#include "model.h"

/* The same parse with shared keys: the same code and error position. */
static void shared_agrees(const char *buf, size_t size, const manifest_opts *o,
                          int want)
{
    manifest_opts so = *o;
    manifest *m = NULL;
    model *md = NULL;
    err_info first = *err_last();
    int ret;
    so.share_keys = SHARE_KEYS_ALL;
    ret = manifest_parse(&m, "<fuzz>", buf, size, &so);
    if (!ret)
        ret = model_build(&md, m);
    if (ret != want ||
        (ret && (err_last()->has_span != first.has_span ||
                 (first.has_span && (err_last()->at.off != first.at.off ||
                                     err_last()->at.len != first.at.len)))))
        abort();
    model_free(md);
    manifest_free(m);
}

/* The parse in two halves (cut at a `---` past the middle, when there is
 * one) against whole's: the same error, or the same trees. */
static void split_agrees(const char *buf, size_t size, const manifest_opts *o,
                         int want, const manifest *whole)
{
    manifest_opts so = *o;
    manifest *m = NULL;
    err_info first = *err_last();
    int ret;
    so.split_min = 1;
    ret = manifest_parse(&m, "<fuzz>", buf, size, &so);
    if (ret != want)
        abort();
    if (ret && (err_last()->code != first.code ||
                err_last()->has_span != first.has_span ||
                err_last()->at.off != first.at.off ||
                err_last()->at.len != first.at.len ||
                strcmp(err_last()->msg, first.msg)))
        abort();
    if (!ret && !tree_same_manifest(whole, m, 0))
        abort();
    manifest_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    manifest_opts o = MANIFEST_OPTS_INIT;
    manifest *m = NULL;
    model *md = NULL;
    char *buf = malloc(size + 1); /* a private copy: no hidden NUL after it */
    char tmpl[256];
    int ret;
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    o.lim.depth = 64; /* keep each run fast; limits are tested elsewhere */
    o.split_min = (size_t)-1;
    ret = manifest_parse(&m, "<fuzz>", buf, size, &o);
    split_agrees(buf, size, &o, ret, m);
    if (!ret)
        ret = model_build(&md, m);
    if (ret && err_last()->has_span && err_last()->at.off > size)
        abort(); /* an error position outside the input */
    if (ret && m)
        manifest_error_template(m, tmpl, sizeof(tmpl));
    model_free(md);
    manifest_free(m);
    shared_agrees(buf, size, &o, ret);
    free(buf);
    return 0;
}
