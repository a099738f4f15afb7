/* Unit tests: writing documents back. */
#include <stdlib.h>

#include "manifest.h"
#include "test.h"

/* Parse text, emit it in the given order (NULL: input order). */
static char *emit(const char *text, const uint32_t *order)
{
    manifest *m = NULL;
    sbuf b = SBUF_INIT;
    char *out;
    int ret = manifest_parse(&m, "<t>", text, strlen(text), NULL);
    if (ret) {
        fprintf(stderr, "\n  parse failed: %s\n", err_last()->msg);
        manifest_free(m);
        return NULL;
    }
    sbuf_init(&b, (size_t)-1);
    ret = manifest_emit(&b, m, order);
    out = strdup(sbuf_cstr(&b));
    sbuf_dispose(&b);
    manifest_free(m);
    return ret ? NULL : out;
}

static void check(const char *in, const uint32_t *order, const char *want)
{
    char *got = emit(in, order);
    ASSERT_STR(got, want);
    free(got);
}

static void test_emit__unchanged_stream_is_identical(void)
{
    const char *t = "---\n# Source: a\nkind: A # c\n---\n# Source: b\n"
                    "kind: B\nx: |\n  text\n";
    check(t, NULL, t);
}

static void test_emit__separator_normalisation(void)
{
    check("kind: A\n", NULL, "---\nkind: A\n");
    check("kind: A", NULL, "---\nkind: A\n");
    check("---   \nkind: A\n", NULL, "---\nkind: A\n");
    check("--- # kept\nkind: A\n", NULL, "--- # kept\nkind: A\n");
    check("--- !!map\nkind: A\n", NULL, "--- !!map\nkind: A\n");
    check("kind: A\r\n---\r\nkind: B\r\n", NULL,
          "---\r\nkind: A\r\n---\r\nkind: B\r\n");
}

static void test_emit__reorders_whole_chunks(void)
{
    static const uint32_t rev[] = {2, 1, 0};
    check("---\n# 1\na: 1\n---\n# 2\nb: 2\n---\n# 3\nc: 3", rev,
          "---\n# 3\nc: 3\n---\n# 2\nb: 2\n---\n# 1\na: 1\n");
}

/* A lone CR (like NEL, LS and PS) ends a line for YAML: a document ending
 * with one gets no LF added, so a second pass writes the same bytes. */
static void test_emit__lone_cr_ends_a_line(void)
{
    static const uint32_t rev[] = {1, 0};
    check("a: 1\r---\nb: 2\n", rev, "---\nb: 2\n---\na: 1\r");
    check("a: 1\xc2\x85---\nb: 2\n", rev, "---\nb: 2\n---\na: 1\xc2\x85");
}

/* Comments before the first `---` stay in front while that document starts
 * the output; moved, they go after its `---`, or they would read as the
 * end of the document before it (and be lost when that one is rewritten). */
static void test_emit__preamble_moves_with_its_document(void)
{
    static const uint32_t rev[] = {1, 0};
    check("# licence\n---\na: 1\n---\nb: 2\n", NULL,
          "# licence\n---\na: 1\n---\nb: 2\n");
    check("# licence\n---\na: 1\n---\nb: 2\n", rev,
          "---\nb: 2\n---\n# licence\na: 1\n");
    check("# licence\n--- # kept\na: 1\n---\nb: 2\n", rev,
          "---\nb: 2\n# licence\n--- # kept\na: 1\n");
    /* a second `...` ends nothing; in front of the stream it would not
     * parse, so it is left out */
    check("a: 1\n...\n# c\n...\n---\nb: 2\n", rev,
          "# c\n---\nb: 2\n---\na: 1\n...\n");
    /* after the document it followed in the input, they stay in front */
    check("a: 1\n...\n# c\n---\nb: 2\n", NULL,
          "---\na: 1\n...\n# c\n---\nb: 2\n");
}

static void test_emit__no_documents_is_verbatim(void)
{
    check("", NULL, "");
    check("# only a comment\n\n", NULL, "# only a comment\n\n");
}

