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
static json_object *ls_uri(const char *path)
{
    char buf[4096];
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)(path ? path : "");
    for (; *p && k + 4 < sizeof(buf); p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            buf[k++] = (char)*p;
        } else {
            snprintf(buf + k, sizeof(buf) - k, "%%%02X", *p);
            k += 3;
        }
    }
    buf[k] = '\0';
    return json_object_new_string(buf);
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

static json_object *ls_logical(const lint_ref *o)
{
    json_object *a = json_object_new_array(), *l = json_object_new_object();
    char fq[1024];
    int bad = !a || !l;
    lint_ref_describe(o, fq, sizeof(fq));
    bad = bad || ls_add(l, "name", ls_str(o->name));
    bad = bad || ls_add(l, "fullyQualifiedName", ls_str(fq));
    bad = bad || ls_add(l, "kind", ls_str("resource"));
    if (!bad)
        bad = ls_add(a, NULL, l);
    else if (l)
        json_object_put(l);
    if (bad) {
        if (a)
            json_object_put(a);
        return NULL;
    }
    return a;
}

static json_object *ls_physical(const char *path, uint32_t line)
{
    json_object *p = json_object_new_object(), *art = NULL, *reg = NULL;
    int bad = !p;
    if (!bad) {
        art = json_object_new_object();
        bad = ls_add(p, "artifactLocation", art);
    }
    bad = bad || ls_add(art, "uri", ls_uri(path));
    if (!bad && line) {
        reg = json_object_new_object();
        bad = ls_add(p, "region", reg);
        bad = bad || ls_add(reg, "startLine", json_object_new_int64(line));
    }
    if (bad && p) {
        json_object_put(p);
        return NULL;
    }
    return p;
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

static json_object *ls_result(const lint_finding *f)
{
    json_object *o = json_object_new_object(), *locs = NULL, *loc = NULL,
                *rel = NULL, *fp = NULL, *sups = NULL, *sup = NULL;
    char text[8192], fpr[32], desc[1024];
    uint32_t i;
    int bad = !o;
    snprintf(text, sizeof(text), "%s%s%s", f->message,
             f->hint && *f->hint ? "\nHint: " : "", f->hint ? f->hint : "");
    bad = bad || ls_add(o, "ruleId", ls_str(f->rule->id));
    bad = bad || ls_add(o, "ruleIndex",
                        json_object_new_int64(
                            (int64_t)lint_rule_index(f->rule)));
    bad = bad || ls_add(o, "level", ls_str(ls_level(f->severity)));
    bad = bad || ls_add(o, "message", ls_text(text));
    if (!bad) {
        locs = json_object_new_array();
        bad = ls_add(o, "locations", locs);
    }
    if (!bad) {
        loc = json_object_new_object();
        bad = ls_add(locs, NULL, loc);
    }
    bad = bad || ls_add(loc, "physicalLocation", ls_physical(f->path, f->line));
    bad = bad || ls_add(loc, "logicalLocations", ls_logical(&f->object));
    if (!bad && f->nrelated) {
        rel = json_object_new_array();
        bad = ls_add(o, "relatedLocations", rel);
    }
    for (i = 0; i < f->nrelated && !bad; i++) {
        const lint_ref *ro = &f->related[i];
        json_object *rl = json_object_new_object();
        bad = ls_add(rel, NULL, rl);
        bad = bad || ls_add(rl, "id", json_object_new_int64(i));
        if (ro->path)
            bad = bad || ls_add(rl, "physicalLocation",
                                ls_physical(ro->path, ro->line));
        bad = bad || ls_add(rl, "logicalLocations", ls_logical(ro));
        bad = bad || ls_add(rl, "message",
                            ls_text(lint_ref_describe(ro, desc,
                                                      sizeof(desc))));
    }
    if (!bad) {
        fp = json_object_new_object();
        bad = ls_add(o, "partialFingerprints", fp);
    }
    ls_fingerprint(f, fpr, sizeof(fpr));
    bad = bad || ls_add(fp, "readyinstallFinding/v1", ls_str(fpr));
    if (!bad && f->suppressed) {
        sups = json_object_new_array();
        bad = ls_add(o, "suppressions", sups);
        if (!bad) {
            sup = json_object_new_object();
            bad = ls_add(sups, NULL, sup);
        }
        bad = bad || ls_add(sup, "kind",
                            ls_str(f->suppressed_by_config ? "external"
                                                           : "inSource"));
        bad = bad || ls_add(sup, "justification", ls_str(f->suppressed));
    }
    if (bad && o) {
        json_object_put(o);
        return NULL;
    }
    return o;
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

/* The outer document is written by hand around json-c trees for the tool
 * and each result (one tree for 100,000 results needs gigabytes); it reads
 * as json-c's JSON_C_TO_STRING_PRETTY output of the whole. */
int lint_output_sarif(sbuf *out, const lint_result *r)
{
    size_t i;
    int ret;
    sbuf_puts(out, "{\n  \"$schema\":\"" LS_SCHEMA "\",\n"
                   "  \"version\":\"2.1.0\",\n  \"runs\":[\n    {\n"
                   "      \"tool\":");
    ret = ls_put_tree(out, ls_tool(r), 6);
    if (ret)
        return ret;
    sbuf_puts(out, ",\n      \"results\":[\n");
    for (i = 0; i < r->n && !sbuf_failed(out); i++) {
        sbuf_puts(out, "        ");
        ret = ls_put_tree(out, ls_result(&r->v[i]), 8);
        if (ret)
            return ret;
        sbuf_puts(out, i + 1 < r->n ? ",\n" : "\n");
    }
    sbuf_puts(out, "      ]\n    }\n  ]\n}\n");
    return output_check(out);
}
