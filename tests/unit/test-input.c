/* test-input.c: the byte sources under the decoder (plain file, zstd file,
 * memory, a byte range of a plain file) and the parser entry points that
 * use them: the same trace must decode to the same text whichever way it
 * arrives, across buffer refills, zstd frames and broken compressed data. */
#include "tb.h"
#include "trace-input.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zstd.h>

#include "trace-print.h"

static char *tmpdir;

static char *
write_tmp(const char *name, const void *data, size_t len)
{
  char *path = g_build_filename(tmpdir, name, NULL);
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  return path;
}

static GBytes *
zstd_compress(const void *data, size_t len, int level)
{
  size_t cap = ZSTD_compressBound(len);
  void *out = g_malloc(cap);
  size_t n = ZSTD_compress(out, cap, data, len, level);
  g_assert_false(ZSTD_isError(n));
  return g_bytes_new_take(out, n);
}

/* Decodes a file through ta_parser_open_path into text ("!! msg" on error),
 * like tb_parse_text does for memory. */
static char *
parse_path_text(const char *path)
{
  GString *s = g_string_new(NULL);
  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  if (!p) {
    g_string_append_printf(s, "!! %s\n", err.message);
    return g_string_free(s, FALSE);
  }
  ta_buf b = { 0 };
  ta_event ev;
  int r;
  while ((r = ta_parser_next(p, &ev)) == 1) {
    b.len = 0;
    ta_print_event(&b, &ev);
    g_string_append_len(s, b.data, (gssize)b.len);
    g_string_append_c(s, '\n');
  }
  if (r < 0)
    g_string_append_printf(s, "!! %s\n", ta_parser_error(p)->message);
  ta_buf_free(&b);
  ta_parser_free(p);
  return g_string_free(s, FALSE);
}

/* A trace of `ngen` generations, each with `per_gen` HeapAlloc events on
 * two threads: big enough to cross the input's 256 KiB buffer. */
static tb *
big_trace(int ngen, int per_gen)
{
  tb *t = tb_new(26);
  for (int gen = 1; gen <= ngen; gen++) {
    tb_gen_begin(t, (uint64_t)gen);
    for (uint64_t m = 1; m <= 2; m++) {
      tb_batch(t, (uint64_t)gen, m, (uint64_t)gen * 1000000 + m);
      EV(t, TA_EV_PROC_STATUS, 1, m, 1);
      for (int i = 0; i < per_gen; i++) {
        if (t->payload->len > 60000) {
          tb_batch(t, (uint64_t)gen, m, (uint64_t)gen * 1000000 + 100000 + (uint64_t)i * 3);
        }
        EV(t, TA_EV_HEAP_ALLOC, 3, (uint64_t)i * 1000 + m);
      }
    }
    tb_gen_end(t);
  }
  return t;
}

static void
test_memory_input(void)
{
  static const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  ta_input *in = ta_input_open_memory(data, sizeof data);
  g_assert_false(ta_input_is_compressed(in));
  g_assert_cmpint(ta_input_offset(in), ==, 0);
  g_assert_cmpint(ta_input_getc(in), ==, 1);
  g_assert_cmpint(ta_input_offset(in), ==, 1);
  uint8_t buf[16];
  g_assert_cmpuint(ta_input_read(in, buf, 4), ==, 4);
  g_assert_cmpmem(buf, 4, data + 1, 4);
  g_assert_cmpuint(ta_input_read(in, buf, sizeof buf), ==, 5);
  g_assert_cmpmem(buf, 5, data + 5, 5);
  g_assert_cmpint(ta_input_offset(in), ==, 10);
  g_assert_cmpint(ta_input_getc(in), ==, -1);
  g_assert_cmpuint(ta_input_read(in, buf, 1), ==, 0);
  g_assert_null(ta_input_error(in));
  ta_input_close(in);

  in = ta_input_open_memory(NULL, 0);
  g_assert_cmpint(ta_input_getc(in), ==, -1);
  g_assert_null(ta_input_error(in));
  ta_input_close(in);
}

