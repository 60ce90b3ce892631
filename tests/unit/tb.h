/* tb.h: a tiny trace builder for the unit tests, plus helpers that decode a
 * built trace and compare the result with the expected `go tool trace
 * -d=parsed` text.
 *
 * A builder appends to one byte buffer: the 16-byte header, then top-level
 * records. Between tb_batch() and the next batch/tb_end()/tb_eog() call,
 * every byte goes into the batch payload; the batch header (with its size)
 * is written when the batch is closed.
 *
 * Expected text: the events exactly as Go prints them (one Event.String()
 * per event, each followed by "\n"), optionally followed by a line
 * "!! <text>\n" when decoding must fail; <text> must be a substring of the
 * error message (and of Go's).
 *
 * Oracle mode: with TA_UNIT_DUMP=<dir> in the environment every checked
 * trace is also written to <dir>/<test-path>[-N].bin with the expected text
 * next to it (.want), so tests/unit/go-oracle.py can replay them through
 * `go tool trace -d=parsed`.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

#define TB_NO_M UINT64_MAX          /* M = NoThread on the wire (^0) */
#define TB_FREQ_NS 1000000000ull    /* 1 unit = 1 ns: times read as written */

typedef struct {
  GByteArray *out;
  GByteArray *payload;   /* open batch payload, or NULL */
  int format;
  /* header of the open batch */
  bool exp_batch;
  uint8_t exp;
  uint64_t gen, m, time;
  int size_width;        /* 0: minimal size uvarint; else padded to this */
  int64_t size_override; /* >= 0: written instead of the real size */
  /* tb_gen_begin / tb_gen_end */
  uint64_t cur_gen;
  uint64_t table_time;   /* base time of sync and table batches */
} tb;

tb *tb_new(int format);
void tb_free(tb *t);
const uint8_t *tb_data(const tb *t, size_t *len);

/* Raw bytes: into the open batch's payload, or at the top level. */
void tb_bytes(tb *t, const void *p, size_t n);
void tb_u8(tb *t, uint8_t b);
void tb_uv(tb *t, uint64_t v);
/* Non-minimal uvarint of exactly `width` bytes (1..10). */
void tb_uv_padded(tb *t, uint64_t v, int width);
/* Appends a uvarint encoding to a plain byte array (for hand-made headers). */
void tb_put_uv(GByteArray *a, uint64_t v);

/* Opens an EventBatch (closing any open one). */
void tb_batch(tb *t, uint64_t gen, uint64_t m, uint64_t time);
void tb_exp_batch(tb *t, uint8_t exp, uint64_t gen, uint64_t m, uint64_t time);
/* Options for the open batch's header. */
void tb_size_padded(tb *t, int width);
void tb_size_override(tb *t, uint64_t size);
/* Closes the open batch, if any. */
void tb_end(tb *t);
/* Closes the open batch and writes the EndOfGeneration byte. */
void tb_eog(tb *t);

/* A timed event: type byte, then the uvarints (dt first). */
void tb_ev_(tb *t, uint8_t type, const uint64_t *args, size_t n);
#define TB_ARGS(...) ((const uint64_t[]){ __VA_ARGS__ })
#define TB_NARGS(...) (sizeof(TB_ARGS(__VA_ARGS__)) / sizeof(uint64_t))
#define EV(t, type, ...) tb_ev_((t), (type), TB_ARGS(__VA_ARGS__), TB_NARGS(__VA_ARGS__))

/* Table contents, written into the open batch (which must have been
 * started with the matching section byte, see tb_*_batch below). */
void tb_string(tb *t, uint64_t id, const char *s);
void tb_string_n(tb *t, uint64_t id, const void *s, size_t n);
/* frames: n * {pc, func string ID, file string ID, line} */
void tb_stack(tb *t, uint64_t id, size_t n, const uint64_t *frames);
void tb_sample(tb *t, uint64_t time, uint64_t m, uint64_t p, uint64_t g, uint64_t stack);

/* Section batches (M = NoThread) left open for entries. */
void tb_strings_batch(tb *t, uint64_t gen, uint64_t time);
void tb_stacks_batch(tb *t, uint64_t gen, uint64_t time);
void tb_samples_batch(tb *t, uint64_t gen, uint64_t time);
/* A closed frequency batch: 22/23 `08 freq`; 25/26 a sync batch with the
 * frequency and a clock snapshot (dt, mono, sec, nsec). */
