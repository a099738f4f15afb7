/*
 * render: the post-renderer pipeline as one call: parse, build the model,
 * order, emit. Used by `readyinstall render`, the tests and the fuzzers.
 * Returns RC_OK or the first failing step's rc (message in err_last()).
 */
#ifndef READYINSTALL_RENDER_H
#define READYINSTALL_RENDER_H

#include "manifest.h"

typedef enum { RENDER_ORDER_KIND = 0, RENDER_ORDER_KEEP } render_order;

typedef struct render_opts {
    manifest_opts mopts;
    render_order order;
} render_opts;

#define RENDER_OPTS_INIT {MANIFEST_OPTS_INIT, RENDER_ORDER_KIND}

/*
 * Render buf[0..len) (named name in errors) into out. *parsed receives the
 * manifest even on failure, for error reporting; the caller frees it with
 * manifest_free() and keeps buf alive until then.
 */
int render_stream(sbuf *out, manifest **parsed, const char *name,
                  const char *buf, size_t len, const render_opts *opts);

#endif
