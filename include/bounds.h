/*
 * bounds: named limits on untrusted input. Every limit has a default and a
 * CLI override; exceeding one is RC_LIMIT with a message naming the limit.
 */
#ifndef READYINSTALL_BOUNDS_H
#define READYINSTALL_BOUNDS_H

#include <stddef.h>

#define BOUND_INPUT_BYTES_DEFAULT ((size_t)1 << 30)  /* 1 GiB */
#define BOUND_DOCUMENTS_DEFAULT ((size_t)1000000)
#define BOUND_DEPTH_DEFAULT ((size_t)256)
#define BOUND_SCALAR_BYTES_DEFAULT ((size_t)64 << 20) /* 64 MiB */
#define BOUND_ALIASES_DEFAULT ((size_t)10000)
#define BOUND_ALIAS_EXPANSION_DEFAULT ((size_t)10000)
#define BOUND_OUTPUT_MAX ((size_t)4 << 30)

typedef struct bounds {
    size_t input_bytes; /* whole stream */
    size_t documents;   /* documents in the stream */
    size_t depth;       /* nesting of collections, counted by us */
    size_t scalar_bytes;
    size_t aliases; /* alias references in the stream */
    /* mappings one key lookup may visit through `<<` merge keys (aliases
     * are never expanded, but a lookup follows merges) */
    size_t alias_expansion;
} bounds;

#define BOUNDS_INIT                                                          \
    {BOUND_INPUT_BYTES_DEFAULT, BOUND_DOCUMENTS_DEFAULT, BOUND_DEPTH_DEFAULT, \
     BOUND_SCALAR_BYTES_DEFAULT, BOUND_ALIASES_DEFAULT,                    \
     BOUND_ALIAS_EXPANSION_DEFAULT}

#endif
