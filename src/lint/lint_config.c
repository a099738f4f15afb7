/*
 * .readyinstall.yaml: rule switches, severity overrides and ignore entries,
 * read with the project's own manifest reader so every error names its
 * line and column.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

static int lcfg_nomem(void)
{
    return err_set(RC_NOMEM, NULL, "out of memory");
}

static int lcfg_alloc(lint_config **out)
{
    lint_config *c;
    size_t n;
    lint_rules(&n);
    c = calloc(1, sizeof(*c));
    if (!c)
        return lcfg_nomem();
    *out = c;
    c->rules = calloc(n, sizeof(*c->rules));
    if (!c->rules)
        return lcfg_nomem();
    while (n--) {
        c->rules[n].enabled = 1;
        c->rules[n].severity = -1;
    }
    return RC_OK;
}

int lint_config_default(lint_config **out)
{
    *out = NULL;
    return lcfg_alloc(out);
}

void lint_config_free(lint_config *c)
{
    if (!c)
        return;
    manifest_free(c->m);
    free(c->buf);
    free(c->rules);
    free(c->ignore);
    free(c);
}

static int lcfg_error(lint_config *c, const node *at, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int lcfg_error(lint_config *c, const node *at, const char *fmt, ...)
{
    char msg[768];
    span sp;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!at)
        return err_set(RC_INVALID, NULL, "%s: %s", c->m->src.name, msg);
    sp = source_span(&c->m->src, 0, at->start, at->end - at->start);
    return err_set(RC_INVALID, &sp, "%s", msg);
}

static const char *lcfg_type(const node *n)
{
    switch (n->type) {
    case NODE_MAPPING: return "a mapping";
    case NODE_SEQUENCE: return "a sequence";
    default: return "a scalar";
    }
}

/* A plain or quoted YAML string value. */
static int lcfg_string(lint_config *c, const node *v, const char *what,
                       const char **out)
{
    v = node_deref(v);
    if (!v || v->type != NODE_SCALAR || node_is_null(v))
        return lcfg_error(c, v, "%s must be a string, not %s", what,
                          node_is_null(v) ? "null" : lcfg_type(v));
    *out = v->u.scalar.str;
    return RC_OK;
}

static int lcfg_bool(lint_config *c, const node *v, const char *what,
                     int *out)
{
    static const char *const T[] = {"true", "True", "TRUE"};
    static const char *const F[] = {"false", "False", "FALSE"};
    size_t i;
    v = node_deref(v);
    if (v->type == NODE_SCALAR && v->style == NODE_STYLE_PLAIN) {
        for (i = 0; i < 3; i++) {
            if (!strcmp(v->u.scalar.str, T[i])) {
                *out = 1;
                return RC_OK;
            }
            if (!strcmp(v->u.scalar.str, F[i])) {
                *out = 0;
                return RC_OK;
            }
        }
    }
    return lcfg_error(c, v, "%s must be true or false", what);
}

static const lint_rule *lcfg_rule(lint_config *c, const node *k, int *ret)
{
    const char *s = node_str(node_deref(k));
    const lint_rule *rule = lint_rule_find(s);
    *ret = RC_OK;
    if (!rule)
        *ret = lcfg_error(c, k,
                          "unknown rule \"%s\" (`readyinstall lint "
                          "--list-rules` lists ids and names)",
                          s ? s : "");
    return rule;
}

/* rules: {RI201: {severity: warning}, crd-cr-same-release: {enabled: no}} */
static int lcfg_rules(lint_config *c, const node *map)
{
    uint32_t i, j;
    int ret;
    map = node_deref(map);
    if (node_is_null(map))
        return RC_OK;
    if (map->type != NODE_MAPPING)
        return lcfg_error(c, map, "rules must be a mapping of rule id to "
                                  "settings, not %s",
                          lcfg_type(map));
    for (i = 0; i + 1 < map->len; i += 2) {
        const node *k = map->u.coll.items[i];
        const node *v = node_deref(map->u.coll.items[i + 1]);
        const lint_rule *rule = lcfg_rule(c, k, &ret);
        lint_rule_conf *conf;
        if (ret)
            return ret;
        conf = &c->rules[lint_rule_index(rule)];
        if (node_is_null(v))
            continue;
        if (v->type != NODE_MAPPING)
            return lcfg_error(c, v,
                              "rules.%s must be a mapping (enabled, "
                              "severity), not %s",
                              rule->id, lcfg_type(v));
        for (j = 0; j + 1 < v->len; j += 2) {
            const node *sk = node_deref(v->u.coll.items[j]);
            const node *sv = v->u.coll.items[j + 1];
            const char *key = node_str(sk), *s;
            char what[96];
            lint_severity sev;
            snprintf(what, sizeof(what), "rules.%s.%s", rule->id,
                     key ? key : "?");
            if (key && !strcmp(key, "enabled")) {
                ret = lcfg_bool(c, sv, what, &conf->enabled);
            } else if (key && !strcmp(key, "severity")) {
                ret = lcfg_string(c, sv, what, &s);
                if (!ret && lint_severity_parse(s, 0, &sev) != 0)
                    ret = lcfg_error(c, node_deref(sv),
                                     "%s: \"%s\" is not error, warning or "
                                     "info",
                                     what, s);
                if (!ret)
                    conf->severity = (int)sev;
            } else {
                ret = lcfg_error(c, sk,
                                 "unknown key \"%s\" in rules.%s (expected "
                                 "enabled or severity)",
                                 key ? key : "", rule->id);
            }
            if (ret)
                return ret;
        }
    }
    return RC_OK;
}

