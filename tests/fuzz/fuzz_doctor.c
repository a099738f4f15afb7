/*
 * Fuzz target: the doctor reads whatever the API server answers (webhook
 * configurations, Services, pods, Secrets with certificates, CRDs,
 * conditions). The input is up to 32 replies separated by NUL bytes, the
 * first byte of each picking its HTTP status; they answer the round's
 * requests in order. One subject of every kind runs a full round; nothing
 * may crash, leak or hang, whatever the types and values.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "fuzz.h"
#include "../../src/install/doctor_int.h"

#define REPLIES_MAX 32

static const long STATUSES[] = {200, 200, 200, 200, 404, 403, 409, 500};

static void add_replies(kube_transport *t, const uint8_t *data, size_t size)
{
    size_t start = 0, i, n = 0;
    for (i = 0; i <= size && n < REPLIES_MAX; i++) {
        char *body;
        size_t len;
        long status;
        if (i < size && data[i] != 0)
            continue;
        len = i - start;
        status = len ? STATUSES[data[start] % 8] : 200;
        body = malloc(len + 1);
        if (!body)
            return;
        if (len)
            memcpy(body, data + start + 1, len - 1);
        body[len ? len - 1 : 0] = '\0';
        /* GETs and the dry-run POST alike, in order */
        kube_canned_add(t, n % 5 == 4 ? "POST" : "GET", "/", status, body, 0);
        free(body);
        start = i + 1;
        n++;
    }
}

static void subjects(doctor_set *s)
{
    doctor_subject *w = doctor_add(
        s, DOC_WEBHOOK, "v.ex.test", "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration", "", "w", 1);
    if (w) {
        w->probe = json_tokener_parse(
            "{\"apiVersion\":\"ex.test/v1\",\"kind\":\"Widget\","
            "\"metadata\":{\"name\":\"a\",\"namespace\":\"ns\"}}");
        w->probe_label = strdup("Widget/ns/a");
    }
    doctor_add(s, DOC_CONVERSION, "widgets.ex.test",
               "apiextensions.k8s.io/v1", "CustomResourceDefinition", "",
               "widgets.ex.test", 1);
    doctor_add(s, DOC_APISERVICE, "v1.ex.test", "apiregistration.k8s.io/v1",
               "APIService", "", "v1.ex.test", 0);
    doctor_add(s, DOC_CRD, "gadgets.ex.test", "ex.test/v1", "Gadget", "ns",
               "g", 0);
    doctor_add(s, DOC_CERTIFICATE, "ns/c", "cert-manager.io/v1",
               "Certificate", "ns", "c", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kube_config cfg;
    kube_transport *t = NULL;
    kube_client *cl = NULL;
    kube_client_opts o = KUBE_CLIENT_OPTS_INIT;
    doctor_set s;
    memset(&cfg, 0, sizeof(cfg));
    cfg.server = (char *)"https://127.0.0.1:6443";
    cfg.namespace = (char *)"default";
    o.retries = 0;
    if (kube_transport_canned_new(&t) != RC_OK)
        return 0;
    add_replies(t, data, size);
    if (kube_client_new(&cl, &cfg, t, &o) != RC_OK)
        return 0; /* it has freed the transport */
    doctor_set_init(&s);
    subjects(&s);
    doctor_run(&s, cl, 1800000000);
    {
        doctor_source src = {"cluster", NULL, NULL, 1};
        static FILE *sink;
        if (!sink)
            sink = fopen("/dev/null", "w");
        json_object_put(doctor_json(&s, &src));
        if (sink)
            doctor_print_text(sink, &s, &src);
    }
    doctor_set_dispose(&s);
    kube_client_free(cl);
    return 0;
}
