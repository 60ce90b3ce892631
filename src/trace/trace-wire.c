/* trace-wire.c: the raw record dump of `go tool trace -d=wire`: records in
 * file order, unvalidated, with the spec table of the trace's format. */
#include "trace-internal.h"
#include "trace-print.h"

#include <stdio.h>

enum { WIRE_OK, WIRE_EOF, WIRE_FAIL };

/* binary.ReadUvarint on the stream; EOF before the first byte is a clean end
 * for the raw reader, as it is for Go's. */
static int
wire_uvarint(ta_input *in, uint64_t *out, const char **why)
{
  uint64_t x = 0;
  unsigned s = 0;
  for (int i = 0; i < 10; i++) {
    int c = ta_input_getc(in);
    if (c < 0) {
      if (ta_input_error(in)) {
        *why = ta_input_error(in);
        return WIRE_FAIL;
      }
      if (i == 0)
        return WIRE_EOF;
      *why = "unexpected EOF";
      return WIRE_FAIL;
    }
    if (c < 0x80) {
      if (i == 9 && c > 1) {
        *why = "binary: varint overflows a 64-bit integer";
        return WIRE_FAIL;
      }
      *out = x | (uint64_t)c << s;
      return WIRE_OK;
    }
    x |= (uint64_t)(c & 0x7f) << s;
    s += 7;
  }
  *why = "binary: varint overflows a 64-bit integer";
  return WIRE_FAIL;
}

int
ta_dump_wire(const char *path, FILE *out, ta_error *err)
{
  static const char *const frame_fields[] = { "pc", "func", "file", "line" };
  memset(err, 0, sizeof *err);
  ta_input *in = ta_input_open_path(path, err->message, sizeof err->message);
  if (!in) {
    err->failed = true;
    err->offset = -1;
    return 1;
  }
  ta_parser *hdr = NULL;
  int format = 0;
  {
    /* Reuse the parser's header check on the first 16 bytes. */
    uint8_t h[16];
    size_t n = ta_input_read(in, h, sizeof h);
    hdr = ta_parser_open_memory(h, n, err);
    if (!hdr) {
      ta_input_close(in);
      return 1;
    }
    format = ta_parser_format(hdr);
    ta_parser_free(hdr);
  }
  ta_buf line = { 0 };
  uint8_t *data = NULL;
  size_t data_cap = 0;
  int rc = 0;
  for (;;) {
    int64_t at = ta_input_offset(in);
    int c = ta_input_getc(in);
    if (c < 0) {
      if (ta_input_error(in)) {
        ta_error_set(err, at, 0, "%s", ta_input_error(in));
        rc = 1;
      }
      break;
    }
    const ta_spec *spec = ta_spec_get(format, (unsigned)c);
    if (!spec || c == 0) {
      ta_error_set(err, at, 0, "invalid event type: %d", c);
      rc = 1;
      break;
    }
    line.len = 0;
    ta_buf_printf(&line, "%s", spec->name ? spec->name : "");
    const char *why = NULL;
    int r = WIRE_OK;
    uint64_t nframes = 0;
    for (unsigned i = 0; i < spec->n_args && r == WIRE_OK; i++) {
      uint64_t v;
      r = wire_uvarint(in, &v, &why);
      if (r == WIRE_OK)
        ta_buf_printf(&line, " %s=%llu", spec->args[i], (unsigned long long)v);
      if (i == 1)
        nframes = v;
    }
    if (r == WIRE_OK && spec->is_stack) {
      /* Go converts nframes to int: huge counts read as negative, i.e. none. */
      int64_t count = (int64_t)nframes;
      for (int64_t f = 0; f < count && r == WIRE_OK; f++)
        for (int k = 0; k < 4 && r == WIRE_OK; k++) {
          uint64_t v;
          r = wire_uvarint(in, &v, &why);
          if (r == WIRE_OK)
            ta_buf_printf(&line, "%s%s=%llu", k == 0 ? "\n\t" : " ", frame_fields[k], (unsigned long long)v);
        }
    }
    if (r == WIRE_OK && spec->has_data) {
      uint64_t len;
      r = wire_uvarint(in, &len, &why);
      int64_t want = (int64_t)len;
      if (r == WIRE_OK && want > 0) {
        /* Read in pieces so an absurd length costs only what the file has. */
        size_t have = 0;
        while ((int64_t)have < want) {
          size_t chunk = (size_t)(want - (int64_t)have) < 65536 ? (size_t)(want - (int64_t)have) : 65536;
          if (have + chunk > data_cap) {
            data_cap = (have + chunk) * 2;
            data = ta_xrealloc(data, data_cap);
          }
          size_t got = ta_input_read(in, data + have, chunk);
          have += got;
          if (got < chunk) {
            r = ta_input_error(in) ? WIRE_FAIL : WIRE_EOF;
            why = ta_input_error(in);
            break;
          }
        }
        if (r == WIRE_OK) {
          ta_buf_printf(&line, "\n\tdata=");
          ta_go_quote(&line, data, have);
        }
      }
    }
    if (r == WIRE_EOF)
      break;
    if (r == WIRE_FAIL) {
      ta_error_set(err, ta_input_offset(in), 0, "%s", why);
      rc = 1;
      break;
    }
    ta_buf_putc(&line, '\n');
    fwrite(line.data, 1, line.len, out);
  }
  free(data);
  ta_buf_free(&line);
  ta_input_close(in);
  return rc;
}
