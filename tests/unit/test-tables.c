/* test-tables.c: the per-generation tables. Strings, stacks (with the PC ->
 * frame map), CPU samples, and the sync data (frequency, clock snapshot),
 * with Go's validation rules and error messages. */
#include "tb.h"
#include "trace-order-fast.h"

#include <string.h>

/* A generation (format fmt) where G 1 runs on M 1 / P 0 (events at 11, 12)
 * and then blocks with reason `reason` and stack `stack` at 13. Extra
 * batches may follow before tb_gen_end. */
static tb *
block_gen(int fmt, uint64_t reason, uint64_t stack)
{
  tb *t = tb_new(fmt);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_BLOCK, 1, reason, stack);
  tb_end(t);
  return t;
}

#define RUN_1_0_1 TB_RUNNING_TEXT(1, 0, 1, 11, 12)
#define BLOCK(reason) "M=1 P=0 G=1 StateTransition Time=13 GoID=1 Running->Waiting Reason=" reason
#define IDLE_TEXT "M=1 P=-1 G=-1 StateTransition Time=11 ProcID=0 Undetermined->Idle Reason=\"\"\n"
#define END26(time) "M=-1 P=-1 G=-1 Sync Time=" #time " N=2\n"

/* ---- strings ---- */

static void
test_strings_basic(void)
{
  tb *t = block_gen(26, 100, 0);
  tb_strings_batch(t, 1, 2);
  tb_string_n(t, 100, "say \"hi\"\n\xff\x01", 11);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 BLOCK("\"say \\\"hi\\\"\\n\\xff\\x01\"") "\n" END26(14));
  tb_free(t);

  /* Empty and maximal (1024 bytes) strings. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_BLOCK, 1, 100, 0);
  EV(t, TA_EV_GO_UNBLOCK, 1, 1, 1, 0);
  EV(t, TA_EV_GO_START, 1, 1, 2);
  EV(t, TA_EV_GO_STOP, 1, 101, 0);
  tb_strings_batch(t, 1, 2);
  tb_string(t, 100, "");
  char big[1025];
  memset(big, 'a', 1024);
  big[1023] = 'z';
  big[1024] = 0;
  tb_string(t, 101, big);
  tb_gen_end(t);
  g_autofree char *want = g_strdup_printf(
    TB_SYNC1_25 RUN_1_0_1 BLOCK("\"\"") "\n"
    "M=1 P=0 G=-1 StateTransition Time=14 GoID=1 Waiting->Runnable Reason=\"\"\n"
    "M=1 P=0 G=-1 StateTransition Time=15 GoID=1 Runnable->Running Reason=\"\"\n"
    "M=1 P=0 G=1 StateTransition Time=16 GoID=1 Running->Runnable Reason=\"%s\"\n" END26(17), big);
  tb_check(t, want);
  tb_free(t);
}

static void
test_strings_too_long(void)
{
  tb *t = block_gen(26, 0, 0);
  tb_strings_batch(t, 1, 2);
  char big[1026];
  memset(big, 'b', 1025);
  big[1025] = 0;
  tb_string(t, 100, big);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid string size 1025, maximum is 1024\n");
  tb_free(t);

  /* The length is checked before the data is read. */
  t = block_gen(23, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_u8(t, TA_EV_STRING);
  tb_uv(t, 100);
  tb_uv(t, UINT64_C(1) << 60);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid string size 1152921504606846976, maximum is 1024\n");
  tb_free(t);
}

