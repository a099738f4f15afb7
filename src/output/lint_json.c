/*
 * Lint findings as JSON (DESIGN.md "Interfaces", `lint --format json`):
 *   {"version":1,"findings":[{"rule","name","severity","message",
 *    "object":{"apiVersion","kind","namespace","name"},"related":[...],
 *    "location":{"source","line","stream_line"},"hint"
 *    [,"suppressed":{"reason"}]}],"summary":{"error","warning","info"}}
 * location.source is the template, or the input file when the document
 * names none (then line = stream_line). Suppressed findings are listed and
 * not counted in the summary.
 */
#include <string.h>

#include "lint/lint.h"
#include "output.h"

static void lj_object(json_w *w, const char *key, const lint_ref *o)
{
    json_w_open(w, key, '{');
    json_w_str(w, "apiVersion", o->api_version);
    json_w_str(w, "kind", o->kind);
    json_w_str(w, "namespace", o->ns);
    json_w_str(w, "name", o->name);
    json_w_close(w, '}');
}

static void lj_finding(json_w *w, const lint_finding *f)
{
    uint32_t i;
    json_w_open(w, NULL, '{');
    json_w_str(w, "rule", f->rule->id);
    json_w_str(w, "name", f->rule->name);
    json_w_str(w, "severity", lint_severity_name(f->severity));
    json_w_str(w, "message", f->message);
    lj_object(w, "object", &f->object);
    json_w_open(w, "related", '[');
    for (i = 0; i < f->nrelated; i++)
        lj_object(w, NULL, &f->related[i]);
    json_w_close(w, ']');
    json_w_open(w, "location", '{');
    json_w_str(w, "source", f->source ? f->source : f->input);
    json_w_uint(w, "line", f->line);
    json_w_uint(w, "stream_line", f->stream_line);
    json_w_close(w, '}');
    json_w_str(w, "hint", f->hint);
    if (f->suppressed) {
        json_w_open(w, "suppressed", '{');
        json_w_str(w, "reason", f->suppressed);
        json_w_close(w, '}');
    }
    json_w_close(w, '}');
}

/* Written with json_w, not through json-c objects (a fifth of lint's time
 * at 100,000 findings went to building and freeing them); the bytes are
 * those json-c prints for the whole document with JSON_C_TO_STRING_PRETTY
 * and JSON_C_TO_STRING_NOSLASHESCAPE. */
int lint_output_json(sbuf *out, const lint_result *r)
{
    json_w w;
    size_t i;
    json_w_init(&w, out, 0);
    json_w_open(&w, NULL, '{');
    json_w_uint(&w, "version", 1);
    json_w_open(&w, "findings", '[');
    for (i = 0; i < r->n && !sbuf_failed(out); i++)
        lj_finding(&w, &r->v[i]);
    json_w_close(&w, ']');
    json_w_open(&w, "summary", '{');
    json_w_uint(&w, "error", r->count[LINT_SEV_ERROR]);
    json_w_uint(&w, "warning", r->count[LINT_SEV_WARNING]);
    json_w_uint(&w, "info", r->count[LINT_SEV_INFO]);
    json_w_close(&w, '}');
    json_w_close(&w, '}');
    sbuf_putc(out, '\n');
    return output_check(out);
}
