/*
 * util: return codes, source positions, the arena, the growable string
 * buffer and the last-error slot shared by every module.
 * Ownership: an arena owns everything allocated from it until
 * arena_dispose(); an sbuf owns its bytes until sbuf_dispose().
 * Functions return RC_OK (0) or a negative rc; the message lives in err_last().
 */
#ifndef READYINSTALL_UTIL_H
#define READYINSTALL_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

typedef enum {
    RC_OK = 0,
    RC_ERROR = -1,
    RC_NOMEM = -2,
    RC_IO = -3,
    RC_PARSE = -4,
    RC_INVALID = -5,
    RC_CYCLE = -6,
    RC_LIMIT = -7,
    RC_HTTP = -8,
    RC_ITEROVER = -30 /* end of iteration, not a failure */
} rc;

/* A position in the input; line and col are 1-based (col in characters),
 * off/len in bytes. */
typedef struct span {
    uint32_t doc, line, col, off, len;
} span;

/* Hand freed heap memory back to the system (glibc's malloc_trim; a no-op
 * elsewhere). Big structures (a graph, a model) are many small blocks that
 * glibc keeps after free, while the large blocks allocated next (arena
 * blocks, output buffers) are mapped anew and cannot reuse them. */
void util_release_freed(void);

/* ---- arena ---------------------------------------------------------- */

typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;
    arena_block *chars; /* strings, packed apart from the aligned objects */
    size_t total; /* bytes handed out, for statistics */
} arena;

void arena_init(arena *a);
void arena_dispose(arena *a);
/* Zeroed memory aligned for any type; NULL when out of memory. */
void *arena_alloc(arena *a, size_t n);
/* As arena_alloc, aligned to align (a power of two up to 16) instead of
 * 16: small objects held by the million waste nothing. */
void *arena_alloc_aligned(arena *a, size_t n, size_t align);
/* As arena_alloc_aligned, not cleared: for what is filled at once. */
void *arena_alloc_uninit(arena *a, size_t n, size_t align);
/* Copy of s[0..n) with a terminating NUL; NULL when out of memory. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* Move everything src holds into dst; src is left empty. */
void arena_adopt(arena *dst, arena *src);

/* Make room for need elements of size elem in *p (capacity *cap, doubling
 * from 64). RC_OK, or RC_NOMEM with the error set. */
int array_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- sbuf: size-capped growable bytes with a sticky failure ----------- */

typedef struct sbuf {
    char *ptr;
    size_t len, cap, max;
    int failed; /* 0, or the rc of the first failed append */
    FILE *sink; /* sbuf_sink: where held bytes go */
    size_t sunk; /* bytes written to sink so far */
} sbuf;

#define SBUF_INIT {NULL, 0, 0, (size_t)-1, 0, NULL, 0}

