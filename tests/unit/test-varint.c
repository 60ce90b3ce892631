/* test-varint.c: uvarints, directly (ta_uvarint, Go's binary.Uvarint) and
 * as the decoder meets them: batch header fields (binary.ReadUvarint on the
 * stream), event timestamps and arguments, table entries. */
#include "tb.h"
#include "trace-util.h"

#include <string.h>

/* ---- ta_uvarint on a buffer ---- */

static void
expect_uv(const uint8_t *p, size_t n, int want_used, uint64_t want)
{
  uint64_t v = 0xdeadbeef;
  int used = ta_uvarint(p, n, &v);
  g_assert_cmpint(used, ==, want_used);
  if (want_used > 0)
    g_assert_cmpuint(v, ==, want);
}

static void
test_minimal(void)
{
  expect_uv((const uint8_t[]){ 0x00 }, 1, 1, 0);
  expect_uv((const uint8_t[]){ 0x01 }, 1, 1, 1);
  expect_uv((const uint8_t[]){ 0x7f }, 1, 1, 127);
  expect_uv((const uint8_t[]){ 0x80, 0x01 }, 2, 2, 128);
  expect_uv((const uint8_t[]){ 0xac, 0x02 }, 2, 2, 300);
  expect_uv((const uint8_t[]){ 0xa8, 0xd6, 0xb9, 0x07 }, 4, 4, 15625000);
  /* 2^63 and 2^64-1: the 10th byte carries the top bit. */
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 10, 10,
            UINT64_C(1) << 63);
  expect_uv((const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, 10, 10,
            UINT64_MAX);
  /* Trailing bytes are not consumed. */
  expect_uv((const uint8_t[]){ 0x05, 0xff, 0xff }, 3, 1, 5);
  expect_uv((const uint8_t[]){ 0x80, 0x01, 0x80 }, 3, 2, 128);

  /* Round trip through the builder's encoder. */
  static const uint64_t vals[] = { 0, 1, 127, 128, 16383, 16384, UINT32_MAX, (uint64_t)INT64_MAX,
                                   UINT64_MAX - 1, UINT64_MAX };
  for (size_t i = 0; i < G_N_ELEMENTS(vals); i++) {
    GByteArray *a = g_byte_array_new();
    tb_put_uv(a, vals[i]);
    expect_uv(a->data, a->len, (int)a->len, vals[i]);
    g_byte_array_unref(a);
  }
}

static void
test_padded(void)
{
  /* The runtime's reserved 10-byte batch length: 0x80|bits x9, last bit. */
  expect_uv((const uint8_t[]){ 0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 10, 10, 5);
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 10, 10, 0);
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x84, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 10, 10,
            UINT64_C(4) << 14);
  /* Shorter paddings too. */
  expect_uv((const uint8_t[]){ 0x81, 0x00 }, 2, 2, 1);
  expect_uv((const uint8_t[]){ 0xff, 0x80, 0x80, 0x00 }, 4, 4, 127);
  /* Padded encodings of every width decode to the same value. */
  for (int w = 1; w <= 10; w++) {
    tb *t = tb_new(26);
    tb_uv_padded(t, 100, w);
    expect_uv(t->out->data + 16, t->out->len - 16, w, 100);
    tb_free(t);
  }
}

static void
test_overflow(void)
{
  /* A 10th byte above 1 overflows. */
  expect_uv((const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 }, 10, -1, 0);
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f }, 10, -1, 0);
  /* 11 bytes: the 10th still has its continuation bit. */
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 }, 11,
            -1, 0);
  expect_uv((const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00 },
            12, -1, 0);
}

static void
test_truncated(void)
{
  expect_uv(NULL, 0, 0, 0);
  expect_uv((const uint8_t[]){ 0x80 }, 1, 0, 0);
  expect_uv((const uint8_t[]){ 0xff, 0xff }, 2, 0, 0);
  /* Ten continuation bytes and then the end: truncated, not overflow (Go's
   * binary.Uvarint only reports overflow when an 11th byte exists). */
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 }, 10, 0, 0);
  /* A valid first byte wins even when n would allow more. */
  expect_uv((const uint8_t[]){ 0x80, 0x80, 0x01 }, 2, 0, 0);
}

