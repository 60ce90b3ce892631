/* test-order.c: the ordering state machine, one group of tests per family
 * of rules: proc status/start/stop/steal, goroutine status, goroutine
 * lifecycle, coroutine switches, syscalls (incl. cgo callbacks), GC
 * phases, sweep/mark-assist/STW ranges, tasks/regions/logs, and the
 * context requirements. Each trace is checked against the exact text of
 * `go tool trace -d=parsed` (Go 1.26) and some also event by event. */
#include "tb.h"

#include <string.h>

#define CTX(m, p, g) "M=" #m " P=" #p " G=" #g
#define TR(ctx, time, what) ctx " StateTransition Time=" #time " " what "\n"
/* A transition with a stack: `stack` is STACK1/STACK2 (they end the line). */
#define TRS(ctx, time, what, stack) ctx " StateTransition Time=" #time " " what stack
#define R0 " Reason=\"\""
#define END(time, n) "M=-1 P=-1 G=-1 Sync Time=" #time " N=" #n "\n"
#define SYNC2(time) "M=-1 P=-1 G=-1 Sync Time=" #time " N=2 Trace=1 Mono=2 Wall=2023-11-14T22:13:22Z\n"
#define TSTACK1 "\nTransitionStack=\n" TB_STACK1
#define TSTACK2 "\nTransitionStack=\n" TB_STACK2
#define STACK1 "\nStack=\n" TB_STACK1 "\n"
#define STACK2 "\nStack=\n" TB_STACK2 "\n"
#define RUN101 TB_RUNNING_TEXT(1, 0, 1, 11, 12)
#define FAILPREFIX "M=-1 P=-1 G=-1 Sync Time=1 N=1\n"

static tb *
gen1(void)
{
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  return t;
}

/* ---- procs ---- */

static void
test_proc_status(void)
{
  /* Every status in the first generation; Running and Syscall bind the P
   * to the thread (visible in the next event's context). */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 0);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 1);
  EV(t, TA_EV_PROC_STATUS, 1, 2, 2);
  EV(t, TA_EV_PROC_STATUS, 1, 3, 3);
  EV(t, TA_EV_PROC_STATUS, 1, 4, 4);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 30);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 1);
  EV(t, TA_EV_PROC_STATUS, 1, 2, 2);
  EV(t, TA_EV_PROC_STATUS, 1, 7, 2);  /* new in generation 2 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Undetermined" R0)
              TR(CTX(1, -1, -1), 12, "ProcID=1 Undetermined->Running" R0)
              TR(CTX(1, 1, -1), 13, "ProcID=2 Undetermined->Idle" R0)
              TR(CTX(1, 1, -1), 14, "ProcID=3 Undetermined->Running" R0)
              TR(CTX(1, 3, -1), 15, "ProcID=4 Undetermined->Idle" R0)
              SYNC2(16)
              TR(CTX(1, 3, -1), 31, "ProcID=1 Running->Running" R0)
              TR(CTX(1, 1, -1), 32, "ProcID=2 Idle->Idle" R0)
              TR(CTX(1, 1, -1), 33, "ProcID=7 NotExist->Idle" R0)
              END(34, 3));
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 5, 1);
  tb_gen_end(t);
  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpuint(e.n, ==, 3);
  g_assert_true(e.items[1].has_tr);
  g_assert_cmpint(e.items[1].tr.resource, ==, TA_RESOURCE_PROC);
  g_assert_cmpint(e.items[1].tr.id, ==, 5);
  g_assert_cmpint(e.items[1].tr.old_state, ==, TA_PROC_UNDETERMINED);
  g_assert_cmpint(e.items[1].tr.new_state, ==, TA_PROC_RUNNING);
  g_assert_cmpint(e.items[1].ev.m, ==, 1);
  g_assert_cmpint(e.items[1].ev.p, ==, TA_NO_ID);
  g_assert_cmpint(e.items[1].ev.time, ==, 11);
  tb_events_free(&e);
  tb_free(t);
}

static void
test_proc_status_errors(void)
{
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 5);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! invalid status for proc 0: 5\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              "!! inconsistent status for proc 0: old Running vs. new Idle\n");
  tb_free(t);
}

static void
test_proc_start_stop(void)
{
  /* M 2's ProcStart (seq 2) is earlier in time than M 1's (seq 1) and
   * must wait for it and for M 1's ProcStop. */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);   /* 11 */
  EV(t, TA_EV_PROC_START, 10, 0, 1);   /* 21 */
  EV(t, TA_EV_HEAP_GOAL, 1, 4096);     /* 22 */
  EV(t, TA_EV_PROC_STOP, 1);           /* 23 */
  tb_batch(t, 1, 2, 10);
  EV(t, TA_EV_PROC_START, 5, 0, 2);    /* 15 */
  EV(t, TA_EV_PROC_STOP, 1);           /* 16 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Idle" R0)
              TR(CTX(1, -1, -1), 21, "ProcID=0 Idle->Running" R0)
              CTX(1, 0, -1) " Metric Time=22 Name=\"/gc/heap/goal:bytes\" Value=Value{Uint64(4096)}\n"
              TR(CTX(1, 0, -1), 23, "ProcID=0 Running->Idle" R0)
              TR(CTX(2, -1, -1), 24, "ProcID=0 Idle->Running" R0)
              TR(CTX(2, 0, -1), 25, "ProcID=0 Running->Idle" R0)
              END(26, 2));
  tb_free(t);
}

static void
test_proc_start_waits(void)
{
  /* A thread that still holds a P cannot start another one: it waits
   * forever here, so the frontier is stuck. */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 2);
  EV(t, TA_EV_PROC_START, 1, 1, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(1, 0, -1), 12, "ProcID=1 Undetermined->Idle" R0)
              "!! broken trace: failed to advance");
  tb_free(t);

  /* A ProcStart whose seq never comes. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  EV(t, TA_EV_PROC_START, 1, 0, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Idle" R0)
              "!! broken trace: failed to advance");
  tb_free(t);
}

static void
test_proc_stop_errors(void)
{
  /* No P at all. */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STOP, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! event ProcStop for proc (-1) that doesn't exist\n");
  tb_free(t);

  /* The thread's P was stopped by another thread holding it too. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);   /* 11 */
  EV(t, TA_EV_PROC_STOP, 10);          /* 21 */
  tb_batch(t, 1, 2, 10);
  EV(t, TA_EV_PROC_STATUS, 2, 0, 1);   /* 12 */
  EV(t, TA_EV_PROC_STOP, 1);           /* 13 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(2, -1, -1), 12, "ProcID=0 Running->Running" R0)
              TR(CTX(2, 0, -1), 13, "ProcID=0 Running->Idle" R0)
              "!! ProcStop event for proc that's not Running or Syscall\n");
  tb_free(t);
}

/* M 1 runs G 1 on P 0 and enters a syscall (P seq 1) at 13. */
static void
syscall_on_m1(tb *t)
{
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_SYSCALL_BEGIN, 1, 1, 1);
}

#define SYSCALL_M1                                                            \
  RUN101 TRS(CTX(1, 0, 1), 13, "GoID=1 Running->Syscall" R0 TSTACK1, STACK1)

