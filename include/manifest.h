/*
 * manifest: a Kubernetes manifest stream as documents and node trees.
 * manifest_parse() reads the whole stream with libyaml into nodes that keep
 * byte offsets into the input, and records for each document its original
 * bytes (its "chunk") so untouched documents are written back verbatim.
 * Ownership: the manifest owns its nodes, strings and documents (one arena);
 * the input buffer is borrowed and must outlive the manifest.
 * Returns RC_OK, RC_PARSE (bad YAML), RC_INVALID, RC_LIMIT or RC_NOMEM.
 */
#ifndef READYINSTALL_MANIFEST_H
#define READYINSTALL_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "util.h"

typedef enum node_type {
    NODE_SCALAR = 1,
    NODE_MAPPING,
    NODE_SEQUENCE,
    NODE_ALIAS /* u.alias.target is the anchored node */
} node_type;

typedef enum node_style {
    NODE_STYLE_PLAIN = 0,
    NODE_STYLE_SINGLE,
    NODE_STYLE_DOUBLE,
    NODE_STYLE_LITERAL,
    NODE_STYLE_FOLDED,
    NODE_STYLE_FLOW /* collections written as [..] or {..} */
} node_style;

typedef struct node node;

/* node.flags */
/* A collection built by build.c: its item array has room for the next
 * power of two (at least 4) items, so appending does not copy it each time. */
#define NODE_F_ROOM 0x01
/* Tag and anchor are allocated just before the node (node_props_of). */
#define NODE_F_PROPS 0x02
/* A mapping whose scalar keys are known to differ and that has no `<<`
 * merge key: a lookup can stop at the first match. */
#define NODE_F_PLAIN_KEYS 0x04
/* A subtree that mutations share between documents (a wait container's
 * script and settings): the tree emitter writes it once per indentation
 * and refers back to those bytes. */
#define NODE_F_SHARED 0x08
/* Made or changed by a mutation (build.c): a node made here, or a
 * collection whose items were set, inserted or removed. */
#define NODE_F_EDITED 0x10
/* Emission scratch (emit_node.c): this collection holds an edited node, an
 * alias or properties, so its input bytes no longer say what it is. */
#define NODE_F_DIRTY 0x20

/* 24 bytes: a large manifest holds millions of these. */
struct node {
    uint8_t type;  /* node_type */
    uint8_t style; /* node_style */
    uint8_t flags; /* NODE_F_* */
    uint32_t start, end; /* byte offsets in the input */
    uint32_t len; /* scalar: bytes; collection: items (2 per mapping pair) */
    union {
        struct {
            const char *str; /* NUL-terminated; may hold NULs before len */
        } scalar;
        struct {
            node **items; /* mapping: key0, value0, key1, value1, ... */
        } coll;
        struct {
            const node *target; /* the anchored node; its anchor is the name */
        } alias;
    } u;
};

/* Tag and anchor, rare in manifests, so a node that has either is allocated
 * right after them (NODE_F_PROPS) instead of pointing to them. Such a node
 * must never be copied by value. */
typedef struct node_props {
    const char *tag;    /* NULL when none */
    const char *anchor; /* NULL when none */
} node_props;

typedef struct node_with_props {
    node_props props;
    node n;
} node_with_props;

static inline const node_props *node_props_of(const node *n)
{
    if (!(n->flags & NODE_F_PROPS))
        return NULL;
    return (const node_props *)(const void *)((const char *)n -
                                              offsetof(node_with_props, n));
}

static inline const char *node_tag(const node *n)
{
    const node_props *p = node_props_of(n);
    return p ? p->tag : NULL;
}

static inline const char *node_anchor(const node *n)
{
    const node_props *p = node_props_of(n);
    return p ? p->anchor : NULL;
}

/* The anchor an alias names. */
static inline const char *node_alias_name(const node *n)
{
    return node_anchor(n->u.alias.target);
}

