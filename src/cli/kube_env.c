/*
 * The Kubernetes client's view of the environment: the variables Helm
 * hands a plugin (helm-facts.md §8) read into kube_config_opts. The only
 * place of the kube module that calls getenv(); pointers borrow the
 * environment, so fill the opts just before kube_config_load().
 */
#include <stdlib.h>
#include <string.h>

#include "kube.h"

static const char *env_or(const char *a, const char *b)
{
    const char *v = getenv(a);
    if (v && *v)
        return v;
    v = b ? getenv(b) : NULL;
    return v && *v ? v : NULL;
}

void kube_config_opts_from_env(kube_config_opts *opts, char *const *envp)
{
    const char *insecure = getenv("HELM_KUBEINSECURE_SKIP_TLS_VERIFY");
    kube_config_opts init = KUBE_CONFIG_OPTS_INIT;
    *opts = init;
    opts->kubeconfig = env_or("KUBECONFIG", NULL);
    opts->home = env_or("HOME", NULL);
    opts->context = env_or("HELM_KUBECONTEXT", NULL);
    opts->namespace = env_or("HELM_NAMESPACE", NULL);
    opts->apiserver = env_or("HELM_KUBEAPISERVER", NULL);
    opts->token = env_or("HELM_KUBETOKEN", NULL);
    opts->ca_file = env_or("HELM_KUBECAFILE", NULL);
    /* Helm writes "true"/"false" (strconv.FormatBool) */
    opts->insecure_skip_tls_verify =
        insecure && (strcmp(insecure, "true") == 0 ||
                     strcmp(insecure, "1") == 0);
    opts->tls_server_name = env_or("HELM_KUBETLS_SERVER_NAME", NULL);
    opts->https_proxy = env_or("HTTPS_PROXY", "https_proxy");
    opts->no_proxy = env_or("NO_PROXY", "no_proxy");
    opts->environ = envp;
}
