/* Unit tests: graph output formats (text, DOT, Mermaid, JSON) and the child
 * process runner behind `graph CHART_DIR` (proc_run, helm_template). */
#include <errno.h>
#include <json.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "graph/graph_int.h"
#include "helm.h"
#include "output.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
    graph *g;
    sbuf out;
} fixture;

static int build(fixture *f, const char *text)
{
    int ret;
    memset(f, 0, sizeof(*f));
    sbuf_init(&f->out, (size_t)64 << 20);
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    if (!ret)
        ret = graph_build(&f->g, f->md, NULL);
    return ret;
}

static void done(fixture *f)
{
    sbuf_dispose(&f->out);
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

/* Namespace (0), a CR (1) listed before its CRD (2). */
static const char CRD_CR_NS[] =
    "# Source: x/templates/ns.yaml\n"
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
    "---\n# Source: x/templates/w.yaml\n"
    "apiVersion: x.io/v1\nkind: Widget\nmetadata:\n  name: w1\n"
    "  namespace: demo\n"
    "---\n"
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    "metadata:\n  name: widgets.x.io\n"
    "spec:\n  group: x.io\n  names: {kind: Widget, plural: widgets}\n"
    "  scope: Namespaced\n"
    "  versions: [{name: v1, served: true, storage: true}]\n";

/* A cycle (ConfigMaps a, b), sync-wave groups (virtual nodes), an optional
 * Secret reference and a name that needs escaping. */
static const char CYCLE_WAVES[] =
    "# Source: c/templates/a.yaml\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    "  namespace: demo\n"
    "  annotations: {readyinstall.io/depends-on: ConfigMap/demo/b}\n"
    "---\n# Source: c/templates/b.yaml\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
    "  namespace: demo\n"
    "  annotations: {readyinstall.io/depends-on: ConfigMap/demo/a}\n"
    "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\n"
    "  namespace: demo\n"
    "  annotations: {argocd.argoproj.io/sync-wave: \"-1\"}\n"
    "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: 's2\"x\\y'\n"
    "  namespace: other\n"
    "  annotations: {argocd.argoproj.io/sync-wave: \"2\"}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\n"
    "metadata: {name: web, namespace: demo}\n"
    "spec:\n  template:\n    spec:\n      containers:\n"
    "      - name: c\n        image: x\n        env:\n"
    "        - name: A\n          valueFrom:\n"
    "            secretKeyRef: {name: s1, key: k, optional: true}\n";

static const graph_edge *find_edge(const graph *g, uint32_t from, uint32_t to,
                                   edge_reason reason)
{
    size_t i;
    for (i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].to == to &&
            g->edges[i].reason == reason)
            return &g->edges[i];
    return NULL;
}

static int contains(const char *hay, const char *needle)
{
    int ok = strstr(hay, needle) != NULL;
    if (!ok)
        fprintf(stderr, "\n  missing: %s\n", needle);
    return ok;
}

static long pos_of(const char *hay, const char *needle)
{
    const char *p = strstr(hay, needle);
    return p ? (long)(p - hay) : -1;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_int))
        return -1;
    return json_object_get_int64(v);
}

static json_object *jarr(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_array))
        return NULL;
    return v;
}

/* Keys of an object, comma-separated, in their serialized order. */
static void keys_of(json_object *o, char *buf, size_t size)
{
    buf[0] = '\0';
    json_object_object_foreach(o, k, v)
    {
        (void)v;
        if (buf[0])
            strncat(buf, ",", size - strlen(buf) - 1);
        strncat(buf, k, size - strlen(buf) - 1);
    }
}

static json_object *edge_by_reason(json_object *edges, const char *reason)
{
    size_t i;
    for (i = 0; i < json_object_array_length(edges); i++) {
        json_object *e = json_object_array_get_idx(edges, i);
        const char *r = jstr(e, "reason");
        if (r && !strcmp(r, reason))
            return e;
    }
    return NULL;
}

static long order_pos(json_object *order, int64_t id)
{
    size_t i;
    for (i = 0; i < json_object_array_length(order); i++)
        if (json_object_get_int64(json_object_array_get_idx(order, i)) == id)
            return (long)i;
    return -1;
}

