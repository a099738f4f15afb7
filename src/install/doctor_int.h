/* What the doctor's files share (doctor.c collects and runs rounds). */
#ifndef READYINSTALL_DOCTOR_INT_H
#define READYINSTALL_DOCTOR_INT_H

#include "doctor.h"

#define DOC_CA_WARN_DAYS 30   /* caBundle certificate expiring soon */
#define DOC_CERT_WARN_DAYS 14 /* serving certificate expiring soon */

/* One round: the client, the time, what is read once per round. */
typedef struct doctor_ctx {
    kube_client *cl;
    time_t now;
    kube_webhook_list hooks;
    int have_hooks;
    char hooks_error[1024];
} doctor_ctx;

int doctor_ctx_init(doctor_ctx *ctx, kube_client *cl, time_t now);
void doctor_ctx_dispose(doctor_ctx *ctx);

doctor_subject *doctor_find(doctor_set *s, doctor_kind kind,
                            const char *name);
/* A subject (the existing one of that kind and name); NULL: no memory. */
doctor_subject *doctor_add(doctor_set *s, doctor_kind kind, const char *name,
                           const char *api_version, const char *obj_kind,
                           const char *ns, const char *obj_name,
                           int from_manifest);

/* How a webhook, conversion webhook or APIService reaches its backend. */
typedef struct doctor_backend {
    const char *svc_ns, *svc_name, *url; /* svc_name NULL: URL / Local */
    long port;
    const char *ca_b64;       /* the caBundle as stored (base64) */
    int insecure;             /* APIService insecureSkipTLSVerify */
    json_object *annotations; /* of the object (cert-manager injection) */
    const char *delete_cmd;   /* "kubectl delete ...": stale fix */
} doctor_backend;

/* What the backend checks found, for the checks after them. */
typedef struct doctor_found {
    int svc_found;
    json_object *pod_labels; /* labels of a backend pod (owned), or NULL */
} doctor_found;

/* ca-bundle, ca-injection, service, service-port, endpoints, pods,
 * serving-certificate. */
void doctor_check_backend(doctor_ctx *ctx, doctor_subject *sub,
                          const doctor_backend *b, doctor_found *found);
/* Skip every backend check (the object is missing). */
void doctor_skip_backend(doctor_subject *sub, const char *why);

void doctor_check_webhook(doctor_ctx *ctx, doctor_subject *sub);
void doctor_check_conversion(doctor_ctx *ctx, doctor_subject *sub);
void doctor_check_apiservice(doctor_ctx *ctx, doctor_subject *sub);
void doctor_check_crd(doctor_ctx *ctx, doctor_subject *sub);
void doctor_check_ready(doctor_ctx *ctx, doctor_subject *sub);

/* matchLabels / matchExpressions against a labels object (NULL: none);
 * an absent selector matches everything. */
int doctor_selector_matches(json_object *sel, json_object *labels);
/* "k=v,k2 in (a,b)" of a selector, "none" when absent or empty. */
void doctor_selector_text(char *buf, size_t size, json_object *sel);

/* Get an object by apiVersion/kind; RC_HTTP with the status on failure. */
int doctor_get(doctor_ctx *ctx, json_object **out, const char *api_version,
               const char *kind, const char *ns, const char *name);
/* A string at a dotted path of a JSON object, or NULL. */
const char *doctor_str(json_object *o, const char *path);
json_object *doctor_obj(json_object *o, const char *path);
/* Length of a JSON array; 0 for anything else (API data is untrusted and
 * json-c asserts on the wrong type). */
size_t doctor_len(json_object *arr);
/* "not found" for a 404, else the last error's text. */
const char *doctor_get_error(doctor_ctx *ctx);

#endif
