/* trace-header.c: the trace file's header ("go 1.NN trace\0\0\0"), read
 * as leniently as Go's fmt.Fscanf reads it. */
#include "trace-internal.h"

#include <stdio.h>

/* Go reads the header with fmt.Fscanf("go 1.%d trace\x00\x00\x00"), so it
 * accepts more than the 16 bytes every runtime writes: any run of blanks
 * for each space, blanks before the number, leading zeros. These helpers
 * follow fmt's scanning rules rune by rune. */
typedef struct {
  ta_input *in;
  size_t last;   /* bytes of the last rune read, for unreading */
} header_scan;

#define RUNE_EOF (-1)

static int32_t
scan_rune(header_scan *h)
{
  int c = ta_input_getc(h->in);
  h->last = c < 0 ? 0 : 1;
  if (c < 0x80)
    return c < 0 ? RUNE_EOF : c;
  /* UTF-8: only well-formed sequences make runes; anything else is U+FFFD
   * over one byte, as Go decodes it. */
  int need = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
  if (need < 0 || c > 0xf4)
    return 0xfffd;
  int32_t r = c & (0x3f >> need);
  for (int k = 0; k < need; k++) {
    int d = ta_input_getc(h->in);
    if (d < 0 || (d & 0xc0) != 0x80) {
      /* Only the lead byte is consumed: U+FFFD over one byte. */
      ta_input_unread(h->in, d < 0 ? (size_t)k : (size_t)k + 1);
      h->last = 1;
      return 0xfffd;
    }
    r = r << 6 | (d & 0x3f);
    h->last++;
  }
  if ((need == 2 && (r < 0x800 || (r >= 0xd800 && r <= 0xdfff))) || (need == 3 && (r < 0x10000 || r > 0x10ffff))) {
    ta_input_unread(h->in, h->last - 1);
    h->last = 1;
    return 0xfffd;
  }
  return r;
}

static void
unscan_rune(header_scan *h)
{
  ta_input_unread(h->in, h->last);
  h->last = 0;
}

/* fmt's isSpace. */
static bool
is_scan_space(int32_t r)
{
  return (r >= 0x09 && r <= 0x0d) || r == 0x20 || r == 0x85 || r == 0xa0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
         r == 0x205f || r == 0x3000;
}

/* A space in the format: at least one blank (or the end), then any more. */
static bool
scan_format_space(header_scan *h)
{
  int32_t r = scan_rune(h);
  if ((!is_scan_space(r) && r != RUNE_EOF) || r == '\n')
    return false;
  while (is_scan_space(r) && r != '\n')
    r = scan_rune(h);
  if (r != RUNE_EOF)
    unscan_rune(h);
  return true;
}

static bool
scan_literal(header_scan *h, const char *lit, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (scan_rune(h) != (uint8_t)lit[i])
      return false;
  return true;
}

/* %d into an unsigned 32-bit value (the Version type). */
static bool
scan_uint32(header_scan *h, uint32_t *out)
{
  int32_t r;
  for (;;) {
    r = scan_rune(h);
    if (r == RUNE_EOF)
      return false;
    if (r == '\r') {
      int32_t next = scan_rune(h);
      if (next == '\n')
        return false; /* a newline is not a space for Fscanf */
      if (next != RUNE_EOF)
        unscan_rune(h);
      continue;
    }
    if (r == '\n')
      return false;
    if (!is_scan_space(r))
      break;
  }
  uint64_t v = 0;
  int digits = 0;
  while (r >= '0' && r <= '9') {
    v = v * 10 + (uint64_t)(r - '0');
    if (v > UINT32_MAX)
      return false;
    digits++;
    r = scan_rune(h);
  }
  if (r != RUNE_EOF)
    unscan_rune(h);
  if (digits == 0)
    return false;
  *out = (uint32_t)v;
  return true;
}

const char *
ta_read_header(ta_input *in, int *format)
{
  static _Thread_local char msg[96];
  header_scan h = { in, 0 };
  uint32_t v = 0;
  bool ok = scan_literal(&h, "go", 2) && scan_format_space(&h) && scan_literal(&h, "1.", 2) &&
            scan_uint32(&h, &v) && scan_format_space(&h) && scan_literal(&h, "trace\0\0\0", 8);
  if (!ok)
    return "bad file format: not a Go execution trace?";
  if (v != 22 && v != 23 && v != 25 && v != 26) {
    snprintf(msg, sizeof msg, "unknown or unsupported trace version go 1.%u", v);
    return msg;
  }
  *format = (int)v;
  return NULL;
}
