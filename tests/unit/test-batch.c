/* test-batch.c: top-level framing. EventBatch and ExperimentalBatch headers,
 * the EndOfGeneration byte, batch sizes, generation numbers, how the end of
 * a generation is found (the spill rule of formats <= 25 with its deferred
 * error, the marker of format 26), and batch classification. */
#include "tb.h"

#include <string.h>

/* A ProcStatus(p, Idle) on thread m at base time `time` + 1. */
static void
idle_batch(tb *t, uint64_t gen, uint64_t m, uint64_t p, uint64_t time)
{
  tb_batch(t, gen, m, time);
  EV(t, TA_EV_PROC_STATUS, 1, p, 2);
  tb_end(t);
}

#define IDLE(m, p, time, old)                                                 \
  "M=" #m " P=-1 G=-1 StateTransition Time=" #time " ProcID=" #p " " old "->Idle Reason=\"\"\n"

static void
test_empty_batch(void)
{
  /* A size-0 event batch is accepted and contributes nothing, also when it
   * is the only batch of its M. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 5, 3);
  tb_end(t);
  idle_batch(t, 1, 1, 0, 10);
  tb_batch(t, 1, 1, 20);
  tb_end(t);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);
}

static void
test_experimental_batch(void)
{
  /* An AllocFree batch whose payload looks like a stack table: never
   * classified, kept opaque and counted on the Sync. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_exp_batch(t, 1, 1, TB_NO_M, 2);
  tb_bytes(t, (const uint8_t[]){ TA_EV_STACKS, TA_EV_STACK, 99, 1, 1, 2, 3, 4 }, 8);
  tb_exp_batch(t, 1, 1, TB_NO_M, 3);
  tb_bytes(t, (const uint8_t[]){ 1, 0x80, 0x80, 0x01, 0x80, 0x40, 0x08, 0x80, 0x40 }, 9);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");

  size_t len;
  const uint8_t *d = tb_data(t, &len);
  ta_error err;
  ta_parser *p = ta_parser_open_memory(d, len, &err);
  g_assert_nonnull(p);
  ta_event ev;
  g_assert_cmpint(ta_parser_next(p, &ev), ==, 1);
  ta_sync_info s;
  g_assert_true(ta_event_sync(&ev, &s));
  g_assert_cmpuint(s.n_experimental_batches, ==, 2);
  g_assert_true(s.has_snapshot);
  g_assert_cmpint(ta_parser_format(p), ==, 26);
  ta_parser_free(p);
  tb_free(t);
}

static void
test_experimental_batch_exp0(void)
{
  /* Experiment byte 0 is NoExperiment: the batch is classified like an
   * EventBatch, here as an event batch of M 1. */
  tb *t = tb_new(25);
  tb_gen_begin(t, 1);
  tb_exp_batch(t, 0, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);

  /* ... and as a strings batch. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 2);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GO_BLOCK, 1, 100, 0);
  tb_exp_batch(t, 0, 1, TB_NO_M, 1);
  tb_u8(t, TA_EV_STRINGS);
  tb_string(t, 100, "exp0");
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              "M=1 P=-1 G=-1 StateTransition Time=11 GoID=1 Undetermined->Running Reason=\"\"\n"
              "M=1 P=-1 G=1 StateTransition Time=12 ProcID=0 Undetermined->Running Reason=\"\"\n"
              "M=1 P=0 G=1 StateTransition Time=13 GoID=1 Running->Waiting Reason=\"exp0\"\n"
              "M=-1 P=-1 G=-1 Sync Time=14 N=2\n");
  tb_free(t);
}

static void
test_experimental_unknown_id(void)
{
  /* Go's Sync accessor indexes its experiment names with the ID and panics
   * on unknown ones; the decoder must keep the batch as opaque data. Not
   * compared with Go for that reason. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_exp_batch(t, 200, 1, 7, 2);
  tb_bytes(t, "\x00\xff", 2);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  g_assert_cmpuint(e.n, ==, 3);
  g_assert_cmpstr(e.items[1].text, ==,
                  "M=1 P=-1 G=-1 StateTransition Time=11 ProcID=0 Undetermined->Idle Reason=\"\"");
  tb_events_free(&e);
  tb_free(t);
}

static void
test_experimental_truncated(void)
{
  /* The ExperimentalBatch byte and then the end of the file: Go reads a bare
   * io.EOF for the experiment byte, which ends the trace cleanly. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_u8(t, TA_EV_EXPERIMENTAL_BATCH);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);

  /* Format 23: it ends the (last) generation like the end of the file. */
  t = tb_new(23);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_u8(t, TA_EV_EXPERIMENTAL_BATCH);
  tb_check(t, TB_SYNC1_22 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);

  /* Experiment byte present, header cut after it. */
  t = tb_new(26);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EXPERIMENTAL_BATCH, 1 }, 2);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! error reading batch gen: EOF\n");
  tb_free(t);
}

