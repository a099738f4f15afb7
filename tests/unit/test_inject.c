/*
 * Unit tests: injected wait containers are what the Kubernetes API accepts
 * (DNS-1123 names, unique container and volume names, mounts of existing
 * volumes) and what the Pod Security "restricted" profile requires.
 */
#include <ctype.h>
#include <stdlib.h>

#include "model.h"
#include "render.h"
#include "test.h"

static const char *INPUT =
    "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
    "metadata: {name: tls, namespace: demo}\n"
    "spec: {secretName: tls, issuerRef: {name: i}}\n"
    "---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
    "metadata: {name: creds, namespace: demo}\n"
    "spec: {secretStoreRef: {name: s}, data: [{secretKey: pw}]}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\n"
    "metadata: {name: web, namespace: demo}\n"
    "spec:\n  template:\n    spec:\n"
    "      initContainers: [{name: readyinstall-wait, image: theirs}]\n"
    "      containers:\n"
    "      - name: app\n        image: app\n"
    "        env: [{name: PW, valueFrom: {secretKeyRef: {name: creds, key: "
    "pw}}}]\n"
    "        volumeMounts: [{name: tls, mountPath: /tls}]\n"
    "      volumes:\n"
    "      - {name: tls, secret: {secretName: tls}}\n"
    "      - {name: readyinstall-wait, emptyDir: {}}\n"
    "---\napiVersion: batch/v1\nkind: CronJob\n"
    "metadata: {name: job, namespace: demo}\n"
    "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
    "          containers: [{name: c, image: c, envFrom: [{secretRef: "
    "{name: creds}}]}]\n";

