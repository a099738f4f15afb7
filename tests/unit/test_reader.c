/* Unit tests: reading input streams with a size cap. */
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#include "reader.h"
#include "test.h"

/* A private temporary file holding text, opened for reading at its start
 * (a pipe could not hold more than its buffer without a second process). */
static int pipe_with(const char *text, size_t len)
{
    char path[] = "/tmp/readyinstall-test-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    if (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void test_reader__reads_all_of_a_pipe(void)
{
    char big[70000], *buf = NULL;
    size_t len = 0;
    int fd;
    memset(big, 'x', sizeof(big)); /* more than one read and one buffer */
    fd = pipe_with(big, sizeof(big));
    CU_ASSERT_FATAL(fd >= 0);
    ASSERT_RC_OK(reader_read_fd(&buf, &len, fd, "<pipe>", 1 << 20));
    CU_ASSERT_EQUAL(len, sizeof(big));
    CU_ASSERT_EQUAL(buf[len], '\0');
    CU_ASSERT_EQUAL(memcmp(buf, big, len), 0);
    free(buf);
    close(fd);
}

static void test_reader__cap_is_exact(void)
{
    char *buf = NULL;
    size_t len = 0;
    int fd = pipe_with("12345", 5);
    ASSERT_RC_OK(reader_read_fd(&buf, &len, fd, "<pipe>", 5));
    free(buf);
    close(fd);
    fd = pipe_with("123456", 6);
    CU_ASSERT_EQUAL(reader_read_fd(&buf, &len, fd, "<pipe>", 5), RC_LIMIT);
    CU_ASSERT_PTR_NULL(buf);
    CU_ASSERT(strstr(err_last()->msg, "--max-input-bytes") != NULL);
    close(fd);
}

static void test_reader__empty_input(void)
{
    char *buf = NULL;
    size_t len = 1;
    int fd = pipe_with("", 0);
    ASSERT_RC_OK(reader_read_fd(&buf, &len, fd, "<pipe>", 10));
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_PTR_NOT_NULL(buf);
    free(buf);
    close(fd);
}

static void test_reader__missing_file(void)
{
    char *buf = NULL;
    size_t len;
    CU_ASSERT_EQUAL(reader_read_path(&buf, &len, "/nonexistent/x.yaml", 10),
                    RC_IO);
    CU_ASSERT(strstr(err_last()->msg, "/nonexistent/x.yaml: cannot open") !=
              NULL);
}

void suite_reader(void)
{
    static const test_case cases[] = {
        {"reads_all_of_a_pipe", test_reader__reads_all_of_a_pipe},
        {"cap_is_exact", test_reader__cap_is_exact},
        {"empty_input", test_reader__empty_input},
        {"missing_file", test_reader__missing_file},
        {NULL, NULL},
    };
    test_add_suite("reader", cases, NULL, NULL);
}
