/*
 * Short scalar texts repeat across documents (keys such as name and spec,
 * values such as v1 and a namespace), so the manifest keeps one copy of
 * each: a tenth of a big manifest's memory. A direct-mapped cache finds the
 * last copy of a text; a miss costs only the copy made anyway.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "manifest_int.h"

#define TEXT_CACHE_BITS 12
#define TEXT_SHARED_MAX 32u

typedef struct text_entry {
    const char *s;
    uint32_t len;
} text_entry;

#define KEY_CACHE_BITS 10

struct text_cache {
    text_entry v[(size_t)1 << TEXT_CACHE_BITS];
    node *keys[(size_t)1 << KEY_CACHE_BITS];
    node *parsed_keys[(size_t)1 << KEY_CACHE_BITS];
};

int manifest_texts_init(manifest *m)
{
    m->texts = calloc(1, sizeof(*m->texts));
    return m->texts ? RC_OK : RC_NOMEM;
}

void manifest_texts_free(manifest *m)
{
    free(m->texts);
    m->texts = NULL;
}

static size_t slot_of(const char *s, size_t len)
{
    uint64_t a = 0, b = 0, h;
    size_t n = len < 8 ? len : 8;
    memcpy(&a, s, n);
    memcpy(&b, s + len - n, n);
    h = (a * 0x9E3779B97F4A7C15u) ^ (b * 0xC2B2AE3D27D4EB4Fu) ^ len;
    return (size_t)(h >> (64 - TEXT_CACHE_BITS));
}

const char *manifest_text(manifest *m, const char *s, size_t len)
{
    text_entry *e;
    char *copy;
    if (len == 0 || len > TEXT_SHARED_MAX || !m->texts)
        return arena_strndup(&m->arena, s, len);
    e = &m->texts->v[slot_of(s, len)];
    if (e->s && e->len == len && !memcmp(e->s, s, len))
        return e->s;
    copy = arena_strndup(&m->arena, s, len);
    if (copy) {
        e->s = copy;
        e->len = (uint32_t)len;
    }
    return copy;
}

node **manifest_key_slot(manifest *m, const char *key, size_t len,
                         int parsed)
{
    size_t i;
    if (len == 0 || len > TEXT_SHARED_MAX || !m->texts)
        return NULL;
    i = slot_of(key, len) >> (TEXT_CACHE_BITS - KEY_CACHE_BITS);
    return parsed ? &m->texts->parsed_keys[i] : &m->texts->keys[i];
}
