/* trace-print.h: text renderings identical to `go tool trace -d=parsed` and
 * `-d=wire` (Go 1.26). */
#pragma once

#include "trace.h"
#include "trace-quote.h"

#include <stdio.h>

/* Appends Go's Event.String() for ev (no trailing newline). */
void ta_print_event(ta_buf *b, const ta_event *ev);

/* Streams the raw records of a trace as -d=wire does, writing to out. Returns
 * 0 at a clean end, 1 on error (err filled: what and where). */
int ta_dump_wire(const char *path, FILE *out, ta_error *err);