static void
test_end_of_generation(void)
{
  /* Two generations, each ended by the marker. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  idle_batch(t, 2, 1, 0, 20);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2 Trace=1 Mono=2 Wall=2023-11-14T22:13:22Z\n"
              IDLE(1, 0, 21, "Idle") "M=-1 P=-1 G=-1 Sync Time=22 N=3\n");
  tb_free(t);

  /* An event batch whose payload starts with the marker byte also ends the
   * generation (Go classifies by the first payload byte); the rest of its
   * payload is ignored. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_stacks_batch(t, 1, 1);
  tb_strings_batch(t, 1, 1);
  tb_batch(t, 1, 1, 50);
  tb_bytes(t, (const uint8_t[]){ TA_EV_END_OF_GENERATION, 0xff, 0xff }, 3);
  tb_end(t);
  tb_gen_begin(t, 2);
  idle_batch(t, 2, 1, 0, 20);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2 Trace=1 Mono=2 Wall=2023-11-14T22:13:22Z\n"
              IDLE(1, 0, 21, "Idle") "M=-1 P=-1 G=-1 Sync Time=22 N=3\n");
  tb_free(t);
}

static void
test_end_of_generation_other_formats(void)
{
  /* In format 25 the marker is not a batch: Go reads it as a batch of
   * generation 0. */
  tb *t = tb_new(25);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_u8(t, TA_EV_END_OF_GENERATION);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid generation number 0\n");
  tb_free(t);

  /* A marker with nothing before it: an empty generation, no frequency. */
  t = tb_new(26);
  tb_u8(t, TA_EV_END_OF_GENERATION);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! no frequency event found\n");
  tb_free(t);

  /* Two markers in a row after a good generation. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_u8(t, TA_EV_END_OF_GENERATION);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n!! no frequency event found\n");
  tb_free(t);
}

/* Appends a strings section of exactly `size` payload bytes (incl. the
 * Strings byte), with string IDs from 1000 up. */
static void
strings_of_size(tb *t, uint64_t gen, size_t size)
{
  tb_strings_batch(t, gen, 1);
  size_t left = size - 1;
  uint64_t id = 1000;
  static char fill[1024];
  memset(fill, 'x', sizeof fill);
  while (left > 0) {
    /* entry = 05, id (2 bytes), len (1-2 bytes), data */
    size_t n;
    if (left > 1029)
      n = left - 1005 >= 133 ? 1000 : 500;
    else if (left >= 133)
      n = left - 5;  /* 2-byte length */
    else if (left == 132)
      n = 60;        /* 132 is no single entry: 64 + 68 */
    else {
      g_assert_cmpuint(left, >=, 4);
      n = left - 4;  /* 1-byte length */
    }
    g_assert_cmpuint(n, <=, 1024);
    tb_string_n(t, id++, fill, n);
    left -= 1 + 2 + (n > 127 ? 2 : 1) + n;
  }
  tb_end(t);
}

static void
test_batch_size_limit(void)
{
  /* Exactly 65536 payload bytes: accepted. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  strings_of_size(t, 1, 65536);
  tb_gen_end(t);
  g_assert_cmpuint(t->out->len, >, 65536);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);

  /* 65537: rejected from the header alone. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  strings_of_size(t, 1, 65537);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid batch size 65537, maximum is 65536\n");
  tb_free(t);

  /* A huge size with no payload must not allocate it. */
  t = tb_new(23);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 1, 1, 1 }, 4);
  tb_uv(t, UINT64_C(1) << 62);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid batch size 4611686018427387904, maximum is 65536\n");
  tb_free(t);
}

