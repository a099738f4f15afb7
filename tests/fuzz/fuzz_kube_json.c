/*
 * Fuzz target: what an API server answers is untrusted. The first byte picks
 * the HTTP status, the rest is the body; the client must decode it (object,
 * Status error, garbage) without crashing, leaking or retrying forever.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kube.h"

static const long STATUSES[] = {200, 201, 400, 401, 403, 404, 409,
                                422, 429, 500, 503, 504};

static void no_sleep(long ms, void *payload)
{
    (void)ms;
    (void)payload;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kube_config cfg;
    kube_transport *t = NULL;
    kube_client *cl = NULL;
    kube_client_opts o = KUBE_CLIENT_OPTS_INIT;
    json_object *out = NULL;
    char *body;
    long status = size ? STATUSES[data[0] % (sizeof(STATUSES) / sizeof(long))]
                       : 200;
    int i;
    memset(&cfg, 0, sizeof(cfg));
    cfg.server = (char *)"https://127.0.0.1:6443";
    cfg.namespace = (char *)"default";
    body = malloc(size + 1);
    if (!body)
        return 0;
    if (size)
        memcpy(body, data + 1, size - 1);
    body[size ? size - 1 : 0] = '\0';
    o.retries = 2;
    if (kube_transport_canned_new(&t) != RC_OK) {
        free(body);
        return 0;
    }
    for (i = 0; i < 3; i++) /* enough replies for the retries */
        kube_canned_add(t, "GET", "/api/v1/", status, body, 0);
    if (kube_client_new(&cl, &cfg, t, &o) == RC_OK) {
        kube_client_set_sleep(cl, no_sleep, NULL);
        kube_request_json(cl, &out, "GET", "/api/v1/namespaces/default/pods/x",
                          NULL, NULL, 0);
        json_object_put(out);
        kube_client_free(cl);
    } /* on failure kube_client_new has freed the transport */
    free(body);
    return 0;
}