/* ---- through the decoder ---- */

/* One ProcStatus (p=0 idle) on M 1 at 11 ns. */
#define ONE_EVENT_26                                                          \
  TB_SYNC1_25                                                                 \
  "M=1 P=-1 G=-1 StateTransition Time=11 ProcID=0 Undetermined->Idle Reason=\"\"\n" \
  "M=-1 P=-1 G=-1 Sync Time=12 N=2\n"

/* Writes a batch header field by field with padding widths (0 = minimal). */
static void
raw_header(tb *t, uint64_t gen, int wg, uint64_t m, int wm, uint64_t time, int wt, uint64_t size,
           int ws)
{
  tb_u8(t, TA_EV_EVENT_BATCH);
  wg ? tb_uv_padded(t, gen, wg) : tb_uv(t, gen);
  wm ? tb_uv_padded(t, m, wm) : tb_uv(t, m);
  wt ? tb_uv_padded(t, time, wt) : tb_uv(t, time);
  ws ? tb_uv_padded(t, size, ws) : tb_uv(t, size);
}

static void
test_padded_batch_header(void)
{
  /* Every header field padded to 10 bytes, as the runtime does with size. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  raw_header(t, 1, 10, 1, 10, 10, 10, 4, 10);
  tb_bytes(t, (const uint8_t[]){ TA_EV_PROC_STATUS, 1, 0, 2 }, 4);
  tb_gen_end(t);
  tb_check(t, ONE_EVENT_26);
  tb_free(t);

  /* The builder's padded size path, and a padded NoThread M (10 bytes,
   * last byte 0x01, the largest legal 10th byte). */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  tb_size_padded(t, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_gen_end(t);
  tb_check(t, ONE_EVENT_26);
  tb_free(t);
}

static void
test_padded_event_args(void)
{
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  tb_u8(t, TA_EV_PROC_STATUS);
  tb_uv_padded(t, 1, 10);  /* dt */
  tb_uv_padded(t, 0, 10);  /* p */
  tb_uv_padded(t, 2, 3);   /* pstatus */
  tb_gen_end(t);
  tb_check(t, ONE_EVENT_26);
  tb_free(t);
}

static void
test_batch_header_overflow(void)
{
  static const uint8_t tenth2[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
  static const uint8_t eleven[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };

  /* gen whose 10th byte is 2. */
  tb *t = tb_new(26);
  tb_u8(t, TA_EV_EVENT_BATCH);
  tb_bytes(t, tenth2, sizeof tenth2);
  tb_bytes(t, (const uint8_t[]){ 1, 1, 0 }, 3);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! error reading batch gen: binary: varint overflows a 64-bit integer\n");
  tb_free(t);

  /* M of 11 bytes. */
  t = tb_new(26);
  tb_u8(t, TA_EV_EVENT_BATCH);
  tb_uv(t, 1);
  tb_bytes(t, eleven, sizeof eleven);
  tb_bytes(t, (const uint8_t[]){ 1, 0 }, 2);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! error reading batch M ID: binary: varint overflows a 64-bit integer\n");
  tb_free(t);

  /* size overflowing, format 22 (first batch: not deferred). */
  t = tb_new(22);
  tb_u8(t, TA_EV_EVENT_BATCH);
  tb_bytes(t, (const uint8_t[]){ 1, 1, 1 }, 3);
  tb_bytes(t, tenth2, sizeof tenth2);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! error reading batch size: binary: varint overflows a 64-bit integer\n");
  tb_free(t);
}

static void
test_batch_header_truncated(void)
{
  /* Cut inside the timestamp. */
  tb *t = tb_new(26);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 1, 1, 0x80, 0x80 }, 5);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! error reading batch timestamp: unexpected EOF\n");
  tb_free(t);

  /* Ends right before the size: a bare EOF. */
  t = tb_new(26);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 1, 1, 5 }, 4);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! error reading batch size: EOF\n");
  tb_free(t);

  /* Ends inside gen, format 25. */
  t = tb_new(25);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 0x81 }, 2);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! error reading batch gen: unexpected EOF\n");
  tb_free(t);
}

