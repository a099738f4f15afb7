/* Unit tests: parsing into documents and nodes, positions, errors, limits. */
#include <stdlib.h>

#include "../tree_same.h"
#include "manifest.h"
#include "test.h"

static manifest *parse_ok(const char *text)
{
    manifest *m = NULL;
    int ret = manifest_parse(&m, "<t>", text, strlen(text), NULL);
    if (ret)
        fprintf(stderr, "\n  parse failed: %s\n", err_last()->msg);
    CU_ASSERT_EQUAL(ret, RC_OK);
    return m;
}

static int parse_fails(const char *text, const manifest_opts *o,
                       uint32_t *line, uint32_t *col)
{
    manifest *m = NULL;
    int ret = manifest_parse(&m, "<t>", text, strlen(text), o);
    *line = err_last()->at.line;
    *col = err_last()->at.col;
    manifest_free(m);
    return ret;
}

static void test_manifest__chunks_cover_the_input(void)
{
    static const char *inputs[] = {
        "a: 1\n---\nb: 2\n",
        "---\n# Source: x\na: 1\n---\n# Source: y\nb: 2",
        "# lead\n---\na: 1\n...\n---\nb: 2\n# trail\n",
        "---\n---\n---\n",
        "a: 1\r\n---\r\nb: 2\r\n",
    };
    size_t i, j;
    for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        manifest *m = parse_ok(inputs[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT(m->ndocs > 0);
        CU_ASSERT_EQUAL(m->docs[0].chunk_start, 0);
        for (j = 1; j < m->ndocs; j++)
            CU_ASSERT_EQUAL(m->docs[j].chunk_start, m->docs[j - 1].chunk_end);
        CU_ASSERT_EQUAL(m->docs[m->ndocs - 1].chunk_end, strlen(inputs[i]));
        manifest_free(m);
    }
}

static void test_manifest__documents_and_separators(void)
{
    const char *t = "a: 1\n--- \nb: 2\n--- # note\nc: 3\n";
    manifest *m = parse_ok(t);
    CU_ASSERT_EQUAL_FATAL(m->ndocs, 3);
    CU_ASSERT_EQUAL(m->docs[0].sep_start, m->docs[0].sep_end); /* implicit */
    CU_ASSERT_EQUAL(m->docs[1].chunk_start, 5);
    CU_ASSERT_EQUAL(m->docs[1].sep_start, 5);
    CU_ASSERT_EQUAL(m->docs[1].sep_end, 10);
    CU_ASSERT(m->docs[1].sep_bare);
    CU_ASSERT(!m->docs[2].sep_bare);
    manifest_free(m);
}

static void test_manifest__source_comment_and_crlf(void)
{
    const char *t = "---\r\n# Source: chart/templates/a.yaml\r\nkind: A\r\n";
    manifest *m = parse_ok(t);
    CU_ASSERT_EQUAL_FATAL(m->ndocs, 1);
    ASSERT_STR(m->docs[0].source_comment, "chart/templates/a.yaml");
    CU_ASSERT(m->docs[0].crlf);
    manifest_free(m);
}

static void test_manifest__source_comment_only_before_content(void)
{
    /* a `# Source:` inside a block scalar is content, not a header */
    const char *t = "kind: A\ndata: |\n  # Source: fake\n";
    manifest *m = parse_ok(t);
    CU_ASSERT_PTR_NULL(m->docs[0].source_comment);
    manifest_free(m);
}

/* One template's documents share one copy of its name; a name that only
 * starts like the one before is its own. */
static void test_manifest__source_comment_shared_between_neighbours(void)
{
    const char *t = "# Source: c/a.yaml\nkind: A\n---\n# Source: c/a.yaml\n"
                    "kind: B\n---\n# Source: c/a.yaml2\nkind: C\n---\n"
                    "# Source: c/a.yam\nkind: D\n---\nkind: E\n---\n"
                    "# Source: c/a.yam\nkind: F\n";
    manifest *m = parse_ok(t);
    CU_ASSERT_EQUAL_FATAL(m->ndocs, 6);
    CU_ASSERT_PTR_EQUAL(m->docs[0].source_comment, m->docs[1].source_comment);
    ASSERT_STR(m->docs[2].source_comment, "c/a.yaml2");
    ASSERT_STR(m->docs[3].source_comment, "c/a.yam");
    CU_ASSERT_PTR_NULL(m->docs[4].source_comment);
    ASSERT_STR(m->docs[5].source_comment, "c/a.yam");
    ASSERT_STR(m->docs[1].source_comment, "c/a.yaml");
    manifest_free(m);
}

static void test_manifest__empty_documents_have_null_roots(void)
{
    manifest *m = parse_ok("---\n# Source: x\n---\n~\n---\na: 1\n");
    CU_ASSERT_EQUAL_FATAL(m->ndocs, 3);
    CU_ASSERT(node_is_null(m->docs[0].root));
    CU_ASSERT(node_is_null(m->docs[1].root));
    CU_ASSERT(!node_is_null(m->docs[2].root));
    ASSERT_STR(m->docs[0].source_comment, "x");
    manifest_free(m);
}

static void test_manifest__node_offsets_are_bytes_after_unicode(void)
{
    /* libyaml counts characters; offsets must still be bytes */
    const char *t = "a: \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80\"\nkey: value\n";
    manifest *m = parse_ok(t);
    const node *root = m->docs[0].root, *v = node_get(root, "key");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->start, (uint32_t)(strstr(t, "value") - t));
    CU_ASSERT_EQUAL(v->end, v->start + 5);
    ASSERT_STR(node_get_str(root, "a"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80");
    manifest_free(m);
}

/* The first non-ASCII byte anywhere (inside or after the first eight-byte
 * words the ASCII check reads) switches offsets to the character count. */
static void test_manifest__non_ascii_at_any_offset(void)
{
    size_t k;
    for (k = 0; k < 20; k++) {
        char t[64];
        manifest *m;
        const node *v;
        snprintf(t, sizeof(t), "a: \"%.*s\xc3\xa9\"\nkey: value\n", (int)k,
                 "xxxxxxxxxxxxxxxxxxxxxxxx");
        m = parse_ok(t);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        v = node_get(m->docs[0].root, "key");
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_EQUAL(v->start, (uint32_t)(strstr(t, "value") - t));
        manifest_free(m);
    }
}

static void test_manifest__bom_is_skipped_in_offsets(void)
{
    const char *t = "\xef\xbb\xbfkind: A\n";
    manifest *m = parse_ok(t);
    const node *v = node_get(m->docs[0].root, "kind");
    CU_ASSERT_EQUAL(v->start, 9);
    manifest_free(m);
}

static void test_manifest__node_access(void)
{
    const char *t = "base: &b {x: 1, y: 2}\n"
                    "m:\n  <<: *b\n  y: 3\n"
                    "s: [a, b, c]\n"
                    "deep: {a: {b: {c: found}}}\n"
                    "n1: ~\nn2: null\nn3:\nn4: 'null'\n";
    manifest *m = parse_ok(t);
    const node *r = m->docs[0].root;
    ASSERT_STR(node_get_str(node_get(r, "m"), "x"), "1"); /* merged */
    ASSERT_STR(node_get_str(node_get(r, "m"), "y"), "3"); /* own wins */
    CU_ASSERT_EQUAL(node_len(node_get(r, "s")), 3);
    CU_ASSERT_EQUAL(node_len(r), 8);
    ASSERT_STR(node_str(node_path(r, "deep.a.b.c")), "found");
    CU_ASSERT_PTR_NULL(node_path(r, "deep.a.x.c"));
    CU_ASSERT(node_is_null(node_get(r, "n1")));
    CU_ASSERT(node_is_null(node_get(r, "n2")));
    CU_ASSERT(node_is_null(node_get(r, "n3")));
    CU_ASSERT(!node_is_null(node_get(r, "n4"))); /* quoted: a string */
    CU_ASSERT_EQUAL(node_get(r, "m")->type, NODE_MAPPING);
    manifest_free(m);
}

static void test_manifest__alias_resolves_to_anchor(void)
{
    manifest *m = parse_ok("a: &x {k: v}\nb: *x\n");
    const node *b = node_get(m->docs[0].root, "b");
    CU_ASSERT_EQUAL(b->type, NODE_ALIAS);
    CU_ASSERT_PTR_EQUAL(node_deref(b), node_get(m->docs[0].root, "a"));
    ASSERT_STR(node_get_str(b, "k"), "v");
    manifest_free(m);
}

static void test_manifest__anchors_do_not_cross_documents(void)
{
    uint32_t line, col;
    CU_ASSERT_EQUAL(parse_fails("a: &x 1\n---\nb: *x\n", NULL, &line, &col),
                    RC_PARSE);
    CU_ASSERT(line == 3 && col == 4);
    CU_ASSERT(strstr(err_last()->msg, "*x") != NULL);
}

/* The index of anchors by name must give the latest definition, and an
 * entry left by an earlier document must not match a later one's anchor
 * at the same position. */
static void test_manifest__anchor_latest_definition_wins(void)
{
    const char *t = "a: &x 1\nb: &x 2\nc: *x\n---\nd: &y 3\ne: *y\n";
    manifest *m = NULL;
    uint32_t line, col;
    ASSERT_RC_OK(manifest_parse(&m, "<t>", t, strlen(t), NULL));
    ASSERT_STR(node_get_str(m->docs[0].root, "c"), "2");
    ASSERT_STR(node_get_str(m->docs[1].root, "e"), "3");
    manifest_free(m);
    CU_ASSERT_EQUAL(parse_fails("a: &x 1\n---\nd: &y 3\ne: *x\n", NULL,
                                &line, &col),
                    RC_PARSE);
    CU_ASSERT(line == 4 && col == 4);
}

/* Short scalars share one copy of their text; a cache slot taken over by
 * another text must never hand back the wrong one. */
static void test_manifest__short_scalars_share_text_and_keep_their_own(void)
{
    enum { N = 20000 };
    sbuf b = SBUF_INIT;
    manifest *m;
    const node *root, *a, *c;
    uint32_t i;
    for (i = 0; i < N; i++) /* more distinct texts than the cache holds */
        sbuf_printf(&b, "k%u: v%u\n", i, i % 977);
    sbuf_puts(&b, "nul: \"a\\0b\"\n");
    m = parse_ok(sbuf_cstr(&b));
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    root = m->docs[0].root;
    CU_ASSERT_EQUAL_FATAL(root->len, 2 * (N + 1));
    for (i = 0; i < N; i++) {
        char k[16], v[16];
        snprintf(k, sizeof(k), "k%u", i);
        snprintf(v, sizeof(v), "v%u", i % 977);
        ASSERT_STR(node_str(root->u.coll.items[2 * i]), k);
        ASSERT_STR(node_str(root->u.coll.items[2 * i + 1]), v);
    }
    c = root->u.coll.items[2 * N + 1];
    CU_ASSERT_EQUAL(c->len, 3);
    CU_ASSERT(memcmp(node_str(c), "a\0b", 4) == 0);
    manifest_free(m);
    sbuf_dispose(&b);
    m = parse_ok("name: a\n---\nname: b\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    a = m->docs[0].root;
    c = m->docs[1].root;
    CU_ASSERT_PTR_EQUAL(node_str(a->u.coll.items[0]),
                        node_str(c->u.coll.items[0]));
    CU_ASSERT_PTR_NOT_EQUAL(node_str(a->u.coll.items[1]),
                            node_str(c->u.coll.items[1]));
    manifest_free(m);
}

static manifest *parse_shared_as(const char *text, int share, int *ret)
{
    manifest_opts o = MANIFEST_OPTS_INIT;
    manifest *m = NULL;
    o.share_keys = share;
    *ret = manifest_parse(&m, "<t>", text, strlen(text), &o);
    return m;
}

static manifest *parse_shared(const char *text, int *ret)
{
    return parse_shared_as(text, SHARE_KEYS_LATER, ret);
}

/* share_keys: plain keys after the first of a mapping are one node; first
 * keys, quoted keys, keys with an anchor and all values keep their own. */
static void test_manifest__share_keys_shares_later_plain_keys_only(void)
{
    const char *t = "kind: A\nname: x\n'q': 1\n&k tagged: 2\n---\n"
                    "kind: B\nname: x\n'q': 1\n&k2 tagged: 2\n";
    int ret;
    manifest *m = parse_shared(t, &ret);
    const node *a, *b;
    CU_ASSERT_EQUAL_FATAL(ret, RC_OK);
    a = m->docs[0].root;
    b = m->docs[1].root;
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[0], b->u.coll.items[0]); /* first */
    CU_ASSERT_PTR_EQUAL(a->u.coll.items[2], b->u.coll.items[2]);     /* name */
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[3], b->u.coll.items[3]); /* value */
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[4], b->u.coll.items[4]); /* 'q' */
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[6], b->u.coll.items[6]); /* &k */
    ASSERT_STR(node_get_str(b, "name"), "x");
    ASSERT_STR(node_anchor(b->u.coll.items[6]), "k2");
    manifest_free(m);
    /* off by default */
    m = parse_ok(t);
    CU_ASSERT_PTR_NOT_EQUAL(m->docs[0].root->u.coll.items[2],
                            m->docs[1].root->u.coll.items[2]);
    manifest_free(m);
}

