/*
 * The lint runner: the rule catalogue, findings and their locations,
 * suppressions (annotation, config), severity overrides and the final
 * deterministic order (stream position, then rule id).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint_int.h"
#include "order.h"

static const lint_rule *const LINT_CATALOGUE[] = {
    &lint_rule_suppression_no_reason,
    &lint_rule_suppression_unknown_rule,
    &lint_rule_crd_cr_same_release,
    &lint_rule_cr_finalizer_same_release,
    &lint_rule_webhook_admits_same_release,
    &lint_rule_conversion_webhook_same_release,
    &lint_rule_apiservice_same_release,
    &lint_rule_webhook_self_deadlock,
    &lint_rule_webhook_no_ca,
    &lint_rule_ca_source_missing,
    &lint_rule_webhook_backend_external,
    &lint_rule_webhook_backend_unserved,
    &lint_rule_webhook_no_dry_run,
    &lint_rule_webhook_blocks_delete,
    &lint_rule_secret_from_certificate,
    &lint_rule_secret_from_externalsecret,
    &lint_rule_issuer_same_release,
    &lint_rule_produced_secret_subpath,
    &lint_rule_pre_hook_uses_release_object,
    &lint_rule_injector_same_release,
};

#define LINT_NRULES (sizeof(LINT_CATALOGUE) / sizeof(LINT_CATALOGUE[0]))

const lint_rule *const *lint_rules(size_t *n)
{
    *n = LINT_NRULES;
    return LINT_CATALOGUE;
}

const lint_rule *lint_rule_find(const char *id_or_name)
{
    size_t i;
    if (!id_or_name)
        return NULL;
    for (i = 0; i < LINT_NRULES; i++)
        if (!strcasecmp(LINT_CATALOGUE[i]->id, id_or_name) ||
            !strcmp(LINT_CATALOGUE[i]->name, id_or_name))
            return LINT_CATALOGUE[i];
    return NULL;
}

size_t lint_rule_index(const lint_rule *rule)
{
    size_t i;
    for (i = 0; i < LINT_NRULES; i++)
        if (LINT_CATALOGUE[i] == rule)
            return i;
    return 0;
}

const char *lint_severity_name(lint_severity s)
{
    switch (s) {
    case LINT_SEV_INFO: return "info";
    case LINT_SEV_WARNING: return "warning";
    case LINT_SEV_ERROR: return "error";
    default: return "never";
    }
}

int lint_severity_parse(const char *s, int allow_never, lint_severity *out)
{
    if (!s)
        return -1;
    if (!strcmp(s, "error"))
        *out = LINT_SEV_ERROR;
    else if (!strcmp(s, "warning"))
        *out = LINT_SEV_WARNING;
    else if (!strcmp(s, "info"))
        *out = LINT_SEV_INFO;
    else if (allow_never && !strcmp(s, "never"))
        *out = LINT_SEV_NEVER;
    else
        return -1;
    return 0;
}

/* ---- small helpers shared by the rules ----------------------------------- */

const char *lint_name(lint_ctx *c, uint32_t id, char *buf, size_t size)
{
    return graph_node_name(c->g, id, buf, size);
}

int lint_kind_before_webhooks(const char *kind)
{
    return order_kind_weight(kind) <= order_kind_weight("APIService");
}

int lint_installed_with_release(const resource *r)
{
    if (!r->hooks)
        return 1;
    /* post-install hooks run once every ordinary object was created (and,
     * with --wait, ready); the other events run before, at upgrade only,
     * at deletion or on `helm test` */
    return (r->hooks & (HOOK_POST_INSTALL | HOOK_POST_UPGRADE)) != 0 &&
           !(r->hooks & (HOOK_PRE_INSTALL | HOOK_PRE_UPGRADE));
}

int lint_is(const resource *r, const char *group, const char *kind)
{
    return !strcmp(r->group, group) && !strcmp(r->kind, kind);
}