static void
test_strings_duplicate(void)
{
  /* In one batch. */
  tb *t = block_gen(26, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_string(t, 100, "first");
  tb_string(t, 100, "second");
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! multiple strings with the same ID: id=100\n");
  tb_free(t);

  /* In two batches; the second clashes with a standard string. */
  t = block_gen(25, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_string(t, 3, "again");
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! multiple strings with the same ID: id=3\n");
  tb_free(t);

  /* ID 0 always exists (""), so declaring it is a duplicate. */
  t = block_gen(22, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_string(t, 0, "zero");
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! multiple strings with the same ID: id=0\n");
  tb_free(t);

  /* The same ID in another generation is fine. */
  t = tb_new(26);
  for (uint64_t gen = 1; gen <= 2; gen++) {
    tb_gen_begin(t, gen);
    tb_batch(t, gen, 1, gen * 100);
    EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
    EV(t, TA_EV_GO_STATUS, 1, 1, 1, 2);
    EV(t, TA_EV_GO_LABEL, 1, 100);
    tb_strings_batch(t, gen, 2);
    tb_string(t, 100, gen == 1 ? "one" : "two");
    tb_gen_end(t);
  }
  tb_check(t, TB_SYNC1_25 TB_RUNNING_TEXT(1, 0, 1, 101, 102)
              "M=1 P=0 G=1 Label Time=103 Label=\"one\" Resource=Goroutine(1)\n"
              "M=-1 P=-1 G=-1 Sync Time=104 N=2 Trace=1 Mono=2 Wall=2023-11-14T22:13:22Z\n"
              "M=1 P=0 G=1 StateTransition Time=201 ProcID=0 Running->Running Reason=\"\"\n"
              "M=1 P=0 G=1 StateTransition Time=202 GoID=1 Running->Running Reason=\"\"\n"
              "M=1 P=0 G=1 Label Time=203 Label=\"two\" Resource=Goroutine(1)\n"
              "M=-1 P=-1 G=-1 Sync Time=204 N=3\n");
  tb_free(t);
}

static void
test_strings_malformed(void)
{
  /* Another event inside a strings batch. */
  tb *t = block_gen(26, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_string(t, 100, "ok");
  tb_u8(t, TA_EV_STACK);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! expected string event, got 3\n");
  tb_free(t);

  /* Data shorter than the length. */
  t = block_gen(26, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_u8(t, TA_EV_STRING);
  tb_uv(t, 100);
  tb_uv(t, 5);
  tb_bytes(t, "ab", 2);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! failed to read full string: read 2 but wanted 5\n");
  tb_free(t);

  /* Length cut inside its uvarint: unexpected EOF. */
  t = block_gen(25, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_bytes(t, (const uint8_t[]){ TA_EV_STRING, 100, 0x85 }, 3);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! unexpected EOF\n");
  tb_free(t);
}

static void
test_strings_truncated_eof(void)
{
  /* A String byte and nothing after it: Go's table reader returns a bare
   * io.EOF, which its Reader passes up as the end of the trace, so `go tool
   * trace` ends cleanly after the Sync. */
  tb *t = block_gen(26, 0, 0);
  tb_strings_batch(t, 1, 2);
  tb_u8(t, TA_EV_STRING);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
  tb_free(t);
}

static void
test_strings_unknown_id(void)
{
  /* Post-processing: an event's string ID must exist. */
  tb *t = block_gen(26, 77, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 "!! found invalid string ID 77 for event GoBlock\n");
  tb_free(t);

  /* The state machine looks region names up itself. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_REGION_BEGIN, 1, 0, 88, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 "!! invalid string ID 88 for");
  tb_free(t);

  /* ... and task names. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_TASK_BEGIN, 1, 5, 0, 89, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 "!! invalid string ID 89 for");
  tb_free(t);
}

/* ---- stacks ---- */

static void
test_stacks_basic(void)
{
  tb *t = block_gen(26, 1, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 BLOCK("\"reason\"") "\nTransitionStack=\n" TB_STACK2
              "\nStack=\n" TB_STACK2 "\n" END26(14));
  tb_free(t);

  /* A stack with no frames, and a frame whose strings are ID 0. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_BLOCK, 1, 1, 10);
  EV(t, TA_EV_GO_UNBLOCK, 1, 1, 1, 11);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 0, NULL);
  tb_stack(t, 11, 1, TB_ARGS(0xabc, 0, 0, 7));
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 BLOCK("\"reason\"") "\nTransitionStack=\n\nStack=\n\n"
              "M=1 P=0 G=-1 StateTransition Time=14 GoID=1 Waiting->Runnable Reason=\"\"\n"
              "Stack=\n\t @ 0xabc\n\t\t:7\n\n" END26(15));
  tb_free(t);
}

static void
test_stacks_accessors(void)
{
  /* The accessors a viewer uses, on the GoBlock of block_gen(): they must
   * be called while the event's generation is current. */
  tb *t = block_gen(26, 1, 2);
  tb_gen_end(t);
  size_t len;
  const uint8_t *d = tb_data(t, &len);
  ta_error err;
  ta_parser *p = ta_parser_open_memory(d, len, &err);
  g_assert_nonnull(p);
  ta_event ev;
  bool seen = false;
  while (ta_parser_next(p, &ev) == 1) {
    if (ev.type != TA_EV_GO_BLOCK)
      continue;
    seen = true;
    g_assert_cmpint(ev.kind, ==, TA_KIND_STATE_TRANSITION);
    g_assert_cmpuint(ta_event_stack_id(&ev), ==, 2);
    g_assert_cmpuint(ta_event_stack_depth(&ev, 2), ==, 2);
    g_assert_cmpuint(ta_event_stack_depth(&ev, 0), ==, 0);
    g_assert_cmpuint(ta_event_stack_depth(&ev, 77), ==, 0);
    ta_frame f;
    g_assert_true(ta_event_stack_frame(&ev, 2, 0, &f));
    g_assert_cmpuint(f.pc, ==, 0x2000);
    g_assert_cmpmem(f.func.ptr, f.func.len, "main.f", 6);
    g_assert_cmpmem(f.file.ptr, f.file.len, "/src/main.go", 12);
    g_assert_cmpuint(f.line, ==, 20);
    g_assert_true(ta_event_stack_frame(&ev, 2, 1, &f));
    g_assert_cmpuint(f.pc, ==, 0x1000);
    g_assert_false(ta_event_stack_frame(&ev, 2, 2, &f));
    g_assert_false(ta_event_stack_frame(&ev, 77, 0, &f));
    ta_str s;
    g_assert_true(ta_event_string(&ev, 1, &s));
    g_assert_cmpmem(s.ptr, s.len, "reason", 6);
    g_assert_true(ta_event_string(&ev, 0, &s));
    g_assert_cmpuint(s.len, ==, 0);
    g_assert_false(ta_event_string(&ev, 12345, &s));
    ta_transition tr;
    g_assert_true(ta_event_transition(&ev, &tr));
    g_assert_cmpint(tr.resource, ==, TA_RESOURCE_GOROUTINE);
    g_assert_cmpint(tr.id, ==, 1);
    g_assert_cmpint(tr.old_state, ==, TA_GO_RUNNING);
    g_assert_cmpint(tr.new_state, ==, TA_GO_WAITING);
    g_assert_cmpmem(tr.reason.ptr, tr.reason.len, "reason", 6);
    g_assert_true(tr.has_stack);
    g_assert_cmpuint(tr.stack_id, ==, 2);
    ta_sync_info si;
    g_assert_false(ta_event_sync(&ev, &si));
  }
  g_assert_true(seen);
  ta_parser_free(p);
  tb_free(t);
}

static void
test_stacks_max_frames(void)
{
  uint64_t frames[4 * 129];
  for (int i = 0; i < 129; i++) {
    frames[4 * i] = 0x10000 + 16 * (uint64_t)i;
    frames[4 * i + 1] = 4;
    frames[4 * i + 2] = 3;
    frames[4 * i + 3] = (uint64_t)i + 1;
  }
  tb *t = block_gen(26, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 128, frames);
  tb_gen_end(t);
  GString *stk = g_string_new(NULL);
  for (int i = 0; i < 128; i++)
    g_string_append_printf(stk, "\tmain.f @ 0x%x\n\t\t/src/main.go:%d\n", 0x10000 + 16 * i, i + 1);
  g_autofree char *want = g_strdup_printf(TB_SYNC1_25 RUN_1_0_1 BLOCK("\"reason\"")
                                          "\nTransitionStack=\n%s\nStack=\n%s\n" END26(14),
                                          stk->str, stk->str);
  tb_check(t, want);
  g_string_free(stk, TRUE);
  tb_free(t);

  t = block_gen(26, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 129, frames);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid stack size 129, maximum is 128\n");
  tb_free(t);

  /* A huge frame count is rejected before anything is read for it. */
  t = block_gen(22, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_u8(t, TA_EV_STACK);
  tb_uv(t, 10);
  tb_uv(t, UINT64_MAX);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! invalid stack size 18446744073709551615, maximum is 128\n");
  tb_free(t);
}

static void
test_stacks_first_frame_wins(void)
{
  /* PC 0x3000 is described twice (func main.main line 30, then main.f line
   * 99): every stack shows the first description, even the second stack
   * and a repeat within one stack. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_BLOCK, 1, 1, 11);
  EV(t, TA_EV_GO_UNBLOCK, 1, 1, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 2, TB_ARGS(0x3000, 2, 3, 30, 0x3000, 4, 11, 31));
  tb_stacks_batch(t, 1, 3);
  tb_stack(t, 11, 2, TB_ARGS(0x4000, 4, 3, 40, 0x3000, 4, 11, 99));
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 BLOCK("\"reason\"")
              "\nTransitionStack=\n"
              "\tmain.f @ 0x4000\n\t\t/src/main.go:40\n\tmain.main @ 0x3000\n\t\t/src/main.go:30\n"
              "\nStack=\n"
              "\tmain.f @ 0x4000\n\t\t/src/main.go:40\n\tmain.main @ 0x3000\n\t\t/src/main.go:30\n\n"
              "M=1 P=0 G=-1 StateTransition Time=14 GoID=1 Waiting->Runnable Reason=\"\"\n"
              "Stack=\n"
              "\tmain.main @ 0x3000\n\t\t/src/main.go:30\n\tmain.main @ 0x3000\n\t\t/src/main.go:30\n\n"
              END26(15));
  tb_free(t);

  /* Only the first description is validated: a later frame for the same PC
   * with unknown string IDs is never looked at. */
  t = block_gen(26, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 1, TB_ARGS(0x3000, 2, 3, 30));
  tb_stack(t, 11, 1, TB_ARGS(0x3000, 999, 998, 31));
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 BLOCK("\"reason\"")
              "\nTransitionStack=\n\tmain.main @ 0x3000\n\t\t/src/main.go:30\n"
              "\nStack=\n\tmain.main @ 0x3000\n\t\t/src/main.go:30\n\n" END26(14));
  tb_free(t);
}

static void
test_stacks_bad_strings(void)
{
  tb *t = block_gen(26, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 2, TB_ARGS(0x3000, 2, 3, 30, 0x3010, 99, 3, 31));
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found invalid func string ID 99 for stack 10\n");
  tb_free(t);

  t = block_gen(23, 1, 10);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 1, TB_ARGS(0x3000, 2, 98, 30));
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found invalid file string ID 98 for stack 10\n");
  tb_free(t);

  /* Validated even when no event uses the stack. */
  t = block_gen(25, 1, 0);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 12, 1, TB_ARGS(0x3000, 50, 3, 30));
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found invalid func string ID 50 for stack 12\n");
  tb_free(t);
}

static void
test_stacks_duplicate_and_malformed(void)
{
  tb *t = block_gen(26, 1, 1);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 1, 1, TB_ARGS(0x5000, 2, 3, 1));
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! multiple trace.stacks with the same ID: id=1");
  tb_free(t);

  t = block_gen(26, 1, 0);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 0, 0, NULL);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! multiple trace.stacks with the same ID: id=0");
  tb_free(t);

  t = block_gen(26, 1, 0);
  tb_stacks_batch(t, 1, 2);
  tb_stack(t, 10, 0, NULL);
  tb_u8(t, TA_EV_STRING);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! expected stack event, got 5\n");
  tb_free(t);

  /* A frame cut inside its PC. */
  t = block_gen(26, 1, 0);
  tb_stacks_batch(t, 1, 2);
  tb_bytes(t, (const uint8_t[]){ TA_EV_STACK, 10, 2, 0x10, 2, 3, 4, 0x90 }, 8);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! reading frame 2's PC for stack 10: unexpected EOF\n");
  tb_free(t);
}

static void
test_stacks_unknown_id(void)
{
  tb *t = block_gen(26, 1, 55);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 "!! found invalid stack ID 55 for event GoBlock\n");
  tb_free(t);

  /* GoCreate has two stack arguments: the creator's and the new one's. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE, 1, 2, 66, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1 "!! found invalid stack ID 66 for event GoCreate\n");
  tb_free(t);
}

/* ---- CPU samples ---- */

static void
test_cpu_samples_sorted(void)
{
  /* Samples listed out of order; each comes out before the first event
   * whose time is not smaller (an equal time goes after the event). */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_HEAP_ALLOC, 18, 1000);  /* 30 */
  EV(t, TA_EV_HEAP_ALLOC, 10, 2000);  /* 40 */
  tb_samples_batch(t, 1, 5);
  tb_sample(t, 50, 1, 0, 1, 1);
  tb_sample(t, 20, 1, 0, 1, 2);
  tb_sample(t, 40, 2, UINT64_MAX, 0, 0);
  tb_samples_batch(t, 1, 6);
  tb_sample(t, 45, 3, 7, 9, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN_1_0_1
              "M=1 P=0 G=1 StackSample Time=20\nStack=\n" TB_STACK2 "\n"
              "M=1 P=0 G=1 Metric Time=30 Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(1000)}\n"
              "M=1 P=0 G=1 Metric Time=40 Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(2000)}\n"
              "M=2 P=-1 G=-1 StackSample Time=41\nStack=\n\n"
              "M=3 P=7 G=9 StackSample Time=45\nStack=\n" TB_STACK2 "\n"
              "M=1 P=0 G=1 StackSample Time=50\nStack=\n" TB_STACK1 "\n"
              END26(51));
  tb_free(t);
}

static void
test_cpu_samples_unknown_stack(void)
{
  /* Sample stack IDs are not validated (Go's parser accepts them, and its
   * printer then panics on the lookup): the decoder must print no frames.
   * Not compared with Go. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_samples_batch(t, 1, 5);
  tb_sample(t, 45, 3, 7, 9, 99);
  tb_gen_end(t);
  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  g_assert_cmpuint(e.n, ==, 3);
  g_assert_cmpstr(e.items[1].text, ==, "M=3 P=7 G=9 StackSample Time=45\nStack=\n");
  g_assert_cmpint(e.items[1].ev.kind, ==, TA_KIND_STACK_SAMPLE);
  g_assert_cmpuint(e.items[1].ev.type, ==, TA_EV_CPU_SAMPLE);
  tb_events_free(&e);
  tb_free(t);
}

static void
test_cpu_samples_only(void)
{
  /* A generation with samples but no event batch, then another one. */
  tb *t = tb_new(23);
  tb_gen_begin(t, 1);
  tb_samples_batch(t, 1, 5);
  tb_sample(t, 30, 4, 1, 2, 0);
  tb_sample(t, 20, 4, 1, 2, 0);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_samples_batch(t, 2, 5);
  tb_sample(t, 10, 4, 1, 2, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_22
              "M=4 P=1 G=2 StackSample Time=20\nStack=\n\n"
              "M=4 P=1 G=2 StackSample Time=30\nStack=\n\n"
              "M=-1 P=-1 G=-1 Sync Time=31 N=2\n"
              "M=4 P=1 G=2 StackSample Time=32\nStack=\n" TB_STACK1 "\n"
              "M=-1 P=-1 G=-1 Sync Time=33 N=3\n");
  tb_free(t);
}

static void
test_cpu_samples_ties(void)
{
  /* Twelve samples at one time keep their order (Go's sort is an insertion
   * sort up to 12 elements). */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_samples_batch(t, 1, 5);
  for (uint64_t i = 0; i < 12; i++)
    tb_sample(t, i == 5 ? 10 : 20, 100 + i, i, 0, 0);
  tb_gen_end(t);
  GString *want = g_string_new(TB_SYNC1_25 "M=105 P=5 G=-1 StackSample Time=10\nStack=\n\n");
  int64_t time = 20;
  for (uint64_t i = 0; i < 12; i++)
    if (i != 5)
      g_string_append_printf(want, "M=%llu P=%llu G=-1 StackSample Time=%lld\nStack=\n\n",
                             (unsigned long long)(100 + i), (unsigned long long)i, (long long)time++);
  g_string_append_printf(want, "M=-1 P=-1 G=-1 Sync Time=%lld N=2\n", (long long)time);
  tb_check(t, want->str);
  g_string_free(want, TRUE);
  tb_free(t);
}

static void
test_cpu_samples_ties_many(void)
{
  /* More than 12 samples with equal times: Go sorts them with pdqsort,
   * which is not stable. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_samples_batch(t, 1, 5);
  for (uint64_t i = 0; i < 20; i++)
    tb_sample(t, i % 3 == 0 ? 30 : 20, 100 + i, i, 0, 0);
  tb_gen_end(t);
  /* The order Go 1.26 prints (M - 100 = sample index); a stable sort
   * gives 1 2 4 5 7 8 10 11 13 14 16 17 19, then 0 3 6 9 12 15 18. */
  static const int go_order[20] = { 10, 1, 2, 19, 4, 5, 17, 7, 16, 8, 14, 11, 13,
                                    0, 12, 15, 9, 6, 18, 3 };
  GString *want = g_string_new(TB_SYNC1_25);
  int64_t time = 20;
  for (int k = 0; k < 20; k++)
    g_string_append_printf(want, "M=%d P=%d G=-1 StackSample Time=%lld\nStack=\n\n",
                           100 + go_order[k], go_order[k], (long long)time++);
  g_string_append_printf(want, "M=-1 P=-1 G=-1 Sync Time=%lld N=2\n", (long long)time);
  tb_check(t, want->str);
  g_string_free(want, TRUE);
  tb_free(t);
}

static void
test_cpu_samples_malformed(void)
{
  tb *t = block_gen(26, 1, 0);
  tb_samples_batch(t, 1, 5);
  tb_sample(t, 20, 1, 0, 1, 0);
  tb_u8(t, TA_EV_STRING);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! expected CPU sample event, got 5\n");
  tb_free(t);

  /* Cut inside a value. */
  t = block_gen(26, 1, 0);
  tb_samples_batch(t, 1, 5);
  tb_bytes(t, (const uint8_t[]){ TA_EV_CPU_SAMPLE, 20, 1, 0x80 }, 4);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! unexpected EOF\n");
  tb_free(t);
}

static void
test_cpu_samples_truncated_eof(void)
{
  /* Cut right before a value: the bare io.EOF of Go's table reader, which
   * go tool trace takes for the end of the trace. */
  tb *t = block_gen(26, 1, 0);
  tb_samples_batch(t, 1, 5);
  tb_bytes(t, (const uint8_t[]){ TA_EV_CPU_SAMPLE, 20, 1 }, 3);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n");
  tb_free(t);
}

/* ---- sync: frequency and clock snapshot ---- */

static void
test_sync_missing_frequency(void)
{
  static const int formats[] = { 22, 23, 25, 26 };
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    tb *t = tb_new(formats[i]);
    tb_batch(t, 1, 1, 10);
    EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
    tb_strings_batch(t, 1, 2);
    tb_string(t, 1, "x");
    if (formats[i] == 26)
      tb_eog(t);
    else
      tb_end(t);
    tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! no frequency event found\n");
    tb_free(t);
  }

  /* Format 25+: a sync batch with only the snapshot. */
  tb *t = tb_new(26);
  tb_batch(t, 1, TB_NO_M, 1);
  tb_u8(t, TA_EV_SYNC);
  EV(t, TA_EV_CLOCK_SNAPSHOT, 0, 1, 1, 1);
  tb_eog(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! no frequency event found\n");
  tb_free(t);
}

static void
test_sync_duplicate_frequency(void)
{
  /* In one frequency batch (format 22). */
  tb *t = tb_new(22);
  tb_batch(t, 1, TB_NO_M, 1);
  tb_bytes(t, (const uint8_t[]){ TA_EV_FREQUENCY, 100, TA_EV_FREQUENCY, 100 }, 4);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found multiple frequency events\n");
  tb_free(t);

  /* In two batches (format 23). */
  t = tb_new(23);
  tb_gen_begin(t, 1);
  tb_freq_batch(t, 1, 2, 100);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found multiple frequency events\n");
  tb_free(t);

  /* In two sync batches (format 26). */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, TB_NO_M, 2);
  tb_bytes(t, (const uint8_t[]){ TA_EV_SYNC, TA_EV_FREQUENCY, 100 }, 3);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found multiple frequency events\n");
  tb_free(t);

  /* A zero frequency counts as present (Go stores 1/0 = +Inf). */
  t = tb_new(22);
  tb_batch(t, 1, TB_NO_M, 1);
  tb_bytes(t, (const uint8_t[]){ TA_EV_FREQUENCY, 0, TA_EV_FREQUENCY, 100 }, 4);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found multiple frequency events\n");
  tb_free(t);
}

static void
test_sync_zero_frequency(void)
{
  /* +Inf ns per unit: every time converts to Go's out-of-range int64
   * (INT64_MIN on amd64), then the strictly-increasing rule takes over. */
  tb *t = tb_new(26);
  tb_sync_batch(t, 1, 1, 0, 0, 5, 1700000000, 0);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  EV(t, TA_EV_PROC_STATUS, 0, 1, 2);
  tb_eog(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1 Trace=-9223372036854775808 Mono=5 Wall=2023-11-14T22:13:20Z\n"
              "M=1 P=-1 G=-1 StateTransition Time=2 ProcID=0 Undetermined->Idle Reason=\"\"\n"
              "M=1 P=-1 G=-1 StateTransition Time=3 ProcID=1 Undetermined->Idle Reason=\"\"\n"
              "M=-1 P=-1 G=-1 Sync Time=4 N=2\n");
  tb_free(t);
}

static void
test_sync_frequency_conversion(void)
{
  /* 15625000 units/s: exactly 64 ns per unit. */
  tb *t = tb_new(23);
  tb_batch(t, 1, 1, 1000);
  EV(t, TA_EV_PROC_STATUS, 3, 0, 2);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 2);
  tb_freq_batch(t, 1, 990, 15625000);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=63360 N=1\n"
              "M=1 P=-1 G=-1 StateTransition Time=64192 ProcID=0 Undetermined->Idle Reason=\"\"\n"
              "M=1 P=-1 G=-1 StateTransition Time=64256 ProcID=1 Undetermined->Idle Reason=\"\"\n"
              "M=-1 P=-1 G=-1 Sync Time=64257 N=2\n");
  tb_free(t);

  /* 3e8 units/s: 3.333... ns per unit; each delta is converted and
   * truncated on its own (3+3+3 = 9, not 10 for 3 units). */
  t = tb_new(26);
  tb_sync_batch(t, 1, 3, 300000000, 3, 1, 1700000000, 0);
  tb_batch(t, 1, 1, 3);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 2);
  EV(t, TA_EV_PROC_STATUS, 1, 2, 2);
  EV(t, TA_EV_PROC_STATUS, 1000, 3, 2);
  tb_eog(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=10 N=1 Trace=20 Mono=1 Wall=2023-11-14T22:13:20Z\n"
              "M=1 P=-1 G=-1 StateTransition Time=13 ProcID=0 Undetermined->Idle Reason=\"\"\n"
              "M=1 P=-1 G=-1 StateTransition Time=16 ProcID=1 Undetermined->Idle Reason=\"\"\n"
              "M=1 P=-1 G=-1 StateTransition Time=19 ProcID=2 Undetermined->Idle Reason=\"\"\n"
              "M=1 P=-1 G=-1 StateTransition Time=3352 ProcID=3 Undetermined->Idle Reason=\"\"\n"
              "M=-1 P=-1 G=-1 Sync Time=3353 N=2\n");
  tb_free(t);
}

