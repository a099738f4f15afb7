/*
 * doctor: `readyinstall check` (docs/check.md). The subjects are the
 * webhooks, conversion webhooks, APIServices, CRDs, Certificates and
 * ExternalSecrets a manifest ships or needs from the cluster; each gets an
 * ordered list of checks with a status, one line of evidence and a fix.
 * Reads the cluster only (plus server-side dry-run creates); no stdout.
 * Ownership: a doctor_set owns its subjects, their strings, checks and
 * probe objects.
 */
#ifndef READYINSTALL_DOCTOR_H
#define READYINSTALL_DOCTOR_H

#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "graph.h"
#include "kube.h"

/* In order of weight: a subject's result is its worst check. */
typedef enum doctor_status {
    DOC_PASS = 0,
    DOC_SKIP, /* could not run here; counts as pass */
    DOC_WARN,
    DOC_FAIL
} doctor_status;

typedef enum doctor_kind {
    DOC_WEBHOOK = 0,
    DOC_CONVERSION,
    DOC_APISERVICE,
    DOC_CRD,
    DOC_CERTIFICATE,
    DOC_EXTERNALSECRET
} doctor_kind;

typedef struct doctor_check {
    const char *id; /* static: "ca-bundle", ... */
    doctor_status status;
    char *evidence; /* one line, never NULL */
    char *fix;      /* one line for fail/warn, else NULL */
} doctor_check;

typedef struct doctor_subject {
    doctor_kind kind;
    char *name;       /* webhook name, CRD/APIService name, "ns/name" */
    char *api_version, *obj_kind, *obj_ns, *obj_name; /* the object */
    int from_manifest; /* shipped by the manifest (else: the cluster's) */
    int svc_shipped;   /* the manifest also ships its Service */
    int hidden;        /* not a subject after all (a built-in kind) */
    json_object *probe; /* webhook: a manifest object it admits, or NULL */
    char *probe_label;  /* "Widget ns/a" */
    doctor_check *checks;
    size_t nchecks, cap;
} doctor_subject;

typedef struct doctor_set {
    doctor_subject *v;
    size_t n, cap;
} doctor_set;

void doctor_set_init(doctor_set *s);
void doctor_set_dispose(doctor_set *s);

/* Subjects from a graph whose resources 0..nrel-1 are the manifest's and
 * the rest live providers (install_live_append). */
int doctor_collect(doctor_set *s, const graph *g, size_t nrel);
/* Every webhook, conversion CRD and service-backed APIService of the
 * cluster not yet a subject (--all-webhooks). */
int doctor_collect_cluster(doctor_set *s, kube_client *cl);

/* Run every check of every subject once (replacing the last round's).
 * RC_OK, or RC_NOMEM; cluster errors become check evidence. */
int doctor_run(doctor_set *s, kube_client *cl, time_t now);

doctor_status doctor_subject_result(const doctor_subject *sub);
doctor_status doctor_result(const doctor_set *s);
const char *doctor_status_name(doctor_status st);  /* "pass", ... */
const char *doctor_kind_name(doctor_kind k);        /* "webhook", ... */

/* ---- report (doctor_report.c) ------------------------------------------ */

typedef struct doctor_source {
    const char *type; /* "release", "file", "chart", "cluster" */
    const char *name, *namespace;
    int rounds;
} doctor_source;

void doctor_print_text(FILE *out, const doctor_set *s,
                       const doctor_source *src);
/* The version 1 JSON report (docs/check.md); NULL when out of memory. */
json_object *doctor_json(const doctor_set *s, const doctor_source *src);
/* One line per failing check ("webhook \"x\": ca-bundle: empty"). */
void doctor_print_failing(FILE *out, const doctor_set *s, const char *prefix);

/* ---- internals shared by the doctor's files ----------------------------- */

void doctor_add_check(doctor_subject *sub, const char *id,
                      doctor_status st, const char *fix, const char *fmt,
                      ...) PRINTF_LIKE(5, 6);
/* Set the fix of the last check (printf-style). */
void doctor_set_fix(doctor_subject *sub, const char *fmt, ...)
    PRINTF_LIKE(2, 3);

#endif
