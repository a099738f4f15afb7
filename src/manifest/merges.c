/*
 * How far `<<` merge keys reach. Nothing here expands an alias, but a key
 * looked up in a mapping with merge keys is looked up in every mapping they
 * bring in, through nested merges: nine merges of nine of ... of a mapping,
 * a few hundred bytes, make every lookup visit a billion mappings. The
 * parser counts those visits for each mapping with a merge key when it is
 * complete, so that a bounded count can be refused before anyone looks.
 */
#include "manifest.h"
#include "manifest_int.h"

void merge_counts_init(merge_counts *mc)
{
    arena_init(&mc->keys);
    strmap_init(&mc->counts, &mc->keys);
}

void merge_counts_dispose(merge_counts *mc)
{
    strmap_dispose(&mc->counts);
    arena_dispose(&mc->keys);
}

static size_t add_capped(size_t a, size_t b, size_t cap)
{
    return a > cap || b > cap - a ? cap + 1 : a + b;
}

/* The count recorded for n: mappings with merge keys and sequences
 * reached through an alias; 0 when none is. */
static size_t recorded(const merge_counts *mc, const node *n)
{
    const uint32_t *v = strmap_get(&mc->counts, (const char *)&n, sizeof(n));
    return v ? *v : 0;
}

static int record(merge_counts *mc, const node *n, size_t count)
{
    int created;
    uint32_t v = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
    if (!strmap_put(&mc->counts, (const char *)&n, sizeof(n), v, &created))
        return err_set(RC_NOMEM, NULL, "out of memory");
    return RC_OK;
}

/* Mappings a lookup visits in the mapping n (1 without merge keys). */
static size_t of_mapping(const merge_counts *mc, const node *n)
{
    size_t c = recorded(mc, n);
    return c ? c : 1;
}

/* Mappings a lookup visits through one merge value: a mapping, or a
 * sequence of them, either of which may be an alias. */
static int of_source(merge_counts *mc, const node *v, size_t cap,
                     size_t *out)
{
    size_t sum = 0, c;
    uint32_t i;
    int ret;
    v = node_deref(v);
    *out = 0;
    if (!v || v->type == NODE_SCALAR)
        return RC_OK;
    if (v->type == NODE_MAPPING) {
        *out = of_mapping(mc, v);
        return RC_OK;
    }
    if ((c = recorded(mc, v)) != 0) { /* a sequence met before */
        *out = c - 1;
        return RC_OK;
    }
    for (i = 0; i < v->len && sum <= cap; i++) {
        const node *item = node_deref(v->u.coll.items[i]);
        if (item && item->type == NODE_MAPPING)
            sum = add_capped(sum, of_mapping(mc, item), cap);
    }
    /* stored plus one, so that an empty sequence is known too */
    ret = record(mc, v, add_capped(sum, 1, cap));
    *out = sum;
    return ret;
}

int merge_count(merge_counts *mc, const node *map, size_t cap, size_t *out)
{
    size_t count = 1, c;
    uint32_t i;
    int ret;
    for (i = 0; i + 1 < map->len && count <= cap; i += 2) {
        const node *k = node_deref(map->u.coll.items[i]);
        if (!k || k->type != NODE_SCALAR || k->style != NODE_STYLE_PLAIN ||
            k->len != 2 || k->u.scalar.str[0] != '<' ||
            k->u.scalar.str[1] != '<')
            continue;
        ret = of_source(mc, map->u.coll.items[i + 1], cap, &c);
        if (ret)
            return ret;
        count = add_capped(count, c, cap);
    }
    *out = count;
    return count > 1 ? record(mc, map, count) : RC_OK;
}