/* An event batch on M 1 whose bytes are given raw, in a valid generation. */
static tb *
gen_with_payload(int format, const uint8_t *p, size_t n)
{
  tb *t = tb_new(format);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  tb_bytes(t, p, n);
  tb_gen_end(t);
  return t;
}

static void
test_event_varints(void)
{
  /* Overflowing dt of the first event: the cursor fails while the frontier
   * is built, before the generation's Sync. */
  static const uint8_t dt_over[] = { TA_EV_PROC_STATUS, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0x02, 0, 2 };
  tb *t = gen_with_payload(26, dt_over, sizeof dt_over);
  tb_check(t, "!! found invalid uvarint for timestamp\n");
  tb_free(t);

  /* An 11-byte argument in the second event: the first one is emitted. */
  static const uint8_t arg_over[] = { TA_EV_PROC_STATUS, 1, 0, 2, TA_EV_PROC_STATUS, 1,
                                      0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
                                      2 };
  t = gen_with_payload(26, arg_over, sizeof arg_over);
  tb_check(t, TB_SYNC1_25 "!! found invalid uvarint\n");
  tb_free(t);

  /* An argument cut by the end of the batch (ten continuation bytes). */
  static const uint8_t arg_cut[] = { TA_EV_PROC_STATUS, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80 };
  t = gen_with_payload(26, arg_cut, sizeof arg_cut);
  tb_check(t, "!! found invalid uvarint\n");
  tb_free(t);

  /* The dt cut by the end of the batch. */
  static const uint8_t dt_cut[] = { TA_EV_PROC_STATUS, 1, 0, 2, TA_EV_PROC_STOP, 0x80 };
  t = gen_with_payload(23, dt_cut, sizeof dt_cut);
  tb_check(t, TB_SYNC1_22 "!! found invalid uvarint for timestamp\n");
  tb_free(t);

  /* Event type byte and nothing else. */
  static const uint8_t bare[] = { TA_EV_PROC_STATUS };
  t = gen_with_payload(25, bare, sizeof bare);
  tb_check(t, "!! found invalid uvarint for timestamp\n");
  tb_free(t);
}

static void
test_table_varints(void)
{
  /* String length overflowing: the raw binary.ReadUvarint error. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_strings_batch(t, 1, 1);
  tb_u8(t, TA_EV_STRING);
  tb_uv(t, 1);
  tb_bytes(t, (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03 }, 10);
  tb_eog(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! binary: varint overflows a 64-bit integer\n");
  tb_free(t);

  /* A frame's line cut by the end of the stack batch. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_stacks_batch(t, 1, 1);
  tb_u8(t, TA_EV_STACK);
  tb_bytes(t, (const uint8_t[]){ 7, 1, 0x80, 0x20, 2, 3, 0x80 }, 7);
  tb_eog(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! reading frame 1's line for stack 7: unexpected EOF\n");
  tb_free(t);

  /* Frequency with a padded value is fine (format 23). */
  t = tb_new(23);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_batch(t, 1, TB_NO_M, 1);
  tb_u8(t, TA_EV_FREQUENCY);
  tb_uv_padded(t, TB_FREQ_NS, 10);
  tb_end(t);
  tb_check(t, TB_SYNC1_22
              "M=1 P=-1 G=-1 StateTransition Time=11 ProcID=0 Undetermined->Idle Reason=\"\"\n"
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/varint/minimal", test_minimal);
  g_test_add_func("/varint/padded", test_padded);
  g_test_add_func("/varint/overflow", test_overflow);
  g_test_add_func("/varint/truncated", test_truncated);
  g_test_add_func("/varint/padded-batch-header", test_padded_batch_header);
  g_test_add_func("/varint/padded-event-args", test_padded_event_args);
  g_test_add_func("/varint/batch-header-overflow", test_batch_header_overflow);
  g_test_add_func("/varint/batch-header-truncated", test_batch_header_truncated);
  g_test_add_func("/varint/event-varints", test_event_varints);
  g_test_add_func("/varint/table-varints", test_table_varints);
  return g_test_run();
}
