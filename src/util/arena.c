/*
 * Bump allocator. With ARENA_DEBUG every allocation is its own malloc so
 * that AddressSanitizer sees overflows between objects.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ARENA_ALIGN 16u
#define ARENA_BLOCK_MIN ((size_t)64 * 1024)

struct arena_block {
    arena_block *next;
    size_t size, used;
    /* payload follows, aligned */
};

static const size_t HEADER = (sizeof(arena_block) + (ARENA_ALIGN - 1)) &
                             ~(size_t)(ARENA_ALIGN - 1);

void arena_init(arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void arena_dispose(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

static arena_block *block_new(size_t payload)
{
    arena_block *b;
    if (payload > (size_t)-1 - HEADER)
        return NULL;
    b = malloc(HEADER + payload);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = payload;
    b->used = 0;
    return b;
}

#ifdef ARENA_DEBUG
void *arena_alloc(arena *a, size_t n)
{
    arena_block *b = block_new(n ? n : 1);
    if (!b)
        return NULL;
    b->used = b->size;
    b->next = a->head;
    a->head = b;
    a->total += n;
    memset((char *)b + HEADER, 0, b->size);
    return (char *)b + HEADER;
}
#else
static size_t round_up(size_t n)
{
    return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
}

void *arena_alloc(arena *a, size_t n)
{
    arena_block *b = a->head;
    void *p;
    size_t need = round_up(n ? n : 1);
    if (need < n)
        return NULL;
    if (!b || b->size - b->used < need) {
        /* Big requests get a block of their own so they waste nothing. */
        size_t size = need > ARENA_BLOCK_MIN / 4 ? need : ARENA_BLOCK_MIN;
        arena_block *nb = block_new(size);
        if (!nb)
            return NULL;
        if (b && size == need) {
            nb->next = b->next; /* keep the partly used block current */
            b->next = nb;
            nb->used = need;
            a->total += n;
            p = (char *)nb + HEADER;
            memset(p, 0, need);
            return p;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    p = (char *)b + HEADER + b->used;
    b->used += need;
    a->total += n;
    memset(p, 0, need);
    return p;
}
#endif

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p;
    if (n == (size_t)-1)
        return NULL;
    p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}
