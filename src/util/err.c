/* The last error: a code, an optional position and a message. */
#include <string.h>

#include "util.h"

/* per thread: the manifest parser runs a helper thread (parse.c) */
static _Thread_local err_info last;

int err_set(rc code, const span *at, const char *fmt, ...)
{
    va_list ap;
    last.code = code;
    last.has_span = at != NULL;
    if (at)
        last.at = *at;
    else
        memset(&last.at, 0, sizeof(last.at));
    va_start(ap, fmt);
    vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
    va_end(ap);
    return code;
}

const err_info *err_last(void) { return &last; }

void err_clear(void) { memset(&last, 0, sizeof(last)); }

/* Write s with control bytes made visible, so a message never garbles a
 * terminal. */
static void put_visible(FILE *out, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t' || c >= 0x20)
            fputc(c, out);
        else
            fprintf(out, "\\x%02x", c);
    }
}

void err_print(FILE *out, const char *prog, source *src, const err_info *e,
               const char *template_name)
{
    if (e->has_span && src)
        fprintf(out, "%s:%u:%u: error: %s", src->name ? src->name : "<input>",
                e->at.line, e->at.col, e->msg);
    else
        fprintf(out, "%s: error: %s", prog ? prog : "readyinstall", e->msg);
    if (template_name && *template_name)
        fprintf(out, " (from %s)", template_name);
    fputc('\n', out);
    if (e->has_span && src && src->buf && e->at.off <= src->len) {
        const char *line;
        size_t len, i, col = e->at.col ? e->at.col - 1 : 0;
        source_line_at(src, e->at.off, &line, &len);
        if (len > 200)
            return; /* a minified line would drown the message */
        fputs("  ", out);
        put_visible(out, line, len);
        fputs("\n  ", out);
        for (i = 0; col > 0 && i < len; i++) {
            if (((unsigned char)line[i] & 0xC0) == 0x80)
                continue; /* one column per character */
            fputc(line[i] == '\t' ? '\t' : ' ', out);
            col--;
        }
        fputs("^\n", out);
    }
}
