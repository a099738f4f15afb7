/*
 * Fuzz target: kubeconfig loading accepts any bytes: a config or a clear
 * error, never a crash, leak or hang. The bytes go to a private temporary
 * file (the loader reads paths, as kubectl does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "kube.h"

static char path[64];

static int write_input(const uint8_t *data, size_t size)
{
    FILE *f;
    if (!path[0]) {
        int fd;
        snprintf(path, sizeof(path), "/tmp/readyinstall-fuzz-kc-XXXXXX");
        fd = mkstemp(path); /* mode 0600 */
        if (fd < 0)
            return -1;
        close(fd);
    }
    f = fopen(path, "wb");
    if (!f)
        return -1;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kube_config_opts o = KUBE_CONFIG_OPTS_INIT;
    kube_config *c = NULL;
    if (write_input(data, size) != 0)
        return 0;
    o.kubeconfig = path;
    if (kube_config_load(&c, &o) == RC_OK && !c)
        abort(); /* success must give a config */
    kube_config_free(c);
    return 0;
}
