/*
 * install: the installer's core (DESIGN.md "The installer"): the phase plan
 * over the dependency graph, the readiness waits against the cluster, and
 * converting manifest objects to JSON for server-side dry-runs. The CLI
 * (src/cli/cmd_install.c) runs helm and prints; nothing here reads the
 * environment or writes to stdout.
 * Ownership: an install_plan owns its arrays; a wait_set owns its targets,
 * their strings and JSON objects.
 * Returns RC_OK, RC_NOMEM; the waits also RC_IO / RC_HTTP from the client.
 */
#ifndef READYINSTALL_INSTALL_H
#define READYINSTALL_INSTALL_H

#include <signal.h>
#include <stdio.h>

#include <json-c/json.h>

#include "classify.h"
#include "graph.h"
#include "kube.h"

/* ---- plan (plan.c) ------------------------------------------------------ */

/* Is this release object already in the cluster or in the previous
 * release? Such objects are never deferred: leaving them out of phase 1
 * would delete them. */
typedef int (*plan_exists_fn)(const resource *r, void *payload);

typedef struct install_plan {
    size_t nrel;      /* resources 0..nrel-1 are the release's; the rest are
                         live cluster objects added for planning only */
    uint8_t *phase;   /* per release resource: 1 or 2 */
    uint32_t *because; /* per release resource: the edge (index into
                          g->edges) that defers it, GRAPH_NONE */
    size_t ndeferred;
    uint32_t *providers; /* release objects phase 2 waits for (CRDs,
                            APIServices, webhook Services), sorted */
    size_t nproviders;
    uint32_t *preflight; /* live objects (>= nrel) release objects need */
    size_t npreflight;
    uint32_t *kept; /* release objects that would be deferred but exist */
    size_t nkept;
} install_plan;

/*
 * Phase 2 gets every ordinary (non-hook) release object that needs an
 * in-release CRD, webhook, conversion webhook or APIService (edges crd,
 * webhook, conversion, apiservice), and what needs those in turn; never an
 * object exists() reports, nor one the provider itself needs (that would
 * deadlock: a webhook admitting its own backend). exists may be NULL.
 * With phases 0 everything stays in phase 1 (providers still listed).
 */
int install_plan_build(install_plan *out, const graph *g, size_t nrel,
                       plan_exists_fn exists, void *payload, int phases);
void install_plan_dispose(install_plan *p);

/* CRDs, webhook configurations, APIServices: what the waits look at,
 * never deferred and never probed by a dry-run of their own. */
int install_provider_kind(const char *kind);

/* The webhook a webhook edge's detail names (`webhook "NAME"`) into buf;
 * 0 when it names none or it does not fit. */
int install_edge_webhook(const graph_edge *e, char *buf, size_t size);

/* Is edge reason r one that a phase split waits on? */
int install_edge_is_readiness(edge_reason r);

/* ---- objects as JSON (objjson.c) --------------------------------------- */

/* A YAML node tree as JSON, scalars typed as Kubernetes' YAML reader types
 * them (null, booleans, integers, floats; quoted and !!str stay strings).
 * NULL, with err_last() saying why, when out of memory, for a shape JSON
 * cannot hold, or when aliases expand further than Helm's YAML reader
 * allows (an alias bomb: RC_LIMIT). */
json_object *install_node_json(const node *n);

/* ---- CRDs of crds/ on upgrade (crds.c) ----------------------------------- */

/* Does a rendered object's source ("chart/crds/x.yaml") lie in a chart's
 * (or subchart's) crds/ directory? */
int install_crd_from_crds_dir(const char *path);

/* Would replacing the live CRD by want lose data or break clients? 1 with
 * the reason in why when it drops a version status.storedVersions lists,
 * stops serving a version while objects exist (has_objects), or changes
 * scope or names; else 0. */
int install_crd_update_refused(json_object *live, json_object *want,
                               int has_objects, char *why, size_t size);

/* ---- uninstall order (teardown.c) ---------------------------------------- */

/* Is this release object a custom resource (its CRD is in the cluster)? */
typedef int (*teardown_custom_fn)(const resource *r, void *payload);

typedef struct install_teardown {
    uint32_t *ids;   /* release objects to delete before helm uninstall */
    uint32_t *batch; /* per entry: its batch (deleted together, then waited
                        for until gone), ascending */
    size_t n, nbatches;
    size_t ncustom;  /* entries 0..ncustom-1 are custom resources, the rest
                        webhook configurations and APIServices (one batch) */
} install_teardown;

/*
 * The custom resources of release objects 0..nrel-1 (hooks aside; none
 * with keep_crs), each batch what no remaining one needs first (an edge
 * A -> B deletes B before A; cycle members go together), then one batch
 * of webhook configurations and APIServices. CRDs are never listed.
 */
