/*
 * Manifest objects as JSON, for server-side dry-run creates. Plain scalars
 * are typed as sigs.k8s.io/yaml (YAML 1.1 via go-yaml) types them, so the
 * API server sees what `helm install` would send.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "install.h"

#define DEPTH_MAX 256

static int word_in(const char *s, const char *const *words)
{
    size_t i;
    for (i = 0; words[i]; i++)
        if (!strcmp(s, words[i]))
            return 1;
    return 0;
}

static const char *const TRUE_WORDS[] = {"true", "True", "TRUE", "yes",
                                         "Yes", "YES", "on", "On", "ON",
                                         "y", "Y", NULL};
static const char *const FALSE_WORDS[] = {"false", "False", "FALSE", "no",
                                          "No", "NO", "off", "Off", "OFF",
                                          "n", "N", NULL};
static const char *const NULL_WORDS[] = {"", "~", "null", "Null", "NULL",
                                         NULL};

/* An integer (decimal, 0x hex, 0o / leading-0 octal) that fits int64. */
static int plain_int(const char *s, int64_t *out)
{
    char *end;
    long long v;
    int base = 10;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!*p)
        return 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16;
    else if (p[0] == '0' && p[1] == 'o')
        return 0; /* YAML 1.2 only; go-yaml v2 keeps it a string */
    else if (p[0] == '0' && p[1])
        base = 8;
    if (strchr(p, '_'))
        return 0;
    errno = 0;
    v = strtoll(s, &end, base);
    if (errno || *end || end == s)
        return 0;
    *out = (int64_t)v;
    return 1;
}

static int plain_float(const char *s, double *out)
{
    char *end;
    const char *p = s + (*s == '+' || *s == '-');
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF") ||
        !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return 0; /* JSON has no Inf/NaN: keep the text */
    if (!strpbrk(p, ".eE") || !strpbrk(p, "0123456789"))
        return 0;
    if (strpbrk(p, "xX_"))
        return 0;
    errno = 0;
    *out = strtod(s, &end);
    return !errno && !*end && end != s && isfinite(*out);
}

/* One walk over an object: what go-yaml's decoder counts, and why the walk
 * stopped. */
typedef enum walk_bad {
    WALK_OK = 0,
    WALK_SHAPE,    /* a non-scalar key, or deeper than DEPTH_MAX */
    WALK_ALIASING, /* aliases expand too far */
    WALK_NOMEM
} walk_bad;

typedef struct walk {
    size_t decodes; /* nodes visited, keys and aliases included */
    size_t aliased; /* of those, visited while expanding an alias */
    int alias_depth;
    walk_bad bad;
} walk;

/* go-yaml's guard against alias bombs (decode.go), which the YAML reader
 * of Helm and the API server applies: once past 1000 nodes with more than
 * 100 reached through aliases, at most 99% may come through aliases up to
 * 400,000 nodes, falling linearly to 10% at 4,000,000. A document it
 * refuses, Helm refuses too, so nothing is lost by refusing it here, and
 * the walk makes at most about a hundred values per node of the document
 * (and no more than some 400,000 through aliases). */
static double allowed_alias_share(size_t decodes)
{
    const double low = 400000, high = 4000000;
    if ((double)decodes <= low)
        return 0.99;
    if ((double)decodes >= high)
        return 0.10;
    return 0.99 - 0.89 * (((double)decodes - low) / (high - low));
}

static int visit(walk *w)
{
    w->decodes++;
    if (w->alias_depth)
        w->aliased++;
    if (w->aliased > 100 && w->decodes > 1000 &&
        (double)w->aliased / (double)w->decodes >
            allowed_alias_share(w->decodes)) {
        w->bad = WALK_ALIASING;
        return 0;
    }
    return 1;
}

/* NULL is JSON null here; a failed allocation marks the walk. */
static json_object *made(walk *w, json_object *o)
{
    if (!o && !w->bad)
        w->bad = WALK_NOMEM;
    return o;
}

