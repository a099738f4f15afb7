/*
 * lint: ordering hazards of a release as findings (DESIGN.md "Lint rules").
 * lint_run() runs every enabled rule over a built graph, applies the
 * suppressions (ignore-check.readyinstall.io/<rule> annotations and the
 * .readyinstall.yaml config) and sorts the findings by stream position, then
 * rule id. The output formats live in src/output/lint_*.c.
 * Ownership: a lint_result owns its findings and strings (one arena) and
 * borrows the graph, model, manifest and config, which must outlive it.
 * Functions return RC_OK, RC_NOMEM, RC_LIMIT (an output reached its cap),
 * or, for the config reader, RC_PARSE / RC_INVALID with a position.
 */
#ifndef READYINSTALL_LINT_H
#define READYINSTALL_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "manifest.h"
#include "util.h"

/* Where the rule documentation lives: <base><ID>.md (SARIF helpUri). */
#define LINT_INFO_URI "https://github.com/readyinstall/readyinstall"
#define LINT_DOCS_URI LINT_INFO_URI "/blob/main/docs/rules/"
#define LINT_ANNOT_IGNORE "ignore-check.readyinstall.io/"

typedef enum lint_severity {
    LINT_SEV_INFO = 0,
    LINT_SEV_WARNING = 1,
    LINT_SEV_ERROR = 2,
    LINT_SEV_NEVER = 3 /* only as a --fail-on level: nothing fails */
} lint_severity;

typedef struct lint_ctx lint_ctx;

typedef struct lint_rule {
    const char *id;          /* "RI201" */
    const char *name;        /* "webhook-admits-same-release" */
    lint_severity severity;  /* default; a rule may pick another per finding */
    const char *summary;     /* one line (SARIF shortDescription) */
    const char *explain;     /* one paragraph (--list-rules, fullDescription) */
    int (*check)(lint_ctx *c); /* NULL: findings made by the runner itself */
} lint_rule;

/* The catalogue in id order; *n rules. Borrowed, static. */
const lint_rule *const *lint_rules(size_t *n);
/* A rule by id ("RI201") or name ("webhook-admits-same-release"), or NULL. */
const lint_rule *lint_rule_find(const char *id_or_name);
/* Position of rule in lint_rules(). */
size_t lint_rule_index(const lint_rule *rule);
const char *lint_severity_name(lint_severity s); /* "error", ... */
/* "error", "warning", "info" (and "never" when allow_never) -> *out; -1
 * when s is none of them. */
int lint_severity_parse(const char *s, int allow_never, lint_severity *out);

/* ---- configuration (.readyinstall.yaml) -------------------------------- */

typedef struct lint_rule_conf {
    int enabled;      /* 1 unless `enabled: false` */
    int severity;     /* a lint_severity, or -1: the rule's own */
} lint_rule_conf;

typedef struct lint_ignore {
    const lint_rule *rule; /* NULL: every rule ("*") */
    const char *object;    /* fnmatch pattern on Kind/ns/name, or NULL */
    const char *source;    /* fnmatch pattern on the template, or NULL */
    const char *reason;
} lint_ignore;

typedef struct lint_config {
    manifest *m; /* the parsed file; owns the strings below */
    char *buf;   /* its bytes (heap) */
    lint_rule_conf *rules; /* one per lint_rules() entry */
    lint_ignore *ignore;
    size_t nignore;
} lint_config;

/*
 * Read a config file's text (copied). Keys:
 *   rules:  {<id or name>: {enabled: BOOL, severity: error|warning|info}}
 *   ignore: [{rule: <id, name or *>, object: PATTERN, source: PATTERN,
 *             reason: TEXT}]   (reason required; object/source optional)
 * RC_PARSE / RC_INVALID with a position in err_last() (print it with
 * (*out)->m->src); *out is set even then and must be freed.
 */
int lint_config_parse(lint_config **out, const char *name, const char *buf,
                      size_t len);
/* The defaults: every rule enabled at its own severity. */
int lint_config_default(lint_config **out);
void lint_config_free(lint_config *c);

/* ---- running ------------------------------------------------------------ */

/* One input file of the stream, when several were joined into one. */
typedef struct lint_input {
    const char *name; /* as given, "<stdin>" for - */
    uint32_t off;     /* where its bytes start in the stream */
} lint_input;

