/* trace-input.h: the byte source under the decoder. Reads a file through a
 * fixed-size buffer (never the whole file, never mmap), transparently
 * decompressing zstd (detected by magic number), or reads a memory block.
 * Bytes of a plain regular file can be skipped and read back later by
 * offset, so that the decoder need not hold them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ta_input ta_input;

/* NULL with msg filled when the path cannot be opened or is a directory. */
ta_input *ta_input_open_path(const char *path, char *msg, size_t msg_len);
ta_input *ta_input_open_memory(const void *data, size_t len);
/* Only [offset, offset+len) of a plain (uncompressed) file. */
ta_input *ta_input_open_range(const char *path, int64_t offset, int64_t len,
                              char *msg, size_t msg_len);
void ta_input_close(ta_input *in);

/* Next byte, or -1 at end of data (or after a read/decompression error,
 * which ta_input_error() then describes). */
int ta_input_getc(ta_input *in);
/* Copies up to n bytes; returns how many (fewer only at end or on error). */
size_t ta_input_read(ta_input *in, void *dst, size_t n);
/* Steps back over the last n bytes read, if they are still buffered. */
bool ta_input_unread(ta_input *in, size_t n);
/* Bytes of (decompressed) stream consumed so far, plus the range start. */
int64_t ta_input_offset(const ta_input *in);
/* Non-NULL after an I/O or decompression failure. */
const char *ta_input_error(const ta_input *in);
bool ta_input_is_compressed(const ta_input *in);

/* Whether the next n bytes can be skipped now and read back later with
 * ta_input_pread (a plain regular file that holds them all). */
bool ta_input_can_skip(const ta_input *in, size_t n);
/* Steps over n bytes (ta_input_can_skip said yes); false on a seek error. */
bool ta_input_skip(ta_input *in, size_t n);
/* Reads n bytes at file offset `offset` (as ta_input_offset counts) without
 * moving the stream; returns how many it got. */
size_t ta_input_pread(const ta_input *in, int64_t offset, void *dst, size_t n);
