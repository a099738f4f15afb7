/*
 * Property tests over the real charts in ../shared/corpus (RI_CORPUS
 * overrides): render keeps the multiset of documents, is idempotent, and
 * finds as many documents as SOURCES.md says. Skipped (inactive) with a
 * message when the corpus is absent.
 */
#include <dirent.h>
#include <stdlib.h>

#include "../tree_same.h"
#include "reader.h"
#include "render.h"
#include "test.h"

static const char *corpus_dir(void)
{
    const char *d = getenv("RI_CORPUS");
    return d && *d ? d : "../shared/corpus";
}

/* Call fn for each chart (*.yaml) of the corpus; the number of charts. */
static size_t each_chart(void (*fn)(const char *path, const char *file,
                                    void *arg),
                         void *arg)
{
    DIR *d = opendir(corpus_dir());
    struct dirent *e;
    char path[4096];
    size_t files = 0;
    CU_ASSERT_PTR_NOT_NULL(d);
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", corpus_dir(), e->d_name);
        fn(path, e->d_name, arg);
        files++;
    }
    if (d)
        closedir(d);
    return files;
}

/* A canonical text of a node tree: equal trees give equal text. */
static void canon(sbuf *b, const node *n, int depth)
{
    uint32_t i;
    if (!n || depth > 300) {
        sbuf_puts(b, "?");
        return;
    }
    if (node_tag(n))
        sbuf_printf(b, "!<%s>", node_tag(n));
    if (node_anchor(n))
        sbuf_printf(b, "&%s ", node_anchor(n));
    switch (n->type) {
    case NODE_SCALAR:
        sbuf_printf(b, "%u:%u:", n->style, n->len);
        sbuf_put(b, n->u.scalar.str, n->len);
        return;
    case NODE_ALIAS:
        sbuf_printf(b, "*%s", node_alias_name(n));
        return;
    default:
        sbuf_putc(b, n->type == NODE_MAPPING ? '{' : '[');
        for (i = 0; i < n->len; i++) {
            canon(b, n->u.coll.items[i], depth + 1);
            sbuf_putc(b, ',');
        }
        sbuf_putc(b, n->type == NODE_MAPPING ? '}' : ']');
    }
}

static int strp_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted canonical texts of the documents of text; NULL on parse error. */
static char **doc_multiset(const char *text, size_t len, size_t *n,
                           size_t *nonempty)
{
    manifest *m = NULL;
    char **v;
    size_t i;
    if (manifest_parse(&m, "<c>", text, len, NULL)) {
        fprintf(stderr, "\n  %s\n", err_last()->msg);
        manifest_free(m);
        return NULL;
    }
    v = calloc(m->ndocs + 1, sizeof(*v));
    *nonempty = 0;
    for (i = 0; i < m->ndocs; i++) {
        sbuf b = SBUF_INIT;
        sbuf_init(&b, (size_t)-1);
        canon(&b, m->docs[i].root, 0);
        v[i] = strdup(sbuf_cstr(&b));
        sbuf_dispose(&b);
        if (!node_is_null(m->docs[i].root))
            (*nonempty)++;
    }
    *n = m->ndocs;
    manifest_free(m);
    qsort(v, *n, sizeof(*v), strp_cmp);
    return v;
}

