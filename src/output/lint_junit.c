/*
 * Lint findings as JUnit XML (the Ant/Jenkins schema CI systems read):
 *   <testsuites> / one <testsuite> per rule / one <testcase> per rule x
 *   object with findings, <failure type="severity"> holding them all;
 * a rule without findings has one passing testcase, a disabled rule one
 * skipped testcase, and an object whose findings are all suppressed a
 * skipped testcase carrying the reason. Text is escaped for XML 1.0;
 * characters XML cannot carry become U+FFFD.
 */
#include <stdlib.h>
#include <string.h>

#include "lint/lint.h"
#include "output.h"

static void lx_put(sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&': sbuf_puts(out, "&amp;"); break;
        case '<': sbuf_puts(out, "&lt;"); break;
        case '>': sbuf_puts(out, "&gt;"); break;
        case '"': sbuf_puts(out, "&quot;"); break;
        case '\'': sbuf_puts(out, "&apos;"); break;
        case '\n': sbuf_puts(out, "&#10;"); break;
        case '\t': sbuf_puts(out, "&#9;"); break;
        default:
            if (ch < 0x20 || ch == 0x7f)
                sbuf_puts(out, "\xEF\xBF\xBD"); /* not allowed in XML 1.0 */
            else
                sbuf_putc(out, (char)ch);
        }
    }
}

typedef struct lx_counts {
    size_t tests, failures, skipped;
} lx_counts;

static void lx_case(sbuf *out, const lint_result *r, const size_t *fi,
                    size_t n)
{
    const lint_finding *f0 = &r->v[fi[0]], *first = NULL;
    char name[1024];
    size_t i;
    const char *worst = NULL;
    lint_severity top = LINT_SEV_INFO;
    for (i = 0; i < n; i++) {
        const lint_finding *f = &r->v[fi[i]];
        if (f->suppressed)
            continue;
        if (!first || f->severity > top) {
            top = f->severity;
            worst = lint_severity_name(f->severity);
        }
        if (!first)
            first = f;
    }
    lint_ref_describe(&f0->object, name, sizeof(name));
    sbuf_puts(out, "    <testcase classname=\"readyinstall.");
    lx_put(out, f0->rule->id);
    sbuf_puts(out, "\" name=\"");
    lx_put(out, name);
    sbuf_puts(out, "\" file=\"");
    lx_put(out, f0->path);
    sbuf_printf(out, "\" line=\"%u\">\n", f0->line);
    if (!first) {
        sbuf_puts(out, "      <skipped message=\"suppressed: ");
        lx_put(out, f0->suppressed);
        sbuf_puts(out, "\"/>\n    </testcase>\n");
        return;
    }
    sbuf_puts(out, "      <failure type=\"");
    lx_put(out, worst);
    sbuf_puts(out, "\" message=\"");
    lx_put(out, first->message);
    sbuf_puts(out, "\">");
    for (i = 0; i < n; i++) {
        const lint_finding *f = &r->v[fi[i]];
        if (f->suppressed)
            continue;
        sbuf_printf(out, "%s", f == first ? "" : "\n\n");
        lx_put(out, f->path);
        sbuf_printf(out, ":%u: %s: %s %s: ", f->line,
                    lint_severity_name(f->severity), f->rule->id,
                    f->rule->name);
        lx_put(out, f->message);
        if (f->hint && *f->hint) {
            sbuf_puts(out, "\nhint: ");
            lx_put(out, f->hint);
        }
        sbuf_printf(out, "\ndocs: " LINT_DOCS_URI "%s.md", f->rule->id);
    }
    sbuf_puts(out, "</failure>\n    </testcase>\n");
}

typedef struct lx_item {
    uint32_t obj;
    size_t idx;
} lx_item;

typedef struct lx_group {
    size_t start, len; /* in the item array, then in fi */
    size_t first;      /* index of the group's first finding */
} lx_group;