static int dns1123_label(const char *s)
{
    size_t n = strlen(s), i;
    if (!n || n > 63 || !isalnum((unsigned char)s[0]) ||
        !isalnum((unsigned char)s[n - 1]))
        return 0;
    for (i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int count_named(const node *seq, const char *name)
{
    uint32_t i;
    int n = 0;
    seq = node_deref(seq);
    for (i = 0; seq && seq->type == NODE_SEQUENCE && i < seq->len;
         i++) {
        const char *v = node_get_str(seq->u.coll.items[i], "name");
        n += v && !strcmp(v, name);
    }
    return n;
}

static void check_names_unique(const node *spec)
{
    static const char *const lists[] = {"containers", "initContainers"};
    size_t l;
    uint32_t i;
    for (l = 0; l < 2; l++) {
        const node *seq = node_deref(node_get(spec, lists[l]));
        for (i = 0; seq && i < seq->len; i++) {
            const char *n = node_get_str(seq->u.coll.items[i], "name");
            CU_ASSERT_PTR_NOT_NULL_FATAL(n);
            CU_ASSERT(dns1123_label(n));
            CU_ASSERT_EQUAL(count_named(node_get(spec, "containers"), n) +
                                count_named(node_get(spec, "initContainers"),
                                            n),
                            1);
        }
    }
    {
        const node *vols = node_deref(node_get(spec, "volumes"));
        for (i = 0; vols && i < vols->len; i++) {
            const char *n = node_get_str(vols->u.coll.items[i], "name");
            CU_ASSERT(n && dns1123_label(n));
            CU_ASSERT_EQUAL(count_named(vols, n), 1);
        }
    }
}

static void check_wait_container(const node *spec)
{
    const node *first = node_deref(node_get(spec, "initContainers"));
    const node *ct, *sc, *mounts, *drop;
    uint32_t i;
    int all = 0;
    CU_ASSERT_FATAL(first && first->type == NODE_SEQUENCE &&
                    first->len >= 1);
    ct = node_deref(first->u.coll.items[0]);
    CU_ASSERT(!strncmp(node_get_str(ct, "name"), "readyinstall-wait", 17));
    sc = node_get(ct, "securityContext");
    ASSERT_STR(node_get_str(sc, "runAsNonRoot"), "true");
    ASSERT_STR(node_get_str(sc, "allowPrivilegeEscalation"), "false");
    ASSERT_STR(node_str(node_path(sc, "seccompProfile.type")),
               "RuntimeDefault");
    CU_ASSERT(atoi(node_get_str(sc, "runAsUser")) > 0);
    drop = node_deref(node_path(sc, "capabilities.drop"));
    for (i = 0; drop && i < drop->len; i++)
        all |= !strcmp(node_str(drop->u.coll.items[i]), "ALL");
    CU_ASSERT(all);
    CU_ASSERT_PTR_NOT_NULL(node_path(ct, "resources.limits.memory"));
    mounts = node_deref(node_get(ct, "volumeMounts"));
    CU_ASSERT_FATAL(mounts && mounts->len > 0);
    for (i = 0; i < mounts->len; i++) {
        const node *mt = mounts->u.coll.items[i];
        const char *vol = node_get_str(mt, "name");
        const node *vols = node_deref(node_get(spec, "volumes"));
        uint32_t k;
        int found = 0;
        ASSERT_STR(node_get_str(mt, "readOnly"), "true");
        for (k = 0; vols && k < vols->len; k++)
            if (!strcmp(node_get_str(vols->u.coll.items[k], "name"), vol)) {
                /* the volume the wait reads must be optional to mount */
                ASSERT_STR(node_str(node_path(vols->u.coll.items[k],
                                              "secret.optional")),
                           "true");
                found = 1;
            }
        CU_ASSERT(found);
    }
}

static void test_inject__api_valid_and_restricted(void)
{
    manifest *m = NULL, *out = NULL;
    model *md = NULL;
    sbuf b = SBUF_INIT;
    size_t i, injected = 0;
    sbuf_init(&b, (size_t)-1);
    ASSERT_RC_OK(render_stream(&b, &m, "<t>", INPUT, strlen(INPUT), NULL,
                               NULL));
    ASSERT_RC_OK(manifest_parse(&out, "<out>", sbuf_cstr(&b), b.len, NULL));
    ASSERT_RC_OK(model_build(&md, out));
    for (i = 0; i < md->nres; i++) {
        const resource *r = &md->res[i];
        if (!r->pod_spec)
            continue;
        check_names_unique(r->pod_spec);
        check_wait_container(r->pod_spec);
        injected++;
    }
    CU_ASSERT_EQUAL(injected, 2);
    model_free(md);
    manifest_free(out);
    manifest_free(m);
    sbuf_dispose(&b);
}

static void test_inject__user_container_keeps_its_place(void)
{
    manifest *m = NULL, *out = NULL;
    model *md = NULL;
    sbuf b = SBUF_INIT;
    const node *inits;
    sbuf_init(&b, (size_t)-1);
    ASSERT_RC_OK(render_stream(&b, &m, "<t>", INPUT, strlen(INPUT), NULL,
                               NULL));
    ASSERT_RC_OK(manifest_parse(&out, "<out>", sbuf_cstr(&b), b.len, NULL));
    ASSERT_RC_OK(model_build(&md, out));
    inits = NULL;
    for (size_t i = 0; i < md->nres; i++)
        if (!strcmp(md->res[i].kind, "Deployment"))
            inits = node_deref(node_get(md->res[i].pod_spec, "initContainers"));
    CU_ASSERT_FATAL(inits && inits->len == 2);
    ASSERT_STR(node_get_str(inits->u.coll.items[0], "name"),
               "readyinstall-wait-2");
    ASSERT_STR(node_get_str(inits->u.coll.items[1], "name"),
               "readyinstall-wait"); /* the user's, second now */
    ASSERT_STR(node_get_str(inits->u.coll.items[1], "image"), "theirs");
    model_free(md);
    manifest_free(out);
    manifest_free(m);
    sbuf_dispose(&b);
}

/* Names already taken, however many, leave the least free one: volumes
 * readyinstall-wait and -2 .. -1200 (more than any fixed number of tries),
 * containers readyinstall-wait, -2, -3 and -02 (not -2: names are text). */
static void test_inject__least_free_name(void)
{
    manifest *m = NULL, *out = NULL;
    model *md = NULL;
    sbuf in = SBUF_INIT, b = SBUF_INIT;
    const node *spec = NULL, *inits, *vols;
    int k;
    sbuf_init(&in, (size_t)-1);
    sbuf_init(&b, (size_t)-1);
    sbuf_puts(&in, "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
                   "metadata: {name: tls, namespace: demo}\n"
                   "spec: {secretName: tls, issuerRef: {name: i}}\n"
                   "---\napiVersion: apps/v1\nkind: Deployment\n"
                   "metadata: {name: web, namespace: demo}\n"
                   "spec:\n  template:\n    spec:\n"
                   "      initContainers:\n"
                   "      - {name: readyinstall-wait, image: a}\n"
                   "      - {name: readyinstall-wait-2, image: a}\n"
                   "      - {name: readyinstall-wait-02, image: a}\n"
                   "      containers:\n"
                   "      - name: readyinstall-wait-3\n        image: app\n"
                   "        envFrom: [{secretRef: {name: tls}}]\n"
                   "      volumes:\n"
                   "      - {name: readyinstall-wait, emptyDir: {}}\n");
    for (k = 2; k <= 1200; k++)
        sbuf_printf(&in, "      - {name: readyinstall-wait-%d, emptyDir: {}}\n",
                    k);
    ASSERT_RC_OK(render_stream(&b, &m, "<t>", sbuf_cstr(&in), in.len, NULL,
                               NULL));
    ASSERT_RC_OK(manifest_parse(&out, "<out>", sbuf_cstr(&b), b.len, NULL));
    ASSERT_RC_OK(model_build(&md, out));
    for (size_t i = 0; i < md->nres; i++)
        if (!strcmp(md->res[i].kind, "Deployment"))
            spec = md->res[i].pod_spec;
    CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
    inits = node_deref(node_get(spec, "initContainers"));
    vols = node_deref(node_get(spec, "volumes"));
    CU_ASSERT_FATAL(inits && inits->len == 4 && vols && vols->len == 1201);
    ASSERT_STR(node_get_str(inits->u.coll.items[0], "name"),
               "readyinstall-wait-4");
    ASSERT_STR(node_get_str(vols->u.coll.items[1200], "name"),
               "readyinstall-wait-1201");
    ASSERT_STR(node_get_str(node_path(vols->u.coll.items[1200], "secret"),
                            "secretName"),
               "tls");
    model_free(md);
    manifest_free(out);
    manifest_free(m);
    sbuf_dispose(&b);
    sbuf_dispose(&in);
}

/* A workload whose volumes, initContainers or template metadata cannot be
 * extended is skipped with that reason, before anything changes: its tree
 * is still what its document says (once its secret volume was already
 * made optional), and it goes out as written. */
static void test_inject__unchangeable_left_as_parsed(void)
{
    static const char *const shapes[] = {
        "      volumes: not-a-list\n",
        "      initContainers: not-a-list\n      volumes: [{name: v, "
        "secret: {secretName: tls}}]\n",
        "      volumes: [{name: v, secret: {secretName: tls}}]\n",
        "      volumes: [{name: v, secret: {secretName: tls}}]\n",
    };
    static const char *const metas[] = {"", "", "    metadata: [none]\n",
                                        "    metadata: {annotations: x}\n"};
    size_t i;
    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        char in[1024], *doc;
        manifest *m = NULL, *fresh = NULL;
        sbuf out = SBUF_INIT, report = SBUF_INIT, a = SBUF_INIT,
             b = SBUF_INIT;
        render_info info;
        snprintf(in, sizeof(in),
                 "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
                 "metadata: {name: tls, namespace: demo}\n"
                 "spec: {secretName: tls, issuerRef: {name: i}}\n"
                 "---\napiVersion: apps/v1\nkind: Deployment\n"
                 "metadata: {name: d, namespace: demo}\n"
                 "spec:\n  template:\n%s    spec:\n%s"
                 "      containers:\n      - name: c\n        image: c\n"
                 "        volumeMounts: [{name: v, mountPath: /v}]\n"
                 "        env: [{name: T, valueFrom: {secretKeyRef: {name: "
                 "tls, key: tls.crt}}}]\n",
                 metas[i], shapes[i]);
        doc = strstr(in, "---\n") + 4;
        memset(&info, 0, sizeof(info));
        sbuf_init(&out, (size_t)-1);
        sbuf_init(&report, (size_t)-1);
        info.report = &report;
        ASSERT_RC_OK(render_stream(&out, &m, "<t>", in, strlen(in), NULL,
                                   &info));
        CU_ASSERT_EQUAL(info.injected, 0);
        CU_ASSERT_EQUAL(info.not_injected, 1);
        CU_ASSERT(strstr(sbuf_cstr(&report), "cannot be extended") != NULL);
        CU_ASSERT(strstr(sbuf_cstr(&out), doc) != NULL); /* as written */
        ASSERT_RC_OK(manifest_parse(&fresh, "<t>", in, strlen(in), NULL));
        sbuf_init(&a, (size_t)-1);
        sbuf_init(&b, (size_t)-1);
        ASSERT_RC_OK(node_emit_yaml(&a, m->docs[1].root, "\n"));
        ASSERT_RC_OK(node_emit_yaml(&b, fresh->docs[1].root, "\n"));
        ASSERT_STR(sbuf_cstr(&a), sbuf_cstr(&b));
        sbuf_dispose(&a);
        sbuf_dispose(&b);
        sbuf_dispose(&out);
        sbuf_dispose(&report);
        manifest_free(fresh);
        manifest_free(m);
    }
}

/* `metadata:` left empty in a pod template is no metadata: the wait goes
 * in, with its annotation in a new mapping. */
static void test_inject__null_template_metadata(void)
{
    static const char in[] =
        "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
        "metadata: {name: tls, namespace: demo}\n"
        "spec: {secretName: tls, issuerRef: {name: i}}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\n"
        "metadata: {name: d, namespace: demo}\n"
        "spec:\n  template:\n    metadata:\n    spec:\n"
        "      containers: [{name: c, image: c, volumeMounts: [{name: v, "
        "mountPath: /v}]}]\n"
        "      volumes: [{name: v, secret: {secretName: tls}}]\n";
    manifest *m = NULL, *out = NULL;
    sbuf b = SBUF_INIT;
    render_info info;
    const node *meta;
    memset(&info, 0, sizeof(info));
    sbuf_init(&b, (size_t)-1);
    ASSERT_RC_OK(render_stream(&b, &m, "<t>", in, strlen(in), NULL, &info));
    CU_ASSERT_EQUAL(info.injected, 1);
    ASSERT_RC_OK(manifest_parse(&out, "<out>", sbuf_cstr(&b), b.len, NULL));
    meta = node_path(out->docs[1].root, "spec.template.metadata.annotations");
    CU_ASSERT(node_get_str(meta, "readyinstall.io/injected") != NULL);
    manifest_free(out);
    manifest_free(m);
    sbuf_dispose(&b);
}

void suite_inject(void)
{
    static const test_case cases[] = {
        {"api_valid_and_restricted", test_inject__api_valid_and_restricted},
        {"user_container_keeps_its_place",
         test_inject__user_container_keeps_its_place},
        {"least_free_name", test_inject__least_free_name},
        {"unchangeable_left_as_parsed",
         test_inject__unchangeable_left_as_parsed},
        {"null_template_metadata", test_inject__null_template_metadata},
        {NULL, NULL},
    };
    test_add_suite("inject", cases, NULL, NULL);
}
