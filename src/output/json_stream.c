/* JSON written by hand with json-c's layout and escapes (output.h): for
 * documents too big to build as json-c trees. */
#include <stdint.h>
#include <string.h>

#include "output.h"

/* 1 when one of the eight bytes of w is below 0x20, '"' or '\\' (each
 * test is exact for whether some byte matches; bytes from 0x80 never do). */
static int word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    uint64_t low = (w - ones * 0x20) & ~w;
    uint64_t quote = (q - ones) & ~q, slash = (b - ones) & ~b;
    return ((low | quote | slash) & (ones * 0x80)) != 0;
}

static void put_escape(sbuf *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char u[6];
    switch (c) {
    case '"': sbuf_put(out, "\\\"", 2); return;
    case '\\': sbuf_put(out, "\\\\", 2); return;
    case '\b': sbuf_put(out, "\\b", 2); return;
    case '\f': sbuf_put(out, "\\f", 2); return;
    case '\n': sbuf_put(out, "\\n", 2); return;
    case '\r': sbuf_put(out, "\\r", 2); return;
    case '\t': sbuf_put(out, "\\t", 2); return;
    default:
        memcpy(u, "\\u00", 4);
        u[4] = hex[c >> 4];
        u[5] = hex[c & 0xf];
        sbuf_put(out, u, 6);
    }
}

/* Eight bytes a step past those that need no escape: most text has none. */
void output_json_string(sbuf *out, const char *s)
{
    const char *p = s ? s : "";
    size_t n = strlen(p), i = 0, run = 0;
    sbuf_putc(out, '"');
    while (i < n) {
        unsigned char c;
        uint64_t w;
        if (n - i >= 8) {
            memcpy(&w, p + i, 8);
            if (!word_needs_escape(w)) {
                i += 8;
                continue;
            }
        }
        c = (unsigned char)p[i++];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sbuf_put(out, p + run, i - 1 - run);
        put_escape(out, c);
        run = i;
    }
    sbuf_put(out, p + run, n - run);
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
    char digits[24], *d = digits + sizeof(digits);
    do { /* no printf: lint JSON writes a few numbers per finding */
        *--d = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sbuf_put(w->out, d, (size_t)(digits + sizeof(digits) - d));
}

void json_w_bool(json_w *w, const char *key, int v)
{
    json_w_member(w, key);
    sbuf_puts(w->out, v ? "true" : "false");
}