/* SHARE_KEYS_ALL: first keys are shared too; quoted keys, keys with an
 * anchor and values still are not. */
static void test_manifest__share_keys_all_shares_first_keys(void)
{
    const char *t = "kind: A\nname: x\n'q': 1\n---\nkind: B\nname: x\n"
                    "'q': 1\n---\n&k kind: C\n";
    int ret;
    manifest *m = parse_shared_as(t, SHARE_KEYS_ALL, &ret);
    const node *a, *b, *c;
    CU_ASSERT_EQUAL_FATAL(ret, RC_OK);
    a = m->docs[0].root;
    b = m->docs[1].root;
    c = m->docs[2].root;
    CU_ASSERT_PTR_EQUAL(a->u.coll.items[0], b->u.coll.items[0]);     /* kind */
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[1], b->u.coll.items[1]); /* value */
    CU_ASSERT_PTR_EQUAL(a->u.coll.items[2], b->u.coll.items[2]);     /* name */
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[4], b->u.coll.items[4]); /* 'q' */
    CU_ASSERT_PTR_NOT_EQUAL(a->u.coll.items[0], c->u.coll.items[0]); /* &k */
    ASSERT_STR(node_get_str(b, "kind"), "B");
    ASSERT_STR(node_anchor(c->u.coll.items[0]), "k");
    manifest_free(m);
}

