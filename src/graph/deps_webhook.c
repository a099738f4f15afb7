/* Placeholder until the webhook rule lands. */
#include "graph_int.h"

int deps_webhook(graph *g)
{
    (void)g;
    return RC_OK;
}