static void test_output__json_fields(void)
{
    fixture f;
    json_object *root, *nodes, *edges, *order, *cycles, *n, *e;
    char keys[256];
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    ASSERT_RC_OK(output_graph_json(&f.out, f.g, OUTPUT_JSON_PRETTY));
    root = json_tokener_parse(sbuf_cstr(&f.out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_EQUAL(jint(root, "version"), 1);
    keys_of(root, keys, sizeof(keys));
    ASSERT_STR(keys, "version,nodes,edges,order,cycles");

    nodes = jarr(root, "nodes");
    CU_ASSERT_PTR_NOT_NULL_FATAL(nodes);
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(nodes), 3);
    n = json_object_array_get_idx(nodes, 0);
    keys_of(n, keys, sizeof(keys));
    ASSERT_STR(keys, "id,apiVersion,kind,namespace,name,source");
    CU_ASSERT_EQUAL(jint(n, "id"), 0);
    ASSERT_STR(jstr(n, "apiVersion"), "v1");
    ASSERT_STR(jstr(n, "kind"), "Namespace");
    ASSERT_STR(jstr(n, "namespace"), ""); /* cluster-scoped */
    ASSERT_STR(jstr(n, "name"), "demo");
    ASSERT_STR(jstr(n, "source"), "x/templates/ns.yaml");
    n = json_object_array_get_idx(nodes, 1);
    CU_ASSERT_EQUAL(jint(n, "id"), 1);
    ASSERT_STR(jstr(n, "apiVersion"), "x.io/v1");
    ASSERT_STR(jstr(n, "kind"), "Widget");
    ASSERT_STR(jstr(n, "namespace"), "demo");
    ASSERT_STR(jstr(n, "name"), "w1");
    ASSERT_STR(jstr(n, "source"), "x/templates/w.yaml");
    n = json_object_array_get_idx(nodes, 2);
    CU_ASSERT_EQUAL(jint(n, "id"), 2);
    ASSERT_STR(jstr(n, "kind"), "CustomResourceDefinition");
    ASSERT_STR(jstr(n, "namespace"), "");
    ASSERT_STR(jstr(n, "source"), ""); /* no # Source: line */

    edges = jarr(root, "edges");
    CU_ASSERT_PTR_NOT_NULL_FATAL(edges);
    CU_ASSERT_EQUAL(json_object_array_length(edges), 2);
    e = edge_by_reason(edges, "crd");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    keys_of(e, keys, sizeof(keys));
    ASSERT_STR(keys, "from,to,reason,detail"); /* no flags: none set */
    CU_ASSERT_EQUAL(jint(e, "from"), 2);
    CU_ASSERT_EQUAL(jint(e, "to"), 1);
    ASSERT_STR(jstr(e, "detail"), find_edge(f.g, 2, 1, EDGE_CRD)->detail);
    e = edge_by_reason(edges, "namespace");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(jint(e, "from"), 0);
    CU_ASSERT_EQUAL(jint(e, "to"), 1);

    order = jarr(root, "order");
    CU_ASSERT_PTR_NOT_NULL_FATAL(order);
    CU_ASSERT_EQUAL(json_object_array_length(order), 3);
    CU_ASSERT(order_pos(order, 0) >= 0 && order_pos(order, 2) >= 0);
    CU_ASSERT(order_pos(order, 0) < order_pos(order, 1));
    CU_ASSERT(order_pos(order, 2) < order_pos(order, 1));
    cycles = jarr(root, "cycles");
    CU_ASSERT_PTR_NOT_NULL(cycles);
    CU_ASSERT_EQUAL(json_object_array_length(cycles), 0);
    json_object_put(root);
    done(&f);
}

static void test_output__json_compact_is_one_line_without_slash_escapes(void)
{
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    ASSERT_RC_OK(output_graph_json(&f.out, f.g, 0));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(strncmp(s, "{\"version\":1,\"nodes\":[{\"id\":0,"
                         "\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                         "\"namespace\":\"\",\"name\":\"demo\","
                         "\"source\":\"x/templates/ns.yaml\"}",
                      strlen("{\"version\":1,\"nodes\":[{\"id\":0,"
                             "\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
                             "\"namespace\":\"\",\"name\":\"demo\","
                             "\"source\":\"x/templates/ns.yaml\"}")) == 0);
    CU_ASSERT(strchr(s, '\n') == s + f.out.len - 1);
    CU_ASSERT(strstr(s, "\\/") == NULL);
    CU_ASSERT(contains(s, "\"cycles\":[]}\n"));
    done(&f);
}

static void test_output__json_flags_virtual_nodes_cycles_escaping(void)
{
    fixture f;
    json_object *root, *nodes, *edges, *cycles, *c, *flags;
    size_t i, nvirtual = 0, nflagged = 0;
    char keys[256];
    ASSERT_RC_OK(build(&f, CYCLE_WAVES));
    ASSERT_RC_OK(output_graph_json(&f.out, f.g, 0));
    root = json_tokener_parse(sbuf_cstr(&f.out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    nodes = jarr(root, "nodes");
    CU_ASSERT_PTR_NOT_NULL_FATAL(nodes);
    CU_ASSERT_EQUAL(json_object_array_length(nodes), graph_node_count(f.g));
    ASSERT_STR(jstr(json_object_array_get_idx(nodes, 3), "name"), "s2\"x\\y");
    for (i = f.md->nres; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        keys_of(n, keys, sizeof(keys));
        ASSERT_STR(keys, "id,virtual");
        CU_ASSERT_EQUAL(jint(n, "id"), (int64_t)i);
        ASSERT_STR(jstr(n, "virtual"), f.g->vnodes[i - f.md->nres].label);
        nvirtual++;
    }
    CU_ASSERT(nvirtual >= 1);

    edges = jarr(root, "edges");
    CU_ASSERT_PTR_NOT_NULL_FATAL(edges);
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(edges), f.g->nedges);
    for (i = 0; i < f.g->nedges; i++) {
        json_object *e = json_object_array_get_idx(edges, i);
        int has = json_object_object_get_ex(e, "flags", &flags);
        CU_ASSERT_EQUAL(has, f.g->edges[i].flags != 0);
        if (!has)
            continue;
        nflagged++;
        /* the only flagged edge here: the optional secretKeyRef */
        CU_ASSERT_EQUAL(jint(e, "from"), 2);
        CU_ASSERT_EQUAL(jint(e, "to"), 4);
        ASSERT_STR(jstr(e, "reason"), "reference");
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(flags), 1);
        ASSERT_STR(json_object_get_string(json_object_array_get_idx(flags, 0)),
                   "optional");
    }
    CU_ASSERT_EQUAL(nflagged, 1);

    cycles = jarr(root, "cycles");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cycles);
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(cycles), 1);
    c = json_object_array_get_idx(cycles, 0);
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(c), 2);
    CU_ASSERT_EQUAL(json_object_get_int64(json_object_array_get_idx(c, 0)), 0);
    CU_ASSERT_EQUAL(json_object_get_int64(json_object_array_get_idx(c, 1)), 1);
    json_object_put(root);
    done(&f);
}

