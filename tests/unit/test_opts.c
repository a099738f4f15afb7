/* Unit tests: command-line option parsing. */
#include <stdlib.h>

#include "../../src/cli/opts.h"
#include "test.h"

enum { T_ORDER = 1, T_HELP, T_LOG };

/* argv from space-separated words (-Wwrite-strings forbids literals). */
static char **mkargv(const char *words, int *argc)
{
    static char buf[512];
    static char *argv[32];
    char *p = buf;
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", words);
    while (p && *p && n < 31) {
        argv[n++] = p;
        p = strchr(p, ' ');
        if (p)
            *p++ = '\0';
    }
    argv[n] = NULL;
    *argc = n;
    return argv;
}

static const opt_spec SPECS[] = {
    {T_ORDER, "order", 'o', OPT_VALUE, "MODE", "order"},
    {T_HELP, "help", 'h', OPT_FLAG, NULL, "help"},
    {T_LOG, "log-file", 0, OPT_VALUE, "PATH", "log\nsecond line"},
    {0, NULL, 0, OPT_FLAG, NULL, NULL},
};

static void test_opts__forms_of_values(void)
{
    int argc;
    char **argv = mkargv("p --order=keep --order kind -o x -oy file -- --help",
                         &argc);
    opt_parser p;
    opt_parser_init(&p, SPECS, argc, argv);
    CU_ASSERT_EQUAL(opt_next(&p), T_ORDER);
    ASSERT_STR(p.value, "keep");
    CU_ASSERT_EQUAL(opt_next(&p), T_ORDER);
    ASSERT_STR(p.value, "kind");
    CU_ASSERT_EQUAL(opt_next(&p), T_ORDER);
    ASSERT_STR(p.value, "x");
    CU_ASSERT_EQUAL(opt_next(&p), T_ORDER);
    ASSERT_STR(p.value, "y");
    CU_ASSERT_EQUAL(opt_next(&p), OPT_POSITIONAL);
    ASSERT_STR(p.value, "file");
    CU_ASSERT_EQUAL(opt_next(&p), OPT_POSITIONAL); /* after -- */
    ASSERT_STR(p.value, "--help");
    CU_ASSERT_EQUAL(opt_next(&p), OPT_END);
}

static void test_opts__stdin_dash_is_positional(void)
{
    int argc;
    char **argv = mkargv("p -", &argc);
    opt_parser p;
    opt_parser_init(&p, SPECS, argc, argv);
    CU_ASSERT_EQUAL(opt_next(&p), OPT_POSITIONAL);
    ASSERT_STR(p.value, "-");
}

static void test_opts__errors(void)
{
    int argc;
    opt_parser p;
    opt_parser_init(&p, SPECS, 2, mkargv("p --ordr=keep", &argc));
    CU_ASSERT_EQUAL(opt_next(&p), OPT_ERROR);
    CU_ASSERT(strstr(p.error, "did you mean --order?") != NULL);
    opt_parser_init(&p, SPECS, 2, mkargv("p --order", &argc));
    CU_ASSERT_EQUAL(opt_next(&p), OPT_ERROR);
    CU_ASSERT(strstr(p.error, "needs a value") != NULL);
    opt_parser_init(&p, SPECS, 2, mkargv("p --help=yes", &argc));
    CU_ASSERT_EQUAL(opt_next(&p), OPT_ERROR);
    CU_ASSERT(strstr(p.error, "takes no value") != NULL);
    opt_parser_init(&p, SPECS, 2, mkargv("p -z", &argc));
    CU_ASSERT_EQUAL(opt_next(&p), OPT_ERROR);
    opt_parser_init(&p, SPECS, 2, mkargv("p --zzzzzzzz", &argc));
    CU_ASSERT_EQUAL(opt_next(&p), OPT_ERROR);
    CU_ASSERT(strstr(p.error, "did you mean") == NULL);
}

static void test_opts__sizes(void)
{
    size_t v;
    CU_ASSERT(opt_parse_size("1024", &v) == 0 && v == 1024);
    CU_ASSERT(opt_parse_size("4K", &v) == 0 && v == 4096);
    CU_ASSERT(opt_parse_size("64M", &v) == 0 && v == 64u << 20);
    CU_ASSERT(opt_parse_size("1GiB", &v) == 0 && v == 1u << 30);
    CU_ASSERT(opt_parse_size("2mb", &v) == 0 && v == 2u << 20);
    CU_ASSERT(opt_parse_size("", &v) != 0);
    CU_ASSERT(opt_parse_size("-1", &v) != 0);
    CU_ASSERT(opt_parse_size("12x", &v) != 0);
    CU_ASSERT(opt_parse_size("99999999999999999999", &v) != 0);
    CU_ASSERT(opt_parse_size("17179869184G", &v) != 0); /* overflow */
}

static void test_opts__help_lists_every_option(void)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    opt_print_help(f, SPECS);
    fclose(f);
    CU_ASSERT(strstr(out, "-o, --order MODE") != NULL);
    CU_ASSERT(strstr(out, "-h, --help") != NULL);
    CU_ASSERT(strstr(out, "--log-file PATH") != NULL);
    CU_ASSERT(strstr(out, "\n                              second line\n") !=
              NULL);
    free(out);
}

void suite_opts(void)
{
    static const test_case cases[] = {
        {"forms_of_values", test_opts__forms_of_values},
        {"stdin_dash_is_positional", test_opts__stdin_dash_is_positional},
        {"errors", test_opts__errors},
        {"sizes", test_opts__sizes},
        {"help_lists_every_option", test_opts__help_lists_every_option},
        {NULL, NULL},
    };
    test_add_suite("opts", cases, NULL, NULL);
}
