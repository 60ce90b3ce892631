/* trace-quote.c: ta_buf, Go-compatible string quoting and time formatting.
 *
 * ta_go_quote() reproduces strconv.Quote byte for byte:
 *  - the input is decoded as UTF-8 under Go's rules (shortest form only,
 *    no surrogates, nothing above U+10FFFF); every byte that does not start
 *    a valid sequence is emitted on its own as \xHH, so a truncated or
 *    overlong sequence becomes one \xHH per byte;
 *  - '"' and '\\' get a backslash;
 *  - printable runes (ta_go_is_print, i.e. strconv.IsPrint) are copied as
 *    UTF-8, including U+FFFD when it is really encoded in the input;
 *  - \a \b \f \n \r \t \v for those controls, \xHH for other runes below
 *    U+0020 and for U+007F, \uHHHH for other non-printable BMP runes (C1
 *    controls, U+00AD, U+00A0, ...), \UHHHHHHHH above; hex is lower case.
 *
 * ta_go_time_utc() reproduces time.Unix(sec, nsec).UTC().Format(RFC3339Nano)
 * including Go's two's-complement wrap-around for extreme inputs: Go
 * normalises nsec into sec with wrapping int64 arithmetic, then shifts the
 * Unix seconds by a fixed offset into an unsigned count of seconds since
 * its "absolute" epoch (March 1 of year -292277022400) with wrapping uint64
 * arithmetic, and derives the civil date from that count. We do the same
 * modular shift and then use a proleptic Gregorian days-to-civil conversion
 * (400-year eras, March-based years).
 */

#include "trace-quote.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* ta_buf */

static void
ta_buf_grow (ta_buf *b, size_t need)
{
  /* need: total capacity required, terminator included. */
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    {
      if (cap > SIZE_MAX / 2)
        {
          cap = need;
          break;
        }
      cap *= 2;
    }
  char *p = realloc (b->data, cap);
  if (p == NULL)
    abort ();
  b->data = p;
  b->cap = cap;
}

void
ta_buf_reserve (ta_buf *b, size_t extra)
{
  if (extra > SIZE_MAX - 1 - b->len)
    abort ();
  size_t need = b->len + extra + 1;
  if (need > b->cap)
    ta_buf_grow (b, need);
}