static void
test_short_payload(void)
{
  tb *t = tb_new(26);
  tb_batch(t, 1, 1, 1);
  tb_size_override(t, 60000);
  tb_bytes(t, "12345678", 8);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! failed to read full batch: read 8 but wanted 60000\n");
  tb_free(t);

  /* In format 22 after a complete batch of the generation: deferred. The
   * generation read so far is decoded, then a Sync, then the error. */
  t = tb_new(22);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_batch(t, 1, 1, 30);
  tb_size_override(t, 100);
  tb_bytes(t, "abc", 3);
  tb_end(t);
  tb_check(t, TB_SYNC1_22 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n"
              "!! failed to read full batch: read 3 but wanted 100\n");
  tb_free(t);
}

static void
test_generation_zero(void)
{
  static const int formats[] = { 22, 23, 25, 26 };
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    tb *t = tb_new(formats[i]);
    idle_batch(t, 0, 1, 0, 10);
    tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid generation number 0\n");
    tb_free(t);
  }

  /* Generation 0 after a batch of generation 1 (format 26). */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 0, 1, 0, 10);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid generation number 0\n");
  tb_free(t);

  /* ... and in format 25, where it is not deferred either. */
  t = tb_new(25);
  tb_gen_begin(t, 1);
  idle_batch(t, 0, 1, 0, 10);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid generation number 0\n");
  tb_free(t);
}

static void
test_generations_out_of_order(void)
{
  /* Formats <= 25: a batch of gen+2 within gen. */
  tb *t = tb_new(23);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  idle_batch(t, 3, 2, 1, 10);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! generations out of order\n");
  tb_free(t);

  /* Going back: a batch of generation 1 inside generation 2. Generation 1
   * decodes; loading generation 2 fails. */
  t = tb_new(25);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  idle_batch(t, 1, 1, 0, 20);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n!! generations out of order\n");
  tb_free(t);

  /* Format 26: a batch of another generation before the marker. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  idle_batch(t, 2, 2, 1, 10);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! broken trace: missing end-of-generation event, or generations are interleaved\n");
  tb_free(t);
}

static void
test_format26_generation_numbers(void)
{
  /* No +1 rule in format 26: 7, then 3, then 1000. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 7);
  idle_batch(t, 7, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 3);
  idle_batch(t, 3, 1, 0, 20);
  tb_gen_end(t);
  tb_gen_begin(t, 1000);
  idle_batch(t, 1000, 1, 0, 30);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1 Trace=1 Mono=7 Wall=2023-11-14T22:13:27Z\n"
              IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2 Trace=1 Mono=3 Wall=2023-11-14T22:13:23Z\n"
              IDLE(1, 0, 21, "Idle")
              "M=-1 P=-1 G=-1 Sync Time=22 N=3 Trace=1 Mono=1000 Wall=2023-11-14T22:13:30Z\n"
              IDLE(1, 0, 31, "Idle")
              "M=-1 P=-1 G=-1 Sync Time=32 N=4\n");
  tb_free(t);

  /* Formats <= 25 need consecutive numbers: 7 then 9 is out of order. */
  t = tb_new(25);
  tb_gen_begin(t, 7);
  idle_batch(t, 7, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 9);
  idle_batch(t, 9, 1, 0, 20);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! generations out of order\n");
  tb_free(t);
}