static json_object *scalar_json(const node *n, walk *w)
{
    const char *s = n->u.scalar.str;
    int64_t i;
    double d;
    if (n->style != NODE_STYLE_PLAIN || (node_tag(n) && strstr(node_tag(n), "str")))
        return made(w, json_object_new_string_len(s, (int)n->len));
    if (strlen(s) != n->len)
        return made(w, json_object_new_string_len(s, (int)n->len));
    if (word_in(s, NULL_WORDS))
        return NULL;
    if (word_in(s, TRUE_WORDS))
        return made(w, json_object_new_boolean(1));
    if (word_in(s, FALSE_WORDS))
        return made(w, json_object_new_boolean(0));
    if (plain_int(s, &i))
        return made(w, json_object_new_int64(i));
    if (plain_float(s, &d))
        return made(w, json_object_new_double(d));
    return made(w, json_object_new_string(s));
}

static json_object *to_json(const node *n, int depth, walk *w);
static void map_into(json_object *obj, const node *map, int depth, walk *w,
                     int merged);

/* The scalar a key or alias leads to, counted as go-yaml counts it. */
static const node *follow(const node *n, walk *w)
{
    if (!visit(w))
        return NULL;
    if (n && n->type == NODE_ALIAS) {
        w->alias_depth++;
        n = visit(w) ? n->u.alias.target : NULL;
        w->alias_depth--;
    }
    return n;
}

/* The merged mapping of `<<: *base`, its keys counted as expansions. */
static void merge_into(json_object *obj, const node *v, int depth, walk *w)
{
    int alias = v->type == NODE_ALIAS;
    if (!visit(w))
        return;
    w->alias_depth += alias;
    map_into(obj, node_deref(v), depth + 1, w, 1);
    w->alias_depth -= alias;
}

static void map_into(json_object *obj, const node *map, int depth, walk *w,
                     int merged)
{
    uint32_t i;
    for (i = 0; i + 1 < map->len && !w->bad; i += 2) {
        const node *k = follow(map->u.coll.items[i], w);
        const node *v = map->u.coll.items[i + 1];
        const node *target = node_deref(v);
        const char *key = k ? node_str(k) : NULL;
        if (!key) {
            if (!w->bad)
                w->bad = WALK_SHAPE;
            return;
        }
        if (!strcmp(key, "<<") && k->style == NODE_STYLE_PLAIN && target &&
            target->type == NODE_MAPPING) {
            merge_into(obj, v, depth, w);
            continue;
        }
        if (merged && json_object_object_get_ex(obj, key, NULL))
            continue; /* a merge key never overrides an explicit key */
        if (json_object_object_add(obj, key, to_json(v, depth + 1, w)) &&
            !w->bad)
            w->bad = WALK_NOMEM;
    }
}

static json_object *to_json(const node *n, int depth, walk *w)
{
    json_object *out = NULL;
    uint32_t i;
    if (!n || !visit(w))
        return NULL;
    if (n->type == NODE_ALIAS) {
        w->alias_depth++;
        out = to_json(n->u.alias.target, depth, w);
        w->alias_depth--;
        return out;
    }
    if (depth > DEPTH_MAX) {
        w->bad = WALK_SHAPE;
        return NULL;
    }
    switch (n->type) {
    case NODE_SCALAR: return scalar_json(n, w);
    case NODE_MAPPING:
        out = made(w, json_object_new_object());
        if (out)
            map_into(out, n, depth, w, 0);
        return out;
    case NODE_SEQUENCE:
        out = made(w, json_object_new_array());
        for (i = 0; out && i < n->len && !w->bad; i++)
            if (json_object_array_add(out, to_json(n->u.coll.items[i],
                                                   depth + 1, w)) &&
                !w->bad)
                w->bad = WALK_NOMEM;
        return out;
    default: w->bad = WALK_SHAPE; return NULL;
    }
}

json_object *install_node_json(const node *n)
{
    walk w = {0, 0, 0, WALK_OK};
    json_object *out = to_json(n, 0, &w);
    if (!w.bad && out && json_object_is_type(out, json_type_object))
        return out;
    json_object_put(out);
    if (w.bad == WALK_ALIASING)
        err_set(RC_LIMIT, NULL,
                "its aliases expand too far (%zu values, %zu of them "
                "through aliases): Helm's YAML reader refuses it too, "
                "\"document contains excessive aliasing\"",
                w.decodes, w.aliased);
    else if (w.bad == WALK_NOMEM)
        err_set(RC_NOMEM, NULL, "out of memory");
    else
        err_set(RC_INVALID, NULL,
                "it is not a JSON object (a non-scalar mapping key, nesting "
                "deeper than %d, or not a mapping)", DEPTH_MAX);
    return NULL;
}