static void test_output__json_every_flag_in_order(void)
{
    fixture f;
    json_object *root, *flags;
    const graph_edge *e;
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    /* output reads only nodes and edges: an edge added by hand is drawn */
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 2, EDGE_SERVICE,
                                EDGE_F_INFO | EDGE_F_MAYBE | EDGE_F_OPTIONAL |
                                    EDGE_F_EXTERNAL,
                                NULL, "all flags"));
    e = &f.g->edges[f.g->nedges - 1];
    CU_ASSERT_EQUAL(e->reason, EDGE_SERVICE);
    ASSERT_RC_OK(output_graph_json(&f.out, f.g, 0));
    root = json_tokener_parse(sbuf_cstr(&f.out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT(json_object_object_get_ex(
        edge_by_reason(jarr(root, "edges"), "service"), "flags", &flags));
    ASSERT_STR(json_object_to_json_string_ext(flags, JSON_C_TO_STRING_PLAIN),
               "[\"optional\",\"maybe\",\"external\",\"info\"]");
    json_object_put(root);
    done(&f);
}

/* The hand-written JSON strings print what json-c prints: every byte from
 * 1 to 255 (controls, quotes, backslash, slash, DEL, bytes of UTF-8 and
 * stray ones), and the empty and NULL strings. */
static void test_output__json_string_matches_json_c(void)
{
    char all[256], one[2] = {0, 0};
    const char *cases[] = {all, "", "plain", "a\"b\\c/d", "\xc3\xa9\x7f", one};
    sbuf b = SBUF_INIT;
    size_t i;
    int c;
    for (c = 1; c < 256; c++)
        all[c - 1] = (char)c;
    all[255] = '\0';
    for (c = 1; c < 256; c++) { /* each byte alone as well */
        one[0] = (char)c;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            json_object *o = json_object_new_string(cases[i]);
            const char *want = json_object_to_json_string_ext(
                o, JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PLAIN);
            sbuf_clear(&b);
            output_json_string(&b, cases[i]);
            if (strcmp(sbuf_cstr(&b), want))
                fprintf(stderr, "\n  byte %d case %zu: %s != %s\n", c, i,
                        sbuf_cstr(&b), want);
            CU_ASSERT_STRING_EQUAL(sbuf_cstr(&b), want);
            json_object_put(o);
        }
    }
    sbuf_clear(&b);
    output_json_string(&b, NULL);
    CU_ASSERT_STRING_EQUAL(sbuf_cstr(&b), "\"\"");
    sbuf_dispose(&b);
}

/* Each byte at each offset of a longer text: the eight-byte steps must
 * find it wherever it falls, next to UTF-8 and after other escapes. */
static void test_output__json_string_every_byte_at_every_offset(void)
{
    char text[40];
    sbuf b = SBUF_INIT;
    size_t at, len;
    int c, bad = 0;
    for (c = 1; c < 256; c++)
        for (len = 1; len < sizeof(text); len += 5)
            for (at = 0; at < len; at++) {
                json_object *o;
                memset(text, 'a', len);
                text[len] = '\0';
                if (len > 3)
                    text[len - 2] = (char)0xc3, text[len - 1] = (char)0xa9;
                if (at > 2)
                    text[at - 2] = '\n';
                text[at] = (char)c;
                o = json_object_new_string(text);
                sbuf_clear(&b);
                output_json_string(&b, text);
                if (strcmp(sbuf_cstr(&b),
                           json_object_to_json_string_ext(
                               o, JSON_C_TO_STRING_NOSLASHESCAPE |
                                      JSON_C_TO_STRING_PLAIN)))
                    bad++;
                json_object_put(o);
            }
    CU_ASSERT_EQUAL(bad, 0);
    sbuf_dispose(&b);
}

/* The document of test_output__json_writer_matches_json_c, with json_w. */
static void write_sample(json_w *w)
{
    json_w_open(w, NULL, '{');
    json_w_open(w, "a", '[');
    json_w_close(w, ']');
    json_w_open(w, "b", '[');
    json_w_open(w, NULL, '{');
    json_w_uint(w, "x", 1);
    json_w_close(w, '}');
    json_w_open(w, NULL, '{');
    json_w_str(w, "y", "s/\"t");
    json_w_close(w, '}');
    json_w_close(w, ']');
    json_w_open(w, "c", '{');
    json_w_bool(w, "d", 1);
    json_w_bool(w, "f", 0);
    json_w_open(w, "e", '[');
    json_w_str(w, NULL, "p");
    json_w_str(w, NULL, "q");
    json_w_close(w, ']');
    json_w_close(w, '}');
    json_w_uint(w, "n", UINT64_MAX);
    json_w_close(w, '}');
}

/* json_w lays a document out byte for byte as json-c's pretty printer does:
 * nesting, an empty array, arrays of objects and strings, numbers, booleans,
 * and a value that starts indented inside a bigger document. */
