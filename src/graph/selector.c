/* Placeholder until selector.c lands. */
#include "graph_int.h"

sel_result selector_match(const node *selector, const node *labels)
{
    (void)selector;
    (void)labels;
    return SEL_MAYBE;
}

sel_result selector_match_namespace(const graph *g, const node *selector,
                                    const char *ns)
{
    (void)g;
    (void)selector;
    (void)ns;
    return SEL_MAYBE;
}

int selector_map_match(const node *selector, const node *labels)
{
    (void)selector;
    (void)labels;
    return 0;
}
