/*
 * Wait init containers for Secrets produced in the same release by a
 * cert-manager Certificate or an ExternalSecret (DESIGN.md, "Injected wait
 * init containers"). The kubelet mounts every volume before any init
 * container runs, so a wait only works on an optional volume: the consuming
 * secret volume becomes `optional: true` (env consumers get an optional
 * volume of their own), and an init container placed first waits until the
 * keys the producer writes are there. A Secret created after the pod started
 * appears in an optional volume within the kubelet's sync period plus its
 * Secret cache TTL (Kubernetes conformance, "[sig-storage] Secrets optional
 * updates should be reflected in volume"), hence the generous default
 * timeout. subPath mounts are never refreshed: they are left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "graph/deps_secrets.h"
#include "mutate.h"

#define WAIT_NAME "readyinstall-wait"
#define WAIT_MOUNT_ROOT "/readyinstall/wait/"
#define MAX_WAITS 32

/* POSIX sh; args are "dir|what|keys" (keys space-separated, empty: any). */
static const char WAIT_SCRIPT[] =
    "timeout=\"${READYINSTALL_WAIT_TIMEOUT:-600}\"\n"
    "interval=\"${READYINSTALL_WAIT_INTERVAL:-10}\"\n"
    "start=$(date +%s)\n"
    "while :; do\n"
    "  missing=\"\"\n"
    "  for spec in \"$@\"; do\n"
    "    dir=\"${spec%%|*}\"; rest=\"${spec#*|}\"\n"
    "    what=\"${rest%%|*}\"; keys=\"${rest#*|}\"; gone=\"\"\n"
    "    if [ -z \"$keys\" ]; then\n"
    "      [ -n \"$(ls -A \"$dir\" 2>/dev/null)\" ] || gone=\" any key\"\n"
    "    else\n"
    "      for k in $keys; do [ -s \"$dir/$k\" ] || gone=\"$gone $k\"; done\n"
    "    fi\n"
    "    [ -z \"$gone\" ] || missing=\"$missing; $what, missing$gone\"\n"
    "  done\n"
    "  now=$(date +%s); spent=$((now - start))\n"
    "  if [ -z \"$missing\" ]; then\n"
    "    echo \"readyinstall: ready after ${spent}s\"; exit 0\n"
    "  fi\n"
    "  if [ \"$spent\" -ge \"$timeout\" ]; then\n"
    "    echo \"readyinstall: gave up after ${spent}s waiting for${missing#;}\" "
    ">&2\n"
    "    exit 1\n"
    "  fi\n"
    "  echo \"readyinstall: ${spent}s, waiting for${missing#;}\"\n"
    "  sleep \"$interval\"\n"
    "done\n";

typedef struct wait_item {
    const char *secret;    /* the Secret's name */
    uint32_t producer;     /* Certificate or ExternalSecret */
    const char *volume;    /* the volume the init container mounts */
    int added_volume;      /* we add that volume */
    char keys[512];        /* space-separated; "" = any key */
} wait_item;

typedef struct inject_ctx {
    manifest *m;
    graph *g;
    const inject_opts *o;
    secret_table certs, ext;
    inject_log *log;
    /* Parts every wait container shares, built once: trees are written
     * out and never changed after injection, so sharing them is safe. */
    node *command, *env, *image, *security, *resources;
} inject_ctx;

typedef struct workload {
    uint32_t id;
    node *spec; /* the PodSpec, mutable */
    wait_item waits[MAX_WAITS];
    size_t nwaits;
    char optional_vols[512];
    const char *container; /* the wait container's name */
    /* secret mappings to mark `optional: true`, once the workload is known
     * to be changeable: nothing changes before */
    node **to_optional;
    size_t noptional, optional_cap;
} workload;

/* ---- the log (what --report writes) ------------------------------------ */

static int log_add(inject_log *log, uint32_t id, const char *what,
                   const char *detail)
{
    inject_entry *e;
    if (log->n == log->cap) {
        size_t ncap = log->cap ? log->cap * 2 : 16;
        inject_entry *nv = realloc(log->v, ncap * sizeof(*nv));
        if (!nv)
            return err_set(RC_NOMEM, NULL, "out of memory");
        log->v = nv;
        log->cap = ncap;
    }
    e = &log->v[log->n++];
    e->object = id;
    e->what = what;
    e->detail = log->counts_only ? "" : arena_strdup(&log->a, detail);
    return e->detail ? RC_OK : err_set(RC_NOMEM, NULL, "out of memory");
}

