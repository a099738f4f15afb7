/* Placeholder until the externalsecret rule lands. */
#include "graph_int.h"

int deps_externalsecret(graph *g)
{
    (void)g;
    return RC_OK;
}