static void
test_plain_file_input(void)
{
  /* Larger than the input buffer: getc/read across refills. */
  size_t len = 600000;
  uint8_t *data = g_malloc(len);
  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)(i * 31 + (i >> 11));
  g_autofree char *path = write_tmp("plain.bin", data, len);
  char msg[256];
  ta_input *in = ta_input_open_path(path, msg, sizeof msg);
  g_assert_nonnull(in);
  g_assert_false(ta_input_is_compressed(in));
  uint8_t *got = g_malloc(len + 10);
  size_t n = 0;
  /* Mix single bytes and odd-sized reads. */
  while (n < len) {
    if (n % 7 == 0) {
      int c = ta_input_getc(in);
      g_assert_cmpint(c, >=, 0);
      got[n++] = (uint8_t)c;
    } else {
      size_t k = ta_input_read(in, got + n, 9973);
      g_assert_cmpuint(k, >, 0);
      n += k;
    }
    g_assert_cmpint(ta_input_offset(in), ==, (int64_t)n);
  }
  g_assert_cmpint(ta_input_getc(in), ==, -1);
  g_assert_cmpmem(got, len, data, len);
  g_assert_null(ta_input_error(in));
  ta_input_close(in);
  g_free(got);
  g_free(data);
  g_unlink(path);
}

static void
test_open_errors(void)
{
  char msg[256];
  g_autofree char *missing = g_build_filename(tmpdir, "does-not-exist", NULL);
  g_assert_null(ta_input_open_path(missing, msg, sizeof msg));
  g_assert_nonnull(strstr(msg, "cannot open"));
  g_assert_null(ta_input_open_path(tmpdir, msg, sizeof msg));
  g_assert_nonnull(strstr(msg, "directory"));

  ta_error err;
  g_assert_null(ta_parser_open_path(tmpdir, &err));
  g_assert_true(err.failed);
  g_assert_nonnull(strstr(err.message, "directory"));
  g_assert_null(ta_parser_open_path(missing, &err));
  g_assert_true(err.failed);

  /* Not a trace. */
  g_autofree char *text = write_tmp("text.txt", "hello, world\n", 13);
  g_assert_null(ta_parser_open_path(text, &err));
  g_assert_cmpstr(err.message, ==, "bad file format: not a Go execution trace?");
  g_autofree char *empty = write_tmp("empty.bin", "", 0);
  g_assert_null(ta_parser_open_path(empty, &err));
  g_assert_cmpstr(err.message, ==, "bad file format: not a Go execution trace?");
  g_assert_null(ta_parser_open_memory("go 1.24 trace\0\0\0", 16, &err));
  g_assert_cmpstr(err.message, ==, "unknown or unsupported trace version go 1.24");
  g_unlink(text);
  g_unlink(empty);
}

