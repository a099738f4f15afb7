/*
 * libcurl's easy interface, loaded on first use (curl_api.c) rather than
 * linked: only the commands that talk to a cluster pay for it.
 */
#ifndef READYINSTALL_CURL_API_H
#define READYINSTALL_CURL_API_H

#include <curl/curl.h>

typedef struct curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_reset)(CURL *h);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
} curl_api;

/* libcurl, loaded and initialised once: $READYINSTALL_LIBCURL when set,
 * else libcurl.so.4 (libcurl.4.dylib on macOS). NULL with err_last() set
 * when it cannot be loaded or lacks a function. */
const curl_api *curl_api_get(void);

#endif
