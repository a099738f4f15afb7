/*
 * Internal to the lint module: what rules (rule_*.c) use. A rule reads the
 * graph and model, and reports with lint_report() plus lint_say() /
 * lint_hint() / lint_related*(). Reporting failures (out of memory) are
 * sticky in the context: a rule returns lint_status(c) at its end.
 * Static names are unique across the module's files (it may be built as
 * one translation unit, see src/output/lint_build.c).
 */
#ifndef READYINSTALL_LINT_INT_H
#define READYINSTALL_LINT_INT_H

#include "graph/deps_secrets.h"
#include "lint/lint.h"

/* ---- webhook entries (lint_webhook.c) ----------------------------------- */

/* Admission operations (rules[].operations; "*" is all of them). */
enum {
    LINT_OP_CREATE = 1u << 0,
    LINT_OP_UPDATE = 1u << 1,
    LINT_OP_DELETE = 1u << 2,
    LINT_OP_CONNECT = 1u << 3
};

/* One rules[] item that includes CREATE or DELETE (the operations the
 * rules ask about: install and teardown). */
typedef struct lint_wh_rule {
    const char **groups, **versions, **res, **sub;
    uint32_t ngroups, nversions, nres;
    int any_group, any_version;
    int scope; /* 0 any, 1 Cluster, 2 Namespaced */
    unsigned ops; /* LINT_OP_* it names */
} lint_wh_rule;

/* A backend Service named by a webhook, conversion or APIService. */
typedef struct lint_backend {
    const node *at;          /* the clientConfig.service / spec.service map */
    const char *ns, *name;   /* as written ("" when absent) */
    const char *port;        /* as written, "443" when absent */
    const node *port_at;     /* NULL when defaulted */
    uint32_t svc;            /* the Service, GRAPH_NONE outside the manifest */
    const uint32_t *wl;      /* workloads behind it (graph arena) */
    size_t nwl;
} lint_backend;

typedef struct lint_wh {
    uint32_t cfg;         /* the configuration */
    const node *at;       /* its webhooks[] item */
    const char *name;
    int mutating;
    int fail;             /* effective failurePolicy is Fail */
    const char *policy;   /* "Fail" or "Ignore" (effective) */
    const char *side_effects; /* effective value; NULL: absent in v1 */
    const node *side_effects_at;
    const node *rules_at;
    lint_wh_rule *rules;
    uint32_t nrules;
    unsigned ops;         /* LINT_OP_* of all its rules (CREATE and DELETE
                             only): ops & LINT_OP_CREATE says whether it
                             can admit a create at all */
    const node *ns_sel, *obj_sel;
    int equivalent, conditions;
    const node *client;   /* clientConfig */
    const char *url;      /* clientConfig.url, or NULL */
    const node *url_at;
    int has_service;
    lint_backend b;
    const node *ca_bundle; /* clientConfig.caBundle, or NULL */
} lint_wh;

typedef struct lint_wh_table {
    lint_wh *v;
    size_t n;
} lint_wh_table;

/* Why a match is not certain (bits of *why). */
enum {
    LINT_WHY_VERSION = 1, /* only an equivalent version is named */
    LINT_WHY_NS = 2,      /* the namespace's labels are unknown */
    LINT_WHY_COND = 4     /* matchConditions are not evaluated */
};

/* One object as admission sees its CREATE or DELETE. */
typedef struct lint_subject {
    const char *group, *version, *plural;
    int cluster;          /* cluster-scoped */
    const char *ns;       /* effective namespace, "" unknown/cluster */
    const char *ns_self;  /* a Namespace object: its own name, else NULL */
    const node *labels;   /* the object's labels (complete), or NULL */
} lint_subject;

/* Every webhook entry of every Validating/MutatingWebhookConfiguration, in
 * input order; built on first use. */