static void
test_same_text_every_way(void)
{
  tb *t = big_trace(3, 40000);
  size_t len;
  const uint8_t *data = tb_data(t, &len);
  g_assert_cmpuint(len, >, 3 * 256 * 1024);
  g_autofree char *want = tb_parse_text(data, len);
  g_assert_null(strstr(want, "!!"));

  g_autofree char *plain = write_tmp("big.trace", data, len);
  g_autofree char *got_plain = parse_path_text(plain);
  g_assert_cmpstr(got_plain, ==, want);

  /* One zstd frame. */
  g_autoptr(GBytes) z = zstd_compress(data, len, 3);
  gsize zlen;
  const void *zdata = g_bytes_get_data(z, &zlen);
  g_autofree char *zpath = write_tmp("big.trace.zst", zdata, zlen);
  g_autofree char *got_z = parse_path_text(zpath);
  g_assert_cmpstr(got_z, ==, want);

  /* Several frames (as `zstd` writes for concatenated inputs), split at
   * odd places, one of them inside the header. */
  size_t cuts[] = { 0, 7, 100001, 400000, len };
  GByteArray *multi = g_byte_array_new();
  for (size_t i = 0; i + 1 < G_N_ELEMENTS(cuts); i++) {
    g_autoptr(GBytes) part = zstd_compress(data + cuts[i], cuts[i + 1] - cuts[i], 1);
    gsize plen;
    const void *pd = g_bytes_get_data(part, &plen);
    g_byte_array_append(multi, pd, (guint)plen);
  }
  g_autofree char *mpath = write_tmp("multi.trace.zst", multi->data, multi->len);
  g_autofree char *got_m = parse_path_text(mpath);
  g_assert_cmpstr(got_m, ==, want);

  /* The input layer reports the decompressed offset. */
  char msg[256];
  ta_input *in = ta_input_open_path(mpath, msg, sizeof msg);
  g_assert_nonnull(in);
  g_assert_true(ta_input_is_compressed(in));
  uint8_t *buf = g_malloc(len);
  g_assert_cmpuint(ta_input_read(in, buf, len), ==, len);
  g_assert_cmpmem(buf, len, data, len);
  g_assert_cmpint(ta_input_offset(in), ==, (int64_t)len);
  g_assert_cmpint(ta_input_getc(in), ==, -1);
  g_assert_null(ta_input_error(in));
  ta_input_close(in);
  g_free(buf);

  /* The parser's byte accounting. */
  ta_error err;
  ta_parser *p = ta_parser_open_path(zpath, &err);
  g_assert_nonnull(p);
  ta_event ev;
  int r;
  while ((r = ta_parser_next(p, &ev)) == 1)
    ;
  g_assert_cmpint(r, ==, 0);
  g_assert_cmpuint(ta_parser_bytes_read(p), ==, len);
  g_assert_cmpuint(ta_parser_largest_generation(p), >, 0);
  ta_parser_free(p);

  g_byte_array_unref(multi);
  g_unlink(plain);
  g_unlink(zpath);
  g_unlink(mpath);
  tb_free(t);
}

static void
test_zstd_broken(void)
{
  tb *t = big_trace(2, 30000);
  size_t len;
  const uint8_t *data = tb_data(t, &len);
  g_autoptr(GBytes) z = zstd_compress(data, len, 3);
  gsize zlen;
  const uint8_t *zdata = g_bytes_get_data(z, &zlen);

  /* Cut near the end of the frame: the generations decoded before the cut
   * come out, then an error naming zstd. */
  g_autofree char *cut = write_tmp("cut.zst", zdata, zlen - 100);
  g_autofree char *got = parse_path_text(cut);
  const char *bang = strstr(got, "!! ");
  g_assert_nonnull(bang);
  g_assert_true(bang > got);
  g_assert_nonnull(strstr(bang, "zstd"));

  /* Cut early: nothing decompresses, so even the header read fails. */
  g_autofree char *cut2 = write_tmp("cut2.zst", zdata, zlen / 2);
  g_autofree char *got2 = parse_path_text(cut2);
  g_assert_true(g_str_has_prefix(got2, "!! "));
  g_assert_nonnull(strstr(got2, "zstd"));

  /* The input layer reports the truncation itself. */
  char msg[256];
  ta_input *in = ta_input_open_path(cut, msg, sizeof msg);
  g_assert_nonnull(in);
  uint8_t *buf = g_malloc(len);
  size_t n = ta_input_read(in, buf, len);
  g_assert_cmpuint(n, <, len);
  g_assert_cmpmem(buf, n, data, n);
  g_assert_nonnull(ta_input_error(in));
  g_assert_nonnull(strstr(ta_input_error(in), "truncated"));
  ta_input_close(in);
  g_free(buf);

  /* A good frame followed by a broken one. */
  GByteArray *two = g_byte_array_new();
  g_byte_array_append(two, zdata, (guint)zlen);
  /* Frame header descriptor with its reserved bit set. */
  g_byte_array_append(two, (const guint8 *)"\x28\xb5\x2f\xfd\x08\x00\x00\x00\x00\x00\x00\x00", 12);
  g_autofree char *trail = write_tmp("trail.zst", two->data, two->len);
  g_autofree char *got3 = parse_path_text(trail);
  bang = strstr(got3, "!! ");
  g_assert_nonnull(bang);
  g_assert_nonnull(strstr(bang, "zstd decompression failed"));
  g_byte_array_unref(two);

  /* Corrupted bytes inside the frame (no checksum): garbage comes out and
   * the decoder must reject it without crashing. */
  uint8_t *bad = g_memdup2(zdata, zlen);
  for (size_t i = zlen / 3; i < zlen / 3 + 64; i++)
    bad[i] ^= 0x5a;
  g_autofree char *corrupt = write_tmp("corrupt.zst", bad, zlen);
  g_autofree char *got4 = parse_path_text(corrupt);
  g_assert_nonnull(strstr(got4, "!! "));
  g_free(bad);

  /* Only the magic number. */
  g_autofree char *magic = write_tmp("magic.zst", "\x28\xb5\x2f\xfd", 4);
  ta_error err;
  g_assert_null(ta_parser_open_path(magic, &err));
  g_assert_true(err.failed);

  g_unlink(cut);
  g_unlink(cut2);
  g_unlink(trail);
  g_unlink(corrupt);
  g_unlink(magic);
  tb_free(t);
}

