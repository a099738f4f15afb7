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
#include "fuzz_kube.h"
#include "../../src/install/doctor_int.h"

static const long STATUSES[] = {200, 200, 200, 200, 404, 403, 409, 500};

/* Every fifth reply answers the dry-run POST, the others GETs. */
static void pick(const uint8_t *first, size_t index, long *status,
                 const char **method)
{
    *status = first ? STATUSES[*first % 8] : 200;
    *method = index % 5 == 4 ? "POST" : "GET";
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
    kube_client *cl = fuzz_canned_client(data, size, pick);
    doctor_set s;
    if (!cl)
        return 0;
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
