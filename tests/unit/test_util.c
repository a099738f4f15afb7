/* Unit tests: arena, sbuf, source positions and error printing. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static void test_util__arena_zeroed_and_aligned(void)
{
    arena a;
    int i;
    arena_init(&a);
    for (i = 1; i < 300; i += 7) {
        unsigned char *p = arena_alloc(&a, (size_t)i);
        int j, zero = 1;
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL(((uintptr_t)p) % 16, 0);
        for (j = 0; j < i; j++)
            zero &= p[j] == 0;
        CU_ASSERT(zero);
        memset(p, 0xAB, (size_t)i);
    }
    arena_dispose(&a);
}

static void test_util__arena_big_blocks_keep_small_ones(void)
{
    arena a;
    char *small1, *big, *small2;
    arena_init(&a);
    small1 = arena_strdup(&a, "first");
    big = arena_alloc(&a, 1 << 20);
    small2 = arena_strdup(&a, "second");
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'x', 1 << 20);
    ASSERT_STR(small1, "first");
    ASSERT_STR(small2, "second");
    CU_ASSERT(a.total >= (1u << 20));
    arena_dispose(&a);
}

static void test_util__arena_strndup_keeps_embedded_nul(void)
{
    arena a;
    char *s;
    arena_init(&a);
    s = arena_strndup(&a, "ab\0cd", 5);
    CU_ASSERT_EQUAL(memcmp(s, "ab\0cd", 6), 0);
    arena_dispose(&a);
}

static void test_util__sbuf_appends_and_formats(void)
{
    sbuf b;
    sbuf_init(&b, 1 << 20);
    sbuf_puts(&b, "hello");
    sbuf_putc(&b, ' ');
    sbuf_printf(&b, "%d-%s", 42, "x");
    ASSERT_STR(sbuf_cstr(&b), "hello 42-x");
    CU_ASSERT_EQUAL(b.len, 10);
    CU_ASSERT_EQUAL(sbuf_failed(&b), 0);
    sbuf_dispose(&b);
}

static void test_util__sbuf_cap_is_sticky(void)
{
    sbuf b;
    sbuf_init(&b, 8);
    CU_ASSERT_EQUAL(sbuf_puts(&b, "12345"), RC_OK);
    CU_ASSERT_EQUAL(sbuf_puts(&b, "6789"), RC_LIMIT);
    CU_ASSERT_EQUAL(sbuf_puts(&b, "a"), RC_LIMIT); /* sticky */
    CU_ASSERT_EQUAL(sbuf_failed(&b), RC_LIMIT);
    ASSERT_STR(sbuf_cstr(&b), "12345");
    sbuf_dispose(&b);
}

static void test_util__sbuf_grows_past_initial_capacity(void)
{
    sbuf b;
    int i;
    sbuf_init(&b, (size_t)-1);
    for (i = 0; i < 10000; i++)
        sbuf_put(&b, "0123456789", 10);
    CU_ASSERT_EQUAL(b.len, 100000);
    CU_ASSERT_EQUAL(b.ptr[99999], '9');
    CU_ASSERT_EQUAL(b.ptr[100000], '\0');
    sbuf_dispose(&b);
}

/* A sink gets the bytes as they come, in order; what is held stays below
 * 64 KiB plus one append; the cap counts everything; a failed write is
 * RC_IO with a message. */
