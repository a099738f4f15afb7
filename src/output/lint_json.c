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

static void lj_indent(sbuf *out, size_t n)
{
    static const char spaces[] = "                ";
    while (n > sizeof(spaces) - 1) {
        sbuf_put(out, spaces, sizeof(spaces) - 1);
        n -= sizeof(spaces) - 1;
    }
    sbuf_put(out, spaces, n);
}

/* `"key":` at ind; the key is ours, plain ASCII. */
static void lj_key(sbuf *out, size_t ind, const char *key)
{
    lj_indent(out, ind);
    sbuf_putc(out, '"');
    sbuf_puts(out, key);
    sbuf_puts(out, "\":");
}

static void lj_end(sbuf *out, int last) { sbuf_puts(out, last ? "\n" : ",\n"); }

static void lj_str(sbuf *out, size_t ind, const char *key, const char *v,
                   int last)
{
    lj_key(out, ind, key);
    output_json_string(out, v);
    lj_end(out, last);
}

static void lj_uint(sbuf *out, size_t ind, const char *key, uint32_t v,
                    int last)
{
    lj_key(out, ind, key);
    sbuf_printf(out, "%u", (unsigned)v);
    lj_end(out, last);
}

/* The body of an object reference, its braces at ind. */
static void lj_object(sbuf *out, size_t ind, const lint_ref *o, int last)
{
    sbuf_puts(out, "{\n");
    lj_str(out, ind + 2, "apiVersion", o->api_version, 0);
    lj_str(out, ind + 2, "kind", o->kind, 0);
    lj_str(out, ind + 2, "namespace", o->ns, 0);
    lj_str(out, ind + 2, "name", o->name, 1);
    lj_indent(out, ind);
    sbuf_putc(out, '}');
    lj_end(out, last);
}

/* One finding at ind, laid out as json-c's JSON_C_TO_STRING_PRETTY lays it
 * out at that depth (the goldens were made with json-c). */
static void lj_finding(sbuf *out, size_t ind, const lint_finding *f, int last)
{
    size_t in = ind + 2;
    uint32_t i;
    lj_indent(out, ind);
    sbuf_puts(out, "{\n");
    lj_str(out, in, "rule", f->rule->id, 0);
    lj_str(out, in, "name", f->rule->name, 0);
    lj_str(out, in, "severity", lint_severity_name(f->severity), 0);
    lj_str(out, in, "message", f->message, 0);
    lj_key(out, in, "object");
    lj_object(out, in, &f->object, 0);
    lj_key(out, in, "related");
    sbuf_puts(out, "[\n");
    for (i = 0; i < f->nrelated; i++) {
        lj_indent(out, in + 2);
        lj_object(out, in + 2, &f->related[i], i + 1 == f->nrelated);
    }
    lj_indent(out, in);
    sbuf_puts(out, "],\n");
    lj_key(out, in, "location");
    sbuf_puts(out, "{\n");
    lj_str(out, in + 2, "source", f->source ? f->source : f->input, 0);
    lj_uint(out, in + 2, "line", f->line, 0);
    lj_uint(out, in + 2, "stream_line", f->stream_line, 1);
    lj_indent(out, in);
    sbuf_puts(out, "},\n");
    lj_str(out, in, "hint", f->hint, !f->suppressed);
    if (f->suppressed) {
        lj_key(out, in, "suppressed");
        sbuf_puts(out, "{\n");
        lj_str(out, in + 2, "reason", f->suppressed, 1);
        lj_indent(out, in);
        sbuf_puts(out, "}\n");
    }
    lj_indent(out, ind);
    sbuf_putc(out, '}');
    lj_end(out, last);
}

/* Written by hand, not through json-c objects (a fifth of lint's time at
 * 100,000 findings went to building and freeing them); the bytes are those
 * json-c prints for the whole document with JSON_C_TO_STRING_PRETTY and
 * JSON_C_TO_STRING_NOSLASHESCAPE. */
int lint_output_json(sbuf *out, const lint_result *r)
{
    size_t i;
    sbuf_puts(out, "{\n  \"version\":1,\n  \"findings\":[\n");
    for (i = 0; i < r->n && !sbuf_failed(out); i++)
        lj_finding(out, 4, &r->v[i], i + 1 == r->n);
    sbuf_printf(out,
                "  ],\n  \"summary\":{\n    \"error\":%zu,\n    "
                "\"warning\":%zu,\n    \"info\":%zu\n  }\n}\n",
                r->count[LINT_SEV_ERROR], r->count[LINT_SEV_WARNING],
                r->count[LINT_SEV_INFO]);
    return output_check(out);
}