static void
test_proc_steal(void)
{
  /* M 2 steals P 0 (seq 2) from M 1; M 1's GoSyscallEndBlocked comes
   * earlier in time but waits for the steal. */
  tb *t = gen1();
  syscall_on_m1(t);
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 2);  /* 15 */
  tb_batch(t, 1, 2, 10);
  EV(t, TA_EV_PROC_STEAL, 10, 0, 2, 1);    /* 20 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1
              TR(CTX(2, -1, -1), 20, "ProcID=0 Running->Idle" R0)
              TR(CTX(1, -1, 1), 21, "GoID=1 Syscall->Runnable" R0)
              END(22, 2));
  tb_free(t);

  t = gen1();
  syscall_on_m1(t);
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 2);
  tb_batch(t, 1, 2, 10);
  EV(t, TA_EV_PROC_STEAL, 10, 0, 2, 1);
  tb_gen_end(t);
  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  g_assert_cmpuint(e.n, ==, 7);
  const tb_item *steal = &e.items[4];
  g_assert_cmpint(steal->ev.type, ==, TA_EV_PROC_STEAL);
  g_assert_cmpint(steal->ev.m, ==, 2);
  g_assert_cmpint(steal->tr.resource, ==, TA_RESOURCE_PROC);
  g_assert_cmpint(steal->tr.old_state, ==, TA_PROC_RUNNING);
  g_assert_cmpint(steal->tr.new_state, ==, TA_PROC_IDLE);
  const tb_item *end = &e.items[5];
  g_assert_cmpint(end->ev.type, ==, TA_EV_GO_SYSCALL_END_BLOCKED);
  g_assert_cmpint(end->ev.p, ==, TA_NO_ID);
  g_assert_cmpint(end->ev.g, ==, 1);
  g_assert_cmpint(end->tr.old_state, ==, TA_GO_SYSCALL);
  g_assert_cmpint(end->tr.new_state, ==, TA_GO_RUNNABLE);
  tb_events_free(&e);
  tb_free(t);

  /* The steal waits for the syscall's P seq. */
  t = gen1();
  tb_batch(t, 1, 2, 5);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 2, 1);  /* 6, needs seq 1 from M 1 first */
  syscall_on_m1(t);
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1);  /* 14 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1
              TR(CTX(2, -1, -1), 14, "ProcID=0 Running->Idle" R0)
              TR(CTX(1, -1, 1), 15, "GoID=1 Syscall->Runnable" R0)
              END(16, 2));
  tb_free(t);
}

static void
test_proc_self_steal(void)
{
  tb *t = gen1();
  syscall_on_m1(t);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 2, 1);        /* 14 */
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1);     /* 15 */
  EV(t, TA_EV_PROC_START, 1, 0, 3);           /* 16 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1
              TR(CTX(1, 0, 1), 14, "ProcID=0 Running->Idle" R0)
              TR(CTX(1, -1, 1), 15, "GoID=1 Syscall->Runnable" R0)
              TR(CTX(1, -1, -1), 16, "ProcID=0 Idle->Running" R0)
              END(17, 2));
  tb_free(t);

  /* Self-steal while holding another P. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 1);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 1, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(1, 0, -1), 12, "ProcID=1 Undetermined->Running" R0)
              "!! tried to self-steal proc 0 (thread 1), but got proc 1 instead\n");
  tb_free(t);
}

static void
test_proc_steal_errors(void)
{
  /* From a thread never seen. */
  tb *t = gen1();
  syscall_on_m1(t);
  tb_batch(t, 1, 2, 20);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 2, 9);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1 "!! stole proc from non-existent thread 9\n");
  tb_free(t);

  /* From a thread that does not hold it. */
  t = gen1();
  syscall_on_m1(t);
  tb_batch(t, 1, 3, 15);
  EV(t, TA_EV_PROC_STATUS, 1, 5, 2);  /* M 3 now exists, holding no P */
  tb_batch(t, 1, 2, 20);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 2, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1 TR(CTX(3, -1, -1), 16, "ProcID=5 Undetermined->Idle" R0)
              "!! tried to steal proc 0 from thread 3, but got proc -1 instead\n");
  tb_free(t);
}

static void
test_proc_syscall_abandoned(void)
{
  /* Status 4 in the first generation: Idle. A steal of it leaves every
   * thread alone and reads Idle->Idle; a later status 4 is Idle->Idle. */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 4);
  tb_batch(t, 1, 2, 20);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 1);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 1, 77);  /* thread 77 is never looked at */
  EV(t, TA_EV_HEAP_GOAL, 1, 1);          /* M 2 keeps P 1 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 40);
  EV(t, TA_EV_PROC_STATUS, 1, 3, 4);  /* new P in gen 2: NotExist->Idle */
  tb_gen_end(t);
  tb_gen_begin(t, 3);
  tb_batch(t, 3, 1, 50);
  EV(t, TA_EV_PROC_STATUS, 1, 3, 4);  /* SyscallAbandoned again: Idle->Idle */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Idle" R0)
              TR(CTX(2, -1, -1), 21, "ProcID=1 Undetermined->Running" R0)
              TR(CTX(2, 1, -1), 22, "ProcID=0 Idle->Idle" R0)
              CTX(2, 1, -1) " Metric Time=23 Name=\"/gc/heap/goal:bytes\" Value=Value{Uint64(1)}\n"
              SYNC2(24)
              TR(CTX(1, -1, -1), 41, "ProcID=3 NotExist->Idle" R0)
              "M=-1 P=-1 G=-1 Sync Time=42 N=3 Trace=1 Mono=3 Wall=2023-11-14T22:13:23Z\n"
              TR(CTX(1, -1, -1), 51, "ProcID=3 Idle->Idle" R0)
              END(52, 4));
  tb_free(t);
}

static void
test_proc_syscall_abandoned_promotion(void)
{
  /* P 0 is in a syscall on M 1 (from its status); M 2 reports it as
   * SyscallAbandoned: promoted to Syscall, shown Running->Running in the
   * context of M 1, and M 2 does not get the P. */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 3);
  tb_batch(t, 1, 2, 20);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 4);      /* 21 */
  EV(t, TA_EV_PROC_STEAL, 1, 0, 1, 1);    /* 22 */
  tb_batch(t, 1, 1, 30);
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1); /* 31 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(1, 0, -1), 12, "GoID=1 Undetermined->Syscall" R0)
              TR(CTX(1, 0, 1), 21, "ProcID=0 Running->Running" R0)
              TR(CTX(2, -1, -1), 22, "ProcID=0 Running->Idle" R0)
              TR(CTX(1, -1, 1), 31, "GoID=1 Syscall->Runnable" R0)
              END(32, 2));
  tb_free(t);

  /* No thread holds the P any more. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);
  EV(t, TA_EV_PROC_STATUS, 1, 5, 1);  /* M 1 now holds P 5 instead */
  tb_batch(t, 1, 2, 20);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 4);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(1, 0, -1), 12, "ProcID=5 Undetermined->Running" R0)
              "!! failed to find sched context for proc 0 that's about to be stolen\n");
  tb_free(t);
}

/* ---- goroutine status ---- */

