/*
 * Bump allocator. With ARENA_DEBUG every allocation is its own malloc so
 * that AddressSanitizer sees overflows between objects.
 */
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/mman.h>

#include "util.h"

#define ARENA_ALIGN 16u
#define ARENA_BLOCK_MIN ((size_t)64 * 1024)
/* Once an arena holds this much, it is a big manifest's: its blocks become
 * huge pages, which take one page fault where 4 KiB pages take 512. */
#define ARENA_BIG_AFTER ((size_t)8 << 20)
#define ARENA_HUGE ((size_t)2 << 20)

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
    a->chars = NULL;
    a->total = 0;
}

static void free_blocks(arena_block *b)
{
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void arena_dispose(arena *a)
{
    free_blocks(a->head);
    free_blocks(a->chars);
    a->head = NULL;
    a->chars = NULL;
    a->total = 0;
}

static arena_block *block_new(size_t payload)
{
    arena_block *b;
    if (payload > (size_t)-1 - HEADER)
        return NULL;
    if (HEADER + payload == ARENA_HUGE) {
        b = aligned_alloc(ARENA_HUGE, ARENA_HUGE);
#ifdef MADV_HUGEPAGE
        if (b) /* advice only: without transparent huge pages it is moot */
            madvise(b, ARENA_HUGE, MADV_HUGEPAGE);
#endif
    } else {
        b = malloc(HEADER + payload);
    }
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

void *arena_alloc_aligned(arena *a, size_t n, size_t align)
{
    (void)align;
    return arena_alloc(a, n);
}

void *arena_alloc_uninit(arena *a, size_t n, size_t align)
{
    return arena_alloc_aligned(a, n, align);
}

static char *alloc_chars(arena *a, size_t n)
{
    return arena_alloc(a, n);
}
#else
static size_t round_up(size_t n, size_t align)
{
    return (n + (align - 1)) & ~(align - 1);
}

/* n bytes at the given alignment (a power of two up to ARENA_ALIGN),
 * not cleared. */
static void *bump(arena *a, arena_block **head, size_t n, size_t align)
{
    arena_block *b = *head;
    size_t at = b ? round_up(b->used, align) : 0;
    void *p;
    if (!n)
        n = 1;
    if (!b || at > b->size || b->size - at < n) {
        /* Big requests get a block of their own so they waste nothing. */
        size_t size = a->total < ARENA_BIG_AFTER ? ARENA_BLOCK_MIN
                                                 : ARENA_HUGE - HEADER;
        if (n > size / 4)
            size = n;
        arena_block *nb = block_new(size);
        if (!nb)
            return NULL;
        if (b && size == n) {
            nb->next = b->next; /* keep the partly used block current */
            b->next = nb;
            nb->used = n;
            a->total += n;
            return (char *)nb + HEADER;
        }
        nb->next = b;
        *head = nb;
        b = nb;
        at = 0;
    }
    p = (char *)b + HEADER + at;
    b->used = at + n;
    a->total += n;
    return p;
}

void *arena_alloc_uninit(arena *a, size_t n, size_t align)
{
    size_t need = round_up(n ? n : 1, align);
    if (need < n || align > ARENA_ALIGN)
        return NULL;
    return bump(a, &a->head, need, align);
}

void *arena_alloc_aligned(arena *a, size_t n, size_t align)
{
    size_t need = round_up(n ? n : 1, align);
    void *p = arena_alloc_uninit(a, n, align);
    if (p)
        memset(p, 0, need);
    return p;
}

void *arena_alloc(arena *a, size_t n)
{
    return arena_alloc_aligned(a, n, ARENA_ALIGN);
}

/* Strings need no alignment: packing them saves about 8 bytes each. */
static char *alloc_chars(arena *a, size_t n)
{
    return bump(a, &a->chars, n, 1);
}
#endif

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p;
    if (n == (size_t)-1)
        return NULL;
    p = alloc_chars(a, n + 1);
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

/* src's blocks go behind dst's current ones, so dst keeps filling its own
 * partly used blocks first. */
static void adopt_list(arena_block **dst, arena_block **src)
{
    arena_block *tail = *src;
    if (!tail)
        return;
    while (tail->next)
        tail = tail->next;
    if (*dst) {
        tail->next = (*dst)->next;
        (*dst)->next = *src;
    } else {
        *dst = *src;
    }
    *src = NULL;
}

void arena_adopt(arena *dst, arena *src)
{
    adopt_list(&dst->head, &src->head);
    adopt_list(&dst->chars, &src->chars);
    dst->total += src->total;
    src->total = 0;
}

void util_release_freed(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
