/* `readyinstall install`: what its files share (cmd_install.c runs the
 * phases, install_helm.c talks to helm, install_report.c reports). */
#ifndef READYINSTALL_CLI_INSTALLER_H
#define READYINSTALL_CLI_INSTALLER_H

#include <signal.h>
#include <stdio.h>

#include <json-c/json.h>

#include "classify.h"
#include "install.h"
#include "model.h"
#include "util.h"

#define INSTALL_PROG "readyinstall"
#define INSTALL_PFX "readyinstall: "

extern volatile sig_atomic_t install_interrupt;
/* SIGINT and SIGTERM set install_interrupt (no SA_RESTART). */
void install_signals(void);

typedef struct install_cfg {
    const char *release, *chart, *helm;
    const char *namespace, *kube_context, *kubeconfig;
    int helm_major;  /* 3 or 4 */
    int retries;
    long ready_timeout_ms, poll_ms, progress_ms;
    int phases, plan_only, json, atomic, create_namespace;
    int crds_skip;       /* --crds skip (or helm's --skip-crds) */
    int upgrade_crds;    /* --upgrade-crds: update existing crds/ CRDs */
    int force_conflicts; /* --force-conflicts: also for our CRD applies */
    size_t max_body;     /* --max-response-bytes (0: the default) */
    const char *self_dir;  /* directory of our binary */
    const char **pass;     /* flags for helm upgrade, NULL-terminated */
    size_t npass;
    const char **tmpl;     /* the subset helm template accepts */
    size_t ntmpl;
} install_cfg;

/* The release as `helm status -o json` shows it. */
typedef struct install_release {
    int exists;
    int revision;
    char status[32]; /* deployed, failed, pending-install, ... */
} install_release;

/* ---- install_helm.c ------------------------------------------------------ */

/* helm's major version from `helm version`; 0 when it cannot tell. */
int install_helm_major(const char *helm);
int install_release_get(install_release *out, const install_cfg *c);
/* `helm get manifest`: *buf (caller frees) or NULL with none. */
int install_previous_manifest(char **buf, size_t *len, const install_cfg *c);
/* Render with helm template (helm-facts.md §11.1). *client_only is set
 * when rendered without the cluster. */
int install_render(sbuf *out, const install_cfg *c, int is_upgrade,
                   const char *const *api_versions, const char *kube_version,
                   int *client_only);

/* One helm run of a phase: helm's output is shown as it comes (on our
 * stderr) and its stderr kept for classification. */
typedef struct install_attempt {
    int phase, attempt, exit_status;
    long ms;
    classify_result errors;
    int classified;
} install_attempt;

int install_run_upgrade(install_attempt *a, const install_cfg *c,
                        const char *defer_file);
/* `helm uninstall RELEASE` with c->pass, its output shown on stderr;
 * helm's exit status in *status. */
int install_run_uninstall(const install_cfg *c, int *status);
/* helm uninstall / rollback for --atomic; 0 when it worked. */
int install_cleanup(const install_cfg *c, const install_release *before);

/* ---- install_crds.c ------------------------------------------------------ */

enum { INSTALL_CRD_CREATE = 0, INSTALL_CRD_UPDATE, INSTALL_CRD_REFUSE };

typedef struct install_crd_action {
    int kind;           /* INSTALL_CRD_* */
    const resource *res; /* the chart's CRD (borrowed from the model) */
    char why[512];
} install_crd_action;

typedef struct install_crd_plan {
    install_crd_action *v;
    size_t n, nrefused;
} install_crd_plan;

/* What to do with the crds/ CRDs among release objects 0..nrel-1 on an
 * upgrade: create the missing ones; with --upgrade-crds update (or
 * refuse, with the reason) the others. */
int install_crds_plan(install_crd_plan *p, kube_client *cl,
                      const install_cfg *c, const model *md, size_t nrel);
void install_crds_dispose(install_crd_plan *p);
void install_crds_print(FILE *out, const install_crd_plan *p,
                        const char *prefix);
json_object *install_crds_json(const install_crd_plan *p);
/* Server-side apply every create/update; a WAIT_CRD target for each in s.
 * EXIT_OK or the exit code (after printing why). */
int install_crds_apply(const install_crd_plan *p, kube_client *cl,
                       const install_cfg *c, wait_set *s);

/* ---- install_report.c ---------------------------------------------------- */

typedef struct install_report {
    json_object *root, *phases, *attempts, *waits;
} install_report;

void install_report_init(install_report *r, const install_cfg *c);
void install_report_phase(install_report *r, int phase, size_t objects,
                          json_object *deferred);
void install_report_attempt(install_report *r, const install_attempt *a);
void install_report_crds(install_report *r, json_object *crds);
void install_report_wait(install_report *r, int phase, const char *what,
                         long ms, int ok, const char *detail);
/* Print the final report on stdout (text or JSON) and free it. */
void install_report_finish(install_report *r, const install_cfg *c,
                           int succeeded);

#endif
