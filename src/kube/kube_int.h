/* kube module internals shared by its files. */
#ifndef READYINSTALL_KUBE_INT_H
#define READYINSTALL_KUBE_INT_H

#include "kube.h"

/* (kube_base64_decode is declared in kube.h.) */
/* Wipe and free a blob / a string that held a secret. */
void kube_blob_wipe(kube_blob *b);
void kube_secret_str_free(char *s);
char *kube_strdup(const char *s);

/* Append s percent-encoded for a URL query value. */
int kube_url_escape(sbuf *out, const char *s);

/* Parse an RFC 3339 time ("2026-01-02T03:04:05Z", fraction and offset
 * allowed). RC_PARSE when it is not one. */
int kube_time_parse(time_t *out, const char *s);

/* Credentials an exec plugin returned. */
typedef struct kube_exec_cred {
    char *token;
    kube_blob cert, key;
    time_t expires; /* 0: never */
} kube_exec_cred;
void kube_exec_cred_dispose(kube_exec_cred *c);
/* Run cfg's exec plugin and read its ExecCredential. Messages are worded
 * as kubectl's ("exec: executable x not found"); never contain stdout. */
int kube_exec_run(kube_exec_cred *out, const kube_config *cfg);

/* json-c helpers: NULL when absent or of another type. */
json_object *kube_json_path(json_object *o, const char *dotted);
const char *kube_json_str(json_object *o, const char *dotted);
/* Parse JSON text; RC_PARSE with where in the message. */
int kube_json_parse(json_object **out, const char *text, size_t len,
                    const char *where);

#endif