static void test_emit__directives_get_an_end_marker(void)
{
    static const uint32_t swap[] = {1, 0};
    /* the directive document moves first: no end marker is needed; the
     * other one follows it after its own `...` */
    check("a: 1\n...\n%YAML 1.1\n---\nb: 2\n...\n", swap,
          "%YAML 1.1\n---\nb: 2\n...\n---\na: 1\n...\n");
}

static void test_emit__bom_dropped(void)
{
    static const uint32_t swap[] = {1, 0};
    check("\xef\xbb\xbf" "a: 1\n---\nb: 2\n", swap, "---\nb: 2\n---\na: 1\n");
}

static void test_emit__idempotent(void)
{
    static const uint32_t rev[] = {3, 2, 1, 0};
    const char *t = "# lead\na: 1\n--- \nb: 2\n---\n---\n# only comment\nd: 4";
    char *once = emit(t, rev), *twice;
    static const uint32_t keep[] = {0, 1, 2, 3};
    CU_ASSERT_PTR_NOT_NULL_FATAL(once);
    twice = emit(once, keep);
    ASSERT_STR(twice, once);
    free(once);
    free(twice);
}

static void test_emit__edits_inserted_at_offsets(void)
{
    const char *t = "---\nkind: A\nb: 1\n---\nkind: B\n";
    manifest *m = NULL;
    doc_edits e[2];
    sbuf b = SBUF_INIT;
    static const uint32_t swap[] = {1, 0};
    memset(e, 0, sizeof(e));
    ASSERT_RC_OK(manifest_parse(&m, "<t>", t, strlen(t), NULL));
    /* two edits at one offset keep the order they were added in */
    ASSERT_RC_OK(doc_edits_add(&e[0], 12, "x: 2\n"));
    ASSERT_RC_OK(doc_edits_add(&e[0], 4, "# first\n"));
    ASSERT_RC_OK(doc_edits_add(&e[0], 12, "y: 3\n"));
    sbuf_init(&b, (size_t)-1);
    ASSERT_RC_OK(manifest_emit_edited(&b, m, swap, e, NULL));
    ASSERT_STR(sbuf_cstr(&b), "---\nkind: B\n---\n# first\nkind: A\nx: 2\n"
                              "y: 3\nb: 1\n");
    sbuf_dispose(&b);
    doc_edits_dispose(&e[0]);
    manifest_free(m);
}

/* The tree emitter keeps each scalar's quoting and escapes what it must. */
static void test_emit__tree_quotes_and_escapes(void)
{
    static const char in[] =
        "a: \"tab\\there \\\"q\\\" back\\\\slash \\x01 end\"\n"
        "b: 'it''s ''quoted'''\n"
        "c: plain\n"
        "d: \"\"\n";
    manifest *m = NULL;
    sbuf b = SBUF_INIT;
    ASSERT_RC_OK(manifest_parse(&m, "<t>", in, strlen(in), NULL));
    sbuf_init(&b, (size_t)-1);
    ASSERT_RC_OK(node_emit_yaml(&b, m->docs[0].root, "\n"));
    ASSERT_STR(sbuf_cstr(&b), in);
    sbuf_dispose(&b);
    manifest_free(m);
}

/* Occurrences of what in the NUL-terminated s. */
static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;
    while ((s = strstr(s, what)) != NULL) {
        n++;
        s += strlen(what);
    }
    return n;
}

/* A subtree shared between changed documents is written once per
 * indentation and referred to after; a document the tree emitter refuses
 * goes out verbatim and forgets what it wrote. */