void inject_log_dispose(inject_log *log)
{
    free(log->v);
    log->v = NULL;
    log->n = log->cap = 0;
    arena_dispose(&log->a);
}

/* ---- reading ----------------------------------------------------------- */

static int is_true(const node *n)
{
    const char *s = node_str(n);
    return s && (!strcmp(s, "true") || !strcmp(s, "True") ||
                 !strcmp(s, "TRUE"));
}

static int opted_out(const resource *r)
{
    const char *v = resource_annotation(r, "readyinstall.io/inject");
    return v && !strcmp(v, "false");
}

/* The mapping holding the pod template's metadata path: "x.spec" ->
 * "x.metadata"; a Pod's own metadata. */
static void pod_meta_path(const resource *r, char *buf, size_t size)
{
    size_t n = strlen(r->pod_spec_path);
    if (n > 4 && !strcmp(r->pod_spec_path + n - 4, "spec") && n < size)
        snprintf(buf, size, "%.*smetadata", (int)(n - 4), r->pod_spec_path);
    else
        snprintf(buf, size, "metadata");
}

static void append_word(char *buf, size_t size, const char *w)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? " " : "", w);
}

/* Is w one of the space-separated words of buf? */
static int has_word(const char *buf, const char *w)
{
    size_t n = strlen(w);
    const char *p = buf;
    if (!n)
        return 1; /* "" is found everywhere, and p would never move on */
    while ((p = strstr(p, w))) {
        if ((p == buf || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return 1;
        p += n;
    }
    return 0;
}

/* Does the Certificate's issuer write ca.crt? CA, self-signed and Vault
 * issuers do; ACME and unknown (external) issuers may not. */
static int issuer_writes_ca(const graph *g, const resource *cert)
{
    const node *ref = node_path(cert->obj, "spec.issuerRef");
    const char *name = node_get_str(ref, "name");
    const char *kind = node_get_str(ref, "kind");
    uint32_t id;
    const node *spec;
    if (!name)
        return 0;
    if (kind && !strcmp(kind, "ClusterIssuer"))
        id = graph_find(g, CERTMANAGER_GROUP, "ClusterIssuer", "", name);
    else
        id = graph_find(g, CERTMANAGER_GROUP, "Issuer",
                        graph_namespace(g, cert), name);
    if (id == GRAPH_NONE)
        return 0;
    spec = node_get(g->md->res[id].obj, "spec");
    return node_get(spec, "ca") || node_get(spec, "selfSigned") ||
           node_get(spec, "vault");
}

/* Keys an ExternalSecret writes: its template's keys, else spec.data's
 * secretKeys; "" (any key) when dataFrom makes them unknowable. */
static void externalsecret_keys(const resource *es, char *buf, size_t size)
{
    const node *spec = node_get(es->obj, "spec");
    const node *tdata = node_deref(node_path(spec, "target.template.data"));
    const node *data = node_deref(node_get(spec, "data"));
    uint32_t i;
    buf[0] = '\0';
    if (tdata && tdata->type == NODE_MAPPING) {
        for (i = 0; i + 1 < tdata->len; i += 2)
            if (node_str(tdata->u.coll.items[i]))
                append_word(buf, size, node_str(tdata->u.coll.items[i]));
        return;
    }
    if (node_get(spec, "dataFrom") ||
        node_path(spec, "target.template.templateFrom"))
        return;
    for (i = 0; data && data->type == NODE_SEQUENCE && i < data->len;
         i++) {
        const char *k = node_get_str(data->u.coll.items[i], "secretKey");
        if (k && *k && !has_word(buf, k)) /* `secretKey:` alone names none */
            append_word(buf, size, k);
    }
}

static void producer_keys(const graph *g, uint32_t producer, char *buf,
                          size_t size)
{
    const resource *p = &g->md->res[producer];
    buf[0] = '\0';
    if (!strcmp(p->kind, "Certificate")) {
        snprintf(buf, size, "tls.crt tls.key%s",
                 issuer_writes_ca(g, p) ? " ca.crt" : "");
        return;
    }
    externalsecret_keys(p, buf, size);
}

/* ---- volumes ----------------------------------------------------------- */

static node *find_named(const node *seq, const char *name, uint32_t *pos)
{
    uint32_t i;
    seq = node_deref(seq);
    for (i = 0; seq && seq->type == NODE_SEQUENCE && i < seq->len;
         i++) {
        const char *n = node_get_str(seq->u.coll.items[i], "name");
        if (n && !strcmp(n, name)) {
            if (pos)
                *pos = i;
            return (node *)node_deref(seq->u.coll.items[i]);
        }
    }
    return NULL;
}

/* Container names are unique across all containers of a pod; volume
 * names among its volumes. */
static int name_taken(const node *spec, const char *name, int volume)
{
    if (volume)
        return find_named(node_get(spec, "volumes"), name, NULL) != NULL;
    return find_named(node_get(spec, "containers"), name, NULL) ||
           find_named(node_get(spec, "initContainers"), name, NULL) ||
           find_named(node_get(spec, "ephemeralContainers"), name, NULL);
}

/* A list value of a mapping, created empty when absent. */
static node *seq_of(manifest *m, node *map, const char *key)
{
    node *s = (node *)node_deref(node_get(map, key));
    if (s && s->type == NODE_SEQUENCE)
        return s;
    if (s && !node_is_null(s))
        return NULL; /* something else is there: leave the object alone */
    s = node_new_seq(m);
    if (!s || node_map_set(m, map, key, s))
        return NULL;
    return s;
}

static node *map_of(manifest *m, node *map, const char *key)
{
    node *s = (node *)node_deref(node_get(map, key));
    if (s && s->type == NODE_MAPPING)
        return s;
    if (s && !node_is_null(s))
        return NULL;
    s = node_new_map(m);
    if (!s || node_map_set(m, map, key, s))
        return NULL;
    return s;
}

static int set_plain(manifest *m, node *map, const char *key, const char *v)
{
    node *n = node_new_plain(m, v);
    return n ? node_map_set(m, map, key, n) : RC_NOMEM;
}

static int set_str(manifest *m, node *map, const char *key, const char *v)
{
    node *n = node_new_str(m, v);
    return n ? node_map_set(m, map, key, n) : RC_NOMEM;
}

/* The volume of the pod that our earlier run added for this Secret. */
static const char *our_volume(const node *spec, const char *secret)
{
    const node *vols = node_deref(node_get(spec, "volumes"));
    uint32_t i;
    for (i = 0; vols && vols->type == NODE_SEQUENCE && i < vols->len;
         i++) {
        const node *v = vols->u.coll.items[i];
        const char *n = node_get_str(v, "name");
        const char *s = node_str(node_path(v, "secret.secretName"));
        if (n && s && !strncmp(n, WAIT_NAME, strlen(WAIT_NAME)) &&
            !strcmp(s, secret))
            return n;
    }
    return NULL;
}

/* k when name is base-k, k a decimal without a leading zero; else 0. */
static size_t suffix_of(const char *name, const char *base)
{
    size_t n = strlen(base), k = 0;
    const char *p = name + n + 1;
    if (strncmp(name, base, n) || name[n] != '-' || *p < '1' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9' && k < (size_t)1 << 40; p++)
        k = k * 10 + (size_t)(*p - '0');
    return *p ? 0 : k;
}

/* Mark in taken[0..n) the k of every name base-k in seq; 1 when base
 * itself is there. */
static int mark_taken(const node *seq, const char *base, uint8_t *taken,
                      size_t n)
{
    uint32_t i;
    int plain = 0;
    seq = node_deref(seq);
    for (i = 0; seq && seq->type == NODE_SEQUENCE && i < seq->len; i++) {
        const char *name = node_get_str(seq->u.coll.items[i], "name");
        size_t k = name ? suffix_of(name, base) : 0;
        plain |= name && !strcmp(name, base);
        if (k && k < n)
            taken[k] = 1;
    }
    return plain;
}

static size_t seq_len(const node *seq)
{
    seq = node_deref(seq);
    return seq && seq->type == NODE_SEQUENCE ? seq->len : 0;
}

/* A free name: base, else base-k with the least free k >= 2. With n names
 * in use one of base-2 .. base-(n+2) is free, so one pass over them finds
 * it, however the input named its volumes and containers. */
static const char *free_name(manifest *m, const node *spec, const char *base,
                             int volume)
{
    static const char *const vkeys[] = {"volumes"};
    static const char *const ckeys[] = {"containers", "initContainers",
                                        "ephemeralContainers"};
    const char *const *keys = volume ? vkeys : ckeys;
    size_t nkeys = volume ? 1 : 3, n = 3, i, k;
    uint8_t *taken;
    char buf[128];
    int plain = 0;
    for (i = 0; i < nkeys; i++)
        n += seq_len(node_get(spec, keys[i]));
    taken = calloc(n, 1);
    if (!taken)
        return NULL;
    for (i = 0; i < nkeys; i++)
        plain |= mark_taken(node_get(spec, keys[i]), base, taken, n);
    for (k = 2; plain && k < n && taken[k]; k++)
        ;
    free(taken);
    if (!plain)
        return arena_strdup(&m->arena, base);
    snprintf(buf, sizeof(buf), "%s-%zu", base, k);
    return arena_strdup(&m->arena, buf);
}

/* An optional secret volume for consumers that do not mount the Secret. */
static const char *add_volume(inject_ctx *c, workload *w, const char *secret)
{
    const char *name = our_volume(w->spec, secret);
    node *vols, *vol, *sec;
    if (name)
        return name;
    name = free_name(c->m, w->spec, WAIT_NAME, 1);
    vols = seq_of(c->m, w->spec, "volumes");
    vol = node_new_map(c->m);
    sec = node_new_map(c->m);
    if (!name || !vols || !vol || !sec || set_str(c->m, vol, "name", name) ||
        node_map_set(c->m, vol, "secret", sec) ||
        set_str(c->m, sec, "secretName", secret) ||
        set_plain(c->m, sec, "optional", "true") ||
        node_seq_insert(c->m, vols, vols->len, vol))
        return NULL;
    return name;
}

/* ---- planning one workload -------------------------------------------- */

typedef struct ref_walk {
    inject_ctx *c;
    workload *w;
    const char *ns;
    int ret;
} ref_walk;

static uint32_t producer_of(inject_ctx *c, const char *ns, const char *name)
{
    size_t n;
    const secret_producer *p = secret_table_find(&c->certs, ns, name, &n);
    if (n)
        return p[0].id;
    p = secret_table_find(&c->ext, ns, name, &n);
    return n ? p[0].id : GRAPH_NONE;
}

static wait_item *wait_for(workload *w, const char *secret)
{
    size_t i;
    for (i = 0; i < w->nwaits; i++)
        if (!strcmp(w->waits[i].secret, secret))
            return &w->waits[i];
    return NULL;
}

static int defer_optional(workload *w, node *sec)
{
    if (w->noptional == w->optional_cap &&
        array_grow((void **)&w->to_optional, &w->optional_cap,
                   w->noptional + 1, sizeof(*w->to_optional)))
        return RC_NOMEM;
    w->to_optional[w->noptional++] = sec;
    return RC_OK;
}

/* Make a mounted secret volume optional, and let the init container mount
 * it. */
static int use_volume(workload *w, wait_item *it, const pod_ref *ref)
{
    node *vol = find_named(node_get(w->spec, "volumes"), ref->volume, NULL);
    node *sec = vol ? (node *)node_deref(node_get(vol, "secret")) : NULL;
    if (!sec || sec->type != NODE_MAPPING)
        return RC_OK;
    if (!is_true(node_get(sec, "optional"))) {
        int ret = defer_optional(w, sec);
        if (ret)
            return ret;
        append_word(w->optional_vols, sizeof(w->optional_vols), ref->volume);
    }
    if (!it->volume) {
        const node *items = node_deref(node_get(sec, "items"));
        const char *ours = our_volume(w->spec, it->secret);
        uint32_t i;
        it->volume = ref->volume;
        /* a volume an earlier run added stays "added" on every render */
        it->added_volume = ours && !strcmp(ours, ref->volume);
        if (items && items->type == NODE_SEQUENCE && items->len) {
            /* only listed keys are projected, at their paths */
            it->keys[0] = '\0';
            for (i = 0; i < items->len; i++) {
                const char *p = node_get_str(items->u.coll.items[i], "path");
                if (p)
                    append_word(it->keys, sizeof(it->keys), p);
            }
        }
    }
    return RC_OK;
}

/* A projected volume fails to mount when one of its Secrets is missing:
 * mark that source optional (the init container gets its own volume). */
static int projected_optional(workload *w, const pod_ref *ref)
{
    node *vol = find_named(node_get(w->spec, "volumes"), ref->volume, NULL);
    const node *srcs = vol ? node_deref(node_path(vol, "projected.sources"))
                           : NULL;
    uint32_t i;
    for (i = 0; srcs && srcs->type == NODE_SEQUENCE && i < srcs->len;
         i++) {
        node *sec = (node *)node_deref(node_get(srcs->u.coll.items[i],
                                                "secret"));
        const char *name = node_get_str(sec, "name");
        int ret;
        if (!name || strcmp(name, ref->name) || is_true(node_get(sec, "optional")))
            continue;
        ret = defer_optional(w, sec);
        if (ret)
            return ret;
    }
    return RC_OK;
}

static int on_ref(const resource *r, const pod_ref *ref, void *payload)
{
    ref_walk *rw = payload;
    inject_ctx *c = rw->c;
    workload *w = rw->w;
    uint32_t prod;
    wait_item *it;
    char msg[512];
    if (ref->kind != REF_SECRET)
        return RC_OK;
    prod = producer_of(c, rw->ns, ref->name);
    if (prod == GRAPH_NONE)
        return RC_OK;
    if (ref->via == VIA_IMAGE_PULL) {
        snprintf(msg, sizeof(msg), "imagePullSecrets %s: the kubelet retries "
                 "the pull; an init container cannot wait for it", ref->name);
        return log_add(c->log, r->index, "skipped", msg);
    }
    if (ref->subpath) {
        snprintf(msg, sizeof(msg), "Secret %s mounted with subPath (volume "
                 "%s): subPath mounts are never refreshed, left alone",
                 ref->name, ref->volume ? ref->volume : "?");
        return log_add(c->log, r->index, "skipped", msg);
    }
    it = wait_for(w, ref->name);
    if (!it) {
        if (w->nwaits == MAX_WAITS)
            return RC_OK;
        it = &w->waits[w->nwaits++];
        memset(it, 0, sizeof(*it));
        it->secret = ref->name;
        it->producer = prod;
        producer_keys(c->g, prod, it->keys, sizeof(it->keys));
    }
    if (ref->via == VIA_VOLUME)
        return use_volume(w, it, ref);
    if (ref->via == VIA_PROJECTED)
        return projected_optional(w, ref);
    return RC_OK;
}

/* Absent, null, or of the given type: a value we may create or extend. */
static int slot_ok(const node *map, const char *key, node_type type)
{
    const node *v = node_deref(node_get(map, key));
    return !v || node_is_null(v) || v->type == type;
}

/* The mapping that holds the pod template's metadata: the template, or the
 * object itself for a Pod. */
static node *meta_parent(const resource *r)
{
    char path[96];
    size_t n;
    pod_meta_path(r, path, sizeof(path));
    n = strlen(path);
    if (n <= 9) /* "metadata" */
        return (node *)r->obj;
    path[n - 9] = '\0'; /* "spec.template.metadata" -> "spec.template" */
    return (node *)node_deref(node_path(r->obj, path));
}

/* Can the volumes, initContainers and template annotations injection needs
 * be added? Checked before anything changes, so a skipped workload's tree
 * is still what its document says. */
static int changeable(const inject_ctx *c, const workload *w)
{
    const node *p = meta_parent(&c->g->md->res[w->id]), *meta;
    size_t i;
    if (!slot_ok(w->spec, "initContainers", NODE_SEQUENCE))
        return 0;
    for (i = 0; i < w->nwaits; i++)
        if (!w->waits[i].volume && !slot_ok(w->spec, "volumes", NODE_SEQUENCE))
            return 0;
    if (!p || p->type != NODE_MAPPING || !slot_ok(p, "metadata", NODE_MAPPING))
        return 0;
    meta = node_deref(node_get(p, "metadata"));
    return !meta || node_is_null(meta) ||
           slot_ok(meta, "annotations", NODE_MAPPING);
}

/* ---- the init container ------------------------------------------------ */

static node *str_seq(manifest *m, const char *const *items, size_t n)
{
    node *s = node_new_seq(m);
    size_t i;
    for (i = 0; s && i < n; i++) {
        node *v = node_new_str(m, items[i]);
        if (!v || node_seq_insert(m, s, (uint32_t)i, v))
            return NULL;
    }
    return s;
}

static node *env_var(manifest *m, const char *name, const char *value)
{
    node *e = node_new_map(m);
    if (!e || set_str(m, e, "name", name) || set_str(m, e, "value", value))
        return NULL;
    return e;
}

/* restricted Pod Security profile: non-root, no privilege escalation, all
 * capabilities dropped, RuntimeDefault seccomp; read-only root. */
static node *security_context(manifest *m)
{
    static const char *const all[] = {"ALL"};
    node *sc = node_new_map(m), *caps = node_new_map(m), *sp = node_new_map(m);
    node *drop = str_seq(m, all, 1);
    if (!sc || !caps || !sp || !drop ||
        set_plain(m, sc, "runAsNonRoot", "true") ||
        set_plain(m, sc, "runAsUser", "65532") ||
        set_plain(m, sc, "runAsGroup", "65532") ||
        set_plain(m, sc, "allowPrivilegeEscalation", "false") ||
        set_plain(m, sc, "readOnlyRootFilesystem", "true") ||
        node_map_set(m, caps, "drop", drop) ||
        node_map_set(m, sc, "capabilities", caps) ||
        set_str(m, sp, "type", "RuntimeDefault") ||
        node_map_set(m, sc, "seccompProfile", sp))
        return NULL;
    return sc;
}

static node *resources(manifest *m)
{
    node *res = node_new_map(m), *req = node_new_map(m), *lim = node_new_map(m);
    if (!res || !req || !lim || set_str(m, req, "cpu", "10m") ||
        set_str(m, req, "memory", "16Mi") || set_str(m, lim, "cpu", "100m") ||
        set_str(m, lim, "memory", "32Mi") ||
        node_map_set(m, res, "requests", req) ||
        node_map_set(m, res, "limits", lim))
        return NULL;
    return res;
}

/* sh -c SCRIPT readyinstall-wait: the name is the script's $0. */
static node *wait_command(manifest *m)
{
    static const char *const cmd[] = {"/bin/sh", "-c"};
    node *command = str_seq(m, cmd, 2);
    node *script = node_new_plain(m, WAIT_SCRIPT);
    if (!command || !script)
        return NULL;
    script->style = NODE_STYLE_LITERAL;
    if (node_seq_insert(m, command, 2, script) ||
        node_seq_insert(m, command, 3, node_new_str(m, WAIT_NAME)))
        return NULL;
    return command;
}

static node *wait_env(manifest *m, const inject_opts *o)
{
    char timeout[32], interval[32];
    node *env = node_new_seq(m);
    snprintf(timeout, sizeof(timeout), "%u", o->timeout_s);
    snprintf(interval, sizeof(interval), "%u", o->interval_s);
    if (!env ||
        node_seq_insert(m, env, 0,
                        env_var(m, "READYINSTALL_WAIT_TIMEOUT", timeout)) ||
        node_seq_insert(m, env, 1,
                        env_var(m, "READYINSTALL_WAIT_INTERVAL", interval)))
        return NULL;
    return env;
}

/* The parts of a wait container that do not depend on the workload, built
 * on first use and written once per indentation (NODE_F_SHARED). */
static int shared_parts(inject_ctx *c)
{
    if (c->command)
        return RC_OK;
    c->command = wait_command(c->m);
    c->env = wait_env(c->m, c->o);
    c->image = node_new_str(c->m, c->o->image);
    c->security = security_context(c->m);
    c->resources = resources(c->m);
    if (!c->command || !c->env || !c->image || !c->security ||
        !c->resources) {
        c->command = NULL;
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    c->command->flags |= NODE_F_SHARED;
    c->env->flags |= NODE_F_SHARED;
    c->security->flags |= NODE_F_SHARED;
    c->resources->flags |= NODE_F_SHARED;
    return RC_OK;
}

/* One "dir|what|keys" argument and its volume mount. */
static int wait_arg(inject_ctx *c, const wait_item *it, node *args,
                    node *mounts, uint32_t i)
{
    manifest *m = c->m;
    char mount[256], what[600], pbuf[512];
    char spec[sizeof(mount) + sizeof(what) + sizeof(it->keys)];
    node *mt = node_new_map(m);
    snprintf(mount, sizeof(mount), WAIT_MOUNT_ROOT "%s", it->volume);
    graph_node_name(c->g, it->producer, pbuf, sizeof(pbuf));
    snprintf(what, sizeof(what), "Secret %s (%s)", it->secret, pbuf);
    snprintf(spec, sizeof(spec), "%s|%s|%s", mount, what, it->keys);
    if (!mt || node_seq_insert(m, args, i, node_new_str(m, spec)) ||
        set_str(m, mt, "name", it->volume) ||
        set_str(m, mt, "mountPath", mount) ||
        set_plain(m, mt, "readOnly", "true") ||
        node_seq_insert(m, mounts, i, mt))
        return RC_NOMEM;
    return RC_OK;
}

static node *wait_container(inject_ctx *c, const workload *w, const char *name)
{
    manifest *m = c->m;
    node *ct = node_new_map(m), *args = node_new_seq(m);
    node *mounts = node_new_seq(m);
    size_t i;
    if (!ct || !args || !mounts || shared_parts(c))
        return NULL;
    for (i = 0; i < w->nwaits; i++)
        if (wait_arg(c, &w->waits[i], args, mounts, (uint32_t)i))
            return NULL;
    if (set_str(m, ct, "name", name) ||
        node_map_set(m, ct, "image", c->image) ||
        node_map_set(m, ct, "command", c->command) ||
        node_map_set(m, ct, "args", args) ||
        node_map_set(m, ct, "env", c->env) ||
        node_map_set(m, ct, "volumeMounts", mounts) ||
        node_map_set(m, ct, "securityContext", c->security) ||
        node_map_set(m, ct, "resources", c->resources))
        return NULL;
    return ct;
}

/* Ours from an earlier run: our name prefix and our environment. */
static int is_ours(const node *ct)
{
    const char *n = node_get_str(ct, "name");
    return n && !strncmp(n, WAIT_NAME, strlen(WAIT_NAME)) &&
           find_named(node_get(ct, "env"), "READYINSTALL_WAIT_TIMEOUT", NULL);
}

/* Put the container first; one of ours from an earlier run is replaced. */
static int place_container(inject_ctx *c, workload *w)
{
    node *inits = seq_of(c->m, w->spec, "initContainers"), *ct;
    const char *name = WAIT_NAME;
    uint32_t i;
    if (!inits)
        return -1;
    for (i = 0; i < inits->len; i++)
        if (is_ours(node_deref(inits->u.coll.items[i]))) {
            name = node_get_str(inits->u.coll.items[i], "name");
            node_seq_remove(inits, i);
            break;
        }
    if (name_taken(w->spec, name, 0))
        name = free_name(c->m, w->spec, WAIT_NAME, 0);
    ct = name ? wait_container(c, w, name) : NULL;
    w->container = name;
    if (!ct)
        return err_set(RC_NOMEM, NULL, "out of memory");
    return node_seq_insert(c->m, inits, 0, ct);
}

/* readyinstall.io/injected on the pod template: what and why. */
static int annotate_template(inject_ctx *c, workload *w, sbuf *why)
{
    node *p = meta_parent(&c->g->md->res[w->id]), *meta, *ann;
    size_t i;
    meta = p && p->type == NODE_MAPPING ? map_of(c->m, p, "metadata") : NULL;
    if (!meta)
        return -1;
    ann = map_of(c->m, meta, "annotations");
    if (!ann)
        return -1;
    sbuf_printf(why, "init container %s waits for", w->container);
    for (i = 0; i < w->nwaits; i++) {
        char pbuf[512];
        graph_node_name(c->g, w->waits[i].producer, pbuf, sizeof(pbuf));
        sbuf_printf(why, "%s Secret %s from %s (%s)", i ? ";" : "",
                    w->waits[i].secret, pbuf,
                    *w->waits[i].keys ? w->waits[i].keys : "any key");
    }
    for (i = 0; i < w->nwaits; i++) /* the same text on every render */
        if (!w->waits[i].added_volume)
            sbuf_printf(why, "%s%s", i && !w->waits[i - 1].added_volume
                                         ? ", " : "; optional volumes: ",
                        w->waits[i].volume);
    return sbuf_failed(why) ? RC_NOMEM
                            : set_str(c->m, ann, "readyinstall.io/injected",
                                      sbuf_cstr(why));
}

static int count_produced(const resource *r, const pod_ref *ref, void *payload)
{
    ref_walk *rw = payload;
    (void)r;
    if (ref->kind == REF_SECRET && ref->via != VIA_IMAGE_PULL &&
        producer_of(rw->c, rw->ns, ref->name) != GRAPH_NONE)
        rw->ret++;
    return RC_OK;
}

static void workload_free(workload *w)
{
    free(w->to_optional);
    free(w);
}

static int inject_one(inject_ctx *c, uint32_t id, uint8_t *changed)
{
    const resource *r = &c->g->md->res[id];
    workload *w;
    ref_walk rw;
    sbuf why = SBUF_INIT;
    size_t i;
    int ret;
    if (!r->pod_spec)
        return RC_OK;
    /* 18 KiB of wait items: only the used ones are cleared (wait_for) */
    w = malloc(sizeof(*w));
    if (!w)
        return err_set(RC_NOMEM, NULL, "out of memory");
    w->nwaits = 0;
    w->optional_vols[0] = '\0';
    w->container = NULL;
    w->to_optional = NULL;
    w->noptional = w->optional_cap = 0;
    w->id = id;
    w->spec = (node *)r->pod_spec;
    rw.c = c;
    rw.w = w;
    rw.ns = graph_namespace(c->g, r);
    rw.ret = 0;
    if (opted_out(r)) {
        model_pod_refs(r, count_produced, &rw);
        workload_free(w);
        return rw.ret ? log_add(c->log, id, "skipped",
                                "readyinstall.io/inject: \"false\" on the "
                                "object")
                      : RC_OK;
    }
    ret = model_pod_refs(r, on_ref, &rw);
    if (!ret && w->nwaits &&
        !node_emit_writable(c->m->docs[r->doc].root)) {
        workload_free(w);
        return log_add(c->log, id, "skipped",
                       "the document holds a complex, empty or over-long "
                       "mapping key, which cannot be written back");
    }
    if (!ret && w->nwaits && !changeable(c, w)) {
        workload_free(w);
        return log_add(c->log, id, "skipped",
                       "volumes, initContainers or the pod template's "
                       "metadata or annotations hold something other than "
                       "a list or mapping, which cannot be extended");
    }
    for (i = 0; !ret && w->nwaits && i < w->noptional; i++)
        ret = set_plain(c->m, w->to_optional[i], "optional", "true");
    for (i = 0; !ret && i < w->nwaits; i++)
        if (!w->waits[i].volume) {
            w->waits[i].volume = add_volume(c, w, w->waits[i].secret);
            w->waits[i].added_volume = 1;
            if (!w->waits[i].volume)
                ret = err_set(RC_NOMEM, NULL, "out of memory");
        }
    if (!ret && w->nwaits)
        ret = place_container(c, w);
    sbuf_init(&why, 1 << 16);
    if (!ret && w->nwaits)
        ret = annotate_template(c, w, &why);
    if (!ret && w->nwaits) {
        changed[r->doc] = 1;
        ret = log_add(c->log, id, "injected", sbuf_cstr(&why));
    } else if (ret == -1) {
        ret = log_add(c->log, id, "skipped",
                      "pod template metadata or initContainers in a form that "
                      "cannot be changed");
    }
    sbuf_dispose(&why);
    workload_free(w);
    return ret;
}

int inject_waits(uint8_t *changed, inject_log *log, manifest *m, graph *g,
                 const inject_opts *o)
{
    inject_ctx c;
    size_t i;
    int ret;
    memset(&c, 0, sizeof(c));
    c.m = m;
    c.g = g;
    c.o = o;
    c.log = log;
    if (!o->enabled)
        return RC_OK;
    ret = certmanager_secret_table(g, &c.certs);
    if (!ret)
        ret = externalsecret_secret_table(g, &c.ext);
    for (i = 0; i < g->md->nres && !ret; i++)
        ret = inject_one(&c, (uint32_t)i, changed);
    return ret;
}