static void
test_go_status(void)
{
  tb *t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);  /* the status dump batch */
  EV(t, TA_EV_GO_STATUS, 1, 10, TB_NO_M, 0);
  EV(t, TA_EV_GO_STATUS, 1, 11, TB_NO_M, 1);
  EV(t, TA_EV_GO_STATUS, 1, 12, TB_NO_M, 4);
  EV(t, TA_EV_GO_STATUS_STACK, 1, 13, TB_NO_M, 4, 2);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 2);
  EV(t, TA_EV_GO_STATUS, 1, 2, 1, 3);  /* replaces G 1 on M 1 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, TB_NO_M, 20);
  EV(t, TA_EV_GO_STATUS, 1, 11, TB_NO_M, 1);
  EV(t, TA_EV_GO_STATUS_STACK, 1, 12, TB_NO_M, 4, 0);
  tb_batch(t, 2, 1, 30);
  EV(t, TA_EV_GO_STATUS, 1, 2, 1, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(-1, -1, -1), 6, "GoID=10 Undetermined->Undetermined" R0)
              TR(CTX(-1, -1, -1), 7, "GoID=11 Undetermined->Runnable" R0)
              TR(CTX(-1, -1, -1), 8, "GoID=12 Undetermined->Waiting" R0)
              TRS(CTX(-1, -1, -1), 9, "GoID=13 Undetermined->Waiting" R0 TSTACK2, STACK2)
              TR(CTX(1, -1, -1), 11, "GoID=1 Undetermined->Running" R0)
              TR(CTX(1, -1, 1), 12, "GoID=2 Undetermined->Syscall" R0)
              SYNC2(13)
              TR(CTX(-1, -1, -1), 21, "GoID=11 Runnable->Runnable" R0)
              TR(CTX(-1, -1, -1), 22, "GoID=12 Waiting->Waiting" R0)
              TR(CTX(1, -1, 2), 31, "GoID=2 Syscall->Syscall" R0)
              END(32, 3));
  tb_free(t);
}

static void
test_go_status_errors(void)
{
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 5);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! invalid status for goroutine 1: 5\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 1);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 4);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "GoID=1 Undetermined->Runnable" R0)
              "!! inconsistent status for goroutine 1: old Runnable vs. new Waiting\n");
  tb_free(t);

  /* A goroutine never seen before, after the first generation. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, 1, 1);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 20);
  EV(t, TA_EV_GO_STATUS, 1, 9, 1, 4);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "GoID=1 Undetermined->Runnable" R0) SYNC2(12)
              "!! found goroutine status for new goroutine after the first generation: id=9 status=Waiting\n");
  tb_free(t);

  /* In a syscall without a thread. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 1, TB_NO_M, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! found goroutine 1 in syscall without a thread\n");
  tb_free(t);
}

static void
test_go_status_syscall_other_thread(void)
{
  /* G 5 sits in a syscall on M 7, reported from the NoThread batch: the
   * event is shown on M 7, which now holds G 5 (M 7 was unknown). */
  tb *t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);
  EV(t, TA_EV_GO_STATUS, 1, 5, 7, 3);   /* 6 */
  tb_batch(t, 1, 7, 20);
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1); /* 21 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 7, 30);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(7, -1, -1), 6, "GoID=5 Undetermined->Syscall" R0)
              TR(CTX(7, -1, 5), 21, "GoID=5 Syscall->Runnable" R0)
              SYNC2(22)
              TR(CTX(7, -1, -1), 31, "ProcID=0 NotExist->Idle" R0)
              END(32, 3));
  tb_free(t);

  /* Known thread: shown with the thread's goroutine; a thread holding
   * another goroutine is an error. */
  t = gen1();
  tb_batch(t, 1, 7, 5);
  EV(t, TA_EV_GO_STATUS, 1, 5, 7, 3);   /* 6: M 7 binds G 5 itself */
  tb_batch(t, 1, TB_NO_M, 10);
  EV(t, TA_EV_GO_STATUS, 1, 6, 8, 3);   /* 11: M 8 unknown */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, TB_NO_M, 20);
  EV(t, TA_EV_GO_STATUS, 1, 5, 7, 3);   /* 21 */
  EV(t, TA_EV_GO_STATUS, 1, 6, 7, 3);   /* 22: M 7 holds G 5 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(7, -1, -1), 6, "GoID=5 Undetermined->Syscall" R0)
              TR(CTX(8, -1, -1), 11, "GoID=6 Undetermined->Syscall" R0)
              SYNC2(12)
              TR(CTX(7, -1, 5), 21, "GoID=5 Syscall->Syscall" R0)
              "!! inconsistent thread for syscalling goroutine 6: thread has goroutine 5\n");
  tb_free(t);

  /* After the first generation, a syscall status on the emitting thread
   * must match the goroutine it holds. (G 6's status, about M 2 but
   * emitted on M 1, keeps M 1's goroutine in its context: Go only swaps
   * the thread.) */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_STATUS, 1, 5, 1, 3);
  EV(t, TA_EV_GO_STATUS, 1, 6, 2, 3);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 2, 20);
  EV(t, TA_EV_GO_STATUS, 1, 5, 2, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(1, -1, -1), 11, "GoID=5 Undetermined->Syscall" R0)
              TR(CTX(2, -1, 5), 12, "GoID=6 Undetermined->Syscall" R0)
              SYNC2(13)
              "!! inconsistent thread for syscalling goroutine 5: thread has goroutine 6\n");
  tb_free(t);
}

/* ---- goroutine lifecycle ---- */

static void
test_go_lifecycle(void)
{
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE, 1, 2, 1, 2);        /* 13 */
  EV(t, TA_EV_GO_CREATE_BLOCKED, 1, 3, 0, 0);/* 14 */
  EV(t, TA_EV_GO_STOP, 1, 1, 0);             /* 15 */
  EV(t, TA_EV_GO_START, 1, 2, 1);            /* 16 */
  EV(t, TA_EV_GO_UNBLOCK, 1, 3, 1, 1);       /* 17 */
  EV(t, TA_EV_GO_BLOCK, 1, 10, 2);           /* 18 */
  EV(t, TA_EV_GO_START, 1, 3, 2);            /* 19 */
  EV(t, TA_EV_GO_DESTROY, 1);                /* 20 */
  tb_batch(t, 1, 9, 30);                     /* sysmon: no P, no G */
  EV(t, TA_EV_GO_UNBLOCK, 1, 2, 2, 0);       /* 31 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              TRS(CTX(1, 0, 1), 13, "GoID=2 NotExist->Runnable" R0 TSTACK1, STACK2)
              TR(CTX(1, 0, 1), 14, "GoID=3 NotExist->Waiting" R0 "\nTransitionStack=\n")
              TR(CTX(1, 0, 1), 15, "GoID=1 Running->Runnable Reason=\"reason\"")
              TR(CTX(1, 0, -1), 16, "GoID=2 Runnable->Running" R0)
              TRS(CTX(1, 0, 2), 17, "GoID=3 Waiting->Runnable" R0, STACK1)
              TRS(CTX(1, 0, 2), 18, "GoID=2 Running->Waiting Reason=\"sleep\"" TSTACK2, STACK2)
              TR(CTX(1, 0, -1), 19, "GoID=3 Runnable->Running" R0)
              TR(CTX(1, 0, 3), 20, "GoID=3 Running->NotExist" R0)
              TR(CTX(9, -1, -1), 31, "GoID=2 Waiting->Runnable" R0)
              END(32, 2));
  tb_free(t);
}

static void
test_go_lifecycle_errors(void)
{
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE, 1, 1, 0, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! tried to create goroutine (1) that already exists\n");
  tb_free(t);

  /* Creating needs a P, not a goroutine. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_CREATE, 1, 2, 0, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! expected a proc but didn't have one\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GO_CREATE, 1, 2, 0, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(1, 0, -1), 12, "GoID=2 NotExist->Runnable" R0 "\nTransitionStack=\n")
              END(13, 2));
  tb_free(t);

  /* The creating goroutine must be running: G 1 is bound to M 1 and M 2,
   * M 2 blocks it, then M 1 creates. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE, 10, 2, 0, 0);    /* 22 */
  tb_batch(t, 1, 2, 15);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 1);      /* 16 */
  EV(t, TA_EV_GO_STATUS, 1, 1, 2, 2);     /* 17 */
  EV(t, TA_EV_GO_BLOCK, 1, 0, 0);         /* 18 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              TR(CTX(2, -1, -1), 16, "ProcID=1 Undetermined->Running" R0)
              TR(CTX(2, 1, -1), 17, "GoID=1 Running->Running" R0)
              TR(CTX(2, 1, 1), 18, "GoID=1 Running->Waiting" R0)
              "!! GoCreate event for goroutine that's not Running\n");
  tb_free(t);

  /* Starting a goroutine on a thread that runs one. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE, 1, 2, 0, 0);
  EV(t, TA_EV_GO_START, 1, 2, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              TR(CTX(1, 0, 1), 13, "GoID=2 NotExist->Runnable" R0 "\nTransitionStack=\n")
              "!! expected no goroutine but had one\n");
  tb_free(t);

  /* Stopping with no goroutine. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GO_STOP, 1, 0, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              "!! expected a goroutine but didn't have one\n");
  tb_free(t);

  /* A goroutine that exited has no status in the next generation. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_DESTROY, 1);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, TB_NO_M, 20);
  EV(t, TA_EV_GO_STATUS, 1, 1, TB_NO_M, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 TR(CTX(1, 0, 1), 13, "GoID=1 Running->NotExist" R0) SYNC2(14)
              "!! found goroutine status for new goroutine after the first generation: id=1 status=Runnable\n");
  tb_free(t);
}

static void
test_go_seq_across_generations(void)
{
  /* G 1 blocked in generation 1. In generation 2 M 1's GoStart (seq 1)
   * comes first in time but needs the generation's GoStatus and the
   * GoUnblock of M 2 first. */
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_BLOCK, 1, 0, 0);          /* 13 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 20);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);       /* 21 */
  EV(t, TA_EV_GO_START, 1, 1, 2);          /* 22 */
  tb_batch(t, 2, 2, 30);
  EV(t, TA_EV_GO_STATUS, 1, 1, TB_NO_M, 4);/* 31 */
  EV(t, TA_EV_GO_UNBLOCK, 1, 1, 1, 0);     /* 32 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 TR(CTX(1, 0, 1), 13, "GoID=1 Running->Waiting" R0)
              SYNC2(14)
              TR(CTX(1, 0, -1), 21, "ProcID=0 Running->Running" R0)
              TR(CTX(2, -1, -1), 31, "GoID=1 Waiting->Waiting" R0)
              TR(CTX(2, -1, -1), 32, "GoID=1 Waiting->Runnable" R0)
              TR(CTX(1, 0, -1), 33, "GoID=1 Runnable->Running" R0)
              END(34, 3));
  tb_free(t);
}

/* ---- coroutine switches ---- */