void sbuf_init(sbuf *b, size_t max);
void sbuf_dispose(sbuf *b);
int sbuf_put(sbuf *b, const void *p, size_t n);
int sbuf_puts(sbuf *b, const char *s);
int sbuf_putc(sbuf *b, char c);
int sbuf_printf(sbuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
int sbuf_vprintf(sbuf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* NUL-terminated view of the content ("" when empty); borrowed. */
const char *sbuf_cstr(sbuf *b);
void sbuf_clear(sbuf *b);
static inline int sbuf_failed(const sbuf *b) { return b->failed; }
/* From now on what b holds is written to f whenever it passes 64 KiB, so a
 * long output is never held whole: b->len counts what is still held (the
 * caller writes that last), max counts everything. A failed write is RC_IO
 * with the error set. For outputs made after every check has passed. */
void sbuf_sink(sbuf *b, FILE *f);

/* ---- pieces: output made of borrowed ranges and owned bytes ----------
 * The post-renderer writes most documents back byte for byte; recording
 * them as ranges of the input instead of copying them keeps the output from
 * doubling the memory the input takes. Sticky failure as in sbuf. */

typedef struct out_piece {
    const char *ext; /* borrowed bytes, or NULL: own.ptr + off */
    size_t off, len;
} out_piece;

typedef struct pieces {
    sbuf own; /* the bytes made here */
    out_piece *v;
    size_t n, cap;
    size_t len, max; /* bytes in all, and their cap */
    int failed;
} pieces;

void pieces_init(pieces *p, size_t max);
void pieces_dispose(pieces *p);
/* Append s[0..n) by reference: s must outlive p. */
int pieces_borrow(pieces *p, const char *s, size_t n);
/* Append a copy of s[0..n). */
int pieces_put(pieces *p, const char *s, size_t n);
int pieces_puts(pieces *p, const char *s);
/* Bytes written straight into p->own since mark (its length then) become
 * the next piece. */
int pieces_commit(pieces *p, size_t mark);
/* own.ptr[off, off+len) again: bytes made once and written many times. */
int pieces_ref(pieces *p, size_t off, size_t len);
/* The last byte, or -1 when empty. */
int pieces_last(const pieces *p);
/* Where p stands, to take back everything appended after it. */
typedef struct pieces_mark {
    size_t n, len, own_len, last_len;
} pieces_mark;
pieces_mark pieces_where(const pieces *p);
void pieces_rewind(pieces *p, const pieces_mark *at);
/* Every piece appended to out, in order. */
int pieces_flatten(const pieces *p, sbuf *out);
/* Every piece written to fd; 0, or -1 with errno set. */
int pieces_write(const pieces *p, int fd);
static inline int pieces_failed(const pieces *p)
{
    return p->failed ? p->failed : p->own.failed;
}

/* h mixed with s[0..n), eight bytes a step: the hash strmap and the
 * graph's object table share. */
uint64_t hash_bytes(uint64_t h, const char *s, size_t n);

/* ---- strmap: string keys -> uint32 values (open addressing) ----------- */

typedef struct strmap {
    const char **keys; /* copies in the arena */
    uint32_t *lens, *hashes, *vals;
    size_t cap, count;
    arena *a; /* borrowed: holds the key copies */
} strmap;

void strmap_init(strmap *m, arena *a);
void strmap_dispose(strmap *m);
/* The value slot of key, or NULL when absent. Borrowed until the next put. */
uint32_t *strmap_get(const strmap *m, const char *key, size_t len);
/* The slot of key, inserted with val when absent (*created = 1). NULL when
 * out of memory. */
uint32_t *strmap_put(strmap *m, const char *key, size_t len, uint32_t val,
                     int *created);

/* ---- errors ----------------------------------------------------------- */

typedef struct err_info {
    rc code;
    int has_span;
    span at;
    char msg[1024];
} err_info;

/* Record an error (overwrites any earlier one) and return code. */
int err_set(rc code, const span *at, const char *fmt, ...) PRINTF_LIKE(3, 4);
const err_info *err_last(void);
void err_clear(void);

/* ---- source: the input bytes and a line map --------------------------- */

typedef struct source {
    const char *name; /* "<stdin>" or a path; borrowed */
    const char *buf;  /* borrowed */
    size_t len;
    uint32_t *lines; /* start of every 8th line; built on demand */
    size_t nlines;
} source;

void source_init(source *s, const char *name, const char *buf, size_t len);
void source_dispose(source *s);
/* Fill line/col (1-based; col counts UTF-8 characters) of byte offset off. */
int source_locate(source *s, size_t off, uint32_t *line, uint32_t *col);
/* A span for [off, off+len). */
span source_span(source *s, uint32_t doc, size_t off, size_t len);
/* The bytes of the line holding off, without its line break. */
void source_line_at(const source *s, size_t off, const char **start,
                    size_t *len);

/*
 * Print `name:line:col: error: message (from template)`, then the source
 * line and a caret under the column. template may be NULL. Without a source
 * or a position: `prog: error: message`.
 */
void err_print(FILE *out, const char *prog, source *src, const err_info *e,
               const char *template_name);

/* ---- clock (clock.c) ---------------------------------------------------- */

/* Monotonic milliseconds. */
long util_now_ms(void);
/* Sleep ms; a signal ends it early only once *stop is set (stop may be
 * NULL: never). */
void util_sleep_ms(long ms, volatile sig_atomic_t *stop);

#endif