static void test_output__json_writer_matches_json_c(void)
{
    const char *doc = "{\"a\":[],\"b\":[{\"x\":1},{\"y\":\"s/\\\"t\"}],"
                      "\"c\":{\"d\":true,\"f\":false,\"e\":[\"p\",\"q\"]},"
                      "\"n\":18446744073709551615}";
    json_object *o = json_tokener_parse(doc);
    const char *want;
    sbuf b = SBUF_INIT;
    json_w w;
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    want = json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    json_w_init(&w, &b, 0);
    write_sample(&w);
    if (strcmp(sbuf_cstr(&b), want))
        fprintf(stderr, "\n  got:\n%s\n  want:\n%s\n", sbuf_cstr(&b), want);
    CU_ASSERT_STRING_EQUAL(sbuf_cstr(&b), want);
    /* compact: json-c's plain form */
    sbuf_clear(&b);
    json_w_init(&w, &b, 0);
    w.compact = 1;
    write_sample(&w);
    CU_ASSERT_STRING_EQUAL(
        sbuf_cstr(&b),
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                              JSON_C_TO_STRING_NOSLASHESCAPE));
    /* the same value at depth 2 of a document: every line after the first
     * two levels in */
    sbuf_clear(&b);
    json_w_init(&w, &b, 4);
    json_w_open(&w, NULL, '[');
    json_w_str(&w, NULL, "p");
    json_w_close(&w, ']');
    CU_ASSERT_STRING_EQUAL(sbuf_cstr(&b), "[\n      \"p\"\n    ]");
    json_object_put(o);
    sbuf_dispose(&b);
}

static void test_output__json_empty_manifest(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, ""));
    ASSERT_RC_OK(output_graph_json(&f.out, f.g, 0));
    ASSERT_STR(sbuf_cstr(&f.out), "{\"version\":1,\"nodes\":[],\"edges\":[],"
                                  "\"order\":[],\"cycles\":[]}\n");
    done(&f);
}

static void test_output__size_cap_is_rc_limit(void)
{
    fixture f;
    graph_format fmt;
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    for (fmt = GRAPH_FMT_TEXT; fmt <= GRAPH_FMT_JSON; fmt++) {
        sbuf small = SBUF_INIT;
        sbuf_init(&small, 40);
        CU_ASSERT_EQUAL(output_graph(&small, f.g, fmt), RC_LIMIT);
        sbuf_dispose(&small);
    }
    done(&f);
}

/* ---- DOT ----------------------------------------------------------------- */

