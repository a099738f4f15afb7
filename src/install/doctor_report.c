/* The doctor's report: text for people, version 1 JSON (docs/check.md). */
#include <string.h>

#include "doctor.h"

static void subject_title(FILE *out, const doctor_subject *sub)
{
    const char *origin = sub->from_manifest ? "from the manifest"
                                            : "in the cluster";
    switch (sub->kind) {
    case DOC_WEBHOOK:
        fprintf(out, "webhook \"%s\" (%s %s, %s)\n", sub->name, sub->obj_kind,
                sub->obj_name, origin);
        break;
    case DOC_CONVERSION:
        fprintf(out, "conversion webhook of CRD %s (%s)\n", sub->name,
                origin);
        break;
    case DOC_CRD:
        if (!sub->from_manifest) {
            fprintf(out, "CRD %s (needed by %s %s%s%s)\n", sub->name,
                    sub->obj_kind, sub->obj_ns, *sub->obj_ns ? "/" : "",
                    sub->obj_name);
            break;
        }
        /* fall through */
    default:
        fprintf(out, "%s %s (%s)\n", sub->obj_kind, sub->name, origin);
    }
}

static void count(const doctor_set *s, size_t counts[4])
{
    size_t i, k;
    memset(counts, 0, 4 * sizeof(counts[0]));
    for (i = 0; i < s->n; i++)
        for (k = 0; !s->v[i].hidden && k < s->v[i].nchecks; k++)
            counts[s->v[i].checks[k].status]++;
}

static void upper(char *buf, const char *s)
{
    size_t i;
    for (i = 0; s[i] && i < 7; i++)
        buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    buf[i] = '\0';
}

void doctor_print_text(FILE *out, const doctor_set *s,
                       const doctor_source *src)
{
    size_t i, k, counts[4], shown = 0;
    char st[8];
    fprintf(out, "readyinstall check: %s%s%s%s%s\n", src->type,
            src->name ? " " : "", src->name ? src->name : "",
            src->namespace ? " in namespace " : "",
            src->namespace ? src->namespace : "");
    for (i = 0; i < s->n; i++) {
        const doctor_subject *sub = &s->v[i];
        if (sub->hidden)
            continue;
        fputc('\n', out);
        subject_title(out, sub);
        shown++;
        for (k = 0; k < sub->nchecks; k++) {
            const doctor_check *c = &sub->checks[k];
            upper(st, doctor_status_name(c->status));
            fprintf(out, "  %-4s  %-19s %s\n", st, c->id, c->evidence);
            if (c->fix && (c->status == DOC_FAIL || c->status == DOC_WARN))
                fprintf(out, "        %-19s fix: %s\n", "", c->fix);
        }
    }
    if (!shown)
        fputs("\nnothing to check: the manifest ships no webhook, CRD, "
              "APIService, Certificate or ExternalSecret and needs none "
              "from the cluster\n",
              out);
    count(s, counts);
    fprintf(out, "\n%s: %zu pass, %zu warn, %zu fail, %zu skip",
            doctor_status_name(doctor_result(s)), counts[DOC_PASS],
            counts[DOC_WARN], counts[DOC_FAIL], counts[DOC_SKIP]);
    if (src->rounds > 1)
        fprintf(out, " (after %d rounds)", src->rounds);
    fputc('\n', out);
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *check_json(const doctor_check *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(c->id));
    json_object_object_add(o, "status",
                           json_object_new_string(
                               doctor_status_name(c->status)));
    json_object_object_add(o, "evidence", json_object_new_string(c->evidence));
    if (c->fix && (c->status == DOC_FAIL || c->status == DOC_WARN))
        json_object_object_add(o, "fix", json_object_new_string(c->fix));
    return o;
}

static json_object *object_json(const char *api_version, const char *kind,
                                const char *ns, const char *name)
{
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "apiVersion",
                           json_object_new_string(api_version));
    json_object_object_add(obj, "kind", json_object_new_string(kind));
    json_object_object_add(obj, "namespace", json_object_new_string(ns));
    json_object_object_add(obj, "name", json_object_new_string(name));
    return obj;
}

static json_object *subject_json(const doctor_subject *sub)
{
    json_object *o = json_object_new_object(),
                *checks = json_object_new_array();
    size_t k;
    json_object_object_add(o, "kind",
                           json_object_new_string(doctor_kind_name(sub->kind)));
    json_object_object_add(o, "name", json_object_new_string(sub->name));
    if (sub->kind == DOC_CRD && !sub->from_manifest) {
        json_object_object_add(
            o, "object",
            object_json("apiextensions.k8s.io/v1", "CustomResourceDefinition",
                        "", sub->name));
        json_object_object_add(o, "neededBy",
                               object_json(sub->api_version, sub->obj_kind,
                                           sub->obj_ns, sub->obj_name));
    } else
        json_object_object_add(o, "object",
                               object_json(sub->api_version, sub->obj_kind,
                                           sub->obj_ns, sub->obj_name));
    json_object_object_add(
        o, "origin",
        json_object_new_string(sub->from_manifest ? "release" : "cluster"));
    json_object_object_add(o, "result",
                           json_object_new_string(doctor_status_name(
                               doctor_subject_result(sub))));
    for (k = 0; k < sub->nchecks; k++)
        json_object_array_add(checks, check_json(&sub->checks[k]));
    json_object_object_add(o, "checks", checks);
    return o;
}

json_object *doctor_json(const doctor_set *s, const doctor_source *src)
{
    json_object *root = json_object_new_object(), *src_o, *subjects,
                *summary;
    size_t i, counts[4];
    static const doctor_status order[] = {DOC_PASS, DOC_WARN, DOC_FAIL,
                                          DOC_SKIP};
    if (!root)
        return NULL;
    src_o = json_object_new_object();
    subjects = json_object_new_array();
    summary = json_object_new_object();
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(src_o, "type", json_object_new_string(src->type));
    json_object_object_add(src_o, "name",
                           json_object_new_string(src->name ? src->name : ""));
    json_object_object_add(src_o, "namespace", str_or_null(src->namespace));
    json_object_object_add(root, "source", src_o);
    json_object_object_add(root, "result",
                           json_object_new_string(
                               doctor_status_name(doctor_result(s))));
    json_object_object_add(root, "rounds", json_object_new_int(src->rounds));
    for (i = 0; i < s->n; i++)
        if (!s->v[i].hidden)
            json_object_array_add(subjects, subject_json(&s->v[i]));
    json_object_object_add(root, "subjects", subjects);
    count(s, counts);
    for (i = 0; i < 4; i++)
        json_object_object_add(
            summary, doctor_status_name(order[i]),
            json_object_new_int64((int64_t)counts[order[i]]));
    json_object_object_add(root, "summary", summary);
    return root;
}

void doctor_print_failing(FILE *out, const doctor_set *s, const char *prefix)
{
    size_t i, k;
    for (i = 0; i < s->n; i++)
        for (k = 0; !s->v[i].hidden && k < s->v[i].nchecks; k++) {
            const doctor_check *c = &s->v[i].checks[k];
            if (c->status == DOC_FAIL)
                fprintf(out, "%s  - %s \"%s\": %s: %s\n", prefix,
                        doctor_kind_name(s->v[i].kind), s->v[i].name, c->id,
                        c->evidence);
        }
}
