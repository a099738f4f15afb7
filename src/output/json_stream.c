/* JSON written by hand with json-c's layout and escapes (output.h): for
 * documents too big to build as json-c trees. */
#include <string.h>

#include "output.h"

void output_json_string(sbuf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s ? s : "";
    const char *p = run;
    sbuf_putc(out, '"');
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        const char *esc;
        char u[7];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (p > run)
            sbuf_put(out, run, (size_t)(p - run));
        if (!c)
            break;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 0xf];
            u[6] = '\0';
            esc = u;
        }
        sbuf_puts(out, esc);
        run = p + 1;
    }
    sbuf_putc(out, '"');
}

void json_w_init(json_w *w, sbuf *out, size_t ind)
{
    w->out = out;
    w->ind = ind;
    w->depth = 0;
    w->compact = 0;
    w->first[0] = 1;
}

static void json_w_indent(sbuf *out, size_t n)
{
    static const char spaces[] = "                                ";
    while (n > sizeof(spaces) - 1) {
        sbuf_put(out, spaces, sizeof(spaces) - 1);
        n -= sizeof(spaces) - 1;
    }
    sbuf_put(out, spaces, n);
}

/* Before a member: the comma and line of every member but a container's
 * first, which only starts a line; the top value starts none. */
static void json_w_member(json_w *w, const char *key)
{
    if (w->depth > 0 && w->compact) {
        if (!w->first[w->depth])
            sbuf_putc(w->out, ',');
    } else if (w->depth > 0) {
        sbuf_puts(w->out, w->first[w->depth] ? "\n" : ",\n");
        json_w_indent(w->out, w->ind);
    }
    w->first[w->depth] = 0;
    if (key) {
        sbuf_putc(w->out, '"');
        sbuf_puts(w->out, key); /* ours: plain ASCII */
        sbuf_puts(w->out, "\":");
    }
}

void json_w_open(json_w *w, const char *key, char bracket)
{
    json_w_member(w, key);
    sbuf_putc(w->out, bracket);
    if (w->depth + 1 < JSON_W_DEPTH)
        w->depth++;
    w->first[w->depth] = 1;
    w->ind += 2;
}

void json_w_close(json_w *w, char bracket)
{
    w->ind -= 2;
    if (w->depth > 0)
        w->depth--;
    if (!w->compact) {
        sbuf_putc(w->out, '\n');
        json_w_indent(w->out, w->ind);
    }
    sbuf_putc(w->out, bracket);
}

void json_w_str(json_w *w, const char *key, const char *v)
{
    json_w_member(w, key);
    output_json_string(w->out, v);
}

void json_w_uint(json_w *w, const char *key, uint64_t v)
{
    json_w_member(w, key);
    sbuf_printf(w->out, "%llu", (unsigned long long)v);
}

void json_w_bool(json_w *w, const char *key, int v)
{
    json_w_member(w, key);
    sbuf_puts(w->out, v ? "true" : "false");
}