static void
test_spill(void)
{
  /* Format 23: the first batch of generation 2 ends generation 1 and is
   * processed first in generation 2; its base time seeds minTs, a later
   * smaller base time wins. */
  tb *t = tb_new(23);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  t->table_time = 400;
  tb_gen_begin(t, 2);
  idle_batch(t, 2, 1, 0, 500);
  idle_batch(t, 2, 2, 1, 300);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_22 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=300 N=2\n"
              IDLE(2, 1, 301, "NotExist") IDLE(1, 0, 501, "Idle")
              "M=-1 P=-1 G=-1 Sync Time=502 N=3\n");
  tb_free(t);

  /* The spilled batch is a table batch: generation 2's strings come first. */
  t = tb_new(22);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 1);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_gen_end(t);
  tb_strings_batch(t, 2, 40);
  tb_string(t, 50, "spilled");
  tb_batch(t, 2, 1, 60);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 1);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  EV(t, TA_EV_PROC_START, 1, 0, 1);
  EV(t, TA_EV_GO_START, 1, 1, 1);
  EV(t, TA_EV_GO_BLOCK, 1, 50, 0);
  tb_freq_batch(t, 2, 41, TB_FREQ_NS);
  tb_check(t, TB_SYNC1_22
              "M=1 P=-1 G=-1 StateTransition Time=11 GoID=1 Undetermined->Runnable Reason=\"\"\n"
              IDLE(1, 0, 12, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=40 N=2\n"
              "M=1 P=-1 G=-1 StateTransition Time=61 GoID=1 Runnable->Runnable Reason=\"\"\n"
              IDLE(1, 0, 62, "Idle")
              "M=1 P=-1 G=-1 StateTransition Time=63 ProcID=0 Idle->Running Reason=\"\"\n"
              "M=1 P=0 G=-1 StateTransition Time=64 GoID=1 Runnable->Running Reason=\"\"\n"
              "M=1 P=0 G=1 StateTransition Time=65 GoID=1 Running->Waiting Reason=\"spilled\"\n"
              "M=-1 P=-1 G=-1 Sync Time=66 N=3\n");
  tb_free(t);
}

static void
test_spill_deferred_error(void)
{
  /* Format 25: a complete generation, then a batch header cut short. The
   * generation is decoded, then a Sync, then the read error. */
  tb *t = tb_new(25);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 2, 1 }, 3);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n!! error reading batch timestamp: EOF\n");
  tb_free(t);

  /* The error hits generation 2 after its spilled batch: generation 2 is
   * complete enough (it has its sync batch) and is decoded too. */
  t = tb_new(25);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  idle_batch(t, 2, 1, 0, 20);
  tb_gen_end(t);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 3, 1, 30, 50, 1 }, 6);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2 Trace=1 Mono=2 Wall=2023-11-14T22:13:22Z\n"
              IDLE(1, 0, 21, "Idle")
              "M=-1 P=-1 G=-1 Sync Time=22 N=3\n"
              "!! failed to read full batch: read 1 but wanted 50\n");
  tb_free(t);

  /* The generation cut short lacks its frequency: that error wins over the
   * deferred read error (format 22). */
  t = tb_new(22);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  idle_batch(t, 2, 1, 0, 20);
  tb_bytes(t, (const uint8_t[]){ TA_EV_EVENT_BATCH, 2 }, 2);
  tb_check(t, TB_SYNC1_22 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n!! no frequency event found\n");
  tb_free(t);

  /* A bad byte where the next batch should start is a read error too. */
  t = tb_new(23);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_u8(t, 0x07);
  tb_check(t, TB_SYNC1_22 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n!! expected batch event, got event 7\n");
  tb_free(t);
}

static void
test_format26_truncation(void)
{
  /* Generation 2 has event batches but no marker. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  idle_batch(t, 2, 1, 0, 20);
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n"
              "!! incomplete generation found; trace likely truncated\n");
  tb_free(t);

  /* All the tables of generation 1, but no marker. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  t->out->len--; /* drop the marker */
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"
              "!! incomplete generation found; trace likely truncated\n");
  tb_free(t);
}

static void
test_format26_truncated_tables_only(void)
{
  /* Generation 2 is cut after its sync batch: no event batch was read, and
   * Go only counts event batches when it decides whether a generation is
   * incomplete, so this is a clean end of the trace for Go. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_strings_batch(t, 2, 1);
  tb_string(t, 1, "s");
  tb_end(t);
  /* Go counts only event batches when it decides a generation is cut. */
  tb_check(t, TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);
}