static void test_util__sbuf_sink_writes_as_it_goes(void)
{
    FILE *f = tmpfile();
    sbuf b;
    char back[200001];
    size_t n;
    int i;
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    sbuf_init(&b, (size_t)-1);
    sbuf_sink(&b, f);
    for (i = 0; i < 10000; i++) {
        CU_ASSERT_EQUAL(sbuf_printf(&b, "%09d\n", i), RC_OK);
        CU_ASSERT(b.len < 64 * 1024);
    }
    CU_ASSERT(b.sunk > 0);
    CU_ASSERT_EQUAL(b.sunk + b.len, 100000);
    fwrite(b.ptr, 1, b.len, f);
    rewind(f);
    n = fread(back, 1, sizeof(back), f);
    CU_ASSERT_EQUAL(n, 100000);
    for (i = 0; i < 10000 && n == 100000; i++) {
        char want[16];
        snprintf(want, sizeof(want), "%09d\n", i);
        if (memcmp(back + 10 * i, want, 10)) {
            CU_FAIL("sunk bytes out of order");
            break;
        }
    }
    fclose(f);
    sbuf_dispose(&b);

    sbuf_init(&b, 100000); /* the cap counts what went to the sink */
    f = tmpfile();
    sbuf_sink(&b, f);
    for (i = 0; i < 10000 && !sbuf_failed(&b); i++)
        sbuf_put(&b, "0123456789abcdef", 16);
    CU_ASSERT_EQUAL(sbuf_failed(&b), RC_LIMIT);
    CU_ASSERT(b.sunk + b.len <= 100000);
    fclose(f);
    sbuf_dispose(&b);

    f = fopen("/dev/full", "w");
    if (!f)
        return;
    setvbuf(f, NULL, _IONBF, 0);
    sbuf_init(&b, (size_t)-1);
    sbuf_sink(&b, f);
    for (i = 0; i < 10000 && !sbuf_failed(&b); i++)
        sbuf_put(&b, "0123456789", 10);
    CU_ASSERT_EQUAL(sbuf_failed(&b), RC_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg, "writing the output failed"));
    CU_ASSERT_EQUAL(sbuf_put(&b, "x", 1), RC_IO); /* sticky */
    fclose(f);
    sbuf_dispose(&b);
}

static void test_util__source_locate_lines_and_char_columns(void)
{
    /* "é" is two bytes but one column */
    const char *text = "ab\ncd\xc3\xa9x\n\nlast";
    source s;
    uint32_t line, col;
    source_init(&s, "t", text, strlen(text));
    source_locate(&s, 0, &line, &col);
    CU_ASSERT(line == 1 && col == 1);
    source_locate(&s, 4, &line, &col);
    CU_ASSERT(line == 2 && col == 2);
    source_locate(&s, 7, &line, &col); /* the x after é */
    CU_ASSERT(line == 2 && col == 4);
    source_locate(&s, 9, &line, &col);
    CU_ASSERT(line == 3 && col == 1);
    source_locate(&s, strlen(text), &line, &col);
    CU_ASSERT(line == 4 && col == 5);
    source_dispose(&s);
}

/* Every byte of a long text, against counting from the start: the line
 * map keeps only some line starts and scans the rest. */
