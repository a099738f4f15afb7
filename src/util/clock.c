/* Monotonic milliseconds and a sleep that survives signals: the waits,
 * retries and progress intervals of the cluster commands. */
#include <errno.h>
#include <time.h>

#include "util.h"

long util_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void util_sleep_ms(long ms, volatile sig_atomic_t *stop)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) && errno == EINTR && !(stop && *stop))
        ;
}