static void
test_sync_clock_snapshot(void)
{
  /* Missing in formats 25 and 26. */
  static const int formats[] = { 25, 26 };
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    tb *t = tb_new(formats[i]);
    tb_batch(t, 1, TB_NO_M, 1);
    tb_bytes(t, (const uint8_t[]){ TA_EV_SYNC, TA_EV_FREQUENCY, 100 }, 3);
    tb_batch(t, 1, 1, 10);
    EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
    if (formats[i] == 26)
      tb_eog(t);
    else
      tb_end(t);
    tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! no clock snapshot event found\n");
    tb_free(t);
  }

  /* Twice. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, TB_NO_M, 2);
  tb_u8(t, TA_EV_SYNC);
  EV(t, TA_EV_CLOCK_SNAPSHOT, 0, 1, 1, 1);
  tb_gen_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! found multiple clock snapshot events\n");
  tb_free(t);

  /* Not part of a format 23 frequency batch. */
  t = tb_new(23);
  tb_batch(t, 1, TB_NO_M, 1);
  tb_bytes(t, (const uint8_t[]){ TA_EV_FREQUENCY, 100 }, 2);
  EV(t, TA_EV_CLOCK_SNAPSHOT, 0, 1, 1, 1);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! expected frequency or clock snapshot event, got 51\n");
  tb_free(t);

  /* Other bytes in a sync batch, including a second Sync byte. */
  t = tb_new(25);
  tb_batch(t, 1, TB_NO_M, 1);
  tb_bytes(t, (const uint8_t[]){ TA_EV_SYNC, TA_EV_FREQUENCY, 100, TA_EV_SYNC }, 4);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=1 N=1\n!! expected frequency or clock snapshot event, got 50\n");
  tb_free(t);

  /* In an event batch the snapshot is a timed event with no ordering rule. */
  t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  EV(t, TA_EV_CLOCK_SNAPSHOT, 1, 1, 1, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 IDLE_TEXT "!! bad event type found while ordering: 51\n");
  tb_free(t);
}

