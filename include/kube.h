/*
 * kube: a Kubernetes API client. kubeconfig loading as kubectl does it
 * (several files merged, contexts, every auth method including exec
 * credential plugins), requests behind a transport seam (libcurl, or canned
 * replies for tests), Status errors decoded, retries for throttling and
 * etcd blips, discovery, GET/LIST with pagination, server-side dry-run and
 * typed readers for the objects the installer and doctor look at.
 * Ownership: kube_config_load() returns a config the caller frees; a client
 * borrows its config and owns its transport. json_object results belong to
 * the caller (json_object_put); typed results own their json tree and point
 * into it (kube_*_list_free). Core code reads no environment: the CLI fills
 * kube_config_opts (src/cli/kube_env.c).
 * Returns RC_OK, RC_INVALID / RC_PARSE (kubeconfig, with file:line:col),
 * RC_IO (connection, TLS, exec plugin), RC_HTTP (the API answered with an
 * error: kube_client_status()), RC_LIMIT (response too big), RC_NOMEM.
 * Secrets (tokens, passwords, keys, Secret data) never enter messages.
 */
#ifndef READYINSTALL_KUBE_H
#define READYINSTALL_KUBE_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "util.h"

/* Named limits on what the API server and plugins may send us. */
#define KUBE_BODY_MAX_DEFAULT ((size_t)64 << 20)   /* one response, bytes */
#define KUBE_EXEC_OUTPUT_MAX ((size_t)1 << 20)     /* exec plugin stdout */
#define KUBE_KUBECONFIG_MAX ((size_t)16 << 20)     /* one kubeconfig file */
#define KUBE_LIST_PAGES_MAX ((size_t)100000)       /* pages of one LIST */
#define KUBE_TIMEOUT_MS_DEFAULT 30000L             /* one request */
#define KUBE_RETRIES_DEFAULT 5                     /* extra attempts */
#define KUBE_RETRY_AFTER_MAX_S 60L                 /* longest Retry-After */

/* ---- kubeconfig ---------------------------------------------------------- */

/* What Helm passes to plugins (helm-facts.md §8); NULL or "" means unset. */
typedef struct kube_config_opts {
    const char *kubeconfig; /* KUBECONFIG: paths separated by ':' */
    const char *home;       /* for the default $HOME/.kube/config */
    const char *context;    /* HELM_KUBECONTEXT */
    const char *namespace;  /* HELM_NAMESPACE */
    const char *apiserver;  /* HELM_KUBEAPISERVER */
    const char *token;      /* HELM_KUBETOKEN */
    const char *ca_file;    /* HELM_KUBECAFILE */
    int insecure_skip_tls_verify; /* HELM_KUBEINSECURE_SKIP_TLS_VERIFY: 1 */
    const char *tls_server_name;  /* HELM_KUBETLS_SERVER_NAME */
    const char *https_proxy;      /* HTTPS_PROXY, used without proxy-url */
    const char *no_proxy;         /* NO_PROXY */
    char *const *environ; /* environment for exec plugins (may be NULL) */
} kube_config_opts;

#define KUBE_CONFIG_OPTS_INIT                                               \
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL}

typedef struct kube_blob {
    unsigned char *data; /* NUL-terminated for convenience */
    size_t len;
} kube_blob;

/* users[].user.exec (client.authentication.k8s.io ExecConfig). */
typedef struct kube_exec_config {
    char *command; /* resolved against the kubeconfig's directory when it
                      has a slash; else looked up in PATH */
    char **args;
    size_t nargs;
    char **env; /* "NAME=value" */
    size_t nenv;
    char *api_version;      /* client.authentication.k8s.io/v1 or v1beta1 */
    char *install_hint;     /* installHint */
    char *interactive_mode; /* Never, IfAvailable, Always */
    int provide_cluster_info;
} kube_exec_config;