static void
test_header_only(void)
{
  static const int formats[] = { 22, 23, 25 };
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    tb *t = tb_new(formats[i]);
    tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! no frequency event found\n");
    tb_free(t);
  }
  tb *t = tb_new(26);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
  tb_free(t);
}

static void
test_expected_batch(void)
{
  static const uint8_t bytes[] = { 0, TA_EV_STRING, TA_EV_STACKS, TA_EV_SYNC, 0x80, 0xff };
  for (size_t i = 0; i < G_N_ELEMENTS(bytes); i++) {
    tb *t = tb_new(26);
    tb_u8(t, bytes[i]);
    g_autofree char *want =
      g_strdup_printf("M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! expected batch event, got event %d\n", bytes[i]);
    tb_check(t, want);
    tb_free(t);
  }
}

static void
test_sync_batch_classification(void)
{
  /* Format 25: a batch starting with Frequency is an event batch. */
  tb *t = tb_new(25);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_batch(t, 1, TB_NO_M, 2);
  tb_u8(t, TA_EV_FREQUENCY);
  tb_uv(t, TB_FREQ_NS);
  tb_gen_end(t);
  tb_check(t, "!! found event without a timestamp: type=8\n");
  tb_free(t);

  /* Format 23: a batch starting with Sync is an event batch. */
  t = tb_new(23);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, TB_NO_M, 2);
  tb_bytes(t, (const uint8_t[]){ TA_EV_SYNC, TA_EV_FREQUENCY, 1 }, 3);
  tb_gen_end(t);
  tb_check(t, "!! found event without a timestamp: type=50\n");
  tb_free(t);

  /* The classification ignores M: a frequency batch on M 0 (format 22). */
  t = tb_new(22);
  idle_batch(t, 1, 1, 0, 10);
  tb_batch(t, 1, 0, 2);
  tb_u8(t, TA_EV_FREQUENCY);
  tb_uv(t, TB_FREQ_NS);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=2 N=1\n" IDLE(1, 0, 11, "Undetermined")
              "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
  tb_free(t);
}

static void
test_min_ts_zero(void)
{
  /* minTs treats 0 as unset: base times 50, 0, 70 leave it at 70 (and
   * the event at 51 is then forced after the Sync). */
  tb *t = tb_new(23);
  t->table_time = 80;
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 50);
  tb_batch(t, 1, 2, 0);
  tb_end(t);
  idle_batch(t, 1, 3, 1, 70);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=70 N=1\n" IDLE(1, 0, 71, "Undetermined")
              IDLE(3, 1, 72, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=73 N=2\n");
  tb_free(t);
}

static void
test_same_m_batches_file_order(void)
{
  /* Batches of one M are one stream in file order, not time order: the
   * second batch has a smaller base, its events come after (times forced
   * to increase). */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 100);
  idle_batch(t, 1, 2, 1, 30);
  idle_batch(t, 1, 1, 0, 20);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE(2, 1, 31, "Undetermined") IDLE(1, 0, 101, "Undetermined")
              IDLE(1, 0, 102, "Idle") "M=-1 P=-1 G=-1 Sync Time=103 N=2\n");
  tb_free(t);
}

/* A format 26 generation (one idle P on M 1) behind a hand-made header. */
static GByteArray *
with_header(const char *hdr, size_t hlen)
{
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  idle_batch(t, 1, 1, 0, 10);
  tb_gen_end(t);
  size_t len;
  const uint8_t *d = tb_data(t, &len);
  GByteArray *a = g_byte_array_new();
  g_byte_array_append(a, (const guint8 *)hdr, (guint)hlen);
  g_byte_array_append(a, d + 16, (guint)(len - 16));
  tb_free(t);
  return a;
}