/* A duplicate of a shared key is reported where it is, not where the
 * shared node was first met. */
static void test_manifest__share_keys_duplicate_key_position(void)
{
    const char *t = "kind: A\nname: x\n---\nkind: B\nname: y\nname: z\n";
    const char *first = "kind: A\nname: x\n---\nkind: B\nname: y\nkind: C\n";
    const char *big = "kind: A\nk01: 1\nk02: 1\nk03: 1\nk04: 1\nk05: 1\n"
                      "k06: 1\nk07: 1\nk08: 1\nk09: 1\nk10: 1\nk11: 1\n"
                      "k12: 1\nk13: 1\nk14: 1\nk15: 1\nk16: 1\nk17: 1\n"
                      "---\nkind: B\nk03: 2\nk01: 2\nk02: 2\nk04: 2\nk05: 2\n"
                      "k06: 2\nk07: 2\nk08: 2\nk09: 2\nk10: 2\nk11: 2\n"
                      "k12: 2\nk13: 2\nk14: 2\nk15: 2\nk16: 2\nk03: 3\n";
    int ret;
    manifest *m = parse_shared(t, &ret);
    CU_ASSERT_EQUAL(ret, RC_PARSE);
    CU_ASSERT_EQUAL(err_last()->at.line, 6);
    CU_ASSERT_EQUAL(err_last()->at.col, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg, "first at line 5"));
    manifest_free(m);
    m = parse_shared(big, &ret); /* more than 16 pairs: the sorted check */
    CU_ASSERT_EQUAL(ret, RC_PARSE);
    CU_ASSERT_EQUAL(err_last()->at.line, 37);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg, "first at line 21"));
    manifest_free(m);
    /* a shared first key repeated, in both checks */
    m = parse_shared_as(first, SHARE_KEYS_ALL, &ret);
    CU_ASSERT_EQUAL(ret, RC_PARSE);
    CU_ASSERT_EQUAL(err_last()->at.line, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg, "first at line 4"));
    manifest_free(m);
    m = parse_shared_as(big, SHARE_KEYS_ALL, &ret);
    CU_ASSERT_EQUAL(ret, RC_PARSE);
    CU_ASSERT_EQUAL(err_last()->at.line, 37);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg, "first at line 21"));
    manifest_free(m);
}