/* The resolved connection of one context. Strings are NULL when unset. */
typedef struct kube_config {
    char *context, *cluster, *user; /* names */
    char *namespace;                /* never NULL; "default" by default */
    char *server;                   /* without a trailing slash */
    char *tls_server_name, *proxy_url;
    int insecure_skip_tls_verify, disable_compression;
    kube_blob ca;                        /* PEM; len 0: system roots */
    kube_blob client_cert, client_key;   /* PEM */
    char *token;                         /* bearer token (secret) */
    char *username, *password;           /* basic auth (password secret) */
    int has_exec;
    kube_exec_config exec;
    char *const *environ; /* borrowed from the opts */
    char *https_proxy, *no_proxy;
    char *sources; /* the files read, ':'-separated, for messages */
} kube_config;

/*
 * Load the kubeconfig files (KUBECONFIG list, else $HOME/.kube/config),
 * merge them by kubectl's rules (the first file to define a cluster, user or
 * context name wins; current-context from the first file that sets it),
 * select the context (opts->context, else current-context) and apply the
 * HELM_* overrides. Relative paths are resolved against the directory of
 * the file that holds them. Errors name file:line:col.
 */
int kube_config_load(kube_config **out, const kube_config_opts *opts);
void kube_config_free(kube_config *c);

/* Fill opts from the process environment (src/cli/kube_env.c: the only
 * code of this module that reads it). */
void kube_config_opts_from_env(kube_config_opts *opts, char *const *envp);

/* Decode base64 (standard alphabet, padding optional, whitespace skipped)
 * into out (malloc'ed, NUL-terminated; caller frees). RC_PARSE when it is
 * not base64, RC_NOMEM. */
int kube_base64_decode(kube_blob *out, const char *s, size_t len);

/* ---- transport seam --------------------------------------------------- */

typedef struct kube_request {
    const char *method; /* GET, POST, PUT, PATCH, DELETE */
    const char *url;    /* server + path */
    const char *path;   /* path and query, for matching and messages */
    const char *content_type; /* of body; NULL without a body */
    const char *body;
    size_t body_len;
    const char *const *headers; /* "Name: value", NULL-terminated */
    const kube_blob *client_cert, *client_key; /* from an exec plugin */
    long timeout_ms;
    size_t max_body;
} kube_request;

typedef struct kube_response {
    long status;        /* HTTP status */
    sbuf body;          /* capped at the request's max_body */
    char content_type[128];
    long retry_after_s; /* Retry-After in seconds, -1 when absent */
} kube_response;

typedef struct kube_transport kube_transport;
struct kube_transport {
    /* RC_OK when an HTTP response arrived (any status); RC_IO (message set,
     * no secrets) when none did; RC_LIMIT for an oversized body. */
    int (*send)(kube_transport *t, const kube_request *req,
                kube_response *resp);
    void (*free)(kube_transport *t);
};

/* libcurl with the config's TLS settings (borrowed config). */
int kube_transport_curl_new(kube_transport **out, const kube_config *cfg);

/* Canned replies, for tests: each reply answers the first request whose
 * method matches and whose path (with query) starts with path_prefix, once,
 * in the order added. Unmatched requests fail with RC_IO. */
int kube_transport_canned_new(kube_transport **out);
int kube_canned_add(kube_transport *t, const char *method,
                    const char *path_prefix, long status,
                    const char *body, long retry_after_s);
/* The recorded requests: method, path, body and the headers joined by
 * '\n'; borrowed until the transport is freed. NULL past the end. */
typedef struct kube_canned_seen {
    const char *method, *path, *body, *headers, *content_type;
} kube_canned_seen;
const kube_canned_seen *kube_canned_request(const kube_transport *t,
                                            size_t i);
size_t kube_canned_requests(const kube_transport *t);
size_t kube_canned_unused(const kube_transport *t);

/* ---- client ------------------------------------------------------------ */

typedef struct kube_client kube_client;

typedef struct kube_client_opts {
    long timeout_ms;
    size_t max_body;
    int retries;        /* extra attempts for 429 and etcd blips */
    long backoff_ms;    /* first wait; doubles per attempt */
    long backoff_max_ms;
    const char *user_agent;
    const char *field_manager; /* for dry-run creates */
} kube_client_opts;