static void test_output__dot_lines(void)
{
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 2, EDGE_SERVICE, EDGE_F_INFO, NULL,
                                "informational"));
    ASSERT_RC_OK(output_graph_dot(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(strncmp(s, "digraph readyinstall {\n", 23) == 0);
    CU_ASSERT(contains(s, "\n  n0 [label=\"Namespace\\ndemo\""));
    CU_ASSERT(contains(s, "\n  n2 [label=\"CustomResourceDefinition\\n"
                          "widgets.x.io\""));
    CU_ASSERT(contains(s, "\n  subgraph cluster_0 {\n    label=\"demo\";\n"));
    CU_ASSERT(contains(s, "\n    n1 [label=\"Widget\\nw1\", "
                          "tooltip=\"Widget/demo/w1 (x/templates/w.yaml)\""));
    CU_ASSERT(contains(s, "\n  n2 -> n1 [label=\"crd\""));
    CU_ASSERT(contains(s, "\n  n0 -> n1 [label=\"namespace\", "
                          "lhead=cluster_0, "));
    CU_ASSERT(contains(s, "compound=true"));
    CU_ASSERT(contains(s, "\n  n0 -> n2 [label=\"service\""));
    /* cluster-scoped objects stay outside the namespace cluster */
    CU_ASSERT(pos_of(s, "  n0 [") < pos_of(s, "subgraph cluster_0"));
    CU_ASSERT(pos_of(s, "  n2 [") < pos_of(s, "subgraph cluster_0"));
    CU_ASSERT(pos_of(s, "subgraph cluster_1") == -1);
    /* only the informational edge is dashed; no cycle, no red */
    CU_ASSERT(contains(s, "label=\"service\", color=\"#9e9e9e\", "
                          "fontcolor=\"#9e9e9e\", style=dashed"));
    CU_ASSERT_EQUAL(count_of(s, "style=dashed"), 1);
    CU_ASSERT(pos_of(s, "#c62828\"") == -1);
    CU_ASSERT(s[f.out.len - 2] == '}' && s[f.out.len - 1] == '\n');
    done(&f);
}

static void test_output__dot_cycles_escaping_and_virtual_nodes(void)
{
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, CYCLE_WAVES));
    ASSERT_RC_OK(output_graph_dot(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(contains(s, "    n0 [label=\"ConfigMap\\na\", tooltip="
                          "\"ConfigMap/demo/a (c/templates/a.yaml)\", "
                          "color=\"#c62828\", penwidth=2"));
    CU_ASSERT(contains(s, "    n1 [label=\"ConfigMap\\nb\""));
    CU_ASSERT(contains(s, "\n  n0 -> n1 [label=\"explicit\", "
                          "color=\"#c62828\""));
    /* not in the cycle: ordinary colours */
    CU_ASSERT(contains(s, "    n2 [label=\"Secret\\ns1\", tooltip="
                          "\"Secret/demo/s1\"];\n"));
    CU_ASSERT(contains(s, "n3 [label=\"Secret\\ns2\\\"x\\\\y\""));
    CU_ASSERT(contains(s, "\n  subgraph cluster_1 {\n    label=\"other\";"));
    CU_ASSERT(contains(s, "shape=ellipse, style=dashed"));
    /* the optional reference is drawn dotted */
    CU_ASSERT(contains(s, "n2 -> n4 [label=\"reference\", color=\"#455a64\", "
                          "fontcolor=\"#455a64\", style=dotted"));
    done(&f);
}

/* A Namespace's edges into its own box are drawn once, to the box; a
 * namespace edge to an object elsewhere is not folded into another box. */
static void test_output__namespace_edges_drawn_once_per_box(void)
{
    static const char text[] =
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n"
        "---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: a, namespace: demo}\n"
        "---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: b, namespace: demo}\n"
        "---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: c, namespace: other}\n";
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, text));
    CU_ASSERT_PTR_NOT_NULL(find_edge(f.g, 0, 1, EDGE_NAMESPACE));
    CU_ASSERT_PTR_NOT_NULL(find_edge(f.g, 0, 2, EDGE_NAMESPACE));
    /* by hand: an edge no rule makes, which must stay a plain edge */
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 3, EDGE_NAMESPACE, 0, NULL, "x"));
    ASSERT_RC_OK(output_graph_dot(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    CU_ASSERT_EQUAL(count_of(s, "label=\"namespace\""), 2);
    CU_ASSERT_EQUAL(count_of(s, "lhead="), 1);
    CU_ASSERT(contains(s, "n0 -> n1 [label=\"namespace\", lhead=cluster_0, "));
    CU_ASSERT(contains(s, "n0 -> n3 [label=\"namespace\", color="));
    sbuf_clear(&f.out);
    ASSERT_RC_OK(output_graph_mermaid(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    CU_ASSERT_EQUAL(count_of(s, "|namespace|"), 2);
    CU_ASSERT(contains(s, "\n  n0 -->|namespace| ns0\n"));
    CU_ASSERT(contains(s, "\n  n0 -->|namespace| n3\n"));
    done(&f);
}

/* dot accepts the output without a warning. Skipped without graphviz. */
static void test_output__dot_renders_with_graphviz(void)
{
    static const char *const texts[] = {CRD_CR_NS, CYCLE_WAVES};
    /* compound edges (lhead) need a cluster: CRD_CR_NS has one */
    size_t i;
    for (i = 0; i < 2; i++) {
        fixture f;
        char path[] = "/tmp/ri-dot-XXXXXX";
        const char *argv[] = {"dot", "-Tsvg", path, NULL};
        sbuf svg = SBUF_INIT, err = SBUF_INIT;
        int fd, status, ret;
        ASSERT_RC_OK(build(&f, texts[i]));
        ASSERT_RC_OK(output_graph_dot(&f.out, f.g));
        fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(write(fd, f.out.ptr, f.out.len) == (ssize_t)f.out.len);
        close(fd);
        ret = proc_run(argv, &svg, &err, &status);
        if (ret == RC_IO && strstr(err_last()->msg, "not found")) {
            fprintf(stderr, " (skipped: no graphviz) ");
        } else {
            ASSERT_RC_OK(ret);
            CU_ASSERT_EQUAL(status, 0);
            if (err.len)
                fprintf(stderr, "\n  dot: %s\n", sbuf_cstr(&err));
            CU_ASSERT_EQUAL(err.len, 0);
            CU_ASSERT(strstr(sbuf_cstr(&svg), "<svg") != NULL);
        }
        unlink(path);
        sbuf_dispose(&svg);
        sbuf_dispose(&err);
        done(&f);
    }
}

/* ---- Mermaid ------------------------------------------------------------- */

static void test_output__mermaid_lines(void)
{
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 2, EDGE_SERVICE, EDGE_F_INFO, NULL,
                                "informational"));
    ASSERT_RC_OK(output_graph_mermaid(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(strncmp(s, "flowchart LR\n", 13) == 0);
    CU_ASSERT(contains(s, "\n  n0[\"Namespace<br/>demo\"]\n"));
    CU_ASSERT(contains(s, "\n  subgraph ns0[\"demo\"]\n"
                          "    n1[\"Widget<br/>w1\"]\n  end\n"));
    CU_ASSERT(contains(s, "\n  n2 -->|crd| n1\n"));
    CU_ASSERT(contains(s, "\n  n0 -->|namespace| ns0\n"));
    CU_ASSERT(pos_of(s, "n0 -->|namespace| n1") == -1);
    CU_ASSERT(contains(s, "\n  n0 -.->|service| n2\n"));
    CU_ASSERT(pos_of(s, "n0 -->|service|") == -1);
    CU_ASSERT(pos_of(s, "classDef") == -1);
    done(&f);
}

static void test_output__mermaid_escaping_cycles_virtual(void)
{
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, CYCLE_WAVES));
    ASSERT_RC_OK(output_graph_mermaid(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    /* a quote inside a label would end it: written as an entity */
    CU_ASSERT(contains(s, "    n3[\"Secret<br/>s2#quot;x\\y\"]\n"));
    CU_ASSERT(contains(s, "\n  subgraph ns1[\"other\"]\n"));
    CU_ASSERT(contains(s, "([\"argocd.argoproj.io/sync-wave"));
    CU_ASSERT(contains(s, "\n  classDef cycle "));
    CU_ASSERT(contains(s, "\n  class n0,n1 cycle\n"));
    done(&f);
}

static void test_output__mermaid_entities(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                           "  name: 'a<b>&#c`d\"'\n"));
    ASSERT_RC_OK(output_graph_mermaid(&f.out, f.g));
    CU_ASSERT(contains(sbuf_cstr(&f.out),
                       "[\"ConfigMap<br/>a#lt;b#gt;#amp;#35;c#96;d#quot;\"]"));
    done(&f);
}

/* ---- text ---------------------------------------------------------------- */

static void test_output__text_blocks_order(void)
{
    fixture f;
    sbuf want = SBUF_INIT;
    ASSERT_RC_OK(build(&f, CRD_CR_NS));
    ASSERT_RC_OK(output_graph_text(&f.out, f.g));
    sbuf_init(&want, 1 << 16);
    sbuf_printf(&want,
                "Namespace/demo -> Widget/demo/w1  [namespace]\n    %s\n"
                "CustomResourceDefinition/widgets.x.io -> Widget/demo/w1  "
                "[crd]\n    %s\n"
                "\nOrder:\n"
                "  1. Namespace/demo  (x/templates/ns.yaml)\n"
                "  2. CustomResourceDefinition/widgets.x.io  (input line 14)\n"
                "  3. Widget/demo/w1  (x/templates/w.yaml)\n",
                find_edge(f.g, 0, 1, EDGE_NAMESPACE)->detail,
                find_edge(f.g, 2, 1, EDGE_CRD)->detail);
    ASSERT_STR(sbuf_cstr(&f.out), sbuf_cstr(&want));
    sbuf_dispose(&want);
    done(&f);
}

/* Blocks follow the render order of the target, then of the source, not
 * the input order or the edge array's order. */
static void test_output__text_follows_render_order(void)
{
    fixture f;
    const char *s;
    long sa, cm, crd;
    ASSERT_RC_OK(build(
        &f, "apiVersion: x.io/v1\nkind: Widget\nmetadata: {name: w, "
            "namespace: d}\n"
            "---\napiVersion: apiextensions.k8s.io/v1\n"
            "kind: CustomResourceDefinition\nmetadata: {name: widgets.x.io}\n"
            "spec: {group: x.io, names: {kind: Widget, plural: widgets}, "
            "scope: Namespaced}\n"
            "---\napiVersion: apps/v1\nkind: Deployment\n"
            "metadata: {name: web, namespace: d}\n"
            "spec:\n  template:\n    spec:\n      serviceAccountName: sa\n"
            "      containers:\n      - name: c\n        image: x\n"
            "        envFrom: [{configMapRef: {name: cm}}]\n"
            "---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: cm, namespace: d}\n"
            "---\napiVersion: v1\nkind: ServiceAccount\n"
            "metadata: {name: sa, namespace: d}\n"));
    /* edges are stored by source id: CRD(1), ConfigMap(3), SA(4) */
    CU_ASSERT_PTR_NOT_NULL(find_edge(f.g, 3, 2, EDGE_REFERENCE));
    CU_ASSERT_PTR_NOT_NULL(find_edge(f.g, 4, 2, EDGE_REFERENCE));
    CU_ASSERT_PTR_NOT_NULL(find_edge(f.g, 1, 0, EDGE_CRD));
    ASSERT_RC_OK(output_graph_text(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    sa = pos_of(s, "ServiceAccount/d/sa -> Deployment/d/web  [reference]\n");
    cm = pos_of(s, "ConfigMap/d/cm -> Deployment/d/web  [reference]\n");
    crd = pos_of(s, "CustomResourceDefinition/widgets.x.io -> Widget/d/w  "
                    "[crd]\n");
    CU_ASSERT(sa == 0);
    CU_ASSERT(cm > sa);
    CU_ASSERT(crd > cm);
    CU_ASSERT(pos_of(s, "Cycles") == -1);
    done(&f);
}

static void test_output__text_cycles_flags_virtual(void)
{
    fixture f;
    const char *s;
    ASSERT_RC_OK(build(&f, CYCLE_WAVES));
    ASSERT_RC_OK(output_graph_text(&f.out, f.g));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(contains(s, "Secret/demo/s1 -> Deployment/demo/web  "
                          "[reference] (optional)\n    "));
    CU_ASSERT(contains(s, "ConfigMap/demo/a -> ConfigMap/demo/b  "
                          "[explicit]\n"));
    CU_ASSERT(contains(s, "Secret/demo/s1 -> argocd.argoproj.io/sync-wave"));
    CU_ASSERT(contains(s, "\nCycles (1; their members keep their input "
                          "order):\n  cycle 1, 2 objects:\n"
                          "    ConfigMap/demo/a  (c/templates/a.yaml)\n"
                          "    ConfigMap/demo/b  (c/templates/b.yaml)\n"));
    /* a virtual node's incoming edges come before the edges it leads to */
    CU_ASSERT(pos_of(s, "Secret/demo/s1 -> argocd") <
              pos_of(s, "-> ConfigMap/demo/a  [explicit]"));
    done(&f);
}

static void test_output__text_control_characters_are_visible(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                           "  name: \"a\\nb\"\n  namespace: n\n"));
    ASSERT_RC_OK(output_graph_text(&f.out, f.g));
    ASSERT_STR(sbuf_cstr(&f.out), "No dependencies found (1 object).\n"
                                  "\nOrder:\n"
                                  "  1. ConfigMap/n/a\\x0ab  (input line 1)\n");
    done(&f);
}

/* ---- proc_run / helm_template -------------------------------------------- */

static void test_output__proc_run_captures_both_streams_and_status(void)
{
    const char *argv[] = {"/bin/sh", "-c",
                          "printf 'to out'; printf 'to err' >&2; exit 3",
                          NULL};
    sbuf out = SBUF_INIT, err = SBUF_INIT;
    int status = -5;
    ASSERT_RC_OK(proc_run(argv, &out, &err, &status));
    ASSERT_STR(sbuf_cstr(&out), "to out");
    ASSERT_STR(sbuf_cstr(&err), "to err");
    CU_ASSERT_EQUAL(status, 3);
    sbuf_clear(&out);
    sbuf_clear(&err);
    /* NULL discards a stream */
    ASSERT_RC_OK(proc_run(argv, NULL, &err, &status));
    ASSERT_STR(sbuf_cstr(&err), "to err");
    sbuf_dispose(&out);
    sbuf_dispose(&err);
}

static void test_output__proc_run_no_shell_between(void)
{
    const char *argv[] = {"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh",
                          "a b", "$HOME", "*", "", NULL};
    sbuf out = SBUF_INIT;
    int status;
    ASSERT_RC_OK(proc_run(argv, &out, NULL, &status));
    ASSERT_STR(sbuf_cstr(&out), "a b|$HOME|*||");
    CU_ASSERT_EQUAL(status, 0);
    sbuf_dispose(&out);
}

static void test_output__proc_run_signal_status(void)
{
    const char *argv[] = {"/bin/sh", "-c", "kill -TERM $$", NULL};
    int status;
    ASSERT_RC_OK(proc_run(argv, NULL, NULL, &status));
    CU_ASSERT_EQUAL(status, 128 + SIGTERM);
}

static void test_output__proc_run_missing_program(void)
{
    const char *argv[] = {"/nonexistent/ri-no-such-prog", NULL};
    const char *bare[] = {"ri-no-such-prog-in-path", NULL};
    const char *dir[] = {"/tmp", NULL};
    int status = 0;
    CU_ASSERT_EQUAL(proc_run(argv, NULL, NULL, &status), RC_IO);
    ASSERT_STR(err_last()->msg, "/nonexistent/ri-no-such-prog: not found");
    CU_ASSERT_EQUAL(status, -1);
    CU_ASSERT_EQUAL(proc_run(bare, NULL, NULL, &status), RC_IO);
    ASSERT_STR(err_last()->msg, "ri-no-such-prog-in-path: not found");
    CU_ASSERT_EQUAL(proc_run(dir, NULL, NULL, &status), RC_IO);
    CU_ASSERT(contains(err_last()->msg, "/tmp: cannot run it: "));
    CU_ASSERT_EQUAL(proc_run(NULL, NULL, NULL, &status), RC_INVALID);
}

/* 1 MiB on each pipe, the second stream first: a reader that waited for
 * EOF on stdout before reading stderr would deadlock (a pipe holds 64 KiB). */
static void test_output__proc_run_large_output_no_deadlock(void)
{
    static const char *const scripts[] = {
        "head -c 1048576 /dev/zero | tr '\\0' e >&2; "
        "head -c 1048576 /dev/zero | tr '\\0' o",
        "head -c 1048576 /dev/zero | tr '\\0' o; "
        "head -c 1048576 /dev/zero | tr '\\0' e >&2",
    };
    size_t i, k;
    alarm(60); /* a deadlock fails the run instead of hanging it */
    for (i = 0; i < 2; i++) {
        const char *argv[] = {"/bin/sh", "-c", scripts[i], NULL};
        sbuf out = SBUF_INIT, err = SBUF_INIT;
        int status = -1, bad = 0;
        ASSERT_RC_OK(proc_run(argv, &out, &err, &status));
        CU_ASSERT_EQUAL(status, 0);
        CU_ASSERT_EQUAL(out.len, 1048576);
        CU_ASSERT_EQUAL(err.len, 1048576);
        for (k = 0; k < out.len && k < err.len; k++)
            bad += out.ptr[k] != 'o' || err.ptr[k] != 'e';
        CU_ASSERT_EQUAL(bad, 0);
        sbuf_dispose(&out);
        sbuf_dispose(&err);
    }
    alarm(0);
}

/* Output beyond the sbuf cap stops the child instead of reading forever. */
static void test_output__proc_run_cap_kills_child(void)
{
    const char *argv[] = {"/bin/sh", "-c", "while :; do echo yyyyyyyy; done",
                          NULL};
    sbuf out = SBUF_INIT;
    int status = 0;
    alarm(60);
    sbuf_init(&out, 100000);
    CU_ASSERT_EQUAL(proc_run(argv, &out, NULL, &status), RC_LIMIT);
    CU_ASSERT(contains(err_last()->msg, "the output of /bin/sh exceeds "
                                        "100000 bytes"));
    CU_ASSERT_EQUAL(status, 128 + SIGKILL);
    sbuf_dispose(&out);
    alarm(0);
}

static volatile sig_atomic_t ticks;
static void on_tick(int sig)
{
    (void)sig;
    ticks++;
}

/* A signal handler without SA_RESTART interrupts poll/read/waitpid. */
static void test_output__proc_run_survives_eintr(void)
{
    const char *argv[] = {"/bin/sh", "-c",
                          "sleep 0.2; printf done; printf e >&2; sleep 0.1",
                          NULL};
    struct sigaction sa, old;
    struct itimerval tv, off;
    sbuf out = SBUF_INIT, err = SBUF_INIT;
    int status = -1, ret;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_tick;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    memset(&tv, 0, sizeof(tv));
    memset(&off, 0, sizeof(off));
    tv.it_interval.tv_usec = 2000;
    tv.it_value.tv_usec = 2000;
    ticks = 0;
    setitimer(ITIMER_REAL, &tv, NULL);
    ret = proc_run(argv, &out, &err, &status);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    ASSERT_RC_OK(ret);
    CU_ASSERT(ticks > 10);
    ASSERT_STR(sbuf_cstr(&out), "done");
    ASSERT_STR(sbuf_cstr(&err), "e");
    CU_ASSERT_EQUAL(status, 0);
    sbuf_dispose(&out);
    sbuf_dispose(&err);
}

static void test_output__helm_template_argv(void)
{
    char path[] = "/tmp/ri-fake-helm-XXXXXX";
    static const char script[] = "#!/bin/sh\nprintf '%s\\n' \"$@\"\n"
                                 "echo 'WARNING: from helm' >&2\nexit 0\n";
    const char *extra[] = {"--set", "a=b c", "--include-crds", NULL};
    sbuf out = SBUF_INIT, err = SBUF_INIT;
    int fd = mkstemp(path), status = -1;
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(write(fd, script, sizeof(script) - 1) ==
              (ssize_t)(sizeof(script) - 1));
    close(fd);
    chmod(path, 0700);
    ASSERT_RC_OK(helm_template(&out, &err, path, "rel", "./my chart", extra,
                               &status));
    ASSERT_STR(sbuf_cstr(&out),
               "template\nrel\n./my chart\n--set\na=b c\n--include-crds\n");
    ASSERT_STR(sbuf_cstr(&err), "WARNING: from helm\n");
    CU_ASSERT_EQUAL(status, 0);
    sbuf_clear(&out);
    ASSERT_RC_OK(helm_template(&out, NULL, path, "r", "c", NULL, &status));
    ASSERT_STR(sbuf_cstr(&out), "template\nr\nc\n");
    unlink(path);
    sbuf_dispose(&out);
    sbuf_dispose(&err);
}

static void test_output__helm_template_missing_helm(void)
{
    sbuf out = SBUF_INIT;
    int status = 0;
    CU_ASSERT_EQUAL(helm_template(&out, NULL, "ri-no-such-helm", "r", "c",
                                  NULL, &status),
                    RC_IO);
    ASSERT_STR(err_last()->msg,
               "ri-no-such-helm: not found (set --helm or HELM_BIN)");
    CU_ASSERT_EQUAL(out.len, 0);
    sbuf_dispose(&out);
}

void suite_output(void)
{
    static const test_case cases[] = {
        {"json_fields", test_output__json_fields},
        {"json_compact_is_one_line_without_slash_escapes",
         test_output__json_compact_is_one_line_without_slash_escapes},
        {"json_flags_virtual_nodes_cycles_escaping",
         test_output__json_flags_virtual_nodes_cycles_escaping},
        {"json_every_flag_in_order", test_output__json_every_flag_in_order},
        {"json_string_matches_json_c", test_output__json_string_matches_json_c},
        {"json_string_every_byte_at_every_offset",
         test_output__json_string_every_byte_at_every_offset},
        {"json_writer_matches_json_c", test_output__json_writer_matches_json_c},
        {"json_empty_manifest", test_output__json_empty_manifest},
        {"size_cap_is_rc_limit", test_output__size_cap_is_rc_limit},
        {"dot_lines", test_output__dot_lines},
        {"dot_cycles_escaping_and_virtual_nodes",
         test_output__dot_cycles_escaping_and_virtual_nodes},
        {"namespace_edges_drawn_once_per_box",
         test_output__namespace_edges_drawn_once_per_box},
        {"dot_renders_with_graphviz", test_output__dot_renders_with_graphviz},
        {"mermaid_lines", test_output__mermaid_lines},
        {"mermaid_escaping_cycles_virtual",
         test_output__mermaid_escaping_cycles_virtual},
        {"mermaid_entities", test_output__mermaid_entities},
        {"text_blocks_order", test_output__text_blocks_order},
        {"text_follows_render_order", test_output__text_follows_render_order},
        {"text_cycles_flags_virtual", test_output__text_cycles_flags_virtual},
        {"text_control_characters_are_visible",
         test_output__text_control_characters_are_visible},
        {"proc_run_captures_both_streams_and_status",
         test_output__proc_run_captures_both_streams_and_status},
        {"proc_run_no_shell_between", test_output__proc_run_no_shell_between},
        {"proc_run_signal_status", test_output__proc_run_signal_status},
        {"proc_run_missing_program", test_output__proc_run_missing_program},
        {"proc_run_large_output_no_deadlock",
         test_output__proc_run_large_output_no_deadlock},
        {"proc_run_cap_kills_child", test_output__proc_run_cap_kills_child},
        {"proc_run_survives_eintr", test_output__proc_run_survives_eintr},
        {"helm_template_argv", test_output__helm_template_argv},
        {"helm_template_missing_helm",
         test_output__helm_template_missing_helm},
        {NULL, NULL},
    };
    test_add_suite("output", cases, NULL, NULL);
}
