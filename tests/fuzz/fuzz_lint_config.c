/*
 * Fuzz target: the lint configuration file (.readyinstall.yaml) accepts any
 * bytes. Either it parses, and lint runs with it over a small manifest that
 * gives findings to enable, re-grade and suppress; or it fails with a
 * position inside the file.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "graph.h"
#include "lint/lint.h"

/* A CR with its CRD in the release (RI101) and a suppression without a
 * reason (RI001). */
static const char manifest_text[] =
    "# Source: c/templates/crd.yaml\n"
    "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\n"
    "metadata:\n  name: widgets.example.com\n"
    "spec:\n  group: example.com\n  scope: Namespaced\n"
    "  names: {kind: Widget, plural: widgets}\n"
    "  versions: [{name: v1, served: true, storage: true}]\n"
    "---\n"
    "# Source: c/templates/widget.yaml\n"
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    "  namespace: ops\n  annotations:\n"
    "    ignore-check.readyinstall.io/RI101: \"\"\n";

static void lint_with(const lint_config *cfg)
{
    graph_opts go = GRAPH_OPTS_INIT;
    lint_opts lo = LINT_OPTS_INIT;
    manifest *m = NULL;
    model *md = NULL;
    graph *g = NULL;
    lint_result *res = NULL;
    sbuf out = SBUF_INIT;
    go.no_details = 1;
    lo.config = cfg;
    if (manifest_parse(&m, "<m>", manifest_text, sizeof(manifest_text) - 1,
                       NULL) ||
        model_build(&md, m) || graph_build(&g, md, &go))
        abort(); /* the fixed manifest always builds */
    if (lint_run(&res, g, &lo) == RC_OK) {
        lint_output_text(&out, res, 0);
        lint_output_sarif(&out, res);
        lint_result_fails(res, LINT_SEV_WARNING);
    }
    sbuf_dispose(&out);
    lint_result_free(res);
    graph_free(g);
    model_free(md);
    manifest_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lint_config *cfg = NULL;
    char *buf = malloc(size + 1); /* a private copy: no hidden NUL after it */
    int ret;
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    ret = lint_config_parse(&cfg, "<config>", buf, size);
    if (ret && err_last()->has_span && err_last()->at.off > size)
        abort(); /* an error position outside the file */
    if (!ret)
        lint_with(cfg);
    lint_config_free(cfg);
    free(buf);
    return 0;
}