static void
test_header(void)
{
  /* Go scans the header with Fscanf("go 1.%d trace\x00\x00\x00"): leading
   * zeros, runs of blanks and other blanks than a space are accepted. */
  static const struct { const char *h; size_t n; } good[] = {
    { "go 1.026 trace\0\0\0", 17 },
    { "go 1.26   trace\0\0\0", 18 },
    { "go 1.26\ttrace\0\0\0", 16 },
    { "go  1.26 trace\0\0\0", 17 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
    GByteArray *a = with_header(good[i].h, good[i].n);
    tb_check_bytes(a->data, a->len,
                   TB_SYNC1_25 IDLE(1, 0, 11, "Undetermined") "M=-1 P=-1 G=-1 Sync Time=12 N=2\n");
    g_byte_array_unref(a);
  }

  static const struct { const char *h; size_t n; const char *err; } bad[] = {
    { "go 1.24 trace\0\0\0", 16, "unknown or unsupported trace version go 1.24" },
    { "go 1.21 trace\0\0\0", 16, "" },  /* v1: Go's old parser, not ours */
    { "go 1.26 trace\0\0", 15, "bad file format: not a Go execution trace?" },
    { "go 1.26 trace\0\0\x01", 16, "bad file format: not a Go execution trace?" },
    { "go 1.\n26 trace\0\0\0", 17, "bad file format: not a Go execution trace?" },
    { "go 1.4294967322 trace\0\0\0", 24, "bad file format: not a Go execution trace?" },
    { "GO 1.26 trace\0\0\0", 16, "bad file format: not a Go execution trace?" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    GByteArray *a = with_header(bad[i].h, bad[i].n);
    if (bad[i].err[0]) {
      g_autofree char *want = g_strdup_printf("!! %s\n", bad[i].err);
      tb_check_bytes(a->data, a->len, want);
    } else {
      ta_error err;
      g_assert_null(ta_parser_open_memory(a->data, a->len, &err));
      g_assert_true(err.failed);
    }
    g_byte_array_unref(a);
  }
}

static void
test_header_invalid_utf8(void)
{
  /* A malformed UTF-8 sequence after a blank where the version number
   * goes: Go rejects the header. (The scanner once unread one byte too many
   * here and looped forever.) */
  static const uint8_t hang[] = { 'g', 'o', ' ', '1', '.', '\r', 0xed, 0xb3, '\r' };
  tb *t = tb_new(26);
  t->out->len = 0;
  tb_bytes(t, hang, sizeof hang);
  tb_check(t, "!! bad file format: not a Go execution trace?\n");
  tb_free(t);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/batch/header", test_header);
  g_test_add_func("/batch/header-invalid-utf8", test_header_invalid_utf8);
  g_test_add_func("/batch/empty", test_empty_batch);
  g_test_add_func("/batch/experimental", test_experimental_batch);
  g_test_add_func("/batch/experimental-exp0", test_experimental_batch_exp0);
  g_test_add_func("/batch/experimental-unknown-id", test_experimental_unknown_id);
  g_test_add_func("/batch/experimental-truncated", test_experimental_truncated);
  g_test_add_func("/batch/end-of-generation", test_end_of_generation);
  g_test_add_func("/batch/end-of-generation-other", test_end_of_generation_other_formats);
  g_test_add_func("/batch/size-limit", test_batch_size_limit);
  g_test_add_func("/batch/short-payload", test_short_payload);
  g_test_add_func("/batch/generation-zero", test_generation_zero);
  g_test_add_func("/batch/out-of-order", test_generations_out_of_order);
  g_test_add_func("/batch/fmt26-generation-numbers", test_format26_generation_numbers);
  g_test_add_func("/batch/spill", test_spill);
  g_test_add_func("/batch/spill-deferred-error", test_spill_deferred_error);
  g_test_add_func("/batch/fmt26-truncation", test_format26_truncation);
  g_test_add_func("/batch/fmt26-truncated-tables-only", test_format26_truncated_tables_only);
  g_test_add_func("/batch/header-only", test_header_only);
  g_test_add_func("/batch/expected-batch", test_expected_batch);
  g_test_add_func("/batch/sync-classification", test_sync_batch_classification);
  g_test_add_func("/batch/min-ts-zero", test_min_ts_zero);
  g_test_add_func("/batch/same-m-file-order", test_same_m_batches_file_order);
  return g_test_run();
}