static void test_manifest__duplicate_key_small_map(void)
{
    uint32_t line, col;
    manifest_opts o = MANIFEST_OPTS_INIT;
    CU_ASSERT_EQUAL(parse_fails("a: 1\nb: 2\na: 3\n", NULL, &line, &col),
                    RC_PARSE);
    CU_ASSERT(line == 3 && col == 1);
    CU_ASSERT(strstr(err_last()->msg, "first at line 1") != NULL);
    o.allow_duplicate_keys = 1;
    CU_ASSERT_EQUAL(parse_fails("a: 1\nb: 2\na: 3\n", &o, &line, &col), RC_OK);
}

static void test_manifest__duplicate_key_large_map_reports_earliest(void)
{
    char text[4096];
    size_t n = 0;
    int i;
    uint32_t line, col;
    for (i = 0; i < 40; i++) /* k10 repeated at line 31, k5 at line 36 */
        n += (size_t)snprintf(text + n, sizeof(text) - n, "k%d: %d\n",
                              i == 30 ? 10 : i == 35 ? 5 : i, i);
    CU_ASSERT_EQUAL(parse_fails(text, NULL, &line, &col), RC_PARSE);
    CU_ASSERT_EQUAL(line, 31);
    CU_ASSERT(strstr(err_last()->msg, "\"k10\" (first at line 11)") != NULL);
}