static void test_emit__shared_subtree_written_once(void)
{
    static const char in[] = "d:\n"
                             "  e: 4\n"
                             "---\n"
                             "s: x\n"
                             "? [complex]\n"
                             ": key\n"
                             "---\n"
                             "c: 3\n"
                             "---\n"
                             "f: 5\n";
    static const char top[] = "s:\n  script: |\n    line one\n    line two\n";
    static const uint8_t changed[] = {1, 1, 1, 1};
    manifest *m = NULL;
    node *shared, *lines;
    pieces p;
    sbuf got = SBUF_INIT;
    size_t i, verbatim = 0;
    ASSERT_RC_OK(manifest_parse(&m, "<t>", in, strlen(in), NULL));
    shared = node_new_map(m);
    lines = node_new_plain(m, "line one\nline two\n");
    CU_ASSERT_FATAL(shared && lines);
    lines->style = NODE_STYLE_LITERAL;
    ASSERT_RC_OK(node_map_set(m, shared, "script", lines));
    shared->flags |= NODE_F_SHARED;
    ASSERT_RC_OK(node_map_set(m, (node *)node_get(m->docs[0].root, "d"), "s",
                              shared));
    for (i = 1; i < 4; i++) /* the second replaces s: x, before the key */
        ASSERT_RC_OK(node_map_set(m, m->docs[i].root, "s", shared));
    pieces_init(&p, (size_t)-1);
    CU_ASSERT(!node_emit_writable(m->docs[1].root));
    CU_ASSERT(node_emit_writable(m->docs[2].root));
    ASSERT_RC_OK(manifest_emit_pieces(&p, m, NULL, NULL, changed, &verbatim));
    CU_ASSERT_EQUAL(verbatim, 1); /* the complex key's document */
    ASSERT_RC_OK(pieces_flatten(&p, &got));
    ASSERT_STR(sbuf_cstr(&got), "---\n"
                                "d:\n"
                                "  e: 4\n"
                                "  s:\n"
                                "    script: |\n"
                                "      line one\n"
                                "      line two\n"
                                "---\n"
                                "s: x\n"
                                "? [complex]\n"
                                ": key\n"
                                "---\n"
                                "c: 3\n"
                                "s:\n"
                                "  script: |\n"
                                "    line one\n"
                                "    line two\n"
                                "---\n"
                                "f: 5\n"
                                "s:\n"
                                "  script: |\n"
                                "    line one\n"
                                "    line two\n");
    CU_ASSERT_EQUAL(count_of(sbuf_cstr(&got), top), 2);
    CU_ASSERT_EQUAL(count_of(sbuf_cstr(&p.own), top), 1); /* referred to */
    sbuf_dispose(&got);
    pieces_dispose(&p);
    manifest_free(m);
}

/* Parse in, set key to a new plain value in the mapping at path (or, with
 * key NULL, insert a new scalar first in the sequence at path), and write
 * the document from its tree. */
static char *changed_doc(const char *in, const char *path, const char *key,
                         const char *value)
{
    static const uint8_t changed[] = {1};
    manifest *m = NULL;
    sbuf b = SBUF_INIT;
    node *at, *v;
    char *out;
    int ret = manifest_parse(&m, "<t>", in, strlen(in), NULL);
    if (ret) {
        fprintf(stderr, "\n  parse failed: %s\n", err_last()->msg);
        manifest_free(m);
        return NULL;
    }
    at = (node *)(*path ? node_path(m->docs[0].root, path) : m->docs[0].root);
    v = node_new_plain(m, value);
    CU_ASSERT_FATAL(at && v);
    ret = key ? node_map_set(m, at, key, v) : node_seq_insert(m, at, 0, v);
    sbuf_init(&b, (size_t)-1);
    if (!ret)
        ret = manifest_emit_edited(&b, m, NULL, NULL, changed);
    out = ret ? NULL : strdup(sbuf_cstr(&b));
    sbuf_dispose(&b);
    manifest_free(m);
    return out;
}

static void check_changed(const char *in, const char *path, const char *key,
                          const char *value, const char *want)
{
    char *got = changed_doc(in, path, key, value);
    ASSERT_STR(got, want);
    free(got);
}

/* A changed document keeps its layout: collections at their input columns,
 * and what no mutation touched copied with its comments and flow style. */
