/* Placeholder until the conversion rule lands. */
#include "graph_int.h"

int deps_conversion(graph *g)
{
    (void)g;
    return RC_OK;
}