int lint_webhooks(lint_ctx *c, const lint_wh_table **out);
/* Would entry w be called for operation op (LINT_OP_CREATE or
 * LINT_OP_DELETE) on s? SEL_NO, SEL_YES, or SEL_MAYBE with *why bits. A
 * namespace that is not in the manifest is taken as a fresh one, labelled
 * only kubernetes.io/metadata.name (what `helm install --create-namespace`
 * makes). The objectSelector sees s->labels: the new object's on CREATE,
 * the stored one's on DELETE. */
sel_result lint_wh_matches(lint_ctx *c, const lint_wh *w, unsigned op,
                           const lint_subject *s, unsigned *why);
/* lint_wh_matches for a CREATE. */
sel_result lint_wh_admits(lint_ctx *c, const lint_wh *w,
                          const lint_subject *s, unsigned *why);
/* The subject for resource r itself. */
void lint_subject_of(lint_ctx *c, uint32_t id, lint_subject *out);
/* Resolve a backend map {namespace, name, port} (memoized per Service). */
int lint_backend_read(lint_ctx *c, const node *svc_map, lint_backend *out);
/* A short "may not match" note for why bits ("" for 0). */
const char *lint_why_note(unsigned why);
/* Non-zero when id is the Service or a workload of b. */
int lint_backend_has(const lint_backend *b, uint32_t id);
/* "Deployment/ns/x behind Service/ns/y", "Service/ns/y (no workload behind
 * it)" into buf. */
const char *lint_backend_describe(lint_ctx *c, const lint_backend *b,
                                  char *buf, size_t size);

/* ---- the context -------------------------------------------------------- */

typedef struct lint_svc_memo lint_svc_memo;

struct lint_ctx {
    graph *g;
    const model *md;
    const manifest *m;
    lint_result *res;
    const lint_opts *opts;
    const lint_config *config;
    int failed; /* sticky rc of reporting */
    int helm_input; /* documents name their templates: Helm's kind order
                       decides creation; else a bundle applied in order */
    uint32_t seq;
    uint32_t *doc_base; /* per document: the line before its line 1, +1;
                           0 = not computed yet */
    lint_wh_table wh;
    int wh_built;
    lint_svc_memo *memo;
    size_t nmemo, memo_cap;
    secret_table certs, ess; /* produced Secrets */
    int secrets_built;
};

/* The produced-Secret tables (Certificates, ExternalSecrets). */
int lint_secret_tables(lint_ctx *c);

/* ---- reporting ---------------------------------------------------------- */

/* A new finding of rule on resource obj, located at node at (NULL: the
 * object). Returns NULL when the rule's finding cannot be recorded (out of
 * memory: sticky in c). The pointer is valid until the next lint_report. */
lint_finding *lint_report(lint_ctx *c, const lint_rule *rule,
                          lint_severity sev, uint32_t obj, const node *at);