static void test_manifest__merge_keys_are_not_duplicates(void)
{
    manifest *m = parse_ok("a: &a {x: 1}\nb: &b {y: 1}\nc:\n  <<: *a\n  <<: *b\n");
    CU_ASSERT_PTR_NOT_NULL(m);
    manifest_free(m);
}

/* ---- two halves at once: the same as the whole, or no split ---------- */

typedef struct split_case {
    const char *text;
    int splits; /* 1: parsed in halves; 0: no cut, or left to the whole */
    size_t documents, aliases; /* limits, 0 for the default */
} split_case;

static void split_agrees(const split_case *c, int share)
{
    manifest_opts o = MANIFEST_OPTS_INIT;
    manifest *whole = NULL, *halves = NULL;
    err_info first;
    int r1, r2;
    o.share_keys = share;
    if (c->documents)
        o.lim.documents = c->documents;
    if (c->aliases)
        o.lim.aliases = c->aliases;
    o.split_min = (size_t)-1;
    r1 = manifest_parse(&whole, "<t>", c->text, strlen(c->text), &o);
    first = *err_last();
    o.split_min = 1;
    r2 = manifest_parse(&halves, "<t>", c->text, strlen(c->text), &o);
    CU_ASSERT_EQUAL(r1, r2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
    CU_ASSERT_PTR_NOT_NULL_FATAL(halves);
    CU_ASSERT_EQUAL(whole->split, 0);
    if (halves->split != c->splits)
        fprintf(stderr, "\n  split %d, want %d: %s\n", halves->split,
                c->splits, c->text);
    CU_ASSERT_EQUAL(halves->split, c->splits);
    if (r1) {
        CU_ASSERT_EQUAL(err_last()->at.off, first.at.off);
        CU_ASSERT_EQUAL(err_last()->at.line, first.at.line);
        CU_ASSERT_STRING_EQUAL(err_last()->msg, first.msg);
    } else if (!tree_same_manifest(whole, halves, share != SHARE_KEYS_NONE)) {
        fprintf(stderr, "\n  trees differ: %s\n", c->text);
        CU_FAIL("trees differ");
    }
    manifest_free(whole);
    manifest_free(halves);
}

static void test_manifest__halves_parse_as_the_whole(void)
{
    static const split_case cases[] = {
        {"a: 1\n---\nb: 2\n---\nc: 3\n", 1, 0, 0},
        /* comments after an explicit end lead the next document */
        {"a: 1\n---\nb: 2\n...\n# lead\n---\nc: 3\n# trail\n", 1, 0, 0},
        /* a `---` at a line start ends a block scalar */
        {"a: 1\n---\nb: |\n  x\n---\nc: 2\n", 1, 0, 0},
        {"--- |\n  x\n---\n--- >\n  y\n", 1, 0, 0},
        /* offsets after multi-byte characters, in one half or both */
        {"a: \xc3\xa9\n---\nb: \xc3\xbc\n---\nc: \xc3\xb1\xe2\x82\xac\n", 1, 0, 0},
        {"a: 1\n---\nb: 2\n---\nc: \xc3\xb1\xe2\x82\xac x\n", 1, 0, 0},
        {"\xef\xbb\xbf" "a: 1\n---\nb: 2\n---\nc: 3\n", 1, 0, 0},
        {"a: 1\r\n---\r\nb: 2\r\n---\r\nc: 3\r\n", 1, 0, 0},
        /* no document before the cut: the comments lead the first */
        {"# only\n# comments\n# here\n---\nb: 2\n", 1, 0, 0},
        {"---\n---\n---\n---\n", 1, 0, 0},
        {"a: {x: 1}\nb: [1, 2]\n---\n? k\n---\nc: &a 1\nd: *a\n", 1, 0, 0},
        /* directives before the `---` belong to its document: no cut */
        {"a: 1\n---\nb: 2\n...\n%YAML 1.1\n---\nc: 3\n", 0, 0, 0},
        /* what fails in a half is left to the whole */
        {"a: &x 1\n---\nb: 2\n---\nc: *x\n", 0, 0, 0},
        {"a: 1\n---\nb: [1,\n---\n2]\n", 0, 0, 0},
        {"a: 1\n---\nb: \"x\n---\ny\"\n", 0, 0, 0},
        {"a: 1\n---\nb: 2\n---\nc: [\n", 0, 0, 0},
        {"a: 1\n---\nb: 2\n---\nc: 1\nc: 2\n", 0, 0, 0},
        /* limits only the sum of both halves exceeds */
        {"a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n", 0, 3, 0},
        {"a: &x 1\nb: *x\n---\nc: &y 2\nd: *y\n", 0, 0, 1},
        /* no `---` line past the middle */
        {"a: 1\n---\nb: 2\nc: 3\nd: 4\ne: 5\n", 0, 0, 0},
        {"a: 1\r---\rb: 2\r---\rc: 3\r", 0, 0, 0},
        {"a: 1\n---\nb: 2\n---x: 3\n", 0, 0, 0},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        split_agrees(&cases[i], SHARE_KEYS_NONE);
        split_agrees(&cases[i], SHARE_KEYS_ALL);
    }
}

/* The second half's first document starts where the first half's last
 * ended, and document indexes run on. */
static void test_manifest__halves_join_documents_in_order(void)
{
    const char *t = "a: 1\n---\nb: 2\n...\n# c\n---\nc: 3\n---\nd: 4\n";
    manifest_opts o = MANIFEST_OPTS_INIT;
    manifest *m = NULL;
    size_t i;
    o.split_min = 1;
    ASSERT_RC_OK(manifest_parse(&m, "<t>", t, strlen(t), &o));
    CU_ASSERT_EQUAL(m->split, 1);
    CU_ASSERT_EQUAL_FATAL(m->ndocs, 4);
    for (i = 0; i < m->ndocs; i++) {
        CU_ASSERT_EQUAL(m->docs[i].index, i);
        if (i)
            CU_ASSERT_EQUAL(m->docs[i].chunk_start, m->docs[i - 1].chunk_end);
    }
    CU_ASSERT_EQUAL(m->docs[2].chunk_start, strlen("a: 1\n---\nb: 2\n...\n"));
    CU_ASSERT_STRING_EQUAL(node_get_str(m->docs[3].root, "d"), "4");
    manifest_free(m);
}

static void test_manifest__parse_error_position_and_document(void)
{
    manifest *m = NULL;
    const char *t = "---\n# Source: c/templates/one.yaml\na: 1\n---\n"
                    "# Source: c/templates/two.yaml\nb: [1, 2\n---\n"
                    "# Source: c/templates/three.yaml\nc: 3\n";
    char buf[128];
    CU_ASSERT_EQUAL(manifest_parse(&m, "<t>", t, strlen(t), NULL), RC_PARSE);
    CU_ASSERT_EQUAL(err_last()->at.doc, 1);
    CU_ASSERT_EQUAL(err_last()->at.line, 7); /* where libyaml noticed */
    ASSERT_STR(manifest_error_template(m, buf, sizeof(buf)),
               "c/templates/two.yaml");
    manifest_free(m);
}

static void test_manifest__error_template_from_helm4_annotation(void)
{
    manifest *m = NULL;
    const char *t = "kind: A\nmetadata:\n  annotations:\n"
                    "    postrenderer.helm.sh/postrender-filename: "
                    "'c/templates/a.yaml'\n  name: x\n  name: y\n";
    char buf[128];
    CU_ASSERT_EQUAL(manifest_parse(&m, "<t>", t, strlen(t), NULL), RC_PARSE);
    ASSERT_STR(manifest_error_template(m, buf, sizeof(buf)),
               "c/templates/a.yaml");
    manifest_free(m);
}

static void test_manifest__limits(void)
{
    manifest_opts o = MANIFEST_OPTS_INIT;
    uint32_t line, col;
    o.lim.depth = 3;
    CU_ASSERT_EQUAL(parse_fails("a: {b: {c: 1}}\n", &o, &line, &col), RC_OK);
    CU_ASSERT_EQUAL(parse_fails("a: {b: {c: [1]}}\n", &o, &line, &col),
                    RC_LIMIT);
    CU_ASSERT(strstr(err_last()->msg, "--max-depth") != NULL);
    o = (manifest_opts)MANIFEST_OPTS_INIT;
    o.lim.documents = 2;
    CU_ASSERT_EQUAL(parse_fails("a: 1\n---\nb: 1\n", &o, &line, &col), RC_OK);
    CU_ASSERT_EQUAL(parse_fails("a: 1\n---\nb: 1\n---\nc: 1\n", &o, &line,
                                &col),
                    RC_LIMIT);
    CU_ASSERT_EQUAL(line, 4); /* the third `---` */
    o = (manifest_opts)MANIFEST_OPTS_INIT;
    o.lim.scalar_bytes = 4;
    CU_ASSERT_EQUAL(parse_fails("abcd: 1234\n", &o, &line, &col), RC_OK);
    CU_ASSERT_EQUAL(parse_fails("abcd: 12345\n", &o, &line, &col), RC_LIMIT);
    o = (manifest_opts)MANIFEST_OPTS_INIT;
    o.lim.aliases = 1;
    CU_ASSERT_EQUAL(parse_fails("a: &x 1\nb: *x\n", &o, &line, &col), RC_OK);
    CU_ASSERT_EQUAL(parse_fails("a: &x 1\nb: *x\nc: *x\n", &o, &line, &col),
                    RC_LIMIT);
    o = (manifest_opts)MANIFEST_OPTS_INIT;
    o.lim.input_bytes = 5;
    CU_ASSERT_EQUAL(parse_fails("a: 12\n", &o, &line, &col), RC_LIMIT);
}

/* A lookup in c visits c and every mapping its merge keys bring in,
 * nested merges and sequences of merges counted, through aliases. */
static void merge_limit_case(const char *text, size_t count, uint32_t at)
{
    manifest_opts o = MANIFEST_OPTS_INIT;
    uint32_t line = 0, col = 0;
    o.lim.alias_expansion = count;
    CU_ASSERT_EQUAL(parse_fails(text, &o, &line, &col), RC_OK);
    o.lim.alias_expansion = count - 1;
    CU_ASSERT_EQUAL(parse_fails(text, &o, &line, &col), RC_LIMIT);
    CU_ASSERT_EQUAL(line, at);
    CU_ASSERT(strstr(err_last()->msg, "--max-alias-expansion") != NULL);
}

static void test_manifest__merge_expansion_limit(void)
{
    merge_limit_case("a: &a {x: 1}\nb: &b {<<: *a}\nc: {<<: [*a, *b]}\n", 4,
                     3);
    merge_limit_case("a: &a {x: 1}\ns: &s [*a, *a, {y: 2}]\n"
                     "c: {<<: *s}\nd: {<<: *s, z: 1}\n",
                     4, 3);
    merge_limit_case("a: &a {x: 1}\nb: &b {<<: *a}\n"
                     "c: {<<: [*b, *b], k: v}\n",
                     5, 3);
    /* inline merges count too, and plain mappings never fail */
    merge_limit_case("c:\n  <<: [{x: 1}, {y: 2}]\n  z: 3\n", 3, 2);
}

static void test_manifest__rejects_utf16(void)
{
    manifest *m = NULL;
    CU_ASSERT_EQUAL(manifest_parse(&m, "<t>", "\xff\xfe" "a\0", 4, NULL),
                    RC_PARSE);
    CU_ASSERT(strstr(err_last()->msg, "UTF-16") != NULL);
    manifest_free(m);
}

static void test_manifest__reader_errors_carry_byte_offsets(void)
{
    uint32_t line, col;
    CU_ASSERT_EQUAL(parse_fails("a: 1\nb: \"x\xff\"\n", NULL, &line, &col),
                    RC_PARSE);
    CU_ASSERT_EQUAL(line, 2);
    CU_ASSERT_EQUAL(col, 6);
}

void suite_manifest(void)
{
    static const test_case cases[] = {
        {"chunks_cover_the_input", test_manifest__chunks_cover_the_input},
        {"documents_and_separators", test_manifest__documents_and_separators},
        {"source_comment_and_crlf", test_manifest__source_comment_and_crlf},
        {"source_comment_shared_between_neighbours",
         test_manifest__source_comment_shared_between_neighbours},
        {"source_comment_only_before_content",
         test_manifest__source_comment_only_before_content},
        {"empty_documents_have_null_roots",
         test_manifest__empty_documents_have_null_roots},
        {"node_offsets_are_bytes_after_unicode",
         test_manifest__node_offsets_are_bytes_after_unicode},
        {"non_ascii_at_any_offset", test_manifest__non_ascii_at_any_offset},
        {"bom_is_skipped_in_offsets", test_manifest__bom_is_skipped_in_offsets},
        {"node_access", test_manifest__node_access},
        {"alias_resolves_to_anchor", test_manifest__alias_resolves_to_anchor},
        {"anchors_do_not_cross_documents",
         test_manifest__anchors_do_not_cross_documents},
        {"short_scalars_share_text_and_keep_their_own",
         test_manifest__short_scalars_share_text_and_keep_their_own},
        {"share_keys_shares_later_plain_keys_only",
         test_manifest__share_keys_shares_later_plain_keys_only},
        {"share_keys_all_shares_first_keys",
         test_manifest__share_keys_all_shares_first_keys},
        {"share_keys_duplicate_key_position",
         test_manifest__share_keys_duplicate_key_position},
        {"duplicate_key_small_map", test_manifest__duplicate_key_small_map},
        {"duplicate_key_large_map_reports_earliest",
         test_manifest__duplicate_key_large_map_reports_earliest},
        {"merge_keys_are_not_duplicates",
         test_manifest__merge_keys_are_not_duplicates},
        {"parse_error_position_and_document",
         test_manifest__parse_error_position_and_document},
        {"error_template_from_helm4_annotation",
         test_manifest__error_template_from_helm4_annotation},
        {"limits", test_manifest__limits},
        {"anchor_latest_definition_wins",
         test_manifest__anchor_latest_definition_wins},
        {"merge expansion limit", test_manifest__merge_expansion_limit},
        {"halves_parse_as_the_whole", test_manifest__halves_parse_as_the_whole},
        {"halves_join_documents_in_order",
         test_manifest__halves_join_documents_in_order},
        {"rejects_utf16", test_manifest__rejects_utf16},
        {"reader_errors_carry_byte_offsets",
         test_manifest__reader_errors_carry_byte_offsets},
        {NULL, NULL},
    };
    test_add_suite("manifest", cases, NULL, NULL);
}
