/* New nodes for mutations. Their offsets are 0: they have no place in the
 * input, so only the tree emitter writes them. */
#include <string.h>
#include <strings.h>

#include "manifest.h"
#include "manifest_int.h"

static node *alloc_node(manifest *m, node_type t)
{
    node *n = arena_alloc_aligned(&m->arena, sizeof(*n), _Alignof(node));
    if (n) {
        n->type = (uint8_t)t;
        n->flags = NODE_F_EDITED;
    }
    return n;
}

/* Characters that keep a plain scalar a string that reads back the same. */
static int plain_safe(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on",
                                        "off", "null", "y", "n", "~"};
    size_t i, n = strlen(s);
    if (!n || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]))
        return 0;
    for (i = 0; n <= 5 && i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcasecmp(s, words[i])) /* the longest word is 5 */
            return 0;
    if (strspn(s, "0123456789.+-eExXoO_") == n)
        return 0; /* would read back as a number */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '#' || (c == ':' && (s[i + 1] == ' ' || !s[i + 1])))
            return 0;
    }
    return s[n - 1] != ' ';
}

static node *new_scalar(manifest *m, const char *s, node_style style)
{
    node *n = alloc_node(m, NODE_SCALAR);
    if (!n)
        return NULL;
    n->style = (uint8_t)style;
    n->len = (uint32_t)strlen(s);
    n->u.scalar.str = manifest_text(m, s, n->len);
    return n->u.scalar.str ? n : NULL;
}

node *node_new_str(manifest *m, const char *s)
{
    return new_scalar(m, s, plain_safe(s) ? NODE_STYLE_PLAIN
                                           : NODE_STYLE_DOUBLE);
}

node *node_new_plain(manifest *m, const char *s)
{
    return new_scalar(m, s, NODE_STYLE_PLAIN);
}

node *node_new_map(manifest *m)
{
    node *n = alloc_node(m, NODE_MAPPING);
    if (n) /* node_map_set keeps keys distinct */
        n->flags |= NODE_F_PLAIN_KEYS;
    return n;
}

node *node_new_seq(manifest *m) { return alloc_node(m, NODE_SEQUENCE); }

/* The capacity of an item array build.c allocated: a power of two. */
static uint32_t room_for(uint32_t n)
{
    uint32_t r = 4;
    while (r < n)
        r *= 2;
    return r;
}

/* Room for extra items. Parsed arrays are exact-sized; ours double, so a
 * mapping built key by key costs linear, not quadratic, arena space. */
static int grow_items(manifest *m, node *c, uint32_t extra)
{
    uint32_t need = c->len + extra, room;
    node **items;
    if ((c->flags & NODE_F_ROOM) && need <= room_for(c->len))
        return RC_OK;
    room = room_for(need);
    items = arena_alloc_uninit(&m->arena, room * sizeof(node *),
                               _Alignof(node *));
    if (!items)
        return err_set(RC_NOMEM, NULL, "out of memory");
    if (c->len)
        memcpy(items, c->u.coll.items, c->len * sizeof(node *));
    c->u.coll.items = items;
    c->flags |= NODE_F_ROOM;
    return RC_OK;
}

/* Keys we add repeat in every workload (name, volumeMounts...): one node
 * each, shared. */
static node *key_node(manifest *m, const char *key)
{
    node **slot = manifest_key_slot(m, key, strlen(key), 0);
    node *k;
    if (slot && *slot && !strcmp(node_str(*slot), key))
        return *slot;
    k = node_new_str(m, key);
    if (slot && k)
        *slot = k;
    return k;
}

int node_map_set(manifest *m, node *map, const char *key, node *value)
{
    uint32_t i, found = UINT32_MAX;
    node *k;
    for (i = 0; i + 1 < map->len; i += 2) {
        const char *s = node_str(map->u.coll.items[i]);
        if (s && !strcmp(s, key))
            found = i;
    }
    map->flags |= NODE_F_EDITED;
    if (found != UINT32_MAX) {
        map->u.coll.items[found + 1] = value;
        return RC_OK;
    }
    k = key_node(m, key);
    if (!k || grow_items(m, map, 2))
        return err_set(RC_NOMEM, NULL, "out of memory");
    map->u.coll.items[map->len++] = k;
    map->u.coll.items[map->len++] = value;
    return RC_OK;
}

int node_seq_insert(manifest *m, node *seq, uint32_t at, node *item)
{
    uint32_t i;
    if (grow_items(m, seq, 1))
        return RC_NOMEM;
    seq->flags |= NODE_F_EDITED;
    if (at > seq->len)
        at = seq->len;
    for (i = seq->len; i > at; i--)
        seq->u.coll.items[i] = seq->u.coll.items[i - 1];
    seq->u.coll.items[at] = item;
    seq->len++;
    return RC_OK;
}

void node_seq_remove(node *seq, uint32_t at)
{
    uint32_t i;
    if (at >= seq->len)
        return;
    seq->flags |= NODE_F_EDITED;
    for (i = at; i + 1 < seq->len; i++)
        seq->u.coll.items[i] = seq->u.coll.items[i + 1];
    seq->len--;
}