static void
test_go_switch(void)
{
  tb *t = tb_new(23);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE_BLOCKED, 1, 2, 1, 0);  /* 13 */
  EV(t, TA_EV_GO_SWITCH, 1, 2, 1);             /* 14, 15, 16 */
  EV(t, TA_EV_GO_SWITCH, 5, 1, 1);             /* 19, 20, 21 */
  EV(t, TA_EV_GO_SWITCH_DESTROY, 5, 2, 2);     /* 24, 25, 26 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_22 RUN101
              TR(CTX(1, 0, 1), 13, "GoID=2 NotExist->Waiting" R0 TSTACK1)
              TR(CTX(1, 0, 1), 14, "GoID=2 Waiting->Runnable" R0)
              TR(CTX(1, 0, 1), 15, "GoID=1 Running->Waiting" R0)
              TR(CTX(1, 0, -1), 16, "GoID=2 Runnable->Running" R0)
              TR(CTX(1, 0, 2), 19, "GoID=1 Waiting->Runnable" R0)
              TR(CTX(1, 0, 2), 20, "GoID=2 Running->Waiting" R0)
              TR(CTX(1, 0, -1), 21, "GoID=1 Runnable->Running" R0)
              TR(CTX(1, 0, 1), 24, "GoID=2 Waiting->Runnable" R0)
              TR(CTX(1, 0, 1), 25, "GoID=1 Running->NotExist" R0)
              TR(CTX(1, 0, -1), 26, "GoID=2 Runnable->Running" R0)
              END(27, 2));

  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  /* The queued trio of the first switch: the switch itself, a synthetic
   * GoBlock with no reason and no stack, a synthetic GoStart. */
  g_assert_cmpint(e.items[4].ev.type, ==, TA_EV_GO_SWITCH);
  g_assert_cmpint(e.items[5].ev.type, ==, TA_EV_GO_BLOCK);
  g_assert_cmpuint(e.items[5].ev.args[0], ==, 0);
  g_assert_cmpuint(e.items[5].ev.args[1], ==, 0);
  g_assert_false(e.items[5].tr.has_stack);
  g_assert_cmpint(e.items[6].ev.type, ==, TA_EV_GO_START);
  g_assert_cmpint(e.items[6].ev.g, ==, TA_NO_ID);
  g_assert_cmpint(e.items[11].ev.type, ==, TA_EV_GO_DESTROY);
  g_assert_cmpint(e.items[11].tr.new_state, ==, TA_GO_NOT_EXIST);
  tb_events_free(&e);
  tb_free(t);
}

static void
test_go_switch_format22(void)
{
  /* The core parser does not gate event types by format: coroutine events
   * (format 23) decode in a format 22 trace too. */
  tb *t = tb_new(22);
  tb_gen_begin(t, 1);
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE_BLOCKED, 1, 2, 0, 0);  /* 13 */
  EV(t, TA_EV_GO_SWITCH_DESTROY, 1, 2, 1);     /* 14, 15, 16 */
  EV(t, TA_EV_GO_STATUS_STACK, 1, 2, 1, 2, 1); /* 17 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_22 RUN101
              TR(CTX(1, 0, 1), 13, "GoID=2 NotExist->Waiting" R0 "\nTransitionStack=\n")
              TR(CTX(1, 0, 1), 14, "GoID=2 Waiting->Runnable" R0)
              TR(CTX(1, 0, 1), 15, "GoID=1 Running->NotExist" R0)
              TR(CTX(1, 0, -1), 16, "GoID=2 Runnable->Running" R0)
              TRS(CTX(1, 0, 2), 17, "GoID=2 Running->Running" R0 TSTACK1, STACK1)
              END(18, 2));
  tb_free(t);
}

static void
test_go_switch_waits(void)
{
  /* The target must be Waiting with the right seq: M 1 switches to G 4,
   * which M 2 creates (blocked) later in time. */
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_SWITCH, 1, 4, 1);       /* 13 */
  tb_running(t, 2, 1, 2, 20);
  EV(t, TA_EV_GO_CREATE_BLOCKED, 1, 4, 0, 0);  /* 23 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 TB_RUNNING_TEXT(2, 1, 2, 21, 22)
              TR(CTX(2, 1, 2), 23, "GoID=4 NotExist->Waiting" R0 "\nTransitionStack=\n")
              TR(CTX(1, 0, 1), 24, "GoID=4 Waiting->Runnable" R0)
              TR(CTX(1, 0, 1), 25, "GoID=1 Running->Waiting" R0)
              TR(CTX(1, 0, -1), 26, "GoID=4 Runnable->Running" R0)
              END(27, 2));
  tb_free(t);

  /* Switching needs a running current goroutine. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GO_SWITCH, 1, 4, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              "!! expected a goroutine but didn't have one\n");
  tb_free(t);
}

/* ---- syscalls ---- */

