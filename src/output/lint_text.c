/*
 * Lint findings for people: gcc-style lines an editor can jump to,
 *   chart/templates/cr.yaml:3: error: RI101 crd-cr-same-release: ...
 *       hint: ...
 *       docs: https://.../RI101.md
 * then one summary line; and the rule catalogue for --list-rules. Colours
 * (when asked for) follow gcc: red errors, magenta warnings, cyan notes.
 */
#include <string.h>

#include "lint/lint.h"
#include "output.h"

#define LT_BOLD "\033[1m"
#define LT_RESET "\033[0m"

static const char *lt_colour(lint_severity s)
{
    switch (s) {
    case LINT_SEV_ERROR: return "\033[1;31m";
    case LINT_SEV_WARNING: return "\033[1;35m";
    default: return "\033[1;36m";
    }
}

/* Text from the manifest with control characters made visible, so a
 * crafted name cannot drive the terminal. */
static void lt_put(sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            sbuf_printf(out, "\\x%02x", ch);
        else
            sbuf_putc(out, (char)ch);
    }
}

static void lt_finding(sbuf *out, const lint_finding *f, int colour)
{
    const char *on = colour ? lt_colour(f->severity) : "";
    const char *bold = colour ? LT_BOLD : "", *off = colour ? LT_RESET : "";
    sbuf_puts(out, bold);
    lt_put(out, f->path);
    sbuf_printf(out, ":%u:%s ", f->line, off);
    if (f->suppressed)
        sbuf_printf(out, "suppressed %s: ", lint_severity_name(f->severity));
    else
        sbuf_printf(out, "%s%s:%s ", on, lint_severity_name(f->severity), off);
    sbuf_printf(out, "%s%s %s:%s ", bold, f->rule->id, f->rule->name, off);
    lt_put(out, f->message);
    sbuf_putc(out, '\n');
    if (f->suppressed) {
        sbuf_puts(out, "    reason: ");
        lt_put(out, *f->suppressed ? f->suppressed : "(none given)");
        sbuf_putc(out, '\n');
        return;
    }
    if (f->hint && *f->hint) {
        sbuf_printf(out, "    %shint:%s ", colour ? "\033[32m" : "", off);
        lt_put(out, f->hint);
        sbuf_putc(out, '\n');
    }
    sbuf_printf(out, "    docs: " LINT_DOCS_URI "%s.md\n", f->rule->id);
}

static void lt_count(sbuf *out, size_t n, const char *one, const char *many,
                     int *first)
{
    sbuf_printf(out, "%s%zu %s", *first ? "" : ", ", n, n == 1 ? one : many);
    *first = 0;
}

int lint_output_text(sbuf *out, const lint_result *r, unsigned flags)
{
    int colour = (flags & LINT_TEXT_COLOR) != 0, first = 1;
    size_t i, total = r->count[0] + r->count[1] + r->count[2];
    for (i = 0; i < r->n; i++)
        if (!r->v[i].suppressed || (flags & LINT_TEXT_SUPPRESSED))
            lt_finding(out, &r->v[i], colour);
    sbuf_puts(out, "readyinstall lint: ");
    if (!total) {
        sbuf_puts(out, "no findings");
    } else {
        lt_count(out, r->count[LINT_SEV_ERROR], "error", "errors", &first);
        lt_count(out, r->count[LINT_SEV_WARNING], "warning", "warnings",
                 &first);
        lt_count(out, r->count[LINT_SEV_INFO], "info", "info", &first);
    }
    if (r->suppressed)
        sbuf_printf(out, " (%zu suppressed)", r->suppressed);
    sbuf_putc(out, '\n');
    return output_check(out);
}

/* text wrapped at width columns, each line indented by indent spaces */
static void lt_wrap(sbuf *out, const char *text, size_t indent, size_t width)
{
    const char *p = text;
    while (*p) {
        size_t len = strlen(p), cut = len;
        if (indent + len > width) {
            cut = width - indent;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (!cut) { /* one long word */
                cut = strcspn(p, " ");
            }
        }
        sbuf_printf(out, "%*s%.*s\n", (int)indent, "", (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

int lint_output_rules(sbuf *out, const lint_config *config)
{
    size_t n, i;
    const lint_rule *const *rules = lint_rules(&n);
    for (i = 0; i < n; i++) {
        const lint_rule *rule = rules[i];
        const lint_rule_conf *conf = config ? &config->rules[i] : NULL;
        sbuf_printf(out, "%s  %s  (%s", rule->id, rule->name,
                    lint_severity_name(rule->severity));
        if (!strcmp(rule->id, "RI201"))
            sbuf_puts(out, "; warning with failurePolicy Ignore");
        if (conf && !conf->enabled)
            sbuf_puts(out, "; disabled by the config");
        else if (conf && conf->severity >= 0)
            sbuf_printf(out, "; %s by the config",
                        lint_severity_name((lint_severity)conf->severity));
        sbuf_puts(out, ")\n");
        lt_wrap(out, rule->explain, 4, 78);
        sbuf_printf(out, "    " LINT_DOCS_URI "%s.md\n", rule->id);
        if (i + 1 < n)
            sbuf_putc(out, '\n');
    }
    return output_check(out);
}