static void test_util__source_locate_every_offset_of_many_lines(void)
{
    sbuf b = SBUF_INIT;
    source s;
    uint32_t line, col, want_line = 1, want_col = 1;
    size_t i;
    int bad = 0;
    for (i = 0; i < 300; i++) /* lines of 0 to 6 bytes, some empty */
        sbuf_printf(&b, "%.*s\n", (int)(i % 7), "abcdef");
    sbuf_puts(&b, "tail");
    source_init(&s, "t", b.ptr, b.len);
    for (i = 0; i <= b.len; i++) {
        source_locate(&s, i, &line, &col);
        if (line != want_line || col != want_col)
            bad++;
        if (i < b.len && b.ptr[i] == '\n') {
            want_line++;
            want_col = 1;
        } else {
            want_col++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(want_line, 301);
    source_dispose(&s);
    sbuf_dispose(&b);
}

static void test_util__err_print_shows_line_and_caret(void)
{
    const char *text = "a: 1\nbad line here\n";
    source s;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    span sp;
    source_init(&s, "<stdin>", text, strlen(text));
    sp = source_span(&s, 0, 9, 4); /* "line" */
    err_set(RC_PARSE, &sp, "something %s", "wrong");
    err_print(f, "prog", &s, err_last(), "chart/templates/x.yaml");
    fclose(f);
    ASSERT_STR(out, "<stdin>:2:5: error: something wrong (from "
                    "chart/templates/x.yaml)\n  bad line here\n      ^\n");
    free(out);
    source_dispose(&s);
}

static void test_util__err_print_without_position(void)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    err_set(RC_IO, NULL, "x: cannot open");
    err_print(f, "prog", NULL, err_last(), NULL);
    fclose(f);
    ASSERT_STR(out, "prog: error: x: cannot open\n");
    free(out);
}

static void test_util__pieces_merge_adjacent_ranges(void)
{
    static const char in[] = "abcdefgh";
    pieces p;
    sbuf out = SBUF_INIT;
    pieces_init(&p, 100);
    ASSERT_RC_OK(pieces_borrow(&p, in, 3));
    ASSERT_RC_OK(pieces_borrow(&p, in + 3, 2)); /* continues the range */
    ASSERT_RC_OK(pieces_puts(&p, "x"));
    ASSERT_RC_OK(pieces_puts(&p, "y")); /* continues the owned bytes */
    ASSERT_RC_OK(pieces_borrow(&p, in + 6, 2)); /* a gap: a new piece */
    CU_ASSERT_EQUAL(p.n, 3);
    CU_ASSERT_EQUAL(p.len, 9);
    CU_ASSERT_EQUAL(pieces_last(&p), 'h');
    ASSERT_RC_OK(pieces_flatten(&p, &out));
    ASSERT_STR(sbuf_cstr(&out), "abcdexygh");
    sbuf_dispose(&out);
    pieces_dispose(&p);
}

static void test_util__pieces_commit_and_cap(void)
{
    pieces p;
    size_t mark;
    pieces_init(&p, 8);
    CU_ASSERT_EQUAL(pieces_last(&p), -1);
    mark = p.own.len;
    sbuf_puts(&p.own, "tree\n");
    ASSERT_RC_OK(pieces_commit(&p, mark));
    CU_ASSERT_EQUAL(p.len, 5);
    CU_ASSERT_EQUAL(pieces_last(&p), '\n');
    {
        pieces_mark at = pieces_where(&p);
        ASSERT_RC_OK(pieces_ref(&p, 0, 2)); /* "tr" again */
        CU_ASSERT_EQUAL(p.len, 7);
        CU_ASSERT_EQUAL(pieces_last(&p), 'r');
        pieces_rewind(&p, &at);
        CU_ASSERT_EQUAL(p.len, 5);
        CU_ASSERT_EQUAL(pieces_last(&p), '\n');
    }
    CU_ASSERT_EQUAL(pieces_borrow(&p, "abcd", 4), RC_LIMIT); /* 9 > 8 */
    CU_ASSERT_EQUAL(pieces_put(&p, "a", 1), RC_LIMIT); /* sticky */
    CU_ASSERT_EQUAL(pieces_failed(&p), RC_LIMIT);
    CU_ASSERT_EQUAL(p.len, 5);
    pieces_dispose(&p);
    pieces_init(&p, 8);
    sbuf_puts(&p.own, "ab");
    CU_ASSERT_EQUAL(pieces_ref(&p, 1, 2), RC_INVALID); /* past own bytes */
    pieces_dispose(&p);
}

static void test_util__pieces_write_many(void)
{
    /* more pieces than one writev batch, each borrowed range apart from the
     * last so none merge */
    char in[600], path[] = "/tmp/ri-pieces-XXXXXX", back[1000];
    sbuf want = SBUF_INIT;
    pieces p;
    size_t i;
    ssize_t got;
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    unlink(path);
    for (i = 0; i < sizeof(in); i++)
        in[i] = (char)('a' + i % 26);
    pieces_init(&p, 1 << 20);
    for (i = 0; i < 200; i++) {
        ASSERT_RC_OK(pieces_borrow(&p, in + 3 * i, 2));
        sbuf_put(&want, in + 3 * i, 2);
        if (i % 3 == 0) {
            ASSERT_RC_OK(pieces_puts(&p, "-"));
            sbuf_puts(&want, "-");
        }
    }
    CU_ASSERT(p.n > 64);
    CU_ASSERT_EQUAL(pieces_write(&p, fd), 0);
    CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_SET), 0);
    got = read(fd, back, sizeof(back));
    CU_ASSERT_EQUAL((size_t)got, want.len);
    CU_ASSERT(got > 0 && memcmp(back, want.ptr, want.len) == 0);
    close(fd);
    sbuf_dispose(&want);
    pieces_dispose(&p);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* The byte at i of the stream pieces_write_survives_interruptions sends. */
