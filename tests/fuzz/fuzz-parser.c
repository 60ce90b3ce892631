/* fuzz-parser.c: libFuzzer target for the decoder. Opens the input as a
 * trace in memory, pulls every event and prints each one (the -d=parsed
 * text), so the state machine, the tables and the printers all run on
 * whatever the fuzzer makes up. Any crash, sanitizer report, leak or hang is
 * a bug: the decoder must reject bad input with an error. */
#include "fuzz-targets.h"

#include "trace.h"
#include "trace-print.h"

#include <stdlib.h>
#include <string.h>

/* No trace that fits in a fuzz input makes this many events; more means a
 * decoder loop that does not make progress. */
#define MAX_EVENTS 10000000

size_t
ta_fuzz_parser(const uint8_t *data, size_t size)
{
  ta_error err;
  ta_parser *p = ta_parser_open_memory(data, size, &err);
  if (!p)
    return 0;
  ta_buf b = { 0 };
  ta_event ev;
  size_t n = 0;
  int r;
  while ((r = ta_parser_next(p, &ev)) == 1) {
    if (++n > MAX_EVENTS)
      abort();
    b.len = 0;
    ta_print_event(&b, &ev);
    /* The accessors a viewer calls, beyond what the printer touches. */
    ta_transition t;
    ta_sync_info s;
    (void)ta_event_transition(&ev, &t);
    (void)ta_event_sync(&ev, &s);
    uint64_t stack = ta_event_stack_id(&ev);
    size_t depth = ta_event_stack_depth(&ev, stack);
    if (depth) {
      ta_frame f;
      (void)ta_event_stack_frame(&ev, stack, depth - 1, &f);
    }
  }
  if (r < 0) {
    const ta_error *e = ta_parser_error(p);
    if (!e->failed || memchr(e->message, '\0', sizeof e->message) == NULL)
      abort();
    /* Errors are sticky. */
    if (ta_parser_next(p, &ev) != -1)
      abort();
  } else if (ta_parser_next(p, &ev) != 0) {
    abort(); /* the end is sticky too */
  }
  (void)ta_parser_generation(p);
  (void)ta_parser_bytes_read(p);
  (void)ta_parser_largest_generation(p);
  ta_buf_free(&b);
  ta_parser_free(p);
  return n;
}

#ifndef TA_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  ta_fuzz_parser(data, size);
  return 0;
}
#endif
