/*
 * Lint findings as SARIF 2.1.0 (OASIS sarif-v2.1.0, as GitHub code scanning
 * reads it): one run whose tool.driver lists every rule (ruleIndex points
 * into it), one result per finding with a physical location (the template
 * mapped into the chart directory, or the input file), a logical location
 * naming the Kubernetes object, related locations for the other objects,
 * a partialFingerprint that survives line moves, and suppressions for
 * suppressed findings (inSource: an annotation; external: the config).
 */
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "lint/lint.h"
#include "output.h"

#ifndef RI_VERSION
#define RI_VERSION "0.0.0-dev"
#endif

#define LS_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static int ls_add(json_object *to, const char *key, json_object *val)
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

static json_object *ls_str(const char *s)
{
    return json_object_new_string(s ? s : "");
}

/* {"text": s} (SARIF multiformatMessageString / message) */
static json_object *ls_text(const char *s)
{
    json_object *o = json_object_new_object();
    if (o && ls_add(o, "text", ls_str(s))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* SARIF §3.27.10: error, warning, note */
static const char *ls_level(lint_severity s)
{
    switch (s) {
    case LINT_SEV_ERROR: return "error";
    case LINT_SEV_WARNING: return "warning";
    default: return "note";
    }
}

/* A relative URI reference for a path: unreserved characters and '/' stay,
 * everything else is percent-encoded (RFC 3986 §2). */
static const char *ls_uri(const char *path, char *buf, size_t size)
{
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)(path ? path : "");
    for (; *p && k + 4 < size; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            buf[k++] = (char)*p;
        } else {
            snprintf(buf + k, size - k, "%%%02X", *p);
            k += 3;
        }
    }
    buf[k] = '\0';
    return buf;
}

