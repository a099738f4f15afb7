/* Option parsing and help text from one table. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

void opt_parser_init(opt_parser *p, const opt_spec *specs, int argc,
                     char **argv)
{
    memset(p, 0, sizeof(*p));
    p->specs = specs;
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

static int unknown(opt_parser *p, const char *arg, const char *name)
{
    const opt_spec *s, *best = NULL;
    size_t best_d = 3;
    for (s = p->specs; s->id; s++) {
        size_t d = edit_distance(name, s->name);
        if (d < best_d) {
            best_d = d;
            best = s;
        }
    }
    if (best)
        snprintf(p->error, sizeof(p->error),
                 "unknown option %s (did you mean --%s?)", arg, best->name);
    else
        snprintf(p->error, sizeof(p->error), "unknown option %s", arg);
    return OPT_ERROR;
}

static int take_value(opt_parser *p, const opt_spec *s, const char *inline_v,
                      const char *arg)
{
    if (s->kind == OPT_FLAG) {
        if (inline_v) {
            snprintf(p->error, sizeof(p->error),
                     "option --%s takes no value", s->name);
            return OPT_ERROR;
        }
        p->value = NULL;
        return s->id;
    }
    if (inline_v) {
        p->value = inline_v;
        return s->id;
    }
    if (p->i >= p->argc) {
        snprintf(p->error, sizeof(p->error), "option %s needs a value (%s)",
                 arg, s->value_name ? s->value_name : "VALUE");
        return OPT_ERROR;
    }
    p->value = p->argv[p->i++];
    return s->id;
}

static int long_opt(opt_parser *p, const char *arg)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const opt_spec *s;
    char buf[64];
    for (s = p->specs; s->id; s++)
        if (strlen(s->name) == len && !strncmp(s->name, name, len))
            return take_value(p, s, eq ? eq + 1 : NULL, arg);
    snprintf(buf, sizeof(buf), "%.*s", (int)(len < 63 ? len : 63), name);
    return unknown(p, arg, buf);
}

static int short_opt(opt_parser *p, const char *arg)
{
    const opt_spec *s;
    for (s = p->specs; s->id; s++)
        if (s->short_name && s->short_name == arg[1]) {
            if (s->kind == OPT_FLAG && arg[2]) {
                snprintf(p->error, sizeof(p->error),
                         "option -%c takes no value", arg[1]);
                return OPT_ERROR;
            }
            return take_value(p, s, arg[2] ? arg + 2 : NULL, arg);
        }
    snprintf(p->error, sizeof(p->error), "unknown option %s", arg);
    return OPT_ERROR;
}

int opt_next(opt_parser *p)
{
    const char *arg;
    p->value = NULL;
    if (p->i >= p->argc)
        return OPT_END;
    arg = p->argv[p->i++];
    if (!p->opts_done && !strcmp(arg, "--")) {
        p->opts_done = 1;
        return opt_next(p);
    }
    if (p->opts_done || arg[0] != '-' || !arg[1]) {
        p->value = arg;
        return OPT_POSITIONAL;
    }
    if (arg[1] == '-')
        return long_opt(p, arg);
    return short_opt(p, arg);
}

void opt_print_help(FILE *out, const opt_spec *specs)
{
    const opt_spec *s;
    for (s = specs; s->id; s++) {
        char left[64];
        const char *h = s->help, *nl;
        int n;
        if (s->short_name)
            n = snprintf(left, sizeof(left), "  -%c, --%s", s->short_name,
                         s->name);
        else
            n = snprintf(left, sizeof(left), "      --%s", s->name);
        if (s->kind == OPT_VALUE && n > 0 && (size_t)n < sizeof(left))
            snprintf(left + n, sizeof(left) - (size_t)n, " %s",
                     s->value_name ? s->value_name : "VALUE");
        fprintf(out, "%-30s", left);
        if (strlen(left) >= 30)
            fprintf(out, "\n%-30s", "");
        while ((nl = strchr(h, '\n'))) {
            fprintf(out, "%.*s\n%-30s", (int)(nl - h), h, "");
            h = nl + 1;
        }
        fprintf(out, "%s\n", h);
    }
}

int opt_parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (shift && *end == 'i')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    v <<= shift;
    if (v > SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

int opt_parse_duration(const char *s, unsigned *seconds)
{
    unsigned long long total = 0;
    if (!s || !*s)
        return -1;
    while (*s) {
        char *end;
        unsigned long long v;
        unsigned mult = 1;
        if (*s < '0' || *s > '9')
            return -1;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno)
            return -1;
        switch (*end) {
        case 'h': mult = 3600; end++; break;
        case 'm': mult = 60; end++; break;
        case 's': end++; break;
        case '\0': break;
        default: return -1;
        }
        total += v * mult;
        if (total > 86400ULL * 365)
            return -1;
        s = end;
    }
    *seconds = (unsigned)total;
    return 0;
}
