/* Internal to the manifest module. */
#ifndef READYINSTALL_MANIFEST_INT_H
#define READYINSTALL_MANIFEST_INT_H

#include "manifest.h"

/* RC_PARSE with the position of the second occurrence when a mapping has
 * two equal scalar keys (`<<` merge keys excepted). */
int manifest_check_duplicate_keys(source *src, size_t doc, const node *map);
/* A mapping holds a `<<` merge key. */
int manifest_map_has_merge(const node *map);
/* Fill what needs the whole document: its `# Source:` comment, line ends. */
void manifest_doc_finish(manifest *m, document *d);

#endif
