/* `readyinstall version` */
#include <string.h>
#include <yaml.h>

#include "cli.h"
#include "exit.h"

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs("Usage: readyinstall version\n\nPrints the version and the "
              "libyaml it runs with.\n",
              stdout);
        return EXIT_OK;
    }
    if (argc > 1)
        return cli_usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("readyinstall %s (libyaml %s)\n", RI_VERSION,
           yaml_get_version_string());
    return EXIT_OK;
}