static void
test_sync_clock_snapshot_values(void)
{
  /* The snapshot time is relative to the batch base; the snapshot may come
   * before the frequency; wall time with nanoseconds; the frequency and
   * the snapshot in two different sync batches. */
  tb *t = tb_new(25);
  tb_batch(t, 1, TB_NO_M, 100);
  tb_u8(t, TA_EV_SYNC);
  EV(t, TA_EV_CLOCK_SNAPSHOT, 5, 99, 1740755049, 123);
  tb_u8(t, TA_EV_FREQUENCY);
  tb_uv(t, 15625000);
  tb_end(t);
  tb_batch(t, 1, 1, 200);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_end(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=6400 N=1 Trace=6720 Mono=99 Wall=2025-02-28T15:04:09.000000123Z\n"
              "M=1 P=-1 G=-1 StateTransition Time=12864 ProcID=0 Undetermined->Idle Reason=\"\"\n"
              "M=-1 P=-1 G=-1 Sync Time=12865 N=2\n");
  tb_free(t);

  t = tb_new(26);
  tb_batch(t, 1, TB_NO_M, 50);
  tb_bytes(t, (const uint8_t[]){ TA_EV_SYNC, TA_EV_FREQUENCY }, 2);
  tb_uv(t, TB_FREQ_NS);
  tb_batch(t, 1, TB_NO_M, 40);
  tb_u8(t, TA_EV_SYNC);
  EV(t, TA_EV_CLOCK_SNAPSHOT, 2, 7, 0, 999999999);
  tb_batch(t, 1, TB_NO_M, 45);
  tb_u8(t, TA_EV_SYNC);
  tb_eog(t);
  tb_check(t, "M=-1 P=-1 G=-1 Sync Time=40 N=1 Trace=42 Mono=7 Wall=1970-01-01T00:00:00.999999999Z\n"
              "M=-1 P=-1 G=-1 Sync Time=41 N=2\n");
  tb_free(t);
}