int install_teardown_build(install_teardown *t, const graph *g, size_t nrel,
                           teardown_custom_fn is_custom, void *payload,
                           int keep_crs);
void install_teardown_dispose(install_teardown *t);

/* ---- live providers (live.c) ------------------------------------------- */

#define INSTALL_LIVE_ANNOTATION "readyinstall.io/live"

/* Does the manifest have kind/name (then its live copy is not added)? */
typedef int (*install_live_skip_fn)(const char *kind, const char *name,
                                    void *payload);

/* Append the cluster's webhook configurations, APIServices and CRDs with
 * a conversion webhook to out, each a JSON document annotated
 * INSTALL_LIVE_ANNOTATION, except those skip() claims. Kinds that cannot
 * be listed are left out. */
void install_live_append(kube_client *cl, sbuf *out,
                         install_live_skip_fn skip, void *payload);

/* ---- readiness waits (wait.c) ------------------------------------------ */

typedef enum wait_kind {
    WAIT_DRY_RUN = 0, /* S-DRY: a server-side dry-run create succeeds */
    WAIT_CRD,         /* S-CRD: Established and NamesAccepted */
    WAIT_APISERVICE,  /* S-API: Available */
    WAIT_WEBHOOK      /* S-EP + S-CA: ready endpoints on the webhook's
                         Service port, caBundle present and PEM */
} wait_kind;

typedef struct wait_target {
    wait_kind kind;
    char *label;      /* "Widget ns/a", "webhook \"v.example.com\"" */
    char *name, *ns;  /* CRD / APIService / webhook name; dry-run ns */
    json_object *obj; /* WAIT_DRY_RUN: the object */
    int ok;           /* met */
    int unusable;     /* dry-run impossible (D3): other signals decide */
    classify_code last; /* why the last check failed (CL_UNKNOWN: none) */
    char missing[512];  /* what the last check found missing */
    char webhook[256];  /* the webhook the last refusal named, or "" */
} wait_target;

typedef struct wait_set {
    wait_target *v;
    size_t n, cap;
} wait_set;

void wait_set_init(wait_set *s);
void wait_set_dispose(wait_set *s);
/* Add a target unless one of the same kind and label is there; obj is
 * taken (put when not added). */
int wait_set_add(wait_set *s, wait_kind kind, const char *label,
                 const char *name, const char *ns, json_object *obj);

typedef enum wait_outcome {
    WAIT_MET = 0,    /* every target met */
    WAIT_TIMEOUT,    /* the deadline passed */
    WAIT_REFUSED,    /* a dry-run was refused for good (D1 denial, ...) */
    WAIT_INTERRUPTED /* *interrupt was set */
} wait_outcome;

typedef struct wait_opts {
    long timeout_ms, poll_ms, progress_ms;
    FILE *progress;  /* one line per progress interval (NULL: silent) */
    const char *prefix; /* "readyinstall: " */
    const char *what;   /* "before phase 2" */
    volatile sig_atomic_t *interrupt;
    /* clock and sleep, replaceable for tests (NULL: real ones) */
    long (*now_ms)(void *payload);
    void (*sleep_ms)(long ms, void *payload);
    void *payload;
} wait_opts;

#define WAIT_OPTS_INIT                                                       \
    {180000, 2000, 30000, NULL, "readyinstall: ", "", NULL, NULL, NULL, NULL}

/* Check every target once (those not yet met). RC_OK when the checks ran;
 * *refused set when a dry-run was refused for good. */
int wait_check(kube_client *cl, wait_set *s, int *refused);

/* Poll with backoff (poll_ms doubling to 4x) until every target is met,
 * one refuses, the timeout passes or *interrupt is set. *elapsed_ms is the
 * time spent. */
wait_outcome wait_run(kube_client *cl, wait_set *s, const wait_opts *o,
                      long *elapsed_ms);

/* What is still missing, one "  - label: missing" line per unmet target. */
void wait_print_missing(FILE *out, const wait_set *s, const char *prefix);

/*
 * Diagnostics for a webhook (by webhook name): its configuration
 * (failurePolicy, caBundle parsed, expiry), Service and endpoint counts,
 * backend pods (phase, ready, restarts, waiting reasons), recent Events,
 * and the next command to run. Written to out, each line after prefix.
 */
void wait_diagnose_webhook(kube_client *cl, FILE *out, const char *prefix,
                           const char *webhook);

/* "k1=v1,k2=v2" of a Service's selector map ("" when none), a label
 * selector for listing its pods. */
void install_selector_labels(char *buf, size_t size, json_object *sel);

#endif
