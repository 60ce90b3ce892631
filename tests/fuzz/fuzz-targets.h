/* fuzz-targets.h: the fuzzed functions, shared by the libFuzzer entry points
 * (fuzz-parser.c, fuzz-wire.c) and the corpus replay driver (replay.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Decodes data as a trace with ta_parser_open_memory, pulls every event
 * and prints each as -d=parsed does. Returns the number of events. */
size_t ta_fuzz_parser(const uint8_t *data, size_t size);

/* Writes data to an anonymous file and runs the -d=wire dumper on it.
 * Returns the dumper's result (0 clean end, 1 error), -1 on setup failure. */
int ta_fuzz_wire(const uint8_t *data, size_t size);