/* The message / hint, formatted into the result's arena. */
void lint_say(lint_ctx *c, lint_finding *f, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
void lint_hint(lint_ctx *c, lint_finding *f, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
/* Add a related object of the manifest (ignored when already listed, when
 * it is the finding's object or GRAPH_NONE). */
void lint_related(lint_ctx *c, lint_finding *f, uint32_t id);
/* Add a related object that is not in the manifest. */
void lint_related_ext(lint_ctx *c, lint_finding *f, const char *api_version,
                      const char *kind, const char *ns, const char *name);
/* RC_OK, or the first reporting failure. */
int lint_status(const lint_ctx *c);

/* "Kind/ns/name" of a resource into buf (graph_node_name). */
const char *lint_name(lint_ctx *c, uint32_t id, char *buf, size_t size);
/* 1 for kinds Helm creates before any webhook configuration exists: every
 * kind of Helm 3's InstallOrder (which ends with APIService; Helm 4 puts the
 * webhook configurations right after it). */
int lint_kind_before_webhooks(const char *kind);
/* 1 when r is created by `helm install` while the release's ordinary
 * objects exist: an ordinary object, or a post-install/post-upgrade hook. */
int lint_installed_with_release(const resource *r);
/* 1 when r has this API group and kind. */
int lint_is(const resource *r, const char *group, const char *kind);
/* 1 for the kinds whose admission never calls webhooks (the webhook
 * configurations and admission policies themselves,
 * generic.IsExemptAdmissionConfigurationResource). */
int lint_admission_exempt(const resource *r);
/* 1 for a template of a chart's crds/ directory (`helm template
 * --include-crds` prints "<chart>/crds/x.yaml", also in subcharts). */
int lint_from_crds_dir(const char *tmpl);
/* 1 when `helm uninstall` (for a plain bundle: `kubectl delete -f`)
 * deletes r: not a hook, not kept by helm.sh/resource-policy: keep, not a
 * CRD of crds/. */
int lint_deleted_with_release(const lint_ctx *c, const resource *r);
/* 1 when that deletion deletes resource a in an earlier step than b:
 * Helm 3's UninstallOrder batches by kind (0 for one kind: one parallel
 * batch); a bundle goes in file order. */
int lint_deleted_before(const lint_ctx *c, uint32_t a, uint32_t b);
/* The in-edges of node id with reason (indices into g->edges) in edge
 * order; *n may be 0. */
const uint32_t *lint_in_edges(const graph *g, uint32_t id, size_t *n);
const uint32_t *lint_out_edges(const graph *g, uint32_t id, size_t *n);

/* ---- rules (one per file) ----------------------------------------------- */

extern const lint_rule lint_rule_crd_cr_same_release;          /* RI101 */
extern const lint_rule lint_rule_cr_finalizer_same_release;    /* RI106 */
extern const lint_rule lint_rule_webhook_admits_same_release;  /* RI201 */
extern const lint_rule lint_rule_conversion_webhook_same_release; /* RI202 */
extern const lint_rule lint_rule_apiservice_same_release;      /* RI203 */
extern const lint_rule lint_rule_webhook_self_deadlock;        /* RI204 */
extern const lint_rule lint_rule_webhook_no_ca;                /* RI205 */
extern const lint_rule lint_rule_ca_source_missing;            /* RI206 */
extern const lint_rule lint_rule_webhook_backend_external;     /* RI207 */
extern const lint_rule lint_rule_webhook_backend_unserved;     /* RI208 */
extern const lint_rule lint_rule_webhook_no_dry_run;           /* RI209 */
extern const lint_rule lint_rule_webhook_blocks_delete;        /* RI210 */
extern const lint_rule lint_rule_secret_from_certificate;      /* RI301 */
extern const lint_rule lint_rule_secret_from_externalsecret;   /* RI302 */
extern const lint_rule lint_rule_issuer_same_release;          /* RI303 */
extern const lint_rule lint_rule_produced_secret_subpath;      /* RI304 */
extern const lint_rule lint_rule_pre_hook_uses_release_object; /* RI401 */
extern const lint_rule lint_rule_injector_same_release;        /* RI402 */
extern const lint_rule lint_rule_suppression_no_reason;        /* RI001 */
extern const lint_rule lint_rule_suppression_unknown_rule;     /* RI002 */

/* Shared by RI301, RI302 and RI304 (lint_secrets.c): every reference of a
 * workload to a Secret produced in the manifest, deduplicated per
 * (workload, Secret, subPath or not). producer is the first producer. */
typedef struct lint_secret_use {
    uint32_t workload;
    const pod_ref *ref; /* valid during the callback only */
    const secret_producer *producer;
    int externalsecret; /* produced by an ExternalSecret, else a Certificate */
} lint_secret_use;

typedef int (*lint_secret_use_fn)(lint_ctx *c, const lint_secret_use *u,
                                  void *payload);
/* Walk the workloads that have a certificate-secret or
 * externalsecret-secret edge, in input order. */
int lint_secret_uses(lint_ctx *c, lint_secret_use_fn fn, void *payload);
/* The RI301 / RI302 finding for u; when says when the Secret appears. */
void lint_secret_report(lint_ctx *c, const lint_rule *rule,
                        const lint_secret_use *u, const char *when);

#endif