static void free_set(char **v, size_t n)
{
    size_t i;
    for (i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int render_text(sbuf *out, const char *text, size_t len, int inject)
{
    manifest *m = NULL;
    render_opts o = RENDER_OPTS_INIT;
    int ret;
    o.inject.enabled = inject;
    ret = render_stream(out, &m, "<c>", text, len, &o, NULL);
    if (ret)
        fprintf(stderr, "\n  render: %s\n", err_last()->msg);
    manifest_free(m);
    return ret;
}

/* "## 4. name.yaml — 44 documents" in SOURCES.md; -1 when not listed. */
static long documented_count(const char *sources, const char *file)
{
    const char *p = sources;
    size_t flen = strlen(file);
    while (p && (p = strstr(p, file))) {
        const char *ls = p;
        while (ls > sources && ls[-1] != '\n')
            ls--;
        if (!strncmp(ls, "## ", 3) && p[flen] == ' ') {
            const char *q = p + flen;
            while (*q && *q != '\n' && (*q < '0' || *q > '9'))
                q++;
            if (*q >= '0' && *q <= '9')
                return strtol(q, NULL, 10);
        }
        p += flen;
    }
    return -1;
}

/* render(render(x)) == render(x), with and without injection; returns the
 * number of documents of render(x) with injection, or (size_t)-1. */
static size_t check_idempotent(const char *file, const char *in, size_t len,
                               int inject)
{
    sbuf once = SBUF_INIT, twice = SBUF_INIT;
    size_t n = 0, ne = 0;
    char **set;
    sbuf_init(&once, (size_t)-1);
    sbuf_init(&twice, (size_t)-1);
    CU_ASSERT_EQUAL(render_text(&once, in, len, inject), RC_OK);
    CU_ASSERT_EQUAL(
        render_text(&twice, once.ptr ? once.ptr : "", once.len, inject), RC_OK);
    if (once.len != twice.len ||
        memcmp(sbuf_cstr(&once), sbuf_cstr(&twice), once.len))
        fprintf(stderr, "\n  %s: render%s is not idempotent\n", file,
                inject ? "" : " --inject=none");
    CU_ASSERT(once.len == twice.len &&
              !memcmp(sbuf_cstr(&once), sbuf_cstr(&twice), once.len));
    set = doc_multiset(sbuf_cstr(&once), once.len, &n, &ne);
    free_set(set, n);
    sbuf_dispose(&once);
    sbuf_dispose(&twice);
    return set ? n : (size_t)-1;
}

static void check_file(const char *path, const char *file, const char *sources,
                       int *checked)
{
    char *in = NULL;
    size_t len, n_in = 0, n_out = 0, ne_in = 0, ne_out = 0, i;
    char **set_in, **set_out;
    sbuf once = SBUF_INIT;
    long want;
    ASSERT_RC_OK(reader_read_path(&in, &len, path, (size_t)1 << 30));
    sbuf_init(&once, (size_t)-1);
    /* ordering alone: exactly the same documents, byte for byte */
    CU_ASSERT_EQUAL(render_text(&once, in, len, 0), RC_OK);
    check_idempotent(file, in, len, 0);
    set_in = doc_multiset(in, len, &n_in, &ne_in);
    set_out = doc_multiset(sbuf_cstr(&once), once.len, &n_out, &ne_out);
    CU_ASSERT_PTR_NOT_NULL(set_in);
    CU_ASSERT_PTR_NOT_NULL(set_out);
    CU_ASSERT_EQUAL(n_in, n_out);
    if (set_in && set_out && n_in == n_out) {
        size_t diff = 0;
        for (i = 0; i < n_in; i++)
            diff += strcmp(set_in[i], set_out[i]) != 0;
        if (diff)
            fprintf(stderr, "\n  %s: %zu documents differ\n", file, diff);
        CU_ASSERT_EQUAL(diff, 0);
    }
    /* with injection: the same number of documents, stable on re-render */
    CU_ASSERT_EQUAL(check_idempotent(file, in, len, 1), n_in);
    want = documented_count(sources, file);
    if (want >= 0 && (long)ne_in != want)
        fprintf(stderr, "\n  %s: %zu documents, SOURCES.md says %ld\n", file,
                ne_in, want);
    CU_ASSERT(want < 0 || (long)ne_in == want);
    *checked += want >= 0;
    free_set(set_in, n_in);
    free_set(set_out, n_out);
    sbuf_dispose(&once);
    free(in);
}

typedef struct render_check {
    char *sources;
    int checked;
} render_check;

static void render_check_file(const char *path, const char *file, void *arg)
{
    render_check *want = arg;
    check_file(path, file, want->sources, &want->checked);
}

static void test_corpus__render_keeps_documents_and_is_idempotent(void)
{
    render_check want = {NULL, 0};
    char path[4096];
    size_t slen;
    snprintf(path, sizeof(path), "%s/SOURCES.md", corpus_dir());
    if (reader_read_path(&want.sources, &slen, path, 1 << 24) != RC_OK)
        want.sources = strdup("");
    CU_ASSERT(each_chart(render_check_file, &want) > 0);
    free(want.sources);
    CU_ASSERT(want.checked > 0); /* SOURCES.md's counts were read */
}

/* Same structure and values; quoted stays quoted, plain stays plain. */
static int tree_equal(const node *a, const node *b, int depth)
{
    uint32_t i;
    if (!a || !b || depth > 300)
        return a == b;
    if (a->type != b->type)
        return 0;
    if ((node_tag(a) == NULL) != (node_tag(b) == NULL) ||
        (node_tag(a) && strcmp(node_tag(a), node_tag(b))))
        return 0;
    switch (a->type) {
    case NODE_SCALAR:
        return (a->style == NODE_STYLE_PLAIN) ==
                   (b->style == NODE_STYLE_PLAIN) &&
               a->len == b->len &&
               !memcmp(a->u.scalar.str, b->u.scalar.str, a->len);
    case NODE_ALIAS:
        return !strcmp(node_alias_name(a), node_alias_name(b));
    default:
        if (a->len != b->len)
            return 0;
        for (i = 0; i < a->len; i++)
            if (!tree_equal(a->u.coll.items[i], b->u.coll.items[i], depth + 1))
                return 0;
        return 1;
    }
}

/* Every corpus document written by the tree emitter reads back as the same
 * tree, and writing that again gives the same bytes. */
static void emit_check_file(const char *path, const char *file, void *arg)
{
    size_t *docs = arg;
    char *in = NULL;
    size_t len, i;
    manifest *m = NULL;
    ASSERT_RC_OK(reader_read_path(&in, &len, path, (size_t)1 << 30));
    ASSERT_RC_OK(manifest_parse(&m, "<c>", in, len, NULL));
    for (i = 0; i < m->ndocs; i++) {
        sbuf once = SBUF_INIT, twice = SBUF_INIT;
        manifest *back = NULL;
        int same;
        if (node_is_null(m->docs[i].root))
            continue;
        sbuf_init(&once, (size_t)-1);
        sbuf_init(&twice, (size_t)-1);
        CU_ASSERT_EQUAL(node_emit_yaml(&once, m->docs[i].root, "\n"), RC_OK);
        same = manifest_parse(&back, "<re>", sbuf_cstr(&once), once.len,
                              NULL) == RC_OK &&
               back->ndocs == 1 &&
               tree_equal(m->docs[i].root, back->docs[0].root, 0);
        if (same)
            node_emit_yaml(&twice, back->docs[0].root, "\n");
        same = same && twice.len == once.len &&
               !memcmp(sbuf_cstr(&once), sbuf_cstr(&twice), once.len);
        if (!same)
            fprintf(stderr, "\n  %s: document %zu does not survive the tree "
                            "emitter\n", file, i);
        CU_ASSERT(same);
        *docs += 1;
        manifest_free(back);
        sbuf_dispose(&once);
        sbuf_dispose(&twice);
    }
    manifest_free(m);
    free(in);
}

static void test_corpus__tree_emitter_round_trips(void)
{
    size_t docs = 0;
    each_chart(emit_check_file, &docs);
    CU_ASSERT(docs > 500);
}

/* Each chart parsed in two halves at once gives the very documents and
 * trees of the whole parse. */
static void split_check_file(const char *path, const char *file, void *arg)
{
    size_t *split_files = arg;
    manifest_opts o = MANIFEST_OPTS_INIT;
    manifest *whole = NULL, *halves = NULL;
    char *in = NULL;
    size_t len;
    int split, share;
    ASSERT_RC_OK(reader_read_path(&in, &len, path, (size_t)1 << 30));
    for (share = SHARE_KEYS_NONE; share <= SHARE_KEYS_ALL; share += 2) {
        o.share_keys = share;
        o.split_min = (size_t)-1;
        ASSERT_RC_OK(manifest_parse(&whole, "<c>", in, len, &o));
        o.split_min = 1;
        ASSERT_RC_OK(manifest_parse(&halves, "<c>", in, len, &o));
        if (!tree_same_manifest(whole, halves, share != SHARE_KEYS_NONE)) {
            fprintf(stderr, "\n  %s: the halves parse differently\n", file);
            CU_FAIL("halves differ");
        }
        split = halves->split;
        manifest_free(whole);
        manifest_free(halves);
    }
    free(in);
    *split_files += split == 1;
}

static void test_corpus__halves_parse_as_the_whole(void)
{
    size_t split = 0, files = each_chart(split_check_file, &split);
    CU_ASSERT(files > 0);
    CU_ASSERT(split * 2 > files); /* most charts have a `---` to cut at */
}

void suite_corpus(void)
{
    static const test_case cases[] = {
        {"render_keeps_documents_and_is_idempotent",
         test_corpus__render_keeps_documents_and_is_idempotent},
        {"tree_emitter_round_trips", test_corpus__tree_emitter_round_trips},
        {"halves_parse_as_the_whole", test_corpus__halves_parse_as_the_whole},
        {NULL, NULL},
    };
    CU_pSuite s = test_add_suite("corpus", cases, NULL, NULL);
    DIR *d = opendir(corpus_dir());
    if (d) {
        closedir(d);
        return;
    }
    fprintf(stderr, "corpus tests skipped: %s not found (set RI_CORPUS)\n",
            corpus_dir());
    if (s)
        CU_set_suite_active(s, CU_FALSE);
}