void tb_freq_batch(tb *t, uint64_t gen, uint64_t time, uint64_t freq);
void tb_sync_batch(tb *t, uint64_t gen, uint64_t time, uint64_t freq, uint64_t snap_dt,
                   uint64_t mono, uint64_t sec, uint64_t nsec);

/* The usual generation frame for state-machine tests, frequency 1e9 so that
 * times are the raw units.
 *  tb_gen_begin: formats 25/26 write the sync batch (time table_time,
 *    snapshot dt=0 mono=gen sec=1700000000+gen nsec=0).
 *  tb_gen_end: closes the open batch; formats 22/23 write the frequency
 *    batch; then the standard stacks and strings (below); 26 adds the marker.
 * Standard strings: 1 "reason" 2 "main.main" 3 "/src/main.go" 4 "main.f"
 *   5 "task" 6 "region" 7 "key" 8 "value" 9 "GC (dedicated)" 10 "sleep"
 *   11 "other".
 * Standard stacks: 1 = main.main@0x1000 (/src/main.go:10);
 *   2 = main.f@0x2000 (:20), main.main@0x1000 (:10). */
void tb_gen_begin(tb *t, uint64_t gen);
void tb_gen_end(tb *t);
/* The Sync line that opens a standard generation (table_time 1) when it is
 * the first generation, for format >= 25 and for 22/23. */
#define TB_SYNC1_25 "M=-1 P=-1 G=-1 Sync Time=1 N=1 Trace=1 Mono=1 Wall=2023-11-14T22:13:21Z\n"
#define TB_SYNC1_22 "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
#define TB_STACK1 "\tmain.main @ 0x1000\n\t\t/src/main.go:10\n"
#define TB_STACK2 "\tmain.f @ 0x2000\n\t\t/src/main.go:20\n" TB_STACK1

/* Opens an event batch of the current generation on thread m at `time`
 * with ProcStatus(p, Running) and GoStatus(g, m, Running), dt 1 each, and
 * leaves it open. TB_RUNNING_TEXT is what they print (first generation). */
void tb_running(tb *t, uint64_t m, uint64_t p, uint64_t g, uint64_t time);
#define TB_RUNNING_TEXT(m, p, g, t1, t2)                                     \
  "M=" #m " P=-1 G=-1 StateTransition Time=" #t1 " ProcID=" #p               \
  " Undetermined->Running Reason=\"\"\n"                                      \
  "M=" #m " P=" #p " G=-1 StateTransition Time=" #t2 " GoID=" #g             \
  " Undetermined->Running Reason=\"\"\n"

/* ---- decoding ---- */

/* Decodes the whole input and returns the -d=parsed text, plus "!! msg\n"
 * when decoding fails. Caps the number of events. When isolated (the
 * default, except under AddressSanitizer) the decoding runs in a child
 * process with a time limit, so a decoder crash or hang fails one check
 * ("!! DECODER CRASHED (signal N)") instead of the whole program. */
char *tb_parse_text(const uint8_t *data, size_t len);
bool tb_isolated(void);

/* Decodes and compares with `expected` (see the format at the top). */
void tb_check_bytes(const uint8_t *data, size_t len, const char *expected);
void tb_check(const tb *t, const char *expected);
/* For a case where the decoder is known to disagree with Go: `expected` is
 * Go's output. While they differ the test is marked incomplete (TAP "not ok
 * # TODO": an expected failure), or failed when TA_UNIT_STRICT is set; once
 * they agree the test fails, asking for a plain tb_check(). */
void tb_check_known_diff(const tb *t, const char *expected, const char *why);

/* Collected events, for structural assertions. Strings and stacks of an
 * event are only reachable through `text` (the parser is closed). */
typedef struct {
  ta_event ev;         /* ev.gen is dangling: do not use */
  bool has_tr;
  ta_transition tr;    /* tr.reason is cleared */
  char *text;          /* the event printed */
} tb_item;
typedef struct {
  tb_item *items;
  size_t n;
  int status;          /* last ta_parser_next() result: 0 end, -1 error */
  ta_error err;
} tb_events;
void tb_collect_bytes(const uint8_t *data, size_t len, tb_events *out);
void tb_collect(const tb *t, tb_events *out);
void tb_events_free(tb_events *e);
/* Index of the first event whose printed text starts with `prefix` (or
 * contains it when prefix starts with '*'), from `from`; -1 when none. */
long tb_find(const tb_events *e, size_t from, const char *prefix);

/* Writes a trace into the dump directory by hand (also used by tb_check). */
void tb_dump(const uint8_t *data, size_t len, const char *expected);
