/* Command dispatch. Run as `readyinstall-render`, the binary is the
 * post-renderer: every argument belongs to `render`. */
#include <string.h>

#include "cli.h"
#include "exit.h"

static int cmd_help(int argc, char **argv);

static const cli_command COMMANDS[] = {
    {"render", cmd_render,
     "order a manifest stream on stdin and write it on stdout (post-renderer)"},
    {"graph", cmd_graph, "draw the dependency graph (text, DOT, Mermaid, JSON)"},
    {"lint", cmd_lint,
     "report ordering hazards of a chart or manifest (text, JSON, SARIF, ...)"},
    {"install", cmd_install,
     "install or upgrade a release in phases, waiting on real readiness"},
    {"uninstall", cmd_uninstall,
     "uninstall a release in dependency order (custom resources first)"},
    {"check", cmd_check,
     "tell whether a release's webhooks, CRDs and APIServices work now"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "show help for a command"},
};

#define NCOMMANDS (sizeof(COMMANDS) / sizeof(COMMANDS[0]))

static void main_help(FILE *out)
{
    size_t i;
    fputs("Usage: readyinstall COMMAND [OPTIONS]\n"
          "       helm readyinstall COMMAND [OPTIONS]   (as a Helm plugin)\n"
          "\n"
          "readyinstall makes `helm install` of operator charts work on the "
          "first try:\n"
          "it works out what each object needs (CRDs, namespaces, webhooks, "
          "Secrets\n"
          "made by cert-manager) and orders the manifest accordingly.\n"
          "\n"
          "Commands:\n",
          out);
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\n"
          "Examples:\n"
          "  helm template rel ./chart | readyinstall render\n"
          "  helm install rel ./chart --post-renderer readyinstall-render   "
          "(Helm 4)\n"
          "  helm readyinstall rel ./chart -n ns   (phased install; also "
          "readyinstall install)\n"
          "  helm readyinstall check --release rel -n ns   (do its webhooks "
          "and CRDs work?)\n"
          "  helm readyinstall uninstall rel -n ns   (custom resources "
          "first)\n"
          "\n"
          "Run 'readyinstall COMMAND --help' for a command's options.\n"
          "Exit status: 0 ok, 1 failed, 2 usage, 3 invalid input, 4 Helm or "
          "cluster\n"
          "error, 70 internal error.\n",
          out);
}

static const cli_command *find(const char *name)
{
    size_t i;
    for (i = 0; i < NCOMMANDS; i++)
        if (!strcmp(COMMANDS[i].name, name))
            return &COMMANDS[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    const cli_command *c;
    static char help_flag[] = "--help";
    char *sub[3];
    if (argc < 2) {
        main_help(stdout);
        return EXIT_OK;
    }
    c = find(argv[1]);
    if (!c || c->run == cmd_help)
        return cli_usage_error(NULL, "no such command '%s'", argv[1]);
    sub[0] = argv[1];
    sub[1] = help_flag;
    sub[2] = NULL;
    return c->run(2, sub);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
    const cli_command *c;
    if (argc > 0 && !strcmp(base_name(argv[0]), "readyinstall-render"))
        return cmd_render(argc, argv);
    if (argc < 2) {
        main_help(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        main_help(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(1, argv);
    c = find(argv[1]);
    /* `helm readyinstall RELEASE CHART ...` is the installer */
    if (!c && argv[1][0] != '-' && argc >= 3)
        return cmd_install(argc, argv);
    if (!c)
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    return c->run(argc - 1, argv + 1);
}