static void
test_syscall_end(void)
{
  tb *t = gen1();
  syscall_on_m1(t);
  EV(t, TA_EV_GO_SYSCALL_END, 1);        /* 14 */
  EV(t, TA_EV_GO_SYSCALL_BEGIN, 1, 2, 0);/* 15 */
  EV(t, TA_EV_GO_SYSCALL_END, 1);        /* 16 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1
              TR(CTX(1, 0, 1), 14, "GoID=1 Syscall->Running" R0)
              TR(CTX(1, 0, 1), 15, "GoID=1 Running->Syscall" R0)
              TR(CTX(1, 0, 1), 16, "GoID=1 Syscall->Running" R0)
              END(17, 2));
  tb_free(t);
}

static void
test_syscall_errors(void)
{
  /* The P seq on GoSyscallBegin must follow: a hard error, no waiting. */
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_SYSCALL_BEGIN, 1, 2, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              "!! failed to advance GoSyscallBegin: can't make sequence: 0 (gen=1) -> 2 (gen=1)\n");
  tb_free(t);

  /* GoSyscallEnd while the goroutine is not in a syscall. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_SYSCALL_END, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! GoSyscallEnd event for goroutine that's not Running\n");
  tb_free(t);

  /* GoSyscallEnd whose P left the syscall state: M 2 also held P 0, took
   * it to Idle. */
  t = gen1();
  syscall_on_m1(t);
  EV(t, TA_EV_GO_SYSCALL_END, 10);       /* 23 */
  tb_batch(t, 1, 2, 15);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);     /* 16 */
  EV(t, TA_EV_PROC_STOP, 1);             /* 17 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1
              TR(CTX(2, -1, -1), 16, "ProcID=0 Running->Running" R0)
              TR(CTX(2, 0, -1), 17, "ProcID=0 Running->Idle" R0)
              "!! expected proc 0 in state Syscall, but got Idle instead\n");
  tb_free(t);

  /* GoSyscallEndBlocked with no goroutine. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! expected a goroutine but didn't have one\n");
  tb_free(t);
}

static void
test_syscall_end_blocked_reacquire(void)
{
  /* After the steal M 1 starts another P before GoSyscallEndBlocked: the
   * event keeps that P in its context. */
  tb *t = gen1();
  syscall_on_m1(t);
  EV(t, TA_EV_PROC_STATUS, 10, 1, 2);        /* 23: P 1 idle */
  EV(t, TA_EV_PROC_START, 1, 1, 1);          /* 24 */
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1);    /* 25 */
  tb_batch(t, 1, 2, 10);
  EV(t, TA_EV_PROC_STEAL, 10, 0, 2, 1);      /* 20 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 SYSCALL_M1
              TR(CTX(2, -1, -1), 20, "ProcID=0 Running->Idle" R0)
              TR(CTX(1, -1, 1), 23, "ProcID=1 Undetermined->Idle" R0)
              TR(CTX(1, -1, 1), 24, "ProcID=1 Idle->Running" R0)
              TR(CTX(1, 1, 1), 25, "GoID=1 Syscall->Runnable" R0)
              END(26, 2));
  tb_free(t);
}

static void
test_syscall_cgo_callback(void)
{
  /* A C thread (M 5) calls into Go: GoCreateSyscall binds the new
   * goroutine; without a P its GoDestroySyscall is a plain exit. */
  tb *t = gen1();
  tb_batch(t, 1, 5, 10);
  EV(t, TA_EV_GO_CREATE_SYSCALL, 1, 20);     /* 11 */
  EV(t, TA_EV_GO_SYSCALL_END_BLOCKED, 1);    /* 12 */
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);         /* 13 */
  EV(t, TA_EV_PROC_START, 1, 0, 1);          /* 14 */
  EV(t, TA_EV_GO_START, 1, 20, 1);           /* 15 */
  EV(t, TA_EV_GO_SYSCALL_BEGIN, 1, 2, 0);    /* 16 */
  EV(t, TA_EV_PROC_STEAL, 1, 0, 3, 5);       /* 17: self */
  EV(t, TA_EV_GO_DESTROY_SYSCALL, 1);        /* 18 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(5, -1, -1), 11, "GoID=20 NotExist->Syscall" R0)
              TR(CTX(5, -1, 20), 12, "GoID=20 Syscall->Runnable" R0)
              TR(CTX(5, -1, -1), 13, "ProcID=0 Undetermined->Idle" R0)
              TR(CTX(5, -1, -1), 14, "ProcID=0 Idle->Running" R0)
              TR(CTX(5, 0, -1), 15, "GoID=20 Runnable->Running" R0)
              TR(CTX(5, 0, 20), 16, "GoID=20 Running->Syscall" R0)
              TR(CTX(5, 0, 20), 17, "ProcID=0 Running->Idle" R0)
              TR(CTX(5, -1, 20), 18, "GoID=20 Syscall->NotExist" R0)
              END(19, 2));
  tb_free(t);

  /* Creating in a syscall needs no goroutine on the thread, and a fresh
   * goroutine ID. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GO_CREATE_SYSCALL, 1, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! expected no goroutine but had one\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);
  EV(t, TA_EV_GO_STATUS, 1, 2, TB_NO_M, 1);
  tb_batch(t, 1, 5, 10);
  EV(t, TA_EV_GO_CREATE_SYSCALL, 1, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(-1, -1, -1), 6, "GoID=2 Undetermined->Runnable" R0)
              "!! tried to create goroutine (2) in syscall that already exists\n");
  tb_free(t);
}

static void
test_syscall_destroy_with_proc(void)
{
  /* The goroutine leaves while its thread still holds P 0 in a syscall:
   * a synthetic ProcSteal (Running->Idle, same raw time) comes first, P 0
   * becomes SyscallAbandoned; a later real ProcSteal then reads
   * Idle->Idle and touches no thread, and so does a SyscallAbandoned
   * status. */
  tb *t = gen1();
  tb_batch(t, 1, 5, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);       /* 11: P 0 in a syscall on M 5 */
  EV(t, TA_EV_GO_STATUS, 1, 20, 5, 3);     /* 12 */
  EV(t, TA_EV_GO_DESTROY_SYSCALL, 1);      /* 13 (+1) */
  EV(t, TA_EV_HEAP_ALLOC, 0, 0);           /* 13: M 5 has no P any more */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(5, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(5, 0, -1), 12, "GoID=20 Undetermined->Syscall" R0)
              TR(CTX(5, 0, 20), 13, "ProcID=0 Running->Idle" R0)
              TR(CTX(5, 0, 20), 14, "GoID=20 Syscall->NotExist" R0)
              "!! expected a proc but didn't have one\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, 5, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);       /* 11 */
  EV(t, TA_EV_GO_STATUS, 1, 20, 5, 3);     /* 12 */
  EV(t, TA_EV_GO_DESTROY_SYSCALL, 1);      /* 13, 14 */
  tb_batch(t, 1, 6, 20);
  EV(t, TA_EV_PROC_STEAL, 1, 0, 1, 5);     /* 21: Idle->Idle */
  EV(t, TA_EV_PROC_START, 1, 0, 2);        /* 22 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(5, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(5, 0, -1), 12, "GoID=20 Undetermined->Syscall" R0)
              TR(CTX(5, 0, 20), 13, "ProcID=0 Running->Idle" R0)
              TR(CTX(5, 0, 20), 14, "GoID=20 Syscall->NotExist" R0)
              TR(CTX(6, -1, -1), 21, "ProcID=0 Idle->Idle" R0)
              TR(CTX(6, -1, -1), 22, "ProcID=0 Idle->Running" R0)
              END(23, 2));

  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  const tb_item *steal = &e.items[3];
  g_assert_cmpint(steal->ev.type, ==, TA_EV_PROC_STEAL);
  g_assert_cmpint(steal->ev.kind, ==, TA_KIND_STATE_TRANSITION);
  g_assert_cmpint(steal->tr.id, ==, 0);
  g_assert_cmpint(steal->tr.old_state, ==, TA_PROC_RUNNING);
  g_assert_cmpint(steal->tr.new_state, ==, TA_PROC_IDLE);
  g_assert_cmpint(e.items[4].ev.type, ==, TA_EV_GO_DESTROY_SYSCALL);
  g_assert_cmpint(e.items[4].ev.time, ==, steal->ev.time + 1);
  g_assert_cmpint(e.items[5].tr.old_state, ==, TA_PROC_IDLE);
  tb_events_free(&e);
  tb_free(t);

  /* Abandoned, then announced again: a status of SyscallAbandoned reads
   * Idle->Idle. */
  t = gen1();
  tb_batch(t, 1, 5, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 3);
  EV(t, TA_EV_GO_STATUS, 1, 20, 5, 3);
  EV(t, TA_EV_GO_DESTROY_SYSCALL, 1);
  EV(t, TA_EV_PROC_STATUS, 5, 0, 4);       /* 18 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(5, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(5, 0, -1), 12, "GoID=20 Undetermined->Syscall" R0)
              TR(CTX(5, 0, 20), 13, "ProcID=0 Running->Idle" R0)
              TR(CTX(5, 0, 20), 14, "GoID=20 Syscall->NotExist" R0)
              TR(CTX(5, -1, -1), 18, "ProcID=0 Idle->Idle" R0)
              END(19, 2));
  tb_free(t);

  /* The P must be in a syscall. */
  t = gen1();
  tb_batch(t, 1, 5, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GO_STATUS, 1, 20, 5, 3);
  EV(t, TA_EV_GO_DESTROY_SYSCALL, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(5, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(5, 0, -1), 12, "GoID=20 Undetermined->Syscall" R0)
              "!! proc 0 in unexpected state Running during GoDestroySyscall\n");
  tb_free(t);
}

/* ---- GC ---- */

#define GC_RANGE(kind, ctx, time) ctx " " kind " Time=" #time " Name=\"GC concurrent mark phase\" Scope=None"