void
ta_buf_append (ta_buf *b, const void *p, size_t n)
{
  ta_buf_reserve (b, n);
  if (n > 0)
    memcpy (b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void
ta_buf_putc (ta_buf *b, char c)
{
  ta_buf_reserve (b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void
ta_buf_printf (ta_buf *b, const char *fmt, ...)
{
  va_list ap;

  ta_buf_reserve (b, 0);
  va_start (ap, fmt);
  int n = vsnprintf (b->data + b->len, b->cap - b->len, fmt, ap);
  va_end (ap);
  if (n < 0)
    abort ();
  if ((size_t) n >= b->cap - b->len)
    {
      ta_buf_reserve (b, (size_t) n);
      va_start (ap, fmt);
      n = vsnprintf (b->data + b->len, b->cap - b->len, fmt, ap);
      va_end (ap);
      if (n < 0)
        abort ();
    }
  b->len += (size_t) n;
}

void
ta_buf_free (ta_buf *b)
{
  free (b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

/* ------------------------------------------------------------------------ */
/* strconv.Quote */

static const char ta_hex[16] = "0123456789abcdef";

/* 1 for bytes copied verbatim: printable ASCII except '"' and '\\'. */
static const uint8_t ta_plain[256] = {
#define R4(x) x, x, x, x
#define R16(x) R4 (x), R4 (x), R4 (x), R4 (x)
  R16 (0), R16 (0),                               /* 0x00-0x1f */
  1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f: '"' */
  R16 (1),                                        /* 0x30-0x3f */
  R16 (1),                                        /* 0x40-0x4f */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5f: '\\' */
  R16 (1),                                        /* 0x60-0x6f */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70-0x7f: DEL */
  R16 (0), R16 (0), R16 (0), R16 (0),             /* 0x80-0xbf */
  R16 (0), R16 (0), R16 (0), R16 (0),             /* 0xc0-0xff */
#undef R16
#undef R4
};

/* SWAR helpers on 8 bytes at a time. */
#define TA_ONES  UINT64_C(0x0101010101010101)
#define TA_HIGHS UINT64_C(0x8080808080808080)
/* Nonzero iff some byte of v is zero. */
#define TA_HAS_ZERO(v) (((v) - TA_ONES) & ~(v) & TA_HIGHS)

/* Returns the first position in [p, end) whose byte is not plain ASCII
 * (see ta_plain), or end. */
static inline const uint8_t *
ta_plain_run (const uint8_t *p, const uint8_t *end)
{
  while ((size_t) (end - p) >= 8)
    {
      uint64_t x;
      memcpy (&x, p, 8);
      /* A byte is special if < 0x20 (including via the high bit test for
       * >= 0x80), == 0x7f, == '"' or == '\\'. Each test below is exact as
       * to whether some byte in the word matches. */
      uint64_t special = ((x - TA_ONES * 0x20) & ~x & TA_HIGHS)
                         | (x & TA_HIGHS)
                         | TA_HAS_ZERO (x ^ (TA_ONES * 0x7f))
                         | TA_HAS_ZERO (x ^ (TA_ONES * '"'))
                         | TA_HAS_ZERO (x ^ (TA_ONES * '\\'));
      if (special)
        break;
      p += 8;
    }
  while (p < end && ta_plain[*p])
    p++;
  return p;
}

/* Decodes one rune from s[0..n) (n >= 1) with Go's utf8.DecodeRune rules.
 * Returns the sequence length (2..4) and stores the rune, or 0 if s does not
 * start with a valid multi-byte sequence (single-byte input is not handled
 * here). */
static size_t
ta_utf8_decode (const uint8_t *s, size_t n, uint32_t *out)
{
  uint8_t c = s[0];
  uint8_t lo = 0x80, hi = 0xbf;
  size_t len;

  if (c >= 0xc2 && c <= 0xdf)
    len = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      len = 3;
      if (c == 0xe0)
        lo = 0xa0;              /* no overlongs */
      else if (c == 0xed)
        hi = 0x9f;              /* no surrogates */
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      len = 4;
      if (c == 0xf0)
        lo = 0x90;              /* no overlongs */
      else if (c == 0xf4)
        hi = 0x8f;              /* nothing above U+10FFFF */
    }
  else
    return 0;                   /* continuation byte, C0, C1, F5..FF */

  if (n < len || s[1] < lo || s[1] > hi)
    return 0;
  uint32_t r = s[1] & 0x3f;
  for (size_t i = 2; i < len; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      r = (r << 6) | (s[i] & 0x3f);
    }
  if (len == 2)
    r |= (uint32_t) (c & 0x1f) << 6;
  else if (len == 3)
    r |= (uint32_t) (c & 0x0f) << 12;
  else
    r |= (uint32_t) (c & 0x07) << 18;
  *out = r;
  return len;
}

/* Single-letter escapes; 0 for bytes that get \xHH instead. */
static const char ta_esc_letter[128] = {
  ['"'] = '"', ['\\'] = '\\',
  ['\a'] = 'a', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
  ['\r'] = 'r', ['\t'] = 't', ['\v'] = 'v',
};

/* Escapes a byte that is not plain ASCII and is not part of a valid
 * multi-byte sequence: '"', '\\', C0 controls, DEL, and bytes >= 0x80 that
 * do not start valid UTF-8. Writes at most 4 bytes; returns the new end. */
static inline char *
ta_escape_byte (char *o, uint8_t c)
{
  char e = c < 0x80 ? ta_esc_letter[c] : 0;
  *o++ = '\\';
  if (e)
    {
      *o++ = e;
      return o;
    }
  *o++ = 'x';
  *o++ = ta_hex[c >> 4];
  *o++ = ta_hex[c & 0xf];
  return o;
}

void
ta_go_quote (ta_buf *b, const uint8_t *s, size_t n)
{
  const uint8_t *p = s, *end = n ? s + n : s;

  /* Optimistic: room for the quotes and an unescaped copy. */
  ta_buf_reserve (b, n + 2);
  char *o = b->data + b->len;
  *o++ = '"';

  while (p < end)
    {
      /* Fast path: a run of plain ASCII. */
      const uint8_t *q = ta_plain_run (p, end);
      if (q > p)
        {
          memcpy (o, p, (size_t) (q - p));
          o += q - p;
          p = q;
          if (p == end)
            break;
        }

      /* Something needs attention. Make room for the worst case of this
       * item (10 bytes for \UHHHHHHHH) plus the rest copied verbatim. */
      size_t used = (size_t) (o - b->data);
      size_t rest = (size_t) (end - p);
      if (b->cap - used < 10 + rest + 2)
        {
          b->len = used;
          ta_buf_reserve (b, 10 + rest + 1);
          o = b->data + used;
        }

      uint8_t c = *p;
      if (c < 0x80)
        {
          o = ta_escape_byte (o, c);
          p++;
          continue;
        }

      uint32_t r;
      size_t w = ta_utf8_decode (p, rest, &r);
      if (w == 0)
        {
          o = ta_escape_byte (o, c);
          p++;
          continue;
        }
      /* r >= 0x80 here; Latin-1 is answered without the table. */
      bool printable = r < 0x100 ? (r >= 0xa1 && r != 0xad)
                                 : ta_go_is_print ((int32_t) r);
      if (printable)
        {
          memcpy (o, p, w);
          o += w;
        }
      else if (r < 0x10000)
        {
          *o++ = '\\';
          *o++ = 'u';
          for (int sh = 12; sh >= 0; sh -= 4)
            *o++ = ta_hex[(r >> sh) & 0xf];
        }
      else
        {
          *o++ = '\\';
          *o++ = 'U';
          for (int sh = 28; sh >= 0; sh -= 4)
            *o++ = ta_hex[(r >> sh) & 0xf];
        }
      p += w;
    }

  *o++ = '"';
  b->len = (size_t) (o - b->data);
  b->data[b->len] = '\0';
}

/* ------------------------------------------------------------------------ */
/* time.Time.Format(RFC3339 / RFC3339Nano) in UTC */

#define TA_SECS_PER_DAY 86400u
/* Go's absolute epoch is March 1 of year -292277022400 (a multiple of 400,
 * so eras of 146097 days line up). Seconds from it to the Unix epoch:
 * (292277022400/400 * 146097 + 306 + 719162) days, 306 being Mar 1..Dec 31
 * and 719162 days from 0001-01-01 to 1970-01-01. Fits in int64. */
#define TA_ABS_YEARS INT64_C(292277022400)
#define TA_UNIX_TO_ABS UINT64_C(9223372028741760000)

static char *
ta_put2 (char *o, unsigned v)
{
  *o++ = (char) ('0' + v / 10);
  *o++ = (char) ('0' + v % 10);
  return o;
}

void
ta_go_time_utc (ta_buf *b, int64_t sec, int64_t nsec, bool nano)
{
  /* time.Unix: fold nsec into [0, 1e9). Go's int64 arithmetic wraps, so
   * do the sec adjustments in uint64 (n * 1e9 itself cannot overflow). */
  uint64_t usec = (uint64_t) sec;
  if (nsec < 0 || nsec >= 1000000000)
    {
      int64_t q = nsec / 1000000000;
      usec += (uint64_t) q;
      nsec -= q * 1000000000;
      if (nsec < 0)
        {
          nsec += 1000000000;
          usec -= 1;
        }
    }

  /* Seconds since the absolute epoch, modulo 2^64 (as Go computes it). */
  uint64_t abs = usec + TA_UNIX_TO_ABS;
  uint64_t days = abs / TA_SECS_PER_DAY;
  unsigned sod = (unsigned) (abs % TA_SECS_PER_DAY);

  /* Days since March 1 of year 0 of the era scheme -> civil date. */
  uint64_t era = days / 146097;
  unsigned doe = (unsigned) (days % 146097);                         /* [0, 146096] */
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* [0, 365], from Mar 1 */
  unsigned mp = (5 * doy + 2) / 153;                               /* [0, 11], 0 = March */
  unsigned day = doy - (153 * mp + 2) / 5 + 1;
  unsigned month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = (int64_t) (era * 400 + yoe) - TA_ABS_YEARS + (month <= 2);

  char tmp[64];
  char *o = tmp;

  /* Year: at least 4 digits, zero-padded after the sign (-0001, 10000). */
  uint64_t uy = year < 0 ? (uint64_t) 0 - (uint64_t) year : (uint64_t) year;
  if (year < 0)
    *o++ = '-';
  char digits[24];
  int nd = 0;
  do
    {
      digits[nd++] = (char) ('0' + uy % 10);
      uy /= 10;
    }
  while (uy > 0);
  for (int i = nd; i < 4; i++)
    *o++ = '0';
  while (nd > 0)
    *o++ = digits[--nd];

  *o++ = '-';
  o = ta_put2 (o, month);
  *o++ = '-';
  o = ta_put2 (o, day);
  *o++ = 'T';
  o = ta_put2 (o, sod / 3600);
  *o++ = ':';
  o = ta_put2 (o, sod / 60 % 60);
  *o++ = ':';
  o = ta_put2 (o, sod % 60);

  if (nano && nsec != 0)
    {
      /* ".999999999": up to nine digits, trailing zeros trimmed. */
      uint32_t ns = (uint32_t) nsec;
      int width = 9;
      while (ns % 10 == 0)
        {
          ns /= 10;
          width--;
        }
      *o++ = '.';
      for (int i = width - 1; i >= 0; i--)
        {
          o[i] = (char) ('0' + ns % 10);
          ns /= 10;
        }
      o += width;
    }
  *o++ = 'Z';

  ta_buf_append (b, tmp, (size_t) (o - tmp));
}
