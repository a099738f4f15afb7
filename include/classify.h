/*
 * classify: Helm's stderr (or one API Status message) split into its
 * errors, each classified by the rows of error-catalogue.md (W1-W16,
 * D1-D3, C1-C3, N1-N2, R1-R2, H1-H5, T1-T2, P1-P3) with what the message
 * names: webhook, Service, namespace, port, kind, object. Works on all of
 * the text, never anchored on Helm's prefixes (catalogue §4).
 * Ownership: a classify_result owns every string of its errors (one arena);
 * classify_result_free releases them. Input is untrusted: any bytes, any
 * length, NUL bytes included, never crash.
 * Returns RC_OK or RC_NOMEM.
 */
#ifndef READYINSTALL_CLASSIFY_H
#define READYINSTALL_CLASSIFY_H

#include <stddef.h>

#include "util.h"

/* Named limits on the untrusted text: what is looked at, per error and in
 * all (the rest is ignored, never an error). */
#define CLASSIFY_TEXT_MAX ((size_t)4 << 20)       /* bytes of stderr */
#define CLASSIFY_ERROR_TEXT_MAX ((size_t)64 << 10) /* bytes of one error */
#define CLASSIFY_ERRORS_MAX 10000                  /* errors kept */
#define CLASSIFY_RX_WINDOW 4096 /* bytes a field expression reads from its
                                  literal anchor (keeps regexec linear) */

/* Decisions the catalogue leaves open: T2 is never given (its text is T1's);
 * D2 is never given (the installer upgrades D1); a URL host other than
 * exactly <svc>.<ns>.svc (e.g. <svc>.<ns>.svc.cluster.local) is external,
 * the Service then coming from the cause only; `create: failed to create: `
 * and `update: failed to update: ` (the release record) set CL_F_RECORD;
 * an unrecognised error under CL_F_RECORD is H3; when stderr has only
 * Helm 4 log lines, the last level=ERROR error="..." is classified. */

typedef enum classify_code {
    CL_UNKNOWN = 0,
    CL_W1, CL_W2, CL_W3, CL_W4, CL_W5, CL_W6, CL_W7, CL_W8, CL_W9, CL_W10,
    CL_W11, CL_W12, CL_W13, CL_W14, CL_W15, CL_W16,
    CL_D1, CL_D2, CL_D3,
    CL_C1, CL_C2, CL_C3,
    CL_N1, CL_N2,
    CL_R1, CL_R2,
    CL_H1, CL_H2, CL_H3, CL_H4, CL_H5,
    CL_T1, CL_T2,
    CL_P1, CL_P2, CL_P3,
    CL_CODE_COUNT
} classify_code;

/* The catalogue's Retry? column, before the installer's own context
 * (D1 -> D2, W2 Yes/No, C1 in-release) refines it. */
typedef enum classify_retry {
    CL_RETRY_NO = 0,  /* fail at once with advice */
    CL_RETRY_YES,     /* wait on the signal, then retry */
    CL_RETRY_BOUNDED, /* retry on a short budget, then report */
    CL_RETRY_RECOVER  /* needs another command (rollback, uninstall) */
} classify_retry;

/* Bits of classify_result.flags: what the wrappers said. */
enum {
    CL_F_INSTALL = 1u << 0,     /* INSTALLATION FAILED */
    CL_F_UPGRADE = 1u << 1,     /* UPGRADE FAILED */
    CL_F_UNINSTALLED = 1u << 2, /* ... has been uninstalled due to atomic */
    CL_F_ROLLED_BACK = 1u << 3, /* ... has been rolled back due to ... */
    CL_F_HOOK = 1u << 4,        /* a hook failed */
    CL_F_RECORD = 1u << 5       /* failed to record the release (H3) */
};

typedef struct classify_error {
    classify_code code;
    classify_retry retry;
    const char *text; /* this error, prefixes stripped, one line (joined
                         continuation lines separated by a space) */
    const char *cause; /* W rows: the text after `Post "<url>": `, else NULL */
    /* Each NULL (port 0) when the message does not name it. */
    const char *webhook;     /* failed calling webhook "X" / admission webhook "X" */
    const char *url;         /* the Post URL */
    const char *service;     /* from the URL host <svc>.<ns>.svc, or the cause */
    const char *service_namespace;
    long port;               /* URL port; 443 when a .svc host names none */
    const char *path;        /* URL path */
    long timeout_s;          /* ?timeout=Ns, 0 when absent */
    int external;            /* the URL host is not <svc>.<ns>.svc */
    const char *dial_ip;     /* dial tcp <ip>:<port> */
    long dial_port;
    const char *kind;        /* C1 mapping, W14 conversion, cannot patch */
    const char *api_version; /* C1 group/version, W14 group/version */
    const char *object_name; /* C1 name, cannot patch "<name>", is forbidden */
    const char *object_namespace; /* C1 namespace */
    const char *resource;    /* `<resource>[.<group>] "<name>" is forbidden` */
    const char *denial;      /* D1: the webhook's message after "denied the
                                request: " (NULL: without explanation) */
    const char *hook_event, *hook_path; /* warning: Hook <event> <path> failed */
    const char *namespace_name; /* N1 / N2: the namespace */
} classify_error;

typedef struct classify_result {
    classify_error *errors; /* in the order they appear */
    size_t n;
    unsigned flags;          /* CL_F_* */
    const char *release;     /* from "release <rel> failed, and has been ..." */
    arena arena;
} classify_result;

/*
 * Split text[0..len) (all of helm's stderr) into errors and classify each:
 * drop `level=` log lines (Helm 4), split Helm 3 `N error(s) occurred:` +
 * TAB-* bullets, Helm 4 one-per-line errors, ` && ` joins; join
 * continuation lines (`ensure CRDs are installed first`) to the error
 * before; strip the prefixes of catalogue §4.1 repeatedly; match in the
 * order of §4.2; extract with §4.3. Text with no recognisable error gives
 * one CL_UNKNOWN error holding the last non-empty line (n == 0 only for
 * empty or whitespace-only text).
 */
int classify_text(classify_result *out, const char *text, size_t len);

/*
 * One API Status (from our own client: a dry-run, a GET): the structured
 * code decides first (§4.2: 500 InternalError -> W rows by the message,
 * 403/400 webhook denials -> D rows, 404 -> C2 / W11, 503 W12, 504 W15,
 * 429 R2), then the message as classify_text would. out->n is 1.
 */
int classify_status(classify_result *out, long http_code, const char *reason,
                    const char *message);

void classify_result_free(classify_result *r);

/* "W1", "D3", ... ("?" for CL_UNKNOWN). */
const char *classify_code_name(classify_code c);
/* One line: "webhook Service has no ready endpoints". */
const char *classify_code_summary(classify_code c);
/* One or two sentences of advice for a failure that is not retried
 * (what to check or run), from the catalogue's last column. */
const char *classify_code_advice(classify_code c);
/* The catalogue's default Retry? class of a row. */
classify_retry classify_code_retry(classify_code c);
/* "no", "yes", "bounded", "recover". */
const char *classify_retry_name(classify_retry r);

#endif