/* Every event type the hot path takes checks each stack and string ID it
 * names: one unknown ID per case, in each position, with G 1 running on
 * M 1 / P 0 and G 2 waiting, so that the state machine accepts the event. */
static void
test_unknown_ids_every_fast_type(void)
{
  static const struct {
    uint8_t type;
    const char *name;
    uint64_t args[4];
    size_t n;
    const char *what;   /* "stack" or "string" */
  } cases[] = {
    { TA_EV_GO_STOP, "GoStop", { 1, 99 }, 2, "stack" },
    { TA_EV_GO_STOP, "GoStop", { 99, 1 }, 2, "string" },
    { TA_EV_GO_BLOCK, "GoBlock", { 1, 99 }, 2, "stack" },
    { TA_EV_GO_BLOCK, "GoBlock", { 99, 1 }, 2, "string" },
    { TA_EV_GO_UNBLOCK, "GoUnblock", { 2, 1, 99 }, 3, "stack" },
    { TA_EV_GO_SYSCALL_BEGIN, "GoSyscallBegin", { 1, 99 }, 2, "stack" },
    { TA_EV_GO_CREATE, "GoCreate", { 3, 99, 1 }, 3, "stack" },
    { TA_EV_GO_CREATE, "GoCreate", { 3, 1, 99 }, 3, "stack" },
    { TA_EV_GO_CREATE_BLOCKED, "GoCreateBlocked", { 3, 99, 1 }, 3, "stack" },
    { TA_EV_GO_CREATE_BLOCKED, "GoCreateBlocked", { 3, 1, 99 }, 3, "stack" },
    { TA_EV_USER_LOG, "UserLog", { 0, 99, 8, 1 }, 4, "string" },
    { TA_EV_USER_LOG, "UserLog", { 0, 7, 99, 1 }, 4, "string" },
    { TA_EV_USER_LOG, "UserLog", { 0, 7, 8, 99 }, 4, "stack" },
    { TA_EV_GO_LABEL, "GoLabel", { 99 }, 1, "string" },
    { TA_EV_PROCS_CHANGE, "ProcsChange", { 4, 99 }, 2, "stack" },
    { TA_EV_USER_REGION_BEGIN, "UserRegionBegin", { 0, 6, 99 }, 3, "stack" },
    { TA_EV_USER_REGION_END, "UserRegionEnd", { 0, 6, 99 }, 3, "stack" },
    { TA_EV_USER_TASK_BEGIN, "UserTaskBegin", { 5, 0, 5, 99 }, 4, "stack" },
    { TA_EV_USER_TASK_END, "UserTaskEnd", { 5, 99 }, 2, "stack" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    tb *t = tb_new(26);
    tb_gen_begin(t, 1);
    tb_running(t, 1, 0, 1, 10);
    EV(t, TA_EV_GO_STATUS, 1, 2, TB_NO_M, 4);
    tb_ev_(t, cases[i].type, (const uint64_t[]){ 1, cases[i].args[0], cases[i].args[1],
                                                 cases[i].args[2], cases[i].args[3] },
           cases[i].n + 1);
    tb_gen_end(t);
    g_autofree char *want = g_strdup_printf(
      TB_SYNC1_25 RUN_1_0_1
      "M=1 P=0 G=1 StateTransition Time=13 GoID=2 Undetermined->Waiting Reason=\"\"\n"
      "!! found invalid %s ID 99 for event %s\n", cases[i].what, cases[i].name);
    tb_check(t, want);
    tb_free(t);
  }
}

/* The hot path's copy of which arguments name stacks and strings (so that
 * its ID checks compile to comparisons) must say what the specs say. */
static void
test_fast_table_args_match_specs(void)
{
  for (unsigned t = 0; t < TA_EV_SPEC_COUNT; t++) {
    unsigned mask = 0;
    for (int i = 0; i < 2; i++) {
      if (ta_specs[t].stack_pos[i])
        mask |= 1u << (ta_specs[t].stack_pos[i] - 1);
      if (ta_specs[t].string_pos[i])
        mask |= 16u << (ta_specs[t].string_pos[i] - 1);
    }
    /* A sample's stack is not among its args (see report_bad_table_id). */
    if (t == TA_EV_CPU_SAMPLE)
      continue;
    g_assert_cmphex(ta_fast_table_args[t], ==, mask);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tables/strings/basic", test_strings_basic);
  g_test_add_func("/tables/strings/too-long", test_strings_too_long);
  g_test_add_func("/tables/strings/duplicate", test_strings_duplicate);
  g_test_add_func("/tables/strings/malformed", test_strings_malformed);
  g_test_add_func("/tables/strings/truncated-eof", test_strings_truncated_eof);
  g_test_add_func("/tables/strings/unknown-id", test_strings_unknown_id);
  g_test_add_func("/tables/stacks/basic", test_stacks_basic);
  g_test_add_func("/tables/stacks/accessors", test_stacks_accessors);
  g_test_add_func("/tables/stacks/max-frames", test_stacks_max_frames);
  g_test_add_func("/tables/stacks/first-frame-wins", test_stacks_first_frame_wins);
  g_test_add_func("/tables/stacks/bad-strings", test_stacks_bad_strings);
  g_test_add_func("/tables/stacks/duplicate-malformed", test_stacks_duplicate_and_malformed);
  g_test_add_func("/tables/stacks/unknown-id", test_stacks_unknown_id);
  g_test_add_func("/tables/fast-table-args", test_fast_table_args_match_specs);
  g_test_add_func("/tables/unknown-ids-every-fast-type", test_unknown_ids_every_fast_type);
  g_test_add_func("/tables/cpu/sorted", test_cpu_samples_sorted);
  g_test_add_func("/tables/cpu/unknown-stack", test_cpu_samples_unknown_stack);
  g_test_add_func("/tables/cpu/only-samples", test_cpu_samples_only);
  g_test_add_func("/tables/cpu/ties", test_cpu_samples_ties);
  g_test_add_func("/tables/cpu/ties-many", test_cpu_samples_ties_many);
  g_test_add_func("/tables/cpu/malformed", test_cpu_samples_malformed);
  g_test_add_func("/tables/cpu/truncated-eof", test_cpu_samples_truncated_eof);
  g_test_add_func("/tables/sync/missing-frequency", test_sync_missing_frequency);
  g_test_add_func("/tables/sync/duplicate-frequency", test_sync_duplicate_frequency);
  g_test_add_func("/tables/sync/zero-frequency", test_sync_zero_frequency);
  g_test_add_func("/tables/sync/frequency-conversion", test_sync_frequency_conversion);
  g_test_add_func("/tables/sync/clock-snapshot", test_sync_clock_snapshot);
  g_test_add_func("/tables/sync/clock-snapshot-values", test_sync_clock_snapshot_values);
  return g_test_run();
}
