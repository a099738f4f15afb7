/*
 * Canned API replies for the cluster-facing fuzz targets. The input is up
 * to FUZZ_REPLIES_MAX replies separated by NUL bytes; the target's pick
 * function reads the first byte of each (NULL for an empty reply) and
 * chooses its HTTP status and method. Replies answer requests of that
 * method in order, whatever the path.
 */
#ifndef READYINSTALL_FUZZ_KUBE_H
#define READYINSTALL_FUZZ_KUBE_H

#include <stdlib.h>
#include <string.h>

#include "kube.h"

#define FUZZ_REPLIES_MAX 32

typedef void (*fuzz_reply_pick)(const uint8_t *first, size_t index,
                                long *status, const char **method);

static void fuzz_add_replies(kube_transport *t, const uint8_t *data,
                             size_t size, fuzz_reply_pick pick)
{
    size_t start = 0, i, n = 0;
    for (i = 0; i <= size && n < FUZZ_REPLIES_MAX; i++) {
        long status = 200;
        const char *method = "GET";
        size_t len;
        char *body;
        if (i < size && data[i] != 0)
            continue;
        len = i - start;
        pick(len ? data + start : NULL, n, &status, &method);
        body = malloc(len + 1);
        if (!body)
            return;
        if (len)
            memcpy(body, data + start + 1, len - 1);
        body[len ? len - 1 : 0] = '\0';
        kube_canned_add(t, method, "/", status, body, 0);
        free(body);
        start = i + 1;
        n++;
    }
}

/* A client on a canned transport holding the input's replies; NULL when
 * out of memory. No retries: each request takes one reply. The client
 * borrows its config, so that lives as long as the program. */
static kube_client *fuzz_canned_client(const uint8_t *data, size_t size,
                                       fuzz_reply_pick pick)
{
    static kube_config cfg;
    kube_transport *t = NULL;
    kube_client *cl = NULL;
    kube_client_opts o = KUBE_CLIENT_OPTS_INIT;
    cfg.server = (char *)"https://127.0.0.1:6443";
    cfg.namespace = (char *)"default";
    o.retries = 0;
    if (kube_transport_canned_new(&t) != RC_OK)
        return NULL;
    fuzz_add_replies(t, data, size, pick);
    if (kube_client_new(&cl, &cfg, t, &o) != RC_OK)
        return NULL; /* it has freed the transport */
    return cl;
}

#endif
