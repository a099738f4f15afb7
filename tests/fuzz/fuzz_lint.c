/*
 * Fuzz target: the linter (parse, model, graph, every rule, the JSON
 * output) accepts any manifest, and sharing key nodes (share_keys, as the
 * lint and graph commands parse) changes no finding (not its rule, object,
 * message nor line) and no edge of the graph's JSON (with its details).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "graph.h"
#include "lint/lint.h"
#include "output.h"

/* Lint buf; the graph's JSON and then the findings in out on success. */
static int lint_once(sbuf *out, const char *buf, size_t size, int share)
{
    manifest_opts mo = MANIFEST_OPTS_INIT;
    graph_opts go = GRAPH_OPTS_INIT;
    lint_opts lo = LINT_OPTS_INIT;
    manifest *m = NULL;
    model *md = NULL;
    graph *g = NULL;
    lint_result *res = NULL;
    int ret;
    mo.lim.depth = 64; /* keep each run fast; limits are tested elsewhere */
    mo.share_keys = share ? SHARE_KEYS_ALL : SHARE_KEYS_NONE;
    ret = manifest_parse(&m, "<fuzz>", buf, size, &mo);
    if (!ret)
        ret = model_build(&md, m);
    if (!ret)
        ret = graph_build(&g, md, &go);
    if (!ret)
        ret = output_graph(out, g, GRAPH_FMT_JSON);
    if (!ret)
        ret = lint_run(&res, g, &lo);
    if (!ret)
        ret = lint_output_json(out, res);
    lint_result_free(res);
    graph_free(g);
    model_free(md);
    manifest_free(m);
    return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sbuf plain = SBUF_INIT, shared = SBUF_INIT;
    char *buf = malloc(size + 1); /* a private copy: no hidden NUL after it */
    int a, b;
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    sbuf_init(&plain, (size_t)64 << 20);
    sbuf_init(&shared, (size_t)64 << 20);
    a = lint_once(&plain, buf, size, 0);
    b = lint_once(&shared, buf, size, 1);
    if (a != b || (!a && (plain.len != shared.len ||
                          memcmp(sbuf_cstr(&plain), sbuf_cstr(&shared),
                                 plain.len) != 0)))
        abort();
    sbuf_dispose(&plain);
    sbuf_dispose(&shared);
    free(buf);
    return 0;
}