static void test_emit__tree_keeps_untouched_layout(void)
{
    /* four-space indentation; the new key goes at its mapping's column */
    check_changed("a:\n"
                  "    b: 1   # one\n"
                  "    c:\n"
                  "        d: [x, y]  # kept\n"
                  "        # dropped: between entries of a changed map\n"
                  "    e: {f: g}\n",
                  "a", "extra", "new",
                  "---\n"
                  "a:\n"
                  "    b: 1\n"
                  "    c:\n"
                  "        d: [x, y]  # kept\n"
                  "    e: {f: g}\n"
                  "    extra: new\n");
    /* sequences at their key's column, copied or written there */
    check_changed("spec:\n"
                  "  containers:\n"
                  "  - name: app # the app\n"
                  "    args:\n"
                  "    - --port=1\n"
                  "  volumes:\n"
                  "  - name: v\n",
                  "spec.volumes", NULL, "first",
                  "---\n"
                  "spec:\n"
                  "  containers:\n"
                  "  - name: app # the app\n"
                  "    args:\n"
                  "    - --port=1\n"
                  "  volumes:\n"
                  "  - first\n"
                  "  - name: v\n");
    /* a block scalar ends the copy at its own end; the comment after it
     * and the file's missing last line break are not copied */
    check_changed("m:\n"
                  "  s: |\n"
                  "    text\n"
                  "  # after the block\n"
                  "x: 1\n"
                  "t:\n"
                  "  u: v",
                  "", "extra", "new",
                  "---\n"
                  "m:\n"
                  "  s: |\n"
                  "    text\n"
                  "x: 1\n"
                  "t:\n"
                  "  u: v\n"
                  "extra: new\n");
    /* a `? key` with no value has its null marked at the next token: the
     * mapping is written, not copied (the copy took the next line too) */
    check_changed("a:\n"
                  "  m:\n"
                  "    ? k\n"
                  "  z: 1\n",
                  "a", "extra", "new",
                  "---\n"
                  "a:\n"
                  "  m:\n"
                  "    k:\n"
                  "  z: 1\n"
                  "  extra: new\n");
    /* CRLF lines stay CRLF; an anchor and its alias are written anew */
    check_changed("a:\r\n"
                  "  b: &x 1\r\n"
                  "  c: *x\r\n"
                  "d:\r\n"
                  "  - e: 2 # two\r\n",
                  "", "extra", "new",
                  "---\r\n"
                  "a:\r\n"
                  "  b: &x 1\r\n"
                  "  c: *x\r\n"
                  "d:\r\n"
                  "  - e: 2 # two\r\n"
                  "extra: new\r\n");
}

/* An untouched part of a changed document is borrowed from the input, not
 * copied into the output's own bytes. */
static void test_emit__tree_untouched_part_borrowed(void)
{
    static const char in[] = "spec:\n"
                             "  containers:\n"
                             "    - name: app\n"
                             "      image: app:1\n"
                             "  volumes: []\n";
    static const uint8_t changed[] = {1};
    manifest *m = NULL;
    pieces p;
    sbuf got = SBUF_INIT;
    node *v;
    ASSERT_RC_OK(manifest_parse(&m, "<t>", in, strlen(in), NULL));
    v = node_new_plain(m, "new");
    CU_ASSERT_FATAL(v != NULL);
    ASSERT_RC_OK(node_map_set(m, (node *)node_get(m->docs[0].root, "spec"),
                              "extra", v));
    pieces_init(&p, (size_t)-1);
    ASSERT_RC_OK(manifest_emit_pieces(&p, m, NULL, NULL, changed, NULL));
    ASSERT_RC_OK(pieces_flatten(&p, &got));
    ASSERT_STR(sbuf_cstr(&got), "---\n"
                                "spec:\n"
                                "  containers:\n"
                                "    - name: app\n"
                                "      image: app:1\n"
                                "  volumes: []\n"
                                "  extra: new\n");
    CU_ASSERT(strstr(sbuf_cstr(&p.own), "image: app:1") == NULL);
    CU_ASSERT(strstr(sbuf_cstr(&p.own), "extra: new") != NULL);
    sbuf_dispose(&got);
    pieces_dispose(&p);
    manifest_free(m);
}

/* Lines broken by a lone CR (or NEL, LS, PS) are lines to YAML, not to the
 * copying, which goes by LF: such a document is written as clean YAML. */
