/*
 * libcurl, loaded when the first request is made. libcurl and the libraries
 * it needs (about thirty: GnuTLS, Kerberos, LDAP, SSH, ...) take three
 * quarters of the start of a run that never talks to a cluster; render,
 * lint and graph never load them, and run where libcurl is not installed.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include "curl_api.h"
#include "util.h"

static const char *const default_names[] = {
    "libcurl.so.4",    /* Linux */
    "libcurl.4.dylib", /* macOS */
    "libcurl.so",
};

static const char *missing; /* the function resolve() did not find */

static int resolve(void *lib, void **slot, const char *name)
{
    *slot = dlsym(lib, name);
    if (!*slot)
        missing = name;
    return *slot ? 0 : -1;
}

/* The functions kube_transport.c calls. */
static int resolve_all(void *lib, curl_api *a)
{
    return resolve(lib, (void **)&a->global_init, "curl_global_init") ||
           resolve(lib, (void **)&a->easy_init, "curl_easy_init") ||
           resolve(lib, (void **)&a->easy_setopt, "curl_easy_setopt") ||
           resolve(lib, (void **)&a->easy_perform, "curl_easy_perform") ||
           resolve(lib, (void **)&a->easy_getinfo, "curl_easy_getinfo") ||
           resolve(lib, (void **)&a->easy_reset, "curl_easy_reset") ||
           resolve(lib, (void **)&a->easy_cleanup, "curl_easy_cleanup") ||
           resolve(lib, (void **)&a->easy_strerror, "curl_easy_strerror") ||
           resolve(lib, (void **)&a->slist_append, "curl_slist_append") ||
           resolve(lib, (void **)&a->slist_free_all, "curl_slist_free_all");
}

static void *open_lib(const char **tried)
{
    const char *own = getenv("READYINSTALL_LIBCURL");
    size_t i;
    if (own && *own) {
        *tried = own;
        return dlopen(own, RTLD_NOW | RTLD_LOCAL);
    }
    for (i = 0; i < sizeof(default_names) / sizeof(default_names[0]); i++) {
        void *lib = dlopen(default_names[i], RTLD_NOW | RTLD_LOCAL);
        *tried = default_names[i];
        if (lib)
            return lib;
    }
    *tried = default_names[0];
    return NULL;
}

const curl_api *curl_api_get(void)
{
    static curl_api api;
    static int loaded;
    const char *tried;
    void *lib;
    if (loaded)
        return &api;
    lib = open_lib(&tried);
    if (!lib) {
        const char *why = dlerror();
        err_set(RC_IO, NULL,
                "cannot load libcurl (%s: %s); the commands that talk to a "
                "cluster need it: install libcurl 7.85 or later (Debian: "
                "libcurl4), or name it in READYINSTALL_LIBCURL",
                tried, why ? why : "not found");
        return NULL;
    }
    if (resolve_all(lib, &api)) {
        err_set(RC_IO, NULL,
                "%s is not a libcurl this program can use: it has no %s",
                tried, missing);
        dlclose(lib);
        return NULL;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        err_set(RC_IO, NULL, "cannot initialise libcurl (%s)", tried);
        dlclose(lib);
        return NULL;
    }
    loaded = 1; /* kept open until exit, as curl_global_init asks */
    return &api;
}
