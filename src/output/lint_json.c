/*
 * Lint findings as JSON (DESIGN.md "Interfaces", `lint --format json`):
 *   {"version":1,"findings":[{"rule","name","severity","message",
 *    "object":{"apiVersion","kind","namespace","name"},"related":[...],
 *    "location":{"source","line","stream_line"},"hint"
 *    [,"suppressed":{"reason"}]}],"summary":{"error","warning","info"}}
 * location.source is the template, or the input file when the document
 * names none (then line = stream_line). Suppressed findings are listed and
 * not counted in the summary. Each finding is a json-c tree (keys keep
 * insertion order); the outer document is written around them.
 */
#include <json.h>
#include <string.h>

#include "lint/lint.h"
#include "output.h"

static int lj_add(json_object *to, const char *key, json_object *val)
{
    int bad;
    if (!val)
        return -1;
    bad = key ? json_object_object_add(to, key, val)
              : json_object_array_add(to, val);
    if (bad)
        json_object_put(val);
    return bad;
}

static json_object *lj_str(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *lj_object(const lint_ref *o)
{
    json_object *j = json_object_new_object();
    int bad = !j;
    bad = bad || lj_add(j, "apiVersion", lj_str(o->api_version));
    bad = bad || lj_add(j, "kind", lj_str(o->kind));
    bad = bad || lj_add(j, "namespace", lj_str(o->ns));
    bad = bad || lj_add(j, "name", lj_str(o->name));
    if (bad && j) {
        json_object_put(j);
        return NULL;
    }
    return j;
}

static json_object *lj_finding(const lint_finding *f)
{
    json_object *j = json_object_new_object(), *rel = NULL, *loc = NULL,
                *sup = NULL;
    uint32_t i;
    int bad = !j;
    bad = bad || lj_add(j, "rule", lj_str(f->rule->id));
    bad = bad || lj_add(j, "name", lj_str(f->rule->name));
    bad = bad || lj_add(j, "severity", lj_str(lint_severity_name(f->severity)));
    bad = bad || lj_add(j, "message", lj_str(f->message));
    bad = bad || lj_add(j, "object", lj_object(&f->object));
    if (!bad) {
        rel = json_object_new_array();
        bad = lj_add(j, "related", rel);
    }
    for (i = 0; i < f->nrelated && !bad; i++)
        bad = lj_add(rel, NULL, lj_object(&f->related[i]));
    if (!bad) {
        loc = json_object_new_object();
        bad = lj_add(j, "location", loc);
    }
    bad = bad || lj_add(loc, "source",
                        lj_str(f->source ? f->source : f->input));
    bad = bad || lj_add(loc, "line", json_object_new_int64(f->line));
    bad = bad || lj_add(loc, "stream_line",
                        json_object_new_int64(f->stream_line));
    bad = bad || lj_add(j, "hint", lj_str(f->hint));
    if (!bad && f->suppressed) {
        sup = json_object_new_object();
        bad = lj_add(j, "suppressed", sup);
        bad = bad || lj_add(sup, "reason", lj_str(f->suppressed));
    }
    if (bad && j) {
        json_object_put(j);
        return NULL;
    }
    return j;
}

/* The findings are serialised one at a time (json-c trees of 100,000
 * findings need gigabytes); the result is what json-c would print for the
 * whole document with JSON_C_TO_STRING_PRETTY. */
int lint_output_json(sbuf *out, const lint_result *r)
{
    size_t i;
    sbuf_puts(out, "{\n  \"version\":1,\n  \"findings\":[\n");
    for (i = 0; i < r->n; i++) {
        json_object *f = lj_finding(&r->v[i]);
        int bad;
        sbuf_puts(out, "    ");
        bad = !f || output_json_element(out, f, 1, 4);
        json_object_put(f);
        if (bad)
            return err_set(RC_NOMEM, NULL, "out of memory");
        sbuf_puts(out, i + 1 < r->n ? ",\n" : "\n");
        if (sbuf_failed(out))
            break;
    }
    sbuf_printf(out,
                "  ],\n  \"summary\":{\n    \"error\":%zu,\n    "
                "\"warning\":%zu,\n    \"info\":%zu\n  }\n}\n",
                r->count[LINT_SEV_ERROR], r->count[LINT_SEV_WARNING],
                r->count[LINT_SEV_INFO]);
    return output_check(out);
}
