/* Placeholder until backend.c lands. */
#include "graph_int.h"

uint32_t graph_service_backends(graph *g, const char *ns, const char *name,
                                const uint32_t **workloads, size_t *n)
{
    *workloads = NULL;
    *n = 0;
    return graph_find(g, "", "Service", ns, name);
}
