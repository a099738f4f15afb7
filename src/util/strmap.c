/* A string-keyed hash map with linear probing. Lookups only:
 * nothing iterates it, so output never depends on hash order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void strmap_init(strmap *m, arena *a)
{
    memset(m, 0, sizeof(*m));
    m->a = a;
}

void strmap_dispose(strmap *m)
{
    free(m->keys);
    free(m->lens);
    free(m->hashes);
    free(m->vals);
    m->keys = NULL;
    m->lens = m->hashes = m->vals = NULL;
    m->cap = m->count = 0;
}

uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    uint64_t w;
    h = (h ^ n) * 0x9E3779B97F4A7C15u;
    for (; n; s += 8, n -= n < 8 ? n : 8) {
        w = 0;
        memcpy(&w, s, n < 8 ? n : 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    return h;
}

static uint32_t hash_of(const char *s, size_t n)
{
    return (uint32_t)hash_bytes(0, s, n);
}

static size_t find_slot(const strmap *m, const char *key, size_t len,
                        uint32_t h)
{
    size_t i = h & (m->cap - 1);
    while (m->keys[i]) {
        if (m->hashes[i] == h && m->lens[i] == len &&
            !memcmp(m->keys[i], key, len))
            return i;
        i = (i + 1) & (m->cap - 1);
    }
    return i;
}

uint32_t *strmap_get(const strmap *m, const char *key, size_t len)
{
    size_t i;
    if (!m->cap)
        return NULL;
    i = find_slot(m, key, len, hash_of(key, len));
    return m->keys[i] ? &m->vals[i] : NULL;
}

static int rehash(strmap *m, size_t cap)
{
    strmap n = *m;
    size_t i;
    n.cap = cap;
    n.keys = calloc(cap, sizeof(*n.keys));
    n.lens = calloc(cap, sizeof(*n.lens));
    n.hashes = calloc(cap, sizeof(*n.hashes));
    n.vals = calloc(cap, sizeof(*n.vals));
    if (!n.keys || !n.lens || !n.hashes || !n.vals) {
        strmap_dispose(&n);
        return RC_NOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        size_t j;
        if (!m->keys[i])
            continue;
        j = find_slot(&n, m->keys[i], m->lens[i], m->hashes[i]);
        n.keys[j] = m->keys[i];
        n.lens[j] = m->lens[i];
        n.hashes[j] = m->hashes[i];
        n.vals[j] = m->vals[i];
    }
    strmap_dispose(m);
    *m = n;
    return RC_OK;
}

uint32_t *strmap_put(strmap *m, const char *key, size_t len, uint32_t val,
                     int *created)
{
    uint32_t h = hash_of(key, len);
    size_t i;
    *created = 0;
    if ((m->count + 1) * 2 > m->cap &&
        rehash(m, m->cap ? m->cap * 2 : 64) != RC_OK)
        return NULL;
    i = find_slot(m, key, len, h);
    if (m->keys[i])
        return &m->vals[i];
    m->keys[i] = arena_strndup(m->a, key, len);
    if (!m->keys[i])
        return NULL;
    m->lens[i] = (uint32_t)len;
    m->hashes[i] = h;
    m->vals[i] = val;
    m->count++;
    *created = 1;
    return &m->vals[i];
}
