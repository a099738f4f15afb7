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

static json_object *scalar_json(const node *n)
{
    const char *s = n->u.scalar.str;
    int64_t i;
    double d;
    if (n->style != NODE_STYLE_PLAIN || (node_tag(n) && strstr(node_tag(n), "str")))
        return json_object_new_string_len(s, (int)n->len);
    if (strlen(s) != n->len)
        return json_object_new_string_len(s, (int)n->len);
    if (word_in(s, NULL_WORDS))
        return NULL;
    if (word_in(s, TRUE_WORDS))
        return json_object_new_boolean(1);
    if (word_in(s, FALSE_WORDS))
        return json_object_new_boolean(0);
    if (plain_int(s, &i))
        return json_object_new_int64(i);
    if (plain_float(s, &d))
        return json_object_new_double(d);
    return json_object_new_string(s);
}

static json_object *to_json(const node *n, int depth, int *bad);

static void map_into(json_object *obj, const node *map, int depth, int *bad,
                     int merged)
{
    uint32_t i;
    for (i = 0; i + 1 < map->len && !*bad; i += 2) {
        const node *k = node_deref(map->u.coll.items[i]);
        const node *v = node_deref(map->u.coll.items[i + 1]);
        const char *key = node_str(k);
        if (!key) {
            *bad = 1;
            return;
        }
        if (!strcmp(key, "<<") && k->style == NODE_STYLE_PLAIN && v &&
            v->type == NODE_MAPPING) {
            map_into(obj, v, depth + 1, bad, 1);
            continue;
        }
        if (merged && json_object_object_get_ex(obj, key, NULL))
            continue; /* a merge key never overrides an explicit key */
        json_object_object_add(obj, key, to_json(v, depth + 1, bad));
    }
}

static json_object *to_json(const node *n, int depth, int *bad)
{
    json_object *out;
    uint32_t i;
    n = node_deref(n);
    if (!n || depth > DEPTH_MAX) {
        *bad |= depth > DEPTH_MAX;
        return NULL;
    }
    switch (n->type) {
    case NODE_SCALAR: return scalar_json(n);
    case NODE_MAPPING:
        out = json_object_new_object();
        if (out)
            map_into(out, n, depth, bad, 0);
        return out;
    case NODE_SEQUENCE:
        out = json_object_new_array();
        for (i = 0; out && i < n->len; i++)
            json_object_array_add(out,
                                  to_json(n->u.coll.items[i], depth + 1, bad));
        return out;
    default: *bad = 1; return NULL;
    }
}

json_object *install_node_json(const node *n)
{
    int bad = 0;
    json_object *out = to_json(n, 0, &bad);
    if (bad || !out || !json_object_is_type(out, json_type_object)) {
        json_object_put(out);
        return NULL;
    }
    return out;
}