static void test_emit__tree_odd_breaks_written_clean(void)
{
    check_changed("a:\r  b: 1 # one\r  c: {d: e}\rf: 2\r", "a", "extra", "new",
                  "---\n"
                  "a:\n"
                  "  b: 1\n"
                  "  c:\n"
                  "    d: e\n"
                  "  extra: new\n"
                  "f: 2\n");
}

/* An untouched item of a changed sequence keeps its bytes only when its
 * first key lands where it was after `- `. */
static void test_emit__tree_untouched_items(void)
{
    check_changed("s:\n"
                  "  - a: 1 # one\n"
                  "    b: 2\n"
                  "  -   c: 3 # three\n"
                  "      d: 4\n",
                  "s", NULL, "first",
                  "---\n"
                  "s:\n"
                  "  - first\n"
                  "  - a: 1 # one\n"
                  "    b: 2\n"
                  "  - c: 3\n"
                  "    d: 4\n");
}

/* What follows a changed document's content stays: its trailing comments
 * and the `...` that the directives of the next document need. */
static void test_emit__tree_keeps_trailer(void)
{
    static const char in[] = "a:\n"
                             "  b: 1 # one\n"
                             "# after the content\n"
                             "\n"
                             "...\n"
                             "%YAML 1.2\n"
                             "---\n"
                             "c: 2\n";
    static const uint8_t changed[] = {1, 0};
    manifest *m = NULL, *back = NULL;
    sbuf b = SBUF_INIT;
    node *v;
    ASSERT_RC_OK(manifest_parse(&m, "<t>", in, strlen(in), NULL));
    v = node_new_plain(m, "new");
    CU_ASSERT_FATAL(v != NULL);
    ASSERT_RC_OK(node_map_set(m, (node *)node_get(m->docs[0].root, "a"),
                              "extra", v));
    sbuf_init(&b, (size_t)-1);
    ASSERT_RC_OK(manifest_emit_edited(&b, m, NULL, NULL, changed));
    ASSERT_STR(sbuf_cstr(&b), "---\n"
                              "a:\n"
                              "  b: 1\n"
                              "  extra: new\n"
                              "# after the content\n"
                              "\n"
                              "...\n"
                              "%YAML 1.2\n"
                              "---\n"
                              "c: 2\n");
    ASSERT_RC_OK(manifest_parse(&back, "<out>", b.ptr, b.len, NULL));
    CU_ASSERT_EQUAL(back->ndocs, 2);
    manifest_free(back);
    sbuf_dispose(&b);
    manifest_free(m);
}

void suite_emit(void)
{
    static const test_case cases[] = {
        {"unchanged_stream_is_identical",
         test_emit__unchanged_stream_is_identical},
        {"separator_normalisation", test_emit__separator_normalisation},
        {"reorders_whole_chunks", test_emit__reorders_whole_chunks},
        {"no_documents_is_verbatim", test_emit__no_documents_is_verbatim},
        {"lone_cr_ends_a_line", test_emit__lone_cr_ends_a_line},
        {"preamble_moves_with_its_document",
         test_emit__preamble_moves_with_its_document},
        {"directives_get_an_end_marker",
         test_emit__directives_get_an_end_marker},
        {"bom_dropped", test_emit__bom_dropped},
        {"idempotent", test_emit__idempotent},
        {"edits_inserted_at_offsets", test_emit__edits_inserted_at_offsets},
        {"tree_quotes_and_escapes", test_emit__tree_quotes_and_escapes},
        {"shared_subtree_written_once", test_emit__shared_subtree_written_once},
        {"tree_keeps_untouched_layout", test_emit__tree_keeps_untouched_layout},
        {"tree_untouched_items", test_emit__tree_untouched_items},
        {"tree_keeps_trailer", test_emit__tree_keeps_trailer},
        {"tree_untouched_part_borrowed",
         test_emit__tree_untouched_part_borrowed},
        {"tree_odd_breaks_written_clean",
         test_emit__tree_odd_breaks_written_clean},
        {NULL, NULL},
    };
    test_add_suite("emit", cases, NULL, NULL);
}