static int lcfg_ignore_item(lint_config *c, const node *item, size_t idx,
                            lint_ignore *ig)
{
    uint32_t j;
    int ret, have_rule = 0;
    char what[64];
    item = node_deref(item);
    if (item->type != NODE_MAPPING)
        return lcfg_error(c, item,
                          "ignore[%zu] must be a mapping (rule, object, "
                          "source, reason), not %s",
                          idx, lcfg_type(item));
    memset(ig, 0, sizeof(*ig));
    for (j = 0; j + 1 < item->len; j += 2) {
        const node *k = node_deref(item->u.coll.items[j]);
        const node *v = item->u.coll.items[j + 1];
        const char *key = node_str(k), *s;
        snprintf(what, sizeof(what), "ignore[%zu].%s", idx, key ? key : "?");
        if (key && !strcmp(key, "rule")) {
            ret = lcfg_string(c, v, what, &s);
            if (!ret && strcmp(s, "*") != 0) {
                ig->rule = lint_rule_find(s);
                if (!ig->rule)
                    ret = lcfg_error(c, node_deref(v),
                                     "%s: unknown rule \"%s\" (`readyinstall "
                                     "lint --list-rules` lists them; * means "
                                     "every rule)",
                                     what, s);
            }
            have_rule = 1;
        } else if (key && !strcmp(key, "object")) {
            ret = lcfg_string(c, v, what, &ig->object);
        } else if (key && !strcmp(key, "source")) {
            ret = lcfg_string(c, v, what, &ig->source);
        } else if (key && !strcmp(key, "reason")) {
            ret = lcfg_string(c, v, what, &ig->reason);
            if (!ret && !*ig->reason)
                ret = lcfg_error(c, node_deref(v),
                                 "%s must say why the finding does not apply",
                                 what);
        } else {
            ret = lcfg_error(c, k,
                             "unknown key \"%s\" in ignore[%zu] (expected "
                             "rule, object, source or reason)",
                             key ? key : "", idx);
        }
        if (ret)
            return ret;
    }
    if (!have_rule)
        return lcfg_error(c, item,
                          "ignore[%zu] needs a rule (an id, a name or *)", idx);
    if (!ig->reason)
        return lcfg_error(c, item,
                          "ignore[%zu] needs a reason: why the finding does "
                          "not apply",
                          idx);
    return RC_OK;
}

static int lcfg_ignore(lint_config *c, const node *seq)
{
    uint32_t i;
    int ret;
    seq = node_deref(seq);
    if (node_is_null(seq))
        return RC_OK;
    if (seq->type != NODE_SEQUENCE)
        return lcfg_error(c, seq, "ignore must be a sequence, not %s",
                          lcfg_type(seq));
    c->ignore = calloc(seq->len ? seq->len : 1,
                       sizeof(*c->ignore));
    if (!c->ignore)
        return lcfg_nomem();
    for (i = 0; i < seq->len; i++) {
        ret = lcfg_ignore_item(c, seq->u.coll.items[i], i, &c->ignore[i]);
        if (ret)
            return ret;
        c->nignore++;
    }
    return RC_OK;
}

int lint_config_parse(lint_config **out, const char *name, const char *buf,
                      size_t len)
{
    manifest_opts mo = MANIFEST_OPTS_INIT;
    lint_config *c;
    const node *root = NULL;
    uint32_t i;
    int ret = lcfg_alloc(out);
    if (ret)
        return ret;
    c = *out;
    c->buf = malloc(len ? len : 1);
    if (!c->buf)
        return lcfg_nomem();
    if (len)
        memcpy(c->buf, buf, len);
    ret = manifest_parse(&c->m, name, c->buf, len, &mo);
    if (ret)
        return ret;
    for (i = 1; i < c->m->ndocs; i++) {
        if (!node_is_null(c->m->docs[i].root)) {
            span sp = source_span(&c->m->src, i, c->m->docs[i].content, 0);
            return err_set(RC_INVALID, &sp,
                           "a config file holds one YAML document");
        }
    }
    if (c->m->ndocs)
        root = node_deref(c->m->docs[0].root);
    if (node_is_null(root))
        return RC_OK;
    if (root->type != NODE_MAPPING)
        return lcfg_error(c, root,
                          "the config must be a mapping with rules and "
                          "ignore, not %s",
                          lcfg_type(root));
    for (i = 0; i + 1 < root->len; i += 2) {
        const node *k = node_deref(root->u.coll.items[i]);
        const node *v = root->u.coll.items[i + 1];
        const char *key = node_str(k);
        if (key && !strcmp(key, "rules"))
            ret = lcfg_rules(c, v);
        else if (key && !strcmp(key, "ignore"))
            ret = lcfg_ignore(c, v);
        else
            ret = lcfg_error(c, k,
                             "unknown key \"%s\" (expected rules or ignore)",
                             key ? key : "");
        if (ret)
            return ret;
    }
    return RC_OK;
}
