/* Internal to the manifest module. */
#ifndef READYINSTALL_MANIFEST_INT_H
#define READYINSTALL_MANIFEST_INT_H

#include "manifest.h"

/* RC_PARSE with the position of the second occurrence when a mapping has
 * two equal scalar keys (`<<` merge keys excepted). pos, when not NULL,
 * holds start and end of each item (keys may be shared nodes). */
int manifest_check_duplicate_keys(source *src, size_t doc, const node *map,
                                  const uint32_t *pos);
/* A mapping holds a `<<` merge key. */
int manifest_map_has_merge(const node *map);
/* merges.c: for each mapping with `<<` merge keys, how many mappings a
 * key lookup in it may visit (itself included), nested merges counted. */
typedef struct merge_counts {
    strmap counts; /* node address -> count, for mappings with merges */
    arena keys;
} merge_counts;

void merge_counts_init(merge_counts *mc);
void merge_counts_dispose(merge_counts *mc);
/* The count of map, whose items are complete, into *out (cap + 1 when it
 * is over cap); recorded for mappings that merge it later. RC_OK or
 * RC_NOMEM. */
int merge_count(merge_counts *mc, const node *map, size_t cap, size_t *out);

/* Fill what needs the whole document: its `# Source:` comment, line ends. */
void manifest_doc_finish(manifest *m, document *d);

/* emit.c: where d's bytes start (after the stream's byte-order mark). */
uint32_t manifest_doc_start(const manifest *m, const document *d);
/* The comments before a `---` line, a line at a time, without `...` lines:
 * there they end nothing (the document before ended already), and in front
 * of the first document or after a `---` they would end nothing or start
 * an empty one. Returns the start of the next line kept in buf[*from, to),
 * whose end is then *from, or to when none is left. */
uint32_t manifest_preamble_line(const char *buf, uint32_t *from, uint32_t to);

/* text.c: the manifest's copy of s[0..len), NUL-terminated and shared with
 * every equal short text (never to be changed). NULL when out of memory. */
const char *manifest_text(manifest *m, const char *s, size_t len);
/* The slot of the shared node of a short key (never changed): one that
 * node_map_set made, or with parsed a plain key parsed under share_keys.
 * NULL when the key is not shared. */
node **manifest_key_slot(manifest *m, const char *key, size_t len,
                         int parsed);
int manifest_texts_init(manifest *m);
void manifest_texts_free(manifest *m);

/* Where each NODE_F_SHARED subtree was first written, per indentation. */
typedef struct emit_memo_entry {
    const node *n;
    uint32_t ind;
    uint8_t after_dash, crlf;
    size_t off, len; /* in the pieces' own bytes */
} emit_memo_entry;

typedef struct emit_memo {
    emit_memo_entry *v;
    size_t n, cap;
} emit_memo;

/* manifest_emit_doc_tree into pieces: a shared subtree met again is a
 * reference to its first rendering, not a copy. On failure the caller
 * rewinds out and sets memo->n back. */
int manifest_emit_doc_tree_pieces(pieces *out, emit_memo *memo,
                                  const manifest *m, const document *d,
                                  const node *root);

#endif