#define KUBE_CLIENT_OPTS_INIT                                               \
    {KUBE_TIMEOUT_MS_DEFAULT, KUBE_BODY_MAX_DEFAULT, KUBE_RETRIES_DEFAULT,  \
     250, 8000, "readyinstall", "readyinstall"}

/* The last API error (RC_HTTP), decoded from its Status object. */
typedef struct kube_status {
    long code;        /* HTTP status, 0 when none */
    char reason[64];  /* NotFound, AlreadyExists, Conflict, Invalid, ... */
    char message[4096];
} kube_status;

/* cfg is borrowed and must outlive the client; transport is owned (NULL:
 * the curl transport for cfg). */
int kube_client_new(kube_client **out, const kube_config *cfg,
                    kube_transport *transport, const kube_client_opts *opts);
void kube_client_free(kube_client *cl);
const kube_status *kube_client_status(const kube_client *cl);
/* Replace the sleep used between retries (tests). */
void kube_client_set_sleep(kube_client *cl,
                           void (*fn)(long ms, void *payload), void *payload);
/* A line per request ("GET /api/v1/... -> 200 (12 ms)"), no headers. */
void kube_client_set_log(kube_client *cl,
                         void (*fn)(const char *line, void *payload),
                         void *payload);
/* Replace the clock (tests of the exec credential cache). */
void kube_client_set_clock(kube_client *cl, time_t (*fn)(void *payload),
                           void *payload);
/* How many times the exec plugin ran. */
unsigned kube_client_exec_runs(const kube_client *cl);

/* A request with a JSON (or given) body; *out is the parsed response (NULL
 * allowed to discard it). RC_HTTP for status >= 400. */
int kube_request_json(kube_client *cl, json_object **out, const char *method,
                      const char *path, const char *content_type,
                      const char *body, size_t body_len);

/* ---- resources ---------------------------------------------------------- */

typedef struct kube_resource {
    char group[128], version[64], kind[128], plural[128];
    int namespaced;
} kube_resource;

/* The resource for apiVersion + kind, from the discovery document of its
 * group/version (cached per client). RC_HTTP with code 404 when the
 * group/version is not served; RC_INVALID "no kind X in G/V" when the kind
 * is not in it. */
int kube_discover(kube_client *cl, kube_resource *out,
                  const char *api_version, const char *kind);
/* Forget the cached discovery documents (a CRD became served since). */
void kube_discovery_reset(kube_client *cl);
/* Built-in resources the typed helpers use (no discovery needed). */
int kube_resource_builtin(kube_resource *out, const char *api_version,
                          const char *kind);

/* "/api/v1/namespaces/ns/pods/name", "/apis/g/v/plural"; ns ignored for
 * cluster-scoped resources, name may be NULL. */
int kube_resource_path(sbuf *out, const kube_resource *r, const char *ns,
                       const char *name);

int kube_get(kube_client *cl, json_object **out, const kube_resource *r,
             const char *ns, const char *name);

typedef struct kube_list_opts {
    const char *label_selector, *field_selector;
    long limit; /* page size; 0: no limit */
    size_t max_items; /* stop after this many (0: all) */
} kube_list_opts;
#define KUBE_LIST_OPTS_INIT {NULL, NULL, 500, 0}

/* Every item of a LIST, following metadata.continue; *out is a JSON array.
 * ns NULL or "" lists all namespaces. *pages (may be NULL) counts requests. */
int kube_list(kube_client *cl, json_object **out, const kube_resource *r,
              const char *ns, const kube_list_opts *lo, size_t *pages);

/* Server-side dry-run create (?dryRun=All&fieldManager=<opts>) of obj, in
 * its metadata.namespace or default_ns. *out (may be NULL) is what the
 * server would store. An admission refusal is RC_HTTP with the status. */
int kube_dry_run_create(kube_client *cl, json_object **out,
                        json_object *obj, const char *default_ns);

