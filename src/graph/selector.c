/*
 * Label selectors as k8s.io/apimachinery evaluates them: a
 * metav1.LabelSelector (matchLabels AND every matchExpressions requirement)
 * and a Service's plain spec.selector map. A malformed selector is SEL_NO:
 * the apiserver rejects such an object, so it never selects anything.
 */
#include <string.h>

#include "graph_int.h"

/* Set by the apiserver on every Namespace since Kubernetes 1.21 (defaulted
 * before admission, so webhooks see it on create too). */
#define NS_NAME_LABEL "kubernetes.io/metadata.name"

/* What is known about the labels a selector is evaluated against. */
typedef struct label_view {
    const node *labels;   /* mapping, or NULL */
    const char *auto_key; /* a label known apart from labels, or NULL */
    const char *auto_val; /* its value; NULL: unknown */
    int complete;         /* labels are all the labels there are */
} label_view;

typedef enum lookup_result { LBL_ABSENT, LBL_VALUE, LBL_UNKNOWN } lookup_result;

static lookup_result view_lookup(const label_view *v, const char *key,
                                 const char **val)
{
    const node *n;
    *val = NULL;
    if (v->auto_key && !strcmp(key, v->auto_key)) {
        *val = v->auto_val;
        return v->auto_val ? LBL_VALUE : LBL_UNKNOWN;
    }
    n = v->labels ? node_get(v->labels, key) : NULL;
    if (n) {
        /* a YAML null decodes to "" in a map[string]string */
        *val = node_is_null(n) ? "" : node_str(n);
        if (!*val)
            return v->complete ? LBL_ABSENT : LBL_UNKNOWN;
        return LBL_VALUE;
    }
    return v->complete ? LBL_ABSENT : LBL_UNKNOWN;
}

/* Combine requirement results: any NO wins, then any MAYBE. */
static sel_result sel_and(sel_result acc, sel_result r)
{
    if (acc == SEL_NO || r == SEL_NO)
        return SEL_NO;
    if (acc == SEL_MAYBE || r == SEL_MAYBE)
        return SEL_MAYBE;
    return SEL_YES;
}

static int values_contain(const node *values, const char *val)
{
    uint32_t i;
    for (i = 0; i < values->len; i++) {
        const char *s = node_str(values->u.coll.items[i]);
        if (s && !strcmp(s, val))
            return 1;
    }
    return 0;
}

/* One matchExpressions entry; operators as metav1.LabelSelectorOperator
 * (case-sensitive). In/NotIn need a non-empty values list, Exists and
 * DoesNotExist an empty one, else the selector is invalid. */
static sel_result requirement_eval(const node *expr, const label_view *v)
{
    const char *key, *op, *val;
    const node *values;
    uint32_t nvalues = 0;
    lookup_result lr;
    int set_op;
    expr = node_deref(expr);
    if (!expr || expr->type != NODE_MAPPING)
        return SEL_NO;
    key = node_get_str(expr, "key");
    op = node_get_str(expr, "operator");
    if (!key || !*key || !op)
        return SEL_NO;
    values = node_deref(node_get(expr, "values"));
    if (!node_is_null(values)) {
        if (values->type != NODE_SEQUENCE)
            return SEL_NO;
        nvalues = values->len;
    }
    set_op = !strcmp(op, "In") || !strcmp(op, "NotIn");
    if (set_op && nvalues == 0)
        return SEL_NO;
    if (!set_op && strcmp(op, "Exists") && strcmp(op, "DoesNotExist"))
        return SEL_NO;
    if (!set_op && nvalues != 0)
        return SEL_NO;
    lr = view_lookup(v, key, &val);
    if (lr == LBL_UNKNOWN)
        return SEL_MAYBE;
    if (!strcmp(op, "Exists"))
        return lr == LBL_VALUE ? SEL_YES : SEL_NO;
    if (!strcmp(op, "DoesNotExist"))
        return lr == LBL_ABSENT ? SEL_YES : SEL_NO;
    if (!strcmp(op, "In"))
        return lr == LBL_VALUE && values_contain(values, val) ? SEL_YES
                                                              : SEL_NO;
    /* NotIn: an absent key matches */
    return lr == LBL_VALUE && values_contain(values, val) ? SEL_NO : SEL_YES;
}

/* Called for each effective key/value pair of a mapping; non-zero stops. */
typedef int (*pair_fn)(const node *key, const node *value, void *payload);

#define MERGE_DEPTH_MAX 16

/* Visit the pairs node_get() would return, `<<` merge keys included: a pair
 * counts only where node_get(top, key) yields its value, so duplicate and
 * overridden keys are seen once, with the value Kubernetes' decoder keeps. */
