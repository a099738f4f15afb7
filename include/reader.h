/*
 * reader: read an input stream (stdin or a file) into one heap buffer, with a
 * size cap. The caller frees *out. RC_IO, RC_LIMIT or RC_NOMEM on failure.
 */
#ifndef READYINSTALL_READER_H
#define READYINSTALL_READER_H

#include <stddef.h>

int reader_read_fd(char **out, size_t *out_len, int fd, const char *name,
                   size_t max);
/* path "-" means stdin. */
int reader_read_path(char **out, size_t *out_len, const char *path,
                     size_t max);

#endif
