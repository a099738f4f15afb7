/* Placeholder until the apiservice rule lands. */
#include "graph_int.h"

int deps_apiservice(graph *g)
{
    (void)g;
    return RC_OK;
}