typedef struct document {
    uint32_t index;
    uint32_t chunk_start, chunk_end; /* this document's bytes: [start,end) */
    uint32_t sep_start, sep_end;     /* its `---` line; equal when none */
    uint32_t content;                /* offset where its root node starts */
    uint32_t content_end; /* after the line of its last scalar or flow
                             collection: comments and `...` follow */
    uint8_t sep_bare;     /* the `---` line holds nothing else */
    uint8_t has_directives;
    uint8_t explicit_end; /* ended with `...` */
    uint8_t crlf;         /* its lines end with CRLF */
    node *root;           /* NULL for an empty document */
    const char *source_comment; /* from `# Source: ...`, NULL if absent */
} document;

typedef struct text_cache text_cache;

typedef struct manifest {
    arena arena;
    text_cache *texts; /* shared copies of short scalar texts (text.c) */
    source src;
    document *docs; /* heap array owned by the manifest */
    size_t ndocs, docs_cap;
    size_t aliases; /* alias references seen */
    int open_doc;   /* docs[ndocs] was being parsed when parsing stopped */
    int ascii;      /* the input has no byte above 0x7F */
    int split;      /* parsed as two halves at once (manifest_opts) */
} manifest;

/* manifest_opts.share_keys: plain short keys may be one node shared by
 * every mapping that has them (a third of a big manifest's nodes). Such a
 * node's start and end are those of one occurrence only: share only where
 * nothing reads a key's position. Render, lint and graph read values'
 * positions; annotate also reads the column of a mapping's first key. */
enum {
    SHARE_KEYS_NONE = 0,
    SHARE_KEYS_LATER, /* keys after the first of each mapping */
    SHARE_KEYS_ALL    /* first keys too */
};

typedef struct manifest_opts {
    bounds lim;
    int allow_duplicate_keys; /* else a duplicate mapping key is RC_PARSE */
    int share_keys;           /* SHARE_KEYS_* */
    /* From this many bytes the stream is parsed in two halves at once, the
     * second on a helper thread (0: MANIFEST_SPLIT_MIN; SIZE_MAX: never).
     * The result is the same either way. */
    size_t split_min;
} manifest_opts;

#define MANIFEST_SPLIT_MIN ((size_t)256 * 1024)
#define MANIFEST_OPTS_INIT {BOUNDS_INIT, 0, 0, 0}

/* Parse buf[0..len) (borrowed) named name (e.g. "<stdin>"). On failure
 * err_last() holds the message and position (err_last()->at.doc is the
 * failing document); *out is still set and must be freed. */
int manifest_parse(manifest **out, const char *name, const char *buf,
                   size_t len, const manifest_opts *opts);
void manifest_free(manifest *m);

/* The template the document of the last error came from: its `# Source:`
 * line or Helm 4 filename annotation, read from the raw bytes since the
 * document may not have parsed. Writes into buf; NULL if unknown. */
const char *manifest_error_template(const manifest *m, char *buf,
                                    size_t bufsize);

/* Does d hold a line break other than LF and CRLF (a lone CR, NEL, LS,
 * PS)? Those are breaks to YAML but not to code that finds lines by LF:
 * such a document is best written as it is, or as clean YAML. */
int manifest_doc_odd_breaks(const manifest *m, const document *d);

/* Is the line at p (up to end) a document end marker, `...` alone or with
 * spaces or a comment after it? */
int manifest_is_end_marker(const char *p, const char *end);

/* Is n's end where its text ends? Not for the empty value of a `? key`
 * written without one: libyaml marks it at the next token, lines later. An
 * empty value right after its `:` or `-` is where it is. */
int manifest_end_is_exact(const manifest *m, const node *n);

/* ---- node access (aliases and `<<` merge keys are followed) ----------- */

const node *node_deref(const node *n);
int node_is_scalar(const node *n);
/* The scalar's text, or NULL when n is not a scalar. Borrowed. */
const char *node_str(const node *n);
/* Value for key in a mapping, or NULL. */
const node *node_get(const node *map, const char *key);
/* node_get(map, key) as a string, or NULL when absent or not a scalar. */
const char *node_get_str(const node *map, const char *key);
/* Follow a dotted path of mapping keys ("spec.template.spec"). */
const node *node_path(const node *n, const char *path);
/* Number of pairs in a mapping / items in a sequence; 0 otherwise. */
uint32_t node_len(const node *n);
/* YAML null: an absent node, `~`, `null`, `Null`, `NULL` or empty plain. */
int node_is_null(const node *n);

