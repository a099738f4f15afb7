/*
 * Lint findings as GitHub Actions workflow commands, one line each:
 *   ::error file=chart/templates/cr.yaml,line=3,title=RI101::<rule name>:
 *   <message>%0A%0AHint: <hint>%0A<documentation URL>
 * (on one line)
 * (::warning, ::notice for info). Escaping as @actions/core's command.ts:
 * data escapes % CR LF; property values also : and ,. Suppressed findings
 * are left out.
 */
#include "lint/lint.h"
#include "output.h"

static void lg_put(sbuf *out, const char *s, int property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%': sbuf_puts(out, "%25"); break;
        case '\r': sbuf_puts(out, "%0D"); break;
        case '\n': sbuf_puts(out, "%0A"); break;
        case ':':
            if (property)
                sbuf_puts(out, "%3A");
            else
                sbuf_putc(out, ':');
            break;
        case ',':
            if (property)
                sbuf_puts(out, "%2C");
            else
                sbuf_putc(out, ',');
            break;
        default: sbuf_putc(out, *s);
        }
    }
}

static const char *lg_command(lint_severity s)
{
    switch (s) {
    case LINT_SEV_ERROR: return "error";
    case LINT_SEV_WARNING: return "warning";
    default: return "notice";
    }
}

int lint_output_github(sbuf *out, const lint_result *r)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        const lint_finding *f = &r->v[i];
        if (f->suppressed)
            continue;
        sbuf_printf(out, "::%s file=", lg_command(f->severity));
        lg_put(out, f->path, 1);
        sbuf_printf(out, ",line=%u,title=", f->line);
        lg_put(out, f->rule->id, 1);
        sbuf_puts(out, "::");
        lg_put(out, f->rule->name, 0);
        sbuf_puts(out, ": ");
        lg_put(out, f->message, 0);
        if (f->hint && *f->hint) {
            lg_put(out, "\n\nHint: ", 0);
            lg_put(out, f->hint, 0);
        }
        sbuf_printf(out, "%%0A" LINT_DOCS_URI "%s.md\n", f->rule->id);
    }
    return output_check(out);
}