static void
test_gc_phases(void)
{
  /* GCActive first (no context needed in the first generation), then
   * GCEnd / GCBegin / GCEnd with consecutive seqs; GCActive again in
   * generation 2 on a running goroutine. */
  tb *t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);
  EV(t, TA_EV_GC_ACTIVE, 1, 7);            /* 6 */
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_END, 1, 8);               /* 13 */
  EV(t, TA_EV_GC_BEGIN, 1, 9, 1);          /* 14 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 20);
  EV(t, TA_EV_GC_ACTIVE, 1, 10);           /* 21 */
  EV(t, TA_EV_GC_END, 1, 11);              /* 22 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              GC_RANGE("RangeActive", CTX(-1, -1, -1), 6) "\n"
              RUN101
              GC_RANGE("RangeEnd", CTX(1, 0, 1), 13) " Attributes=[]\n"
              GC_RANGE("RangeBegin", CTX(1, 0, 1), 14) STACK1
              SYNC2(15)
              GC_RANGE("RangeActive", CTX(1, 0, 1), 21) "\n"
              GC_RANGE("RangeEnd", CTX(1, 0, 1), 22) " Attributes=[]\n"
              END(23, 3));
  tb_free(t);

  /* Seqs order GC events across threads: M 2's GCEnd (seq 3) is earlier
   * in time than M 1's GCBegin (seq 2). With the GC state undetermined the
   * first GCBegin is accepted as is, even on the NoThread batch. */
  t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);
  EV(t, TA_EV_GC_BEGIN, 1, 1, 0);          /* 6 */
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_END, 10, 2);              /* 22 */
  EV(t, TA_EV_GC_BEGIN, 1, 3, 0);          /* 23 */
  tb_running(t, 2, 1, 2, 10);
  EV(t, TA_EV_GC_END, 1, 4);               /* 13 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              GC_RANGE("RangeBegin", CTX(-1, -1, -1), 6) "\n"
              /* The NoThread cursor is removed: the last one (M 2) moves
               * to the root. */
              TR(CTX(2, -1, -1), 11, "ProcID=1 Undetermined->Running" R0)
              TR(CTX(1, -1, -1), 12, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(1, 0, -1), 13, "GoID=1 Undetermined->Running" R0)
              TR(CTX(2, 1, -1), 14, "GoID=2 Undetermined->Running" R0)
              GC_RANGE("RangeEnd", CTX(1, 0, 1), 22) " Attributes=[]\n"
              GC_RANGE("RangeBegin", CTX(1, 0, 1), 23) "\n"
              GC_RANGE("RangeEnd", CTX(2, 1, 2), 24) " Attributes=[]\n"
              END(25, 2));
  tb_free(t);
}

static void
test_gc_errors(void)
{
  /* GCActive after another GC event in the first generation. */
  tb *t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);
  EV(t, TA_EV_GC_BEGIN, 1, 1, 0);
  EV(t, TA_EV_GC_ACTIVE, 1, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 GC_RANGE("RangeBegin", CTX(-1, -1, -1), 6) "\n"
              "!! GCActive in the first generation isn't first GC event\n");
  tb_free(t);

  /* GCEnd with the GC state undetermined. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_END, 1, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! encountered GCEnd when GC was in an undetermined state\n");
  tb_free(t);

  /* GCBegin while running, GCEnd while not running. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_BEGIN, 1, 1, 0);
  EV(t, TA_EV_GC_BEGIN, 1, 2, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 GC_RANGE("RangeBegin", CTX(1, 0, 1), 13) "\n"
              "!! encountered GCBegin while GC was already in progress\n");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_BEGIN, 1, 1, 0);
  EV(t, TA_EV_GC_END, 1, 2);
  EV(t, TA_EV_GC_END, 1, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 GC_RANGE("RangeBegin", CTX(1, 0, 1), 13) "\n"
              GC_RANGE("RangeEnd", CTX(1, 0, 1), 14) " Attributes=[]\n"
              "!! encountered GCEnd when GC was not in progress\n");
  tb_free(t);

  /* A seq gap never advances. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_BEGIN, 1, 1, 0);
  EV(t, TA_EV_GC_END, 1, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 GC_RANGE("RangeBegin", CTX(1, 0, 1), 13) "\n"
              "!! broken trace: failed to advance");
  tb_free(t);

  /* GCActive in a later generation while no GC runs. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_BEGIN, 1, 1, 0);
  EV(t, TA_EV_GC_END, 1, 2);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 20);
  EV(t, TA_EV_GC_ACTIVE, 1, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 GC_RANGE("RangeBegin", CTX(1, 0, 1), 13) "\n"
              GC_RANGE("RangeEnd", CTX(1, 0, 1), 14) " Attributes=[]\n" SYNC2(15)
              "!! encountered GCActive while GC was not in progress\n");
  tb_free(t);
}

/* ---- sweep, mark assist, STW ---- */

#define SWEEP(kind, ctx, time, scope)                                         \
  ctx " " kind " Time=" #time " Name=\"GC incremental sweep\" Scope=Proc(" #scope ")"
#define ASSIST(kind, ctx, time, scope)                                        \
  ctx " " kind " Time=" #time " Name=\"GC mark assist\" Scope=Goroutine(" #scope ")"