static char stream_byte(size_t i)
{
    return (char)('!' + (i * 7 + i / 251) % 90);
}

/* Read everything from fd slowly; 0 when it is n bytes of stream_byte. */
static int read_slowly(int fd, size_t n)
{
    char buf[700];
    size_t at = 0, i;
    ssize_t got;
    while ((got = read(fd, buf, sizeof(buf))) != 0) {
        if (got < 0)
            return 1;
        for (i = 0; i < (size_t)got; i++)
            if (at + i >= n || buf[i] != stream_byte(at + i))
                return 1;
        at += (size_t)got;
        usleep(100);
    }
    return at == n ? 0 : 1;
}

/* A socket with a small buffer, a slow reader and a timer that interrupts
 * writev: short writes and EINTR resume where they stopped. */
static void test_util__pieces_write_survives_interruptions(void)
{
    enum { PARTS = 600, PART = 997 };
    static char in[PARTS * PART];
    struct sigaction sa, old;
    struct itimerval tick = {{0, 300}, {0, 300}}, off = {{0, 0}, {0, 0}};
    int sv[2], status = -1, small = 4096, ret;
    size_t i, n = 0;
    pieces p;
    pid_t pid;
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    for (i = 0; i < sizeof(in); i++)
        in[i] = stream_byte(i);
    pieces_init(&p, (size_t)1 << 24);
    for (i = 0; i < PARTS; i++, n += PART) { /* own and borrowed, apart */
        if (i % 2)
            ASSERT_RC_OK(pieces_put(&p, in + n, PART));
        else
            ASSERT_RC_OK(pieces_borrow(&p, in + n, PART));
    }
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        _exit(read_slowly(sv[1], n));
    }
    close(sv[1]);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART: writev returns early */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    alarms = 0;
    setitimer(ITIMER_REAL, &tick, NULL);
    ret = pieces_write(&p, sv[0]);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    close(sv[0]);
    CU_ASSERT_EQUAL(ret, 0);
    CU_ASSERT(alarms > 0); /* the writes were interrupted */
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    pieces_dispose(&p);
}

void suite_util(void)
{
    static const test_case cases[] = {
        {"arena_zeroed_and_aligned", test_util__arena_zeroed_and_aligned},
        {"arena_big_blocks_keep_small_ones",
         test_util__arena_big_blocks_keep_small_ones},
        {"arena_strndup_keeps_embedded_nul",
         test_util__arena_strndup_keeps_embedded_nul},
        {"sbuf_appends_and_formats", test_util__sbuf_appends_and_formats},
        {"sbuf_cap_is_sticky", test_util__sbuf_cap_is_sticky},
        {"sbuf_grows_past_initial_capacity",
         test_util__sbuf_grows_past_initial_capacity},
        {"sbuf_sink_writes_as_it_goes", test_util__sbuf_sink_writes_as_it_goes},
        {"pieces_merge_adjacent_ranges",
         test_util__pieces_merge_adjacent_ranges},
        {"pieces_commit_and_cap", test_util__pieces_commit_and_cap},
        {"pieces_write_many", test_util__pieces_write_many},
        {"pieces_write_survives_interruptions",
         test_util__pieces_write_survives_interruptions},
        {"source_locate_every_offset_of_many_lines",
         test_util__source_locate_every_offset_of_many_lines},
        {"source_locate_lines_and_char_columns",
         test_util__source_locate_lines_and_char_columns},
        {"err_print_shows_line_and_caret",
         test_util__err_print_shows_line_and_caret},
        {"err_print_without_position", test_util__err_print_without_position},
        {NULL, NULL},
    };
    test_add_suite("util", cases, NULL, NULL);
}
