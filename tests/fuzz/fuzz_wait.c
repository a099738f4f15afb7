/*
 * Fuzz target: the installer's readiness waits read whatever the API
 * server answers (discovery, CRD and APIService conditions, webhook
 * configurations with their caBundle, Services, EndpointSlices, dry-run
 * replies). The input is up to 32 replies separated by NUL bytes; the
 * first byte of each picks its HTTP status (bits 0-2) and whether it
 * answers a POST (bit 7) rather than a GET. A wait set with a target of
 * every kind is polled on a fake clock until it is met or times out, then
 * what is missing and the webhook diagnosis are written out. Nothing may
 * crash, leak or hang, and every target's texts must stay in bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_kube.h"
#include "install.h"

static const long STATUSES[] = {200, 200, 200, 404, 403, 409, 422, 500};

/* Bits 0-2 of a reply's first byte pick its status, bit 7 a POST. */
static void pick(const uint8_t *first, size_t index, long *status,
                 const char **method)
{
    (void)index;
    *status = first ? STATUSES[*first & 7] : 200;
    *method = first && (*first & 0x80) ? "POST" : "GET";
}

static void targets(wait_set *s)
{
    wait_set_add(s, WAIT_DRY_RUN, "Widget ns/a", NULL, "ns",
                 json_tokener_parse("{\"apiVersion\":\"ex.test/v1\","
                                    "\"kind\":\"Widget\",\"metadata\":"
                                    "{\"name\":\"a\",\"namespace\":\"ns\"}}"));
    wait_set_add(s, WAIT_CRD, "CRD widgets.ex.test", "widgets.ex.test", NULL,
                 NULL);
    wait_set_add(s, WAIT_APISERVICE, "APIService v1.ex.test", "v1.ex.test",
                 NULL, NULL);
    wait_set_add(s, WAIT_WEBHOOK, "webhook \"v.ex.test\"", "v.ex.test", NULL,
                 NULL);
}

static void check_targets(const wait_set *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        const wait_target *t = &s->v[i];
        if (!memchr(t->missing, '\0', sizeof(t->missing)) ||
            !memchr(t->webhook, '\0', sizeof(t->webhook)) ||
            (unsigned)t->last >= CL_CODE_COUNT || (t->ok != 0 && t->ok != 1))
            abort();
    }
}

/* The fake clock: each sleep moves it on, so the wait ends by timeout. */
static long fake_now(void *payload) { return *(long *)payload; }

static void fake_sleep(long ms, void *payload) { *(long *)payload += ms; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    kube_client *cl;
    wait_opts wo = WAIT_OPTS_INIT;
    wait_set s;
    long clock = 0, elapsed = 0;
    wait_outcome out;
    if (!sink)
        sink = fopen("/dev/null", "w");
    cl = fuzz_canned_client(data, size, pick);
    if (!cl)
        return 0;
    wait_set_init(&s);
    targets(&s);
    wo.timeout_ms = 20000;
    wo.poll_ms = 2000;
    wo.progress_ms = 5000;
    wo.progress = sink;
    wo.now_ms = fake_now;
    wo.sleep_ms = fake_sleep;
    wo.payload = &clock;
    out = wait_run(cl, &s, &wo, &elapsed);
    if (out != WAIT_MET && out != WAIT_TIMEOUT && out != WAIT_REFUSED)
        abort();
    check_targets(&s);
    if (sink) {
        wait_print_missing(sink, &s, "readyinstall: ");
        wait_diagnose_webhook(cl, sink, "readyinstall: ", "v.ex.test");
    }
    wait_set_dispose(&s);
    kube_client_free(cl);
    return 0;
}