static int lx_item_cmp(const void *a, const void *b)
{
    const lx_item *x = a, *y = b;
    if (x->obj != y->obj)
        return x->obj < y->obj ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int lx_group_cmp(const void *a, const void *b)
{
    const lx_group *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* The findings of one rule grouped by object, groups in the order of their
 * first finding: fi gets finding indices, gs the groups. */
static size_t lx_group_rule(const lint_result *r, const lint_rule *rule,
                            lx_item *items, lx_group *gs, size_t *fi)
{
    size_t i, n = 0, ng = 0, k = 0, g;
    for (i = 0; i < r->n; i++)
        if (r->v[i].rule == rule) {
            items[n].obj = r->v[i].object.id;
            items[n++].idx = i;
        }
    if (!n)
        return 0;
    qsort(items, n, sizeof(*items), lx_item_cmp);
    for (i = 0; i < n; i++) {
        if (!i || items[i].obj != items[i - 1].obj) {
            gs[ng].start = i;
            gs[ng].first = items[i].idx;
            gs[ng++].len = 0;
        }
        gs[ng - 1].len++;
    }
    qsort(gs, ng, sizeof(*gs), lx_group_cmp);
    for (g = 0; g < ng; g++) {
        size_t start = gs[g].start;
        gs[g].start = k;
        for (i = 0; i < gs[g].len; i++)
            fi[k++] = items[start + i].idx;
    }
    return ng;
}

static void lx_counts_of(const lint_result *r, const lint_rule *rule,
                         const size_t *fi, const lx_group *gs, size_t ng,
                         lx_counts *c)
{
    size_t g, i;
    memset(c, 0, sizeof(*c));
    if (!lint_rule_enabled(r, rule) || !ng) {
        c->tests = 1;
        c->skipped = !lint_rule_enabled(r, rule);
        return;
    }
    for (g = 0; g < ng; g++) {
        int reported = 0;
        for (i = 0; i < gs[g].len; i++)
            reported |= !r->v[fi[gs[g].start + i]].suppressed;
        c->tests++;
        if (reported)
            c->failures++;
        else
            c->skipped++;
    }
}

int lint_output_junit(sbuf *out, const lint_result *r)
{
    size_t n, k, g, ng, cap = r->n ? r->n : 1;
    const lint_rule *const *rules = lint_rules(&n);
    lx_counts tot, c;
    lx_item *items = malloc(cap * sizeof(*items));
    lx_group *gs = malloc(cap * sizeof(*gs));
    size_t *fi = malloc(cap * sizeof(*fi));
    int ret = RC_OK;
    if (!items || !gs || !fi) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    /* totals first: <testsuites> carries them */
    memset(&tot, 0, sizeof(tot));
    for (k = 0; k < n; k++) {
        ng = lx_group_rule(r, rules[k], items, gs, fi);
        lx_counts_of(r, rules[k], fi, gs, ng, &c);
        tot.tests += c.tests;
        tot.failures += c.failures;
        tot.skipped += c.skipped;
    }
    sbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sbuf_printf(out,
                "<testsuites name=\"readyinstall lint\" tests=\"%zu\" "
                "failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
                tot.tests, tot.failures, tot.skipped);
    for (k = 0; k < n; k++) {
        const lint_rule *rule = rules[k];
        ng = lx_group_rule(r, rule, items, gs, fi);
        lx_counts_of(r, rule, fi, gs, ng, &c);
        sbuf_puts(out, "  <testsuite name=\"");
        lx_put(out, rule->id);
        sbuf_putc(out, ' ');
        lx_put(out, rule->name);
        sbuf_printf(out,
                    "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                    "skipped=\"%zu\">\n",
                    c.tests, c.failures, c.skipped);
        if (!lint_rule_enabled(r, rule)) {
            sbuf_printf(out,
                        "    <testcase classname=\"readyinstall.%s\" "
                        "name=\"all objects\">\n      <skipped "
                        "message=\"disabled by the configuration\"/>\n"
                        "    </testcase>\n",
                        rule->id);
        } else if (!ng) {
            sbuf_printf(out,
                        "    <testcase classname=\"readyinstall.%s\" "
                        "name=\"all objects\"/>\n",
                        rule->id);
        }
        for (g = 0; g < ng; g++)
            lx_case(out, r, fi + gs[g].start, gs[g].len);
        sbuf_puts(out, "  </testsuite>\n");
    }
    sbuf_puts(out, "</testsuites>\n");
    ret = output_check(out);
done:
    free(items);
    free(gs);
    free(fi);
    return ret;
}
