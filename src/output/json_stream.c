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