static void
test_memory_is_not_decompressed(void)
{
  /* Memory input is taken as is: compressed bytes are not a trace. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_gen_end(t);
  size_t len;
  const uint8_t *data = tb_data(t, &len);
  g_autoptr(GBytes) z = zstd_compress(data, len, 3);
  gsize zlen;
  const void *zdata = g_bytes_get_data(z, &zlen);
  ta_error err;
  g_assert_null(ta_parser_open_memory(zdata, zlen, &err));
  g_assert_cmpstr(err.message, ==, "bad file format: not a Go execution trace?");
  tb_free(t);
}

static void
test_range(void)
{
  /* A 3-generation trace; decode generation 2 alone from its byte range,
   * found with ta_parser_generation() during a full decode. */
  tb *t = tb_new(26);
  for (uint64_t gen = 1; gen <= 3; gen++) {
    tb_gen_begin(t, gen);
    tb_batch(t, gen, 1, gen * 100);
    EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
    EV(t, TA_EV_GO_STATUS, 1, 1, 1, 2);
    EV(t, TA_EV_HEAP_ALLOC, 1, gen);
    tb_gen_end(t);
  }
  size_t len;
  const uint8_t *data = tb_data(t, &len);
  g_autofree char *path = write_tmp("range.trace", data, len);

  ta_error err;
  ta_parser *p = ta_parser_open_path(path, &err);
  g_assert_nonnull(p);
  ta_event ev;
  ta_generation_info info[3];
  int syncs = 0;
  while (ta_parser_next(p, &ev) == 1) {
    if (ev.kind == TA_KIND_SYNC && syncs < 3)
      info[syncs++] = *ta_parser_generation(p);
  }
  ta_parser_free(p);
  g_assert_cmpint(syncs, ==, 3);
  g_assert_cmpint(info[0].start_offset, ==, 16);
  g_assert_cmpint(info[0].end_offset, ==, info[1].start_offset);
  g_assert_cmpint(info[1].end_offset, ==, info[2].start_offset);
  g_assert_cmpint(info[2].end_offset, ==, (int64_t)len);
  g_assert_cmpuint(info[1].number, ==, 2);
  g_assert_cmpint(info[1].min_time, ==, 1);

  /* Generation 2 alone is a first generation: statuses are Undetermined. */
  p = ta_parser_open_range(path, 26, info[1].start_offset,
                           info[1].end_offset - info[1].start_offset, &err);
  g_assert_nonnull(p);
  g_assert_cmpint(ta_parser_format(p), ==, 26);
  GString *s = g_string_new(NULL);
  ta_buf b = { 0 };
  int r;
  while ((r = ta_parser_next(p, &ev)) == 1) {
    b.len = 0;
    ta_print_event(&b, &ev);
    g_string_append_len(s, b.data, (gssize)b.len);
    g_string_append_c(s, '\n');
  }
  g_assert_cmpint(r, ==, 0);
  g_assert_cmpstr(s->str, ==,
                  "M=-1 P=-1 G=-1 Sync Time=1 N=1 Trace=1 Mono=2 Wall=2023-11-14T22:13:22Z\n"
                  "M=1 P=-1 G=-1 StateTransition Time=201 ProcID=0 Undetermined->Running Reason=\"\"\n"
                  "M=1 P=0 G=-1 StateTransition Time=202 GoID=1 Undetermined->Running Reason=\"\"\n"
                  "M=1 P=0 G=1 Metric Time=203 Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(2)}\n"
                  "M=-1 P=-1 G=-1 Sync Time=204 N=2\n");
  ta_buf_free(&b);
  g_string_free(s, TRUE);
  ta_parser_free(p);

  /* A range that stops short of the marker: a truncated generation. */
  p = ta_parser_open_range(path, 26, info[1].start_offset,
                           info[1].end_offset - info[1].start_offset - 1, &err);
  g_assert_nonnull(p);
  while ((r = ta_parser_next(p, &ev)) == 1)
    ;
  g_assert_cmpint(r, ==, -1);
  g_assert_nonnull(strstr(ta_parser_error(p)->message, "incomplete generation"));
  ta_parser_free(p);

  /* Formats 22-25 through a range too (the spill rule ends at the range). */
  tb *t23 = tb_new(23);
  for (uint64_t gen = 1; gen <= 2; gen++) {
    tb_gen_begin(t23, gen);
    tb_batch(t23, gen, 1, gen * 100);
    EV(t23, TA_EV_PROC_STATUS, 1, 0, 2);
    tb_gen_end(t23);
  }
  const uint8_t *d23 = tb_data(t23, &len);
  g_autofree char *path23 = write_tmp("range23.trace", d23, len);
  p = ta_parser_open_path(path23, &err);
  g_assert_nonnull(p);
  syncs = 0;
  while (ta_parser_next(p, &ev) == 1)
    if (ev.kind == TA_KIND_SYNC && syncs < 2)
      info[syncs++] = *ta_parser_generation(p);
  ta_parser_free(p);
  g_assert_cmpint(syncs, ==, 2);
  p = ta_parser_open_range(path23, 23, info[1].start_offset,
                           info[1].end_offset - info[1].start_offset, &err);
  g_assert_nonnull(p);
  int n = 0;
  while ((r = ta_parser_next(p, &ev)) == 1) {
    if (ev.type == TA_EV_PROC_STATUS) {
      ta_transition tr;
      g_assert_true(ta_event_transition(&ev, &tr));
      g_assert_cmpint(tr.old_state, ==, TA_PROC_UNDETERMINED);
      g_assert_cmpint(ev.time, ==, 201);
    }
    n++;
  }
  g_assert_cmpint(r, ==, 0);
  g_assert_cmpint(n, ==, 3);
  ta_parser_free(p);

  /* Bad arguments. */
  g_assert_null(ta_parser_open_range(path, 24, 16, 10, &err));
  g_assert_cmpstr(err.message, ==, "unknown or unsupported trace version go 1.24");
  g_autofree char *missing = g_build_filename(tmpdir, "nope", NULL);
  g_assert_null(ta_parser_open_range(missing, 26, 16, 10, &err));
  g_assert_true(err.failed);

  g_unlink(path);
  g_unlink(path23);
  tb_free(t23);
  tb_free(t);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  GError *error = NULL;
  tmpdir = g_dir_make_tmp("ta-test-input-XXXXXX", &error);
  g_assert_no_error(error);
  g_test_add_func("/input/memory", test_memory_input);
  g_test_add_func("/input/plain-file", test_plain_file_input);
  g_test_add_func("/input/open-errors", test_open_errors);
  g_test_add_func("/input/same-text-every-way", test_same_text_every_way);
  g_test_add_func("/input/zstd-broken", test_zstd_broken);
  g_test_add_func("/input/memory-not-decompressed", test_memory_is_not_decompressed);
  g_test_add_func("/input/range", test_range);
  int r = g_test_run();
  g_rmdir(tmpdir);
  g_free(tmpdir);
  return r;
}
