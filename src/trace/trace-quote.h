/* trace-quote.h: output buffer plus byte-exact re-implementations of the
 * bits of Go's formatting that the trace printers need: strconv.Quote
 * (what fmt's %q does for a string) and time.Time.Format(RFC3339[Nano]).
 *
 * Plain C17 + libc.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A growable output buffer used by the printers.
 * Zero-initialise it ({0}) before first use. Whenever data is non-NULL,
 * data[len] == '\0' (the terminator is not counted in len), so the contents
 * can be handed to C string functions if they contain no NUL bytes. */
typedef struct ta_buf { char *data; size_t len, cap; } ta_buf;

/* Makes room for at least `extra` more bytes (plus the terminator).
 * abort() on OOM or size overflow. */
void ta_buf_reserve(ta_buf *b, size_t extra);
void ta_buf_append(ta_buf *b, const void *p, size_t n);
void ta_buf_putc(ta_buf *b, char c);
void ta_buf_printf(ta_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Releases the storage and resets *b to {0}. */
void ta_buf_free(ta_buf *b);

/* Appends s (n bytes, arbitrary bytes, not NUL-terminated) quoted exactly as
 * Go's strconv.Quote would (and so fmt's %q / %#v / %+v for a string).
 * s may be NULL when n == 0. */
void ta_go_quote(ta_buf *b, const uint8_t *s, size_t n);

/* Appends a Unix time (sec, nsec) as Go's
 * time.Unix(sec, nsec).UTC().Format(time.RFC3339Nano)
 * ("2025-01-01T00:00:00Z", "2025-02-28T15:04:09.000000123Z": trailing zeros
 * of the fraction trimmed), or time.RFC3339 when nano=false. Any int64 pair
 * is accepted: nsec outside [0, 1e9) is folded into sec the way time.Unix
 * does, and out-of-range results (years < 0, > 9999, or int64 wrap-around)
 * print exactly what Go prints. */
void ta_go_time_utc(ta_buf *b, int64_t sec, int64_t nsec, bool nano);

/* strconv.IsPrint: true for letters, marks, numbers, punctuation, symbols
 * and U+0020; false for anything else, including r < 0 and r > U+10FFFF.
 * Implemented in the generated trace-unicode-print.c. */
bool ta_go_is_print(int32_t r);