/* ---- emitting -------------------------------------------------------- */

/*
 * Append documents in the given order (order[i] is a document index; NULL
 * means input order). Each document is written byte for byte, with its
 * separator normalised: a bare `---` line is written as `---` plus the
 * document's line ending, a document without one gets one, a document
 * that does not end with a line break (LF, or a lone CR, NEL, LS or PS)
 * gets one (a block scalar running to
 * that end gets the strip indicator `-`, so its value is kept), and a
 * byte-order mark at the start of the stream is dropped. A stream with no documents is copied
 * verbatim.
 */
int manifest_emit(sbuf *out, const manifest *m, const uint32_t *order);

/* Text inserted into a document at a byte offset of the input (within its
 * chunk, after its separator line). */
typedef struct doc_edit {
    uint32_t off;
    const char *text; /* borrowed until the emit returns */
} doc_edit;

typedef struct doc_edits {
    doc_edit *items; /* sorted by off; equal offsets keep their order */
    size_t n, cap;
} doc_edits;

int doc_edits_add(doc_edits *e, uint32_t off, const char *text);
void doc_edits_dispose(doc_edits *e);

/* As manifest_emit, with edits[d] applied to document d (edits may be NULL;
 * an array of m->ndocs lists otherwise), and documents with changed[d] set
 * (changed may be NULL) written from their tree (manifest_emit_doc_tree).
 * Other documents are still written byte for byte. */
/* An order entry that leaves its document out (the installer's phase 1). */
#define MANIFEST_DOC_SKIP UINT32_MAX
int manifest_emit_edited(sbuf *out, const manifest *m, const uint32_t *order,
                         const doc_edits *edits, const uint8_t *changed);
/* The same as pieces: unchanged bytes are borrowed from the input, which
 * must outlive out. A changed document whose tree has a shape the tree
 * emitter cannot write (a complex, empty or over-long key) is written as
 * it was and counted in *verbatim (when not NULL). */
int manifest_emit_pieces(pieces *out, const manifest *m, const uint32_t *order,
                         const doc_edits *edits, const uint8_t *changed,
                         size_t *verbatim);
/* One document as emit writes it. */
int manifest_emit_doc(sbuf *out, const manifest *m, const document *d,
                      const doc_edits *edits);

/* ---- re-emitting changed documents (emit_node.c) ----------------------- */

/* root as clean block YAML (two-space indentation, keys in order, quoting
 * kept so no scalar changes type). RC_INVALID for shapes it cannot write
 * (a complex mapping key). */
int node_emit_yaml(sbuf *out, const node *root, const char *eol);
/* 0 when node_emit_yaml would refuse root: an alias document, or a complex,
 * empty or over-long (1000 bytes) key. Escapes can still take a shorter key
 * over YAML's 1024, so the emitter keeps its own checks. */
int node_emit_writable(const node *root);
/* A changed document: `---`, its header comment lines (`# Source:`), then
 * root as node_emit_yaml writes it. */
int manifest_emit_doc_tree(sbuf *out, const manifest *m, const document *d,
                           const node *root);


/* ---- building nodes for mutations (build.c); all in the manifest's arena */

node *node_new_str(manifest *m, const char *s); /* quoted when needed */
node *node_new_plain(manifest *m, const char *s); /* e.g. true, 65532 */
node *node_new_map(manifest *m);
node *node_new_seq(manifest *m);
/* Set key to value in a mapping (replacing the last occurrence, else
 * appending). RC_NOMEM. */
int node_map_set(manifest *m, node *map, const char *key, node *value);
/* Insert item into a sequence at position at (count: append). */
int node_seq_insert(manifest *m, node *seq, uint32_t at, node *item);
/* Remove item at position at. */
void node_seq_remove(node *seq, uint32_t at);

#endif