/* ---- typed readers ------------------------------------------------------- */

/* status.conditions[type=...]; strings borrowed from obj. */
typedef struct kube_condition {
    const char *type, *status, *reason, *message;
} kube_condition;
/* RC_OK and the condition, or RC_ITEROVER when obj has no such condition. */
int kube_condition_get(kube_condition *out, json_object *obj,
                       const char *type);
/* Get an object and read one condition: CRD Established, APIService
 * Available, cert-manager Certificate Ready (cert-manager.io/v1). *obj
 * receives the object (caller puts it) so the strings stay valid. */
int kube_object_condition(kube_client *cl, json_object **obj,
                          kube_condition *out, const char *api_version,
                          const char *kind, const char *ns, const char *name,
                          const char *type);

typedef struct kube_webhook {
    const char *configuration; /* metadata.name of the configuration */
    int mutating;
    const char *name, *failure_policy, *side_effects;
    const char *service_namespace, *service_name, *service_path, *url;
    long service_port; /* 443 by default */
    size_t ca_bundle_len;
    long timeout_s; /* 10 by default */
    json_object *obj; /* the webhook entry (rules, selectors); borrowed */
} kube_webhook;
typedef struct kube_webhook_list {
    json_object *root; /* owns everything below */
    kube_webhook *items;
    size_t n;
} kube_webhook_list;
/* Every webhook of every Mutating- and ValidatingWebhookConfiguration. */
int kube_webhooks_list(kube_client *cl, kube_webhook_list *out);
void kube_webhook_list_free(kube_webhook_list *l);

typedef struct kube_service_port {
    const char *name, *protocol, *target_port_name;
    long port, target_port; /* target_port 0 when it is a name */
} kube_service_port;
typedef struct kube_service {
    json_object *root;
    const char *type, *cluster_ip;
    kube_service_port *ports;
    size_t nports;
    json_object *selector; /* borrowed; NULL when none */
} kube_service;
int kube_service_get(kube_client *cl, kube_service *out, const char *ns,
                     const char *name);
void kube_service_free(kube_service *s);

/* Ready endpoints of a Service from its EndpointSlices (label
 * kubernetes.io/service-name); port 0 counts every port, else only slices
 * that serve that (target) port. */
typedef struct kube_endpoints {
    size_t slices, endpoints, ready;
} kube_endpoints;
int kube_endpoints_count(kube_client *cl, kube_endpoints *out,
                         const char *ns, const char *service, long port);

typedef struct kube_pod {
    const char *name, *phase;
    int ready;
    const char *reason, *message; /* from a waiting container or the Ready
                                     condition, NULL when none */
    long restarts;
} kube_pod;
typedef struct kube_pod_list {
    json_object *root;
    kube_pod *items;
    size_t n;
} kube_pod_list;
int kube_pods_list(kube_client *cl, kube_pod_list *out, const char *ns,
                   const char *label_selector);
void kube_pod_list_free(kube_pod_list *l);

typedef struct kube_event {
    const char *type, *reason, *message, *kind, *name;
    long count;
} kube_event;
typedef struct kube_event_list {
    json_object *root;
    kube_event *items;
    size_t n;
} kube_event_list;
/* Events about kind/name in ns (kind or name NULL: any). */
int kube_events_list(kube_client *cl, kube_event_list *out, const char *ns,
                     const char *kind, const char *name);
void kube_event_list_free(kube_event_list *l);

typedef struct kube_secret_item {
    const char *key;
    kube_blob value; /* decoded; secret: wiped by kube_secret_free */
} kube_secret_item;
typedef struct kube_secret {
    json_object *root;
    const char *type;
    kube_secret_item *items;
    size_t n;
} kube_secret;
/* with_data 0 reads keys only (values left empty). */
int kube_secret_get(kube_client *cl, kube_secret *out, const char *ns,
                    const char *name, int with_data);
const kube_blob *kube_secret_value(const kube_secret *s, const char *key);
void kube_secret_free(kube_secret *s);

#endif