static json_object *ls_rule(const lint_result *r, const lint_rule *rule)
{
    json_object *o = json_object_new_object(), *cfg = NULL, *props = NULL,
                *tags = NULL;
    char uri[256], help[2048];
    int bad = !o;
    snprintf(uri, sizeof(uri), LINT_DOCS_URI "%s.md", rule->id);
    snprintf(help, sizeof(help), "%s\nMore: %s", rule->explain, uri);
    bad = bad || ls_add(o, "id", ls_str(rule->id));
    bad = bad || ls_add(o, "name", ls_str(rule->name));
    bad = bad || ls_add(o, "shortDescription", ls_text(rule->summary));
    bad = bad || ls_add(o, "fullDescription", ls_text(rule->explain));
    bad = bad || ls_add(o, "help", ls_text(help));
    bad = bad || ls_add(o, "helpUri", ls_str(uri));
    if (!bad) {
        cfg = json_object_new_object();
        bad = ls_add(o, "defaultConfiguration", cfg);
    }
    bad = bad || ls_add(cfg, "level",
                        ls_str(ls_level(lint_rule_level(r, rule))));
    if (!bad && !lint_rule_enabled(r, rule))
        bad = ls_add(cfg, "enabled", json_object_new_boolean(0));
    if (!bad) {
        props = json_object_new_object();
        bad = ls_add(o, "properties", props);
    }
    if (!bad) {
        tags = json_object_new_array();
        bad = ls_add(props, "tags", tags);
    }
    bad = bad || ls_add(tags, NULL, ls_str("kubernetes"));
    bad = bad || ls_add(tags, NULL, ls_str("helm"));
    bad = bad || ls_add(tags, NULL, ls_str("install-order"));
    if (bad && o) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static void ls_logical(json_w *w, const lint_ref *o)
{
    char fq[1024];
    lint_ref_describe(o, fq, sizeof(fq));
    json_w_open(w, "logicalLocations", '[');
    json_w_open(w, NULL, '{');
    json_w_str(w, "name", o->name);
    json_w_str(w, "fullyQualifiedName", fq);
    json_w_str(w, "kind", "resource");
    json_w_close(w, '}');
    json_w_close(w, ']');
}

static void ls_physical(json_w *w, const char *path, uint32_t line)
{
    char uri[4096];
    json_w_open(w, "physicalLocation", '{');
    json_w_open(w, "artifactLocation", '{');
    json_w_str(w, "uri", ls_uri(path, uri, sizeof(uri)));
    json_w_close(w, '}');
    if (line) {
        json_w_open(w, "region", '{');
        json_w_uint(w, "startLine", line);
        json_w_close(w, '}');
    }
    json_w_close(w, '}');
}

/* FNV-1a over the rule and the objects: stable across line moves. */
static void ls_fingerprint(const lint_finding *f, char *out, size_t size)
{
    char buf[1024];
    uint64_t h = 1469598103934665603ull;
    uint32_t i;
    const char *parts[2];
    size_t k, p;
    for (i = 0; i <= f->nrelated; i++) {
        const lint_ref *o = i ? &f->related[i - 1] : &f->object;
        parts[0] = i ? "\x1f" : f->rule->id;
        parts[1] = lint_ref_describe(o, buf, sizeof(buf));
        for (p = 0; p < 2; p++)
            for (k = 0; parts[p][k]; k++) {
                h ^= (unsigned char)parts[p][k];
                h *= 1099511628211ull;
            }
    }
    snprintf(out, size, "%016llx", (unsigned long long)h);
}

/* One result, written as json-c would print it at that depth. */
static void ls_result(json_w *w, const lint_finding *f)
{
    char text[8192], fpr[32], desc[1024];
    uint32_t i;
    snprintf(text, sizeof(text), "%s%s%s", f->message,
             f->hint && *f->hint ? "\nHint: " : "", f->hint ? f->hint : "");
    json_w_open(w, NULL, '{');
    json_w_str(w, "ruleId", f->rule->id);
    json_w_uint(w, "ruleIndex", lint_rule_index(f->rule));
    json_w_str(w, "level", ls_level(f->severity));
    json_w_open(w, "message", '{');
    json_w_str(w, "text", text);
    json_w_close(w, '}');
    json_w_open(w, "locations", '[');
    json_w_open(w, NULL, '{');
    ls_physical(w, f->path, f->line);
    ls_logical(w, &f->object);
    json_w_close(w, '}');
    json_w_close(w, ']');
    if (f->nrelated)
        json_w_open(w, "relatedLocations", '[');
    for (i = 0; i < f->nrelated; i++) {
        const lint_ref *ro = &f->related[i];
        json_w_open(w, NULL, '{');
        json_w_uint(w, "id", i);
        if (ro->path)
            ls_physical(w, ro->path, ro->line);
        ls_logical(w, ro);
        json_w_open(w, "message", '{');
        json_w_str(w, "text", lint_ref_describe(ro, desc, sizeof(desc)));
        json_w_close(w, '}');
        json_w_close(w, '}');
    }
    if (f->nrelated)
        json_w_close(w, ']');
    ls_fingerprint(f, fpr, sizeof(fpr));
    json_w_open(w, "partialFingerprints", '{');
    json_w_str(w, "readyinstallFinding/v1", fpr);
    json_w_close(w, '}');
    if (f->suppressed) {
        json_w_open(w, "suppressions", '[');
        json_w_open(w, NULL, '{');
        json_w_str(w, "kind", f->suppressed_by_config ? "external" : "inSource");
        json_w_str(w, "justification", f->suppressed);
        json_w_close(w, '}');
        json_w_close(w, ']');
    }
    json_w_close(w, '}');
}

static void ls_put_indented(sbuf *out, const char *text, int indent)
{
    const char *nl;
    while ((nl = strchr(text, '\n'))) {
        sbuf_put(out, text, (size_t)(nl - text) + 1);
        sbuf_printf(out, "%*s", indent, "");
        text = nl + 1;
    }
    sbuf_puts(out, text);
}

/* v pretty-printed at indent, then freed; non-zero when out of memory. */
static int ls_put_tree(sbuf *out, json_object *v, int indent)
{
    const char *text = v ? json_object_to_json_string_ext(
                               v, JSON_C_TO_STRING_PRETTY |
                                      JSON_C_TO_STRING_NOSLASHESCAPE)
                         : NULL;
    if (text)
        ls_put_indented(out, text, indent);
    json_object_put(v);
    return text ? 0 : err_set(RC_NOMEM, NULL, "out of memory");
}

static json_object *ls_tool(const lint_result *r)
{
    json_object *tool = json_object_new_object(), *driver = NULL,
                *rules = NULL;
    const lint_rule *const *cat;
    size_t n, i;
    int bad = !tool;
    cat = lint_rules(&n);
    if (!bad) {
        driver = json_object_new_object();
        bad = ls_add(tool, "driver", driver);
    }
    bad = bad || ls_add(driver, "name", ls_str("readyinstall"));
    bad = bad || ls_add(driver, "version", ls_str(RI_VERSION));
    bad = bad || ls_add(driver, "informationUri", ls_str(LINT_INFO_URI));
    if (!bad) {
        rules = json_object_new_array();
        bad = ls_add(driver, "rules", rules);
    }
    for (i = 0; i < n && !bad; i++)
        bad = ls_add(rules, NULL, ls_rule(r, cat[i]));
    if (bad && tool) {
        json_object_put(tool);
        return NULL;
    }
    return tool;
}

/* The tool (a few rules) is a json-c tree; the results, which can number
 * 100,000, are written with json_w. The whole reads as json-c's
 * JSON_C_TO_STRING_PRETTY output of one tree. */
int lint_output_sarif(sbuf *out, const lint_result *r)
{
    json_w w;
    size_t i;
    int ret;
    sbuf_puts(out, "{\n  \"$schema\":\"" LS_SCHEMA "\",\n"
                   "  \"version\":\"2.1.0\",\n  \"runs\":[\n    {\n"
                   "      \"tool\":");
    ret = ls_put_tree(out, ls_tool(r), 6);
    if (ret)
        return ret;
    sbuf_puts(out, ",\n      \"results\":");
    json_w_init(&w, out, 6);
    json_w_open(&w, NULL, '[');
    for (i = 0; i < r->n && !sbuf_failed(out); i++)
        ls_result(&w, &r->v[i]);
    json_w_close(&w, ']');
    sbuf_puts(out, "\n    }\n  ]\n}\n");
    return output_check(out);
}