static void
test_sweep(void)
{
  tb *t = gen1();
  tb_batch(t, 1, 2, 5);
  EV(t, TA_EV_PROC_STATUS, 1, 3, 2);       /* 6 */
  EV(t, TA_EV_GC_SWEEP_ACTIVE, 1, 3);      /* 7: P 3, from M 2 */
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_SWEEP_BEGIN, 1, 1);       /* 13 */
  EV(t, TA_EV_GC_SWEEP_END, 1, 4096, 1024);/* 14 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 2, 20);
  EV(t, TA_EV_PROC_STATUS, 1, 3, 2);       /* 21 */
  EV(t, TA_EV_GC_SWEEP_ACTIVE, 1, 3);      /* 22 */
  EV(t, TA_EV_PROC_START, 1, 3, 1);        /* 23 */
  EV(t, TA_EV_GC_SWEEP_END, 1, 1, 0);      /* 24 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(2, -1, -1), 6, "ProcID=3 Undetermined->Idle" R0)
              SWEEP("RangeActive", CTX(2, -1, -1), 7, 3) "\n"
              RUN101
              SWEEP("RangeBegin", CTX(1, 0, 1), 13, 0) STACK1
              SWEEP("RangeEnd", CTX(1, 0, 1), 14, 0)
              " Attributes=[\"bytes swept\"=Value{Uint64(4096)} \"bytes reclaimed\"=Value{Uint64(1024)}]\n"
              SYNC2(15)
              TR(CTX(2, -1, -1), 21, "ProcID=3 Idle->Idle" R0)
              SWEEP("RangeActive", CTX(2, -1, -1), 22, 3) "\n"
              TR(CTX(2, -1, -1), 23, "ProcID=3 Idle->Running" R0)
              SWEEP("RangeEnd", CTX(2, 3, -1), 24, 3)
              " Attributes=[\"bytes swept\"=Value{Uint64(1)} \"bytes reclaimed\"=Value{Uint64(0)}]\n"
              END(25, 3));
  tb_free(t);
}

static void
test_sweep_errors(void)
{
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_SWEEP_BEGIN, 1, 0);
  EV(t, TA_EV_GC_SWEEP_BEGIN, 1, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 SWEEP("RangeBegin", CTX(1, 0, 1), 13, 0) "\n"
              "!! discovered event already in-flight for when starting event GCSweepBegin\n");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_SWEEP_END, 1, 0, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! tried to end event GCSweepBegin, but not in-flight\n");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_SWEEP_ACTIVE, 1, 6);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! encountered GCSweepActive for unknown proc 6\n");
  tb_free(t);

  /* Twice active in the first generation; missing in a later one. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_SWEEP_ACTIVE, 1, 0);
  EV(t, TA_EV_GC_SWEEP_ACTIVE, 1, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 SWEEP("RangeActive", CTX(1, 0, 1), 13, 0) "\n"
              "!! found named active range already in first gen");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 20);
  EV(t, TA_EV_GC_SWEEP_ACTIVE, 1, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 SYNC2(13) "!! resource is missing active range: GCSweepBegin");
  tb_free(t);
}

static void
test_mark_assist(void)
{
  tb *t = gen1();
  tb_batch(t, 1, TB_NO_M, 5);
  EV(t, TA_EV_GO_STATUS, 1, 7, TB_NO_M, 4);  /* 6 */
  EV(t, TA_EV_GC_MARK_ASSIST_ACTIVE, 1, 7);  /* 7 */
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_MARK_ASSIST_BEGIN, 1, 2);   /* 13 */
  EV(t, TA_EV_GC_MARK_ASSIST_END, 1);        /* 14 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, TB_NO_M, 20);
  EV(t, TA_EV_GO_STATUS, 1, 7, TB_NO_M, 4);  /* 21 */
  EV(t, TA_EV_GC_MARK_ASSIST_ACTIVE, 1, 7);  /* 22 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              TR(CTX(-1, -1, -1), 6, "GoID=7 Undetermined->Waiting" R0)
              ASSIST("RangeActive", CTX(-1, -1, -1), 7, 7) "\n"
              RUN101
              ASSIST("RangeBegin", CTX(1, 0, 1), 13, 1) STACK2
              ASSIST("RangeEnd", CTX(1, 0, 1), 14, 1) " Attributes=[]\n"
              SYNC2(15)
              TR(CTX(-1, -1, -1), 21, "GoID=7 Waiting->Waiting" R0)
              ASSIST("RangeActive", CTX(-1, -1, -1), 22, 7) "\n"
              END(23, 3));
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_MARK_ASSIST_ACTIVE, 1, 9);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! uninitialized goroutine 9 found during GCMarkAssistActive\n");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_MARK_ASSIST_END, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! tried to end event GCMarkAssistBegin, but not in-flight\n");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_GC_MARK_ASSIST_BEGIN, 1, 0);
  EV(t, TA_EV_GC_MARK_ASSIST_BEGIN, 1, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 ASSIST("RangeBegin", CTX(1, 0, 1), 13, 1) "\n"
              "!! discovered event already in-flight for when starting event GCMarkAssistBegin\n");
  tb_free(t);

  /* Begin needs a running goroutine. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GC_MARK_ASSIST_BEGIN, 1, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              "!! expected a goroutine but didn't have one\n");
  tb_free(t);
}

#define STW(kind, ctx, time, name, g)                                         \
  ctx " " kind " Time=" #time " Name=\"stop-the-world (" name ")\" Scope=Goroutine(" #g ")"

static void
test_stw(void)
{
  /* Two STW ranges of different kinds nest on one goroutine; each end
   * takes the kind of the first in-flight STW begin (Go removes by begin
   * type, not by kind). */
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_STW_BEGIN, 1, 10, 1);        /* 13 "sleep" */
  EV(t, TA_EV_STW_BEGIN, 1, 11, 0);        /* 14 "other" */
  EV(t, TA_EV_STW_END, 1);                 /* 15 */
  EV(t, TA_EV_STW_END, 1);                 /* 16 */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              STW("RangeBegin", CTX(1, 0, 1), 13, "sleep", 1) STACK1
              STW("RangeBegin", CTX(1, 0, 1), 14, "other", 1) "\n"
              STW("RangeEnd", CTX(1, 0, 1), 15, "sleep", 1) " Attributes=[]\n"
              STW("RangeEnd", CTX(1, 0, 1), 16, "other", 1) " Attributes=[]\n"
              END(17, 2));
  tb_free(t);

  /* The same kind twice is in flight already. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_STW_BEGIN, 1, 10, 0);
  EV(t, TA_EV_STW_BEGIN, 1, 10, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 STW("RangeBegin", CTX(1, 0, 1), 13, "sleep", 1) "\n"
              "!! discovered event already in-flight for when starting event STWBegin\n");
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_STW_END, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 "!! tried to end event STWBegin, but not in-flight\n");
  tb_free(t);
}

/* ---- tasks, regions, logs, labels, metrics ---- */

static void
test_tasks(void)
{
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_TASK_BEGIN, 1, 5, 0, 5, 1);     /* 13: no parent */
  EV(t, TA_EV_USER_TASK_BEGIN, 1, 6, 5, 11, 0);    /* 14 */
  EV(t, TA_EV_USER_TASK_END, 1, 6, 0);             /* 15 */
  EV(t, TA_EV_USER_TASK_END, 1, 6, 0);             /* 16: again: unknown */
  EV(t, TA_EV_USER_TASK_END, 1, 99, 2);            /* 17: never began */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 20);
  EV(t, TA_EV_USER_TASK_END, 1, 5, 0);             /* 21: began in gen 1 */
  EV(t, TA_EV_USER_TASK_BEGIN, 1, 5, 6, 5, 0);     /* 22: ID reused */
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              CTX(1, 0, 1) " TaskBegin Time=13 ID=5 Parent=18446744073709551615 Type=\"task\"" STACK1
              CTX(1, 0, 1) " TaskBegin Time=14 ID=6 Parent=5 Type=\"other\"\n"
              CTX(1, 0, 1) " TaskEnd Time=15 ID=6 Parent=5 Type=\"other\"\n"
              CTX(1, 0, 1) " TaskEnd Time=16 ID=6 Parent=18446744073709551615 Type=\"\"\n"
              CTX(1, 0, 1) " TaskEnd Time=17 ID=99 Parent=18446744073709551615 Type=\"\"" STACK2
              SYNC2(18)
              CTX(1, 0, 1) " TaskEnd Time=21 ID=5 Parent=18446744073709551615 Type=\"task\"\n"
              CTX(1, 0, 1) " TaskBegin Time=22 ID=5 Parent=6 Type=\"task\"\n"
              END(23, 3));

  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  g_assert_cmpint(e.items[3].ev.kind, ==, TA_KIND_TASK_BEGIN);
  g_assert_cmpuint(e.items[3].ev.args[1], ==, TA_NO_TASK);
  g_assert_cmpint(e.items[5].ev.kind, ==, TA_KIND_TASK_END);
  g_assert_cmpuint(e.items[5].ev.derived, ==, 5);
  tb_events_free(&e);
  tb_free(t);

  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_TASK_BEGIN, 1, 5, 0, 5, 0);
  EV(t, TA_EV_USER_TASK_BEGIN, 1, 5, 0, 5, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              CTX(1, 0, 1) " TaskBegin Time=13 ID=5 Parent=18446744073709551615 Type=\"task\"\n"
              "!! task ID conflict: 5\n");
  tb_free(t);
}

