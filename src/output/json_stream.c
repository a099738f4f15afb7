/* One element of a JSON document written by hand around it (output.h). */
#include <json.h>
#include <string.h>

#include "output.h"

int output_json_element(sbuf *out, json_object *o, int pretty, size_t indent)
{
    static const char spaces[] = "                ";
    int how = JSON_C_TO_STRING_NOSLASHESCAPE |
              (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);
    const char *text = json_object_to_json_string_ext(o, how), *nl;
    if (!text)
        return RC_NOMEM;
    if (indent > sizeof(spaces) - 1)
        indent = sizeof(spaces) - 1;
    while (pretty && (nl = strchr(text, '\n'))) { /* none inside strings */
        sbuf_put(out, text, (size_t)(nl - text) + 1);
        sbuf_put(out, spaces, indent);
        text = nl + 1;
    }
    sbuf_puts(out, text);
    return RC_OK;
}

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
