/* Placeholder until the certmanager rule lands. */
#include "graph_int.h"

int deps_certmanager(graph *g)
{
    (void)g;
    return RC_OK;
}