int lint_admission_exempt(const resource *r)
{
    static const char *const KINDS[] = {
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"};
    size_t i;
    for (i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
        if (lint_is(r, "admissionregistration.k8s.io", KINDS[i]))
            return 1;
    return 0;
}

int lint_from_crds_dir(const char *tmpl)
{
    return tmpl && strstr(tmpl, "/crds/") && !strstr(tmpl, "/templates/");
}

int lint_deleted_with_release(const lint_ctx *c, const resource *r)
{
    const char *policy;
    size_t n;
    /* hooks are not part of the release's manifest: uninstall runs the
     * delete hooks and leaves the others to their hook-delete-policy */
    if (r->hooks)
        return 0;
    if (!c->helm_input)
        return 1; /* kubectl delete -f deletes everything it is given */
    if (lint_is(r, "apiextensions.k8s.io", "CustomResourceDefinition") &&
        lint_from_crds_dir(r->source))
        return 0; /* Helm never deletes the CRDs of crds/ */
    /* filterManifestsToKeep: helm.sh/resource-policy "keep" after
     * strings.TrimSpace and strings.ToLower */
    policy = resource_annotation(r, "helm.sh/resource-policy");
    if (!policy)
        return 1;
    while (isspace((unsigned char)*policy))
        policy++;
    n = strlen(policy);
    while (n && isspace((unsigned char)policy[n - 1]))
        n--;
    return !(n == 4 && !strncasecmp(policy, "keep", 4));
}

int lint_deleted_before(const lint_ctx *c, uint32_t a, uint32_t b)
{
    const resource *ra = &c->md->res[a], *rb = &c->md->res[b];
    if (!c->helm_input)
        return a < b;
    /* Helm 3; Helm 4 differs only in deleting the webhook configurations
     * first */
    return order_uninstall_cmp(ra->kind, rb->kind, 3) < 0;
}

const uint32_t *lint_in_edges(const graph *g, uint32_t id, size_t *n)
{
    *n = g->in_start[id + 1] - g->in_start[id];
    return &g->in_list[g->in_start[id]];
}

const uint32_t *lint_out_edges(const graph *g, uint32_t id, size_t *n)
{
    *n = g->out_start[id + 1] - g->out_start[id];
    return &g->out_list[g->out_start[id]];
}

const char *lint_ref_describe(const lint_ref *o, char *buf, size_t size)
{
    const char *name = o->name && *o->name ? o->name : "<unnamed>";
    if (o->ns && *o->ns)
        snprintf(buf, size, "%s/%s/%s", o->kind, o->ns, name);
    else
        snprintf(buf, size, "%s/%s", o->kind, name);
    return buf;
}

/* ---- reporting ----------------------------------------------------------- */

static void lint_fail(lint_ctx *c)
{
    if (!c->failed)
        c->failed = err_set(RC_NOMEM, NULL, "out of memory");
}

int lint_status(const lint_ctx *c)
{
    return c->failed;
}

static const char *lint_vfmt(lint_ctx *c, const char *fmt, va_list ap)
    PRINTF_LIKE(2, 0);

static const char *lint_vfmt(lint_ctx *c, const char *fmt, va_list ap)
{
    va_list cp;
    char small[512];
    char *s;
    int n;
    va_copy(cp, ap);
    n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof(small))
        return arena_strndup(&c->res->arena, small, (size_t)n);
    s = arena_alloc(&c->res->arena, (size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void lint_say(lint_ctx *c, lint_finding *f, const char *fmt, ...)
{
    va_list ap;
    if (!f)
        return;
    va_start(ap, fmt);
    f->message = lint_vfmt(c, fmt, ap);
    va_end(ap);
    if (!f->message) {
        f->message = "";
        lint_fail(c);
    }
}

void lint_hint(lint_ctx *c, lint_finding *f, const char *fmt, ...)
{
    va_list ap;
    if (!f)
        return;
    va_start(ap, fmt);
    f->hint = lint_vfmt(c, fmt, ap);
    va_end(ap);
    if (!f->hint) {
        f->hint = "";
        lint_fail(c);
    }
}

static void lint_ref_of(lint_ctx *c, uint32_t id, lint_ref *out);

static lint_ref *lint_related_slot(lint_ctx *c, lint_finding *f)
{
    if (f->nrelated == f->related_cap) {
        uint32_t ncap = f->related_cap ? f->related_cap * 2 : 4;
        lint_ref *nv = arena_alloc(&c->res->arena, ncap * sizeof(*nv));
        if (!nv) {
            lint_fail(c);
            return NULL;
        }
        if (f->nrelated)
            memcpy(nv, f->related, f->nrelated * sizeof(*nv));
        f->related = nv;
        f->related_cap = ncap;
    }
    return &f->related[f->nrelated++];
}

void lint_related(lint_ctx *c, lint_finding *f, uint32_t id)
{
    lint_ref *slot;
    uint32_t i;
    if (!f || id == GRAPH_NONE || id >= c->md->nres || id == f->object.id)
        return;
    for (i = 0; i < f->nrelated; i++)
        if (f->related[i].id == id)
            return;
    slot = lint_related_slot(c, f);
    if (slot)
        lint_ref_of(c, id, slot);
}

void lint_related_ext(lint_ctx *c, lint_finding *f, const char *api_version,
                      const char *kind, const char *ns, const char *name)
{
    lint_ref *slot;
    uint32_t i;
    if (!f)
        return;
    for (i = 0; i < f->nrelated; i++)
        if (f->related[i].id == GRAPH_NONE &&
            !strcmp(f->related[i].kind, kind) &&
            !strcmp(f->related[i].ns, ns ? ns : "") &&
            !strcmp(f->related[i].name, name ? name : ""))
            return;
    slot = lint_related_slot(c, f);
    if (!slot)
        return;
    /* the caller's strings may live on its stack */
    slot->api_version = arena_strdup(&c->res->arena, api_version);
    slot->kind = arena_strdup(&c->res->arena, kind);
    slot->ns = arena_strdup(&c->res->arena, ns ? ns : "");
    slot->name = arena_strdup(&c->res->arena, name ? name : "");
    if (!slot->api_version || !slot->kind || !slot->ns || !slot->name) {
        f->nrelated--;
        lint_fail(c);
        return;
    }
    slot->id = GRAPH_NONE;
    slot->path = NULL;
    slot->line = 0;
}

/* The line before line 1 of document d: its `# Source:` comment, else its
 * `---` line, else the line before its first byte. */
static uint32_t lint_doc_base(lint_ctx *c, uint32_t d)
{
    const document *doc = &c->m->docs[d];
    source *src = (source *)&c->m->src;
    const char *buf = src->buf, *p, *end;
    uint32_t line, col, scan_end = doc->content;
    if (c->doc_base[d])
        return c->doc_base[d] - 1;
    if (scan_end < doc->chunk_start || scan_end > doc->chunk_end)
        scan_end = doc->chunk_end;
    p = buf + doc->chunk_start;
    end = buf + scan_end;
    line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(end - p) >= 10 && !memcmp(p, "# Source: ", 10)) {
            source_locate(src, (size_t)(p - buf), &line, &col);
            break;
        }
        p = eol ? eol + 1 : end;
    }
    if (!line && doc->sep_end > doc->sep_start)
        source_locate(src, doc->sep_start, &line, &col);
    else if (!line) {
        source_locate(src, doc->chunk_start, &line, &col);
        line--;
    }
    c->doc_base[d] = line + 1;
    return line;
}

static const lint_input *lint_input_at(const lint_ctx *c, uint32_t off)
{
    const lint_opts *o = c->opts;
    size_t lo = 0, hi = o->ninputs;
    if (!o->ninputs)
        return NULL;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->inputs[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    return &o->inputs[lo];
}

/* The template mapped into the chart directory when it names the chart. */
static const char *lint_path_of(lint_ctx *c, const char *tmpl)
{
    const lint_opts *o = c->opts;
    size_t n;
    char buf[4096];
    if (!o->chart_name || !o->chart_dir)
        return tmpl;
    n = strlen(o->chart_name);
    if (strncmp(tmpl, o->chart_name, n) != 0 || tmpl[n] != '/')
        return tmpl;
    if (!strcmp(o->chart_dir, ".") || !*o->chart_dir)
        return tmpl + n + 1;
    snprintf(buf, sizeof(buf), "%s%s%s", o->chart_dir,
             o->chart_dir[strlen(o->chart_dir) - 1] == '/' ? "" : "/",
             tmpl + n + 1);
    return arena_strdup(&c->res->arena, buf);
}

/* Where byte off of resource r is: the file to point at, the line there,
 * the input and the line in it. */
typedef struct lint_loc {
    const char *source, *input, *path;
    uint32_t line, stream_line;
} lint_loc;

static void lint_locate(lint_ctx *c, const resource *r, uint32_t off,
                        lint_loc *out)
{
    const lint_input *in = lint_input_at(c, off);
    uint32_t line, col, base, in_line = 0;
    source_locate((source *)&c->m->src, off, &line, &col);
    if (in) {
        source_locate((source *)&c->m->src, in->off, &in_line, &col);
        out->input = in->name;
        out->stream_line = line - in_line + 1;
    } else {
        out->input = c->res->input_name;
        out->stream_line = line;
    }
    out->source = r->source && *r->source ? r->source : NULL;
    if (out->source) {
        base = lint_doc_base(c, r->doc);
        out->line = line > base ? line - base : 1;
        out->path = lint_path_of(c, out->source);
        if (!out->path) {
            out->path = out->source;
            lint_fail(c);
        }
    } else {
        out->line = out->stream_line;
        out->path = out->input;
    }
}

static void lint_ref_of(lint_ctx *c, uint32_t id, lint_ref *out)
{
    const resource *r = &c->md->res[id];
    lint_loc loc;
    out->api_version = r->api_version;
    out->kind = r->kind;
    out->ns = graph_namespace(c->g, r);
    out->name = r->name;
    out->id = id;
    lint_locate(c, r, r->obj->start, &loc);
    out->path = loc.path;
    out->line = loc.line;
}

lint_finding *lint_report(lint_ctx *c, const lint_rule *rule,
                          lint_severity sev, uint32_t obj, const node *at)
{
    lint_result *res = c->res;
    const resource *r;
    lint_finding *f;
    lint_loc loc;
    int sev_over;
    if (c->failed || obj >= c->md->nres)
        return NULL;
    r = &c->md->res[obj];
    if (res->n == res->cap) {
        size_t ncap = res->cap ? res->cap * 2 : 64;
        lint_finding *nv = realloc(res->v, ncap * sizeof(*nv));
        if (!nv) {
            lint_fail(c);
            return NULL;
        }
        res->v = nv;
        res->cap = ncap;
    }
    f = &res->v[res->n++];
    memset(f, 0, sizeof(*f));
    f->rule = rule;
    sev_over = c->config->rules[lint_rule_index(rule)].severity;
    f->severity = sev_over >= 0 ? (lint_severity)sev_over : sev;
    lint_ref_of(c, obj, &f->object);
    at = node_deref(at);
    f->off = at ? at->start : r->obj->start;
    lint_locate(c, r, f->off, &loc);
    f->source = loc.source;
    f->input = loc.input;
    f->path = loc.path;
    f->line = loc.line;
    f->stream_line = loc.stream_line;
    f->message = "";
    f->hint = "";
    f->seq = c->seq++;
    return f;
}

/* ---- suppression --------------------------------------------------------- */

/* The ignore-check annotation of r for rule, or NULL; *reason gets its
 * value ("" for an empty or null one). */
static const node *lint_annotation_for(const resource *r,
                                       const lint_rule *rule,
                                       const char **reason)
{
    const node *ann = r->annotations;
    size_t plen = strlen(LINT_ANNOT_IGNORE);
    uint32_t i;
    if (!ann || ann->type != NODE_MAPPING)
        return NULL;
    for (i = 0; i + 1 < ann->len; i += 2) {
        const char *k = node_str(node_deref(ann->u.coll.items[i]));
        const node *v = node_deref(ann->u.coll.items[i + 1]);
        if (!k || strncmp(k, LINT_ANNOT_IGNORE, plen) != 0)
            continue;
        k += plen;
        if (strcasecmp(k, rule->id) != 0 && strcmp(k, rule->name) != 0)
            continue;
        *reason = node_is_null(v) || !node_str(v) ? "" : node_str(v);
        return ann->u.coll.items[i];
    }
    return NULL;
}

static const lint_ignore *lint_config_match(const lint_config *cfg,
                                            const lint_finding *f)
{
    char obj[1024];
    size_t i;
    lint_ref_describe(&f->object, obj, sizeof(obj));
    for (i = 0; i < cfg->nignore; i++) {
        const lint_ignore *ig = &cfg->ignore[i];
        if (ig->rule && ig->rule != f->rule)
            continue;
        if (ig->object && fnmatch(ig->object, obj, 0) != 0)
            continue;
        if (ig->source &&
            !(f->source && fnmatch(ig->source, f->source, 0) == 0) &&
            fnmatch(ig->source, f->path, 0) != 0)
            continue;
        return ig;
    }
    return NULL;
}

/* RI001 / RI002: the ignore-check annotations themselves. */
static void lint_check_annotations(lint_ctx *c)
{
    const model *md = c->md;
    const lint_rule *no_reason = &lint_rule_suppression_no_reason;
    const lint_rule *unknown = &lint_rule_suppression_unknown_rule;
    int want_reason = c->config->rules[lint_rule_index(no_reason)].enabled;
    int want_unknown = c->config->rules[lint_rule_index(unknown)].enabled;
    size_t plen = strlen(LINT_ANNOT_IGNORE), i;
    char who[512];
    if (!want_reason && !want_unknown)
        return;
    for (i = 0; i < md->nres && !c->failed; i++) {
        const node *ann = md->res[i].annotations;
        uint32_t k;
        if (!ann || ann->type != NODE_MAPPING)
            continue;
        for (k = 0; k + 1 < ann->len; k += 2) {
            const node *kn = node_deref(ann->u.coll.items[k]);
            const node *v = node_deref(ann->u.coll.items[k + 1]);
            /* the value's own node: under share_keys the key may be one
             * node for every mapping that has it, with one occurrence's
             * position */
            const node *at = ann->u.coll.items[k + 1];
            const char *key = node_str(kn), *val;
            const lint_rule *rule;
            lint_finding *f;
            if (!key || strncmp(key, LINT_ANNOT_IGNORE, plen) != 0)
                continue;
            rule = lint_rule_find(key + plen);
            val = node_is_null(v) ? "" : node_str(v);
            lint_name(c, (uint32_t)i, who, sizeof(who));
            if (!rule && want_unknown) {
                f = lint_report(c, unknown, unknown->severity, (uint32_t)i, at);
                lint_say(c, f,
                         "%s has annotation %s, but readyinstall has no rule "
                         "\"%s\": it suppresses nothing",
                         who, key, key + plen);
                lint_hint(c, f,
                          "Name a rule by id or name, e.g. " LINT_ANNOT_IGNORE
                          "RI201 or " LINT_ANNOT_IGNORE
                          "webhook-admits-same-release; `readyinstall lint "
                          "--list-rules` lists them.");
            } else if (rule && want_reason && (!val || !*val)) {
                f = lint_report(c, no_reason, no_reason->severity,
                                (uint32_t)i, at);
                lint_say(c, f,
                         "%s suppresses %s %s without a reason: the "
                         "suppression applies, but nobody will know why",
                         who, rule->id, rule->name);
                lint_hint(c, f,
                          "Write why the hazard does not apply as the "
                          "annotation's value, e.g. %s: \"the operator is "
                          "installed by another release first\".",
                          key);
            }
        }
    }
}

static void lint_suppress(lint_ctx *c)
{
    lint_result *res = c->res;
    size_t i;
    for (i = 0; i < res->n; i++) {
        lint_finding *f = &res->v[i];
        const lint_ignore *ig;
        const char *reason = NULL;
        /* a suppression annotation cannot silence the findings about
         * suppression annotations */
        if (f->rule != &lint_rule_suppression_no_reason &&
            f->rule != &lint_rule_suppression_unknown_rule &&
            lint_annotation_for(&c->md->res[f->object.id], f->rule, &reason)) {
            f->suppressed = reason;
            continue;
        }
        ig = lint_config_match(c->config, f);
        if (ig) {
            f->suppressed = ig->reason;
            f->suppressed_by_config = 1;
        }
    }
}

static int lint_finding_cmp(const void *a, const void *b)
{
    const lint_finding *x = a, *y = b;
    int k;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    k = strcmp(x->rule->id, y->rule->id);
    if (k)
        return k;
    if (x->object.id != y->object.id)
        return x->object.id < y->object.id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- running ------------------------------------------------------------- */

int lint_run(lint_result **out, graph *g, const lint_opts *opts)
{
    static const lint_opts defaults = LINT_OPTS_INIT;
    lint_result *res;
    lint_ctx c;
    size_t i;
    int ret = RC_OK;
    *out = NULL;
    if (!opts)
        opts = &defaults;
    res = calloc(1, sizeof(*res));
    if (!res)
        return err_set(RC_NOMEM, NULL, "out of memory");
    arena_init(&res->arena);
    *out = res;
    memset(&c, 0, sizeof(c));
    c.g = g;
    c.md = g->md;
    c.m = g->md->m;
    c.res = res;
    c.opts = opts;
    res->input_name = opts->ninputs ? opts->inputs[0].name : c.m->src.name;
    if (!res->input_name)
        res->input_name = "<input>";
    if (opts->config) {
        res->config = opts->config;
    } else {
        ret = lint_config_default(&res->owned_config);
        if (ret)
            return ret;
        res->config = res->owned_config;
    }
    c.config = res->config;
    for (i = 0; i < c.md->nres && !c.helm_input; i++)
        c.helm_input = c.md->res[i].source && *c.md->res[i].source;
    c.doc_base = calloc(c.m->ndocs ? c.m->ndocs : 1, sizeof(*c.doc_base));
    if (!c.doc_base)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < LINT_NRULES && !ret; i++) {
        const lint_rule *rule = LINT_CATALOGUE[i];
        if (!rule->check || !c.config->rules[i].enabled)
            continue;
        ret = rule->check(&c);
        if (!ret)
            ret = c.failed;
    }
    if (!ret)
        lint_check_annotations(&c);
    if (!ret)
        ret = c.failed;
    if (!ret) {
        lint_suppress(&c);
        if (res->n)
            qsort(res->v, res->n, sizeof(*res->v), lint_finding_cmp);
        for (i = 0; i < res->n; i++) {
            if (res->v[i].suppressed)
                res->suppressed++;
            else
                res->count[res->v[i].severity]++;
        }
    }
    free(c.doc_base);
    free(c.wh.v);
    free(c.memo);
    return ret;
}

void lint_result_free(lint_result *r)
{
    if (!r)
        return;
    free(r->v);
    lint_config_free(r->owned_config);
    arena_dispose(&r->arena);
    free(r);
}

int lint_result_fails(const lint_result *r, lint_severity fail_on)
{
    int s;
    if (fail_on >= LINT_SEV_NEVER)
        return 0;
    for (s = (int)fail_on; s <= LINT_SEV_ERROR; s++)
        if (r->count[s])
            return 1;
    return 0;
}

int lint_rule_enabled(const lint_result *r, const lint_rule *rule)
{
    return r->config->rules[lint_rule_index(rule)].enabled;
}

lint_severity lint_rule_level(const lint_result *r, const lint_rule *rule)
{
    int s = r->config->rules[lint_rule_index(rule)].severity;
    return s >= 0 ? (lint_severity)s : rule->severity;
}