typedef struct lint_opts {
    const lint_config *config; /* NULL: defaults */
    const lint_input *inputs;  /* sorted by off; NULL: the manifest's name */
    size_t ninputs;
    /* A rendered chart: templates are named "<chart_name>/..." and live in
     * "<chart_dir>/..."; paths for SARIF, GitHub and text use chart_dir. */
    const char *chart_name, *chart_dir;
} lint_opts;

#define LINT_OPTS_INIT {NULL, NULL, 0, NULL, NULL}

/* An object named by a finding; id is GRAPH_NONE for an object that is not
 * in the manifest (a missing Certificate, an external Service). */
typedef struct lint_ref {
    const char *api_version, *kind, *ns, *name; /* ns "" when cluster-scoped */
    uint32_t id;
    const char *path; /* where the object is (as lint_finding.path), or NULL */
    uint32_t line;    /* its first line there; 0 when not in the manifest */
} lint_ref;

typedef struct lint_finding {
    const lint_rule *rule;
    lint_severity severity; /* after config overrides */
    lint_ref object;
    lint_ref *related;
    uint32_t nrelated, related_cap;
    const char *source; /* template (`# Source:` / Helm 4 annotation) or NULL */
    const char *input;  /* the input file holding it */
    const char *path;   /* file to point at: template mapped to chart_dir,
                           else the input */
    uint32_t line;        /* in the template's rendered document, else
                             = stream_line */
    uint32_t stream_line; /* in its input file */
    uint32_t off;         /* byte offset in the stream, for sorting */
    const char *message, *hint;
    const char *suppressed; /* the reason, or NULL when reported */
    int suppressed_by_config; /* 0: by annotation (SARIF inSource) */
    uint32_t seq;
} lint_finding;

typedef struct lint_result {
    arena arena;
    lint_finding *v; /* sorted */
    size_t n, cap;
    size_t count[3];   /* reported (unsuppressed) findings per severity */
    size_t suppressed; /* suppressed findings */
    const lint_config *config; /* borrowed, or owned_config */
    lint_config *owned_config;
    const char *input_name; /* the stream's name (first input) */
} lint_result;

/* Run every enabled rule. *out is set even on failure; free it. */
int lint_run(lint_result **out, graph *g, const lint_opts *opts);
void lint_result_free(lint_result *r);
/* 1 when a reported finding is at or above fail_on (LINT_SEV_NEVER: 0). */
int lint_result_fails(const lint_result *r, lint_severity fail_on);
/* The configured state of rule: enabled and effective default severity. */
int lint_rule_enabled(const lint_result *r, const lint_rule *rule);
lint_severity lint_rule_level(const lint_result *r, const lint_rule *rule);
/* "Kind/ns/name" or "Kind/name" into buf; returns buf. */
const char *lint_ref_describe(const lint_ref *o, char *buf, size_t size);

/* ---- output (src/output/lint_*.c) ---------------------------------------
 * Each appends to out and returns RC_OK, RC_NOMEM or RC_LIMIT. */

enum {
    LINT_TEXT_COLOR = 1u << 0,      /* ANSI colours (a terminal) */
    LINT_TEXT_SUPPRESSED = 1u << 1  /* also list suppressed findings */
};

/* `path:line: severity: RI201 name: message`, an indented hint and the
 * rule's documentation, then a summary line. */
int lint_output_text(sbuf *out, const lint_result *r, unsigned flags);
/* DESIGN.md "Interfaces": {"version":1,"findings":[...],"summary":{...}}. */
int lint_output_json(sbuf *out, const lint_result *r);
/* SARIF 2.1.0, one run, for GitHub code scanning. */
int lint_output_sarif(sbuf *out, const lint_result *r);
/* JUnit XML: a testsuite per rule, a testcase per rule x object. */
int lint_output_junit(sbuf *out, const lint_result *r);
/* GitHub Actions workflow commands (::error file=...,line=...::...). */
int lint_output_github(sbuf *out, const lint_result *r);
/* The rule catalogue for --list-rules (config applied when r != NULL). */
int lint_output_rules(sbuf *out, const lint_config *config);

#endif