static void
test_regions(void)
{
  /* Regions nest per goroutine and match by task and name value: the
   * region begun in generation 1 ends in generation 2, where "region" has
   * another string ID. An end with nothing open is accepted. */
  tb *t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_REGION_END, 1, 0, 11, 0);      /* 13: before the trace */
  EV(t, TA_EV_USER_REGION_BEGIN, 1, 5, 6, 1);     /* 14 */
  EV(t, TA_EV_USER_REGION_BEGIN, 1, 0, 11, 0);    /* 15 */
  EV(t, TA_EV_USER_REGION_END, 1, 0, 11, 0);      /* 16 */
  EV(t, TA_EV_USER_LOG, 1, 5, 7, 8, 0);           /* 17 */
  EV(t, TA_EV_GO_LABEL, 1, 9);                    /* 18 */
  EV(t, TA_EV_PROCS_CHANGE, 1, 8, 1);             /* 19 */
  tb_gen_end(t);
  tb_gen_begin(t, 2);
  tb_batch(t, 2, 1, 30);
  EV(t, TA_EV_USER_REGION_END, 1, 5, 40, 0);      /* 31 */
  tb_strings_batch(t, 2, 2);
  tb_string(t, 40, "region");
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101
              CTX(1, 0, 1) " RegionEnd Time=13 Task=0 Type=\"other\"\n"
              CTX(1, 0, 1) " RegionBegin Time=14 Task=5 Type=\"region\"" STACK1
              CTX(1, 0, 1) " RegionBegin Time=15 Task=0 Type=\"other\"\n"
              CTX(1, 0, 1) " RegionEnd Time=16 Task=0 Type=\"other\"\n"
              CTX(1, 0, 1) " Log Time=17 Task=5 Category=\"key\" Message=\"value\"\n"
              CTX(1, 0, 1) " Label Time=18 Label=\"GC (dedicated)\" Resource=Goroutine(1)\n"
              CTX(1, 0, 1) " Metric Time=19 Name=\"/sched/gomaxprocs:threads\" Value=Value{Uint64(8)}" STACK1
              SYNC2(20)
              CTX(1, 0, 1) " RegionEnd Time=31 Task=5 Type=\"region\"\n"
              END(32, 3));
  tb_free(t);

  /* Ending the wrong region. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_REGION_BEGIN, 1, 5, 6, 0);
  EV(t, TA_EV_USER_REGION_END, 1, 5, 11, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 CTX(1, 0, 1) " RegionBegin Time=13 Task=5 Type=\"region\"\n"
              "!! misuse of region in goroutine 1: region end {5 other} when the inner-most "
              "active region start event is {5 region}\n");
  tb_free(t);

  /* Same name, other task. */
  t = gen1();
  tb_running(t, 1, 0, 1, 10);
  EV(t, TA_EV_USER_REGION_BEGIN, 1, 5, 6, 0);
  EV(t, TA_EV_USER_REGION_END, 1, 4, 6, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 RUN101 CTX(1, 0, 1) " RegionBegin Time=13 Task=5 Type=\"region\"\n"
              "!! misuse of region in goroutine 1: region end {4 region} when the inner-most "
              "active region start event is {5 region}\n");
  tb_free(t);

  /* Annotations need a running goroutine. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_USER_LOG, 1, 0, 7, 8, 0);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              "!! expected a goroutine but didn't have one\n");
  tb_free(t);
}

/* ---- context requirements, experimental events ---- */

static void
test_no_thread_context(void)
{
  /* Events that need a thread fail in the NoThread batch. */
  tb *t = gen1();
  tb_batch(t, 1, TB_NO_M, 10);
  EV(t, TA_EV_PROC_STOP, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! event ProcStop for proc (-1) that doesn't exist\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, TB_NO_M, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  EV(t, TA_EV_HEAP_ALLOC, 1, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(-1, -1, -1), 11, "ProcID=0 Undetermined->Idle" R0)
              "!! expected a thread but didn't have one\n");
  tb_free(t);

  /* A Running status in the NoThread batch binds nothing. */
  t = gen1();
  tb_batch(t, 1, TB_NO_M, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);
  EV(t, TA_EV_GO_STATUS, 1, 1, TB_NO_M, 2);
  EV(t, TA_EV_GO_STATUS, 1, 2, TB_NO_M, 1);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 TR(CTX(-1, -1, -1), 11, "ProcID=0 Undetermined->Running" R0)
              TR(CTX(-1, -1, -1), 12, "GoID=1 Undetermined->Running" R0)
              TR(CTX(-1, -1, -1), 13, "GoID=2 Undetermined->Runnable" R0)
              END(14, 2));
  tb_free(t);
}

static void
test_experimental_events(void)
{
  /* AllocFree events need a thread, nothing else, and are accepted in any
   * format's event batches. */
  tb *t = tb_new(25);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_SPAN_ALLOC, 1, 3, 8, 130);
  EV(t, TA_EV_HEAP_OBJECT_FREE, 1, 77);
  EV(t, TA_EV_GOROUTINE_STACK, 1, 9, 13);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25
              CTX(1, -1, -1) " Experimental Time=11 Name=SpanAlloc Args=[id=Value{Uint64(3)}, "
              "npages_value=Value{Uint64(8)}, kindclass=Value{Uint64(130)}]\n"
              CTX(1, -1, -1) " Experimental Time=12 Name=HeapObjectFree Args=[id=Value{Uint64(77)}]\n"
              CTX(1, -1, -1) " Experimental Time=13 Name=GoroutineStack Args=[id=Value{Uint64(9)}, "
              "order=Value{Uint64(13)}]\n"
              END(14, 2));
  tb_free(t);

  t = tb_new(22);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, TB_NO_M, 10);
  EV(t, TA_EV_SPAN, 1, 3, 8, 130);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_22 "!! expected a thread but didn't have one\n");
  tb_free(t);
}

static void
test_invalid_event_types(void)
{
  /* An unused slot below the table end, and a type past it. The cursor
   * decodes the next event right after advancing one, so the event before
   * the bad one is never returned. */
  tb *t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_bytes(t, (const uint8_t[]){ 60, 1 }, 2);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! found event without a timestamp: type=60\n");
  tb_free(t);

  t = gen1();
  tb_batch(t, 1, 1, 10);
  tb_bytes(t, (const uint8_t[]){ 200, 1 }, 2);
  tb_gen_end(t);
  tb_check(t, "!! found invalid event type: 200\n");
  tb_free(t);

  /* A structural event type inside an event batch. */
  t = gen1();
  tb_batch(t, 1, 1, 10);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 2);
  tb_bytes(t, (const uint8_t[]){ TA_EV_STRING, 1, 1 }, 3);
  tb_gen_end(t);
  tb_check(t, TB_SYNC1_25 "!! found event without a timestamp: type=5\n");
  tb_free(t);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/order/proc/status", test_proc_status);
  g_test_add_func("/order/proc/status-errors", test_proc_status_errors);
  g_test_add_func("/order/proc/start-stop", test_proc_start_stop);
  g_test_add_func("/order/proc/start-waits", test_proc_start_waits);
  g_test_add_func("/order/proc/stop-errors", test_proc_stop_errors);
  g_test_add_func("/order/proc/steal", test_proc_steal);
  g_test_add_func("/order/proc/self-steal", test_proc_self_steal);
  g_test_add_func("/order/proc/steal-errors", test_proc_steal_errors);
  g_test_add_func("/order/proc/syscall-abandoned", test_proc_syscall_abandoned);
  g_test_add_func("/order/proc/syscall-abandoned-promotion", test_proc_syscall_abandoned_promotion);
  g_test_add_func("/order/go/status", test_go_status);
  g_test_add_func("/order/go/status-errors", test_go_status_errors);
  g_test_add_func("/order/go/status-syscall-other-thread", test_go_status_syscall_other_thread);
  g_test_add_func("/order/go/lifecycle", test_go_lifecycle);
  g_test_add_func("/order/go/lifecycle-errors", test_go_lifecycle_errors);
  g_test_add_func("/order/go/seq-across-generations", test_go_seq_across_generations);
  g_test_add_func("/order/switch/basic", test_go_switch);
  g_test_add_func("/order/switch/format22", test_go_switch_format22);
  g_test_add_func("/order/switch/waits", test_go_switch_waits);
  g_test_add_func("/order/syscall/end", test_syscall_end);
  g_test_add_func("/order/syscall/errors", test_syscall_errors);
  g_test_add_func("/order/syscall/end-blocked-reacquire", test_syscall_end_blocked_reacquire);
  g_test_add_func("/order/syscall/cgo-callback", test_syscall_cgo_callback);
  g_test_add_func("/order/syscall/destroy-with-proc", test_syscall_destroy_with_proc);
  g_test_add_func("/order/gc/phases", test_gc_phases);
  g_test_add_func("/order/gc/errors", test_gc_errors);
  g_test_add_func("/order/range/sweep", test_sweep);
  g_test_add_func("/order/range/sweep-errors", test_sweep_errors);
  g_test_add_func("/order/range/mark-assist", test_mark_assist);
  g_test_add_func("/order/range/stw", test_stw);
  g_test_add_func("/order/annotation/tasks", test_tasks);
  g_test_add_func("/order/annotation/regions", test_regions);
  g_test_add_func("/order/context/no-thread", test_no_thread_context);
  g_test_add_func("/order/experimental", test_experimental_events);
  g_test_add_func("/order/invalid-event-types", test_invalid_event_types);
  return g_test_run();
}
