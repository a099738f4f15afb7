/*
 * Test helper shared by the unit tests and the fuzz targets: do two parses
 * of one input hold the same documents and trees, field by field? Used to
 * check that parsing a stream in two halves at once (parse.c) changes
 * nothing. Header-only so each test binary gets its own copy.
 */
#ifndef READYINSTALL_TREE_SAME_H
#define READYINSTALL_TREE_SAME_H

#include <string.h>

#include "manifest.h"

static int tree_same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* keys_moved: plain keys may be shared nodes (share_keys), whose positions
 * are those of some other occurrence. */
static int tree_same_node(const node *a, const node *b, int keys_moved,
                          int is_key)
{
    const unsigned parsed = NODE_F_PROPS | NODE_F_PLAIN_KEYS;
    uint32_t i;
    if (!a || !b)
        return a == b;
    if (a->type != b->type || a->style != b->style || a->len != b->len ||
        ((a->flags ^ b->flags) & parsed))
        return 0;
    if (!(keys_moved && is_key) && (a->start != b->start || a->end != b->end))
        return 0;
    if (!tree_same_str(node_tag(a), node_tag(b)) ||
        !tree_same_str(node_anchor(a), node_anchor(b)))
        return 0;
    switch (a->type) {
    case NODE_SCALAR:
        return !memcmp(a->u.scalar.str, b->u.scalar.str, a->len);
    case NODE_ALIAS:
        return a->u.alias.target->start == b->u.alias.target->start &&
               a->u.alias.target->type == b->u.alias.target->type;
    default:
        for (i = 0; i < a->len; i++)
            if (!tree_same_node(a->u.coll.items[i], b->u.coll.items[i],
                                keys_moved,
                                a->type == NODE_MAPPING && i % 2 == 0))
                return 0;
        return 1;
    }
}

static int tree_same_doc(const document *a, const document *b, int keys_moved)
{
    return a->index == b->index && a->chunk_start == b->chunk_start &&
           a->chunk_end == b->chunk_end && a->sep_start == b->sep_start &&
           a->sep_end == b->sep_end && a->content == b->content &&
           a->content_end == b->content_end && a->sep_bare == b->sep_bare &&
           a->has_directives == b->has_directives &&
           a->explicit_end == b->explicit_end && a->crlf == b->crlf &&
           tree_same_str(a->source_comment, b->source_comment) &&
           tree_same_node(a->root, b->root, keys_moved, 0);
}

static int tree_same_manifest(const manifest *a, const manifest *b,
                              int keys_moved)
{
    size_t i;
    if (a->ndocs != b->ndocs || a->aliases != b->aliases ||
        a->ascii != b->ascii || a->open_doc != b->open_doc)
        return 0;
    for (i = 0; i < a->ndocs; i++)
        if (!tree_same_doc(&a->docs[i], &b->docs[i], keys_moved))
            return 0;
    return 1;
}

#endif