static int pairs_visit(const node *top, const node *map, int depth, pair_fn fn,
                       void *payload)
{
    uint32_t i, j;
    int ret;
    map = node_deref(map);
    if (!map || depth > MERGE_DEPTH_MAX)
        return 0;
    if (map->type == NODE_SEQUENCE) { /* `<<: [*a, *b]` */
        for (j = 0; j < map->len; j++) {
            ret =
                pairs_visit(top, map->u.coll.items[j], depth + 1, fn, payload);
            if (ret)
                return ret;
        }
        return 0;
    }
    if (map->type != NODE_MAPPING)
        return 0;
    for (i = 0; i + 1 < map->len; i += 2) {
        const node *k = node_deref(map->u.coll.items[i]);
        const node *v = map->u.coll.items[i + 1];
        const char *key = node_str(k);
        if (key && k->style == NODE_STYLE_PLAIN && !strcmp(key, "<<")) {
            ret = pairs_visit(top, v, depth + 1, fn, payload);
        } else if (!key) {
            ret = fn(NULL, v, payload); /* a non-scalar key */
        } else if (node_get(top, key) == v) {
            ret = fn(k, v, payload);
        } else {
            ret = 0;
        }
        if (ret)
            return ret;
    }
    return 0;
}

typedef struct match_labels_ctx {
    const label_view *v;
    sel_result acc;
} match_labels_ctx;

static int match_label_pair(const node *key, const node *value, void *payload)
{
    match_labels_ctx *c = payload;
    const node *vn = node_deref(value);
    const char *want = node_is_null(vn) ? "" : node_str(vn);
    const char *val;
    lookup_result lr;
    if (!key || !want) {
        c->acc = SEL_NO; /* not a map[string]string: invalid */
        return 1;
    }
    lr = view_lookup(c->v, node_str(key), &val);
    if (lr == LBL_UNKNOWN) {
        c->acc = sel_and(c->acc, SEL_MAYBE);
        return 0;
    }
    if (lr == LBL_ABSENT || strcmp(val, want) != 0) {
        c->acc = SEL_NO;
        return 1;
    }
    return 0;
}

static sel_result selector_eval(const node *selector, const label_view *v)
{
    const node *ml, *me;
    match_labels_ctx c;
    uint32_t i;
    selector = node_deref(selector);
    if (node_is_null(selector))
        return SEL_YES;
    if (selector->type != NODE_MAPPING)
        return SEL_NO;
    ml = node_deref(node_get(selector, "matchLabels"));
    me = node_deref(node_get(selector, "matchExpressions"));
    c.v = v;
    c.acc = SEL_YES;
    if (!node_is_null(ml)) {
        if (ml->type != NODE_MAPPING)
            return SEL_NO;
        pairs_visit(ml, ml, 0, match_label_pair, &c);
    }
    if (!node_is_null(me)) {
        if (me->type != NODE_SEQUENCE)
            return SEL_NO;
        for (i = 0; i < me->len; i++)
            c.acc = sel_and(c.acc, requirement_eval(me->u.coll.items[i], v));
    }
    return c.acc;
}

sel_result selector_match(const node *selector, const node *labels)
{
    label_view v = {NULL, NULL, NULL, 1};
    labels = node_deref(labels);
    if (labels && labels->type == NODE_MAPPING)
        v.labels = labels;
    return selector_eval(selector, &v);
}

sel_result selector_match_namespace(const graph *g, const node *selector,
                                    const char *ns)
{
    label_view v = {NULL, NS_NAME_LABEL, NULL, 0};
    uint32_t id;
    if (ns && *ns) {
        v.auto_val = ns;
        id = graph_find(g, "", "Namespace", "", ns);
        if (id != GRAPH_NONE) {
            v.labels = g->md->res[id].labels;
            v.complete = 1;
        }
    }
    return selector_eval(selector, &v);
}

typedef struct map_match_ctx {
    const node *labels;
    int pairs;
} map_match_ctx;

static int map_match_pair(const node *key, const node *value, void *payload)
{
    map_match_ctx *c = payload;
    const char *want = node_str(value);
    const char *have;
    if (!key || !want)
        return 1;
    have = node_get_str(c->labels, node_str(key));
    if (!have || strcmp(have, want) != 0)
        return 1;
    c->pairs++;
    return 0;
}

int selector_map_match(const node *selector, const node *labels)
{
    map_match_ctx c;
    selector = node_deref(selector);
    labels = node_deref(labels);
    if (!selector || selector->type != NODE_MAPPING)
        return 0;
    if (!labels || labels->type != NODE_MAPPING)
        return 0;
    c.labels = labels;
    c.pairs = 0;
    /* an empty or absent selector selects no pods: the endpoints
     * controller leaves such a Service's endpoints to the user */
    if (pairs_visit(selector, selector, 0, map_match_pair, &c))
        return 0;
    return c.pairs > 0;
}
