/* test-heap.c: the frontier. Events of different threads with equal
 * timestamps must come out in the order Go's binary min-heap produces
 * (strict comparisons, left child first, update = sift up else down, remove
 * = bubble to the root and swap with the last), including the fallback
 * when the root cannot advance (sort by time, then try cursors 1, 2, ...).
 * Each scenario also checks that a naive merge (by time, then by thread in
 * order of first appearance) would give a different order, so the tests
 * really pin the heap down.
 *
 * Every thread ("lane") first announces its P as running, then emits
 * HeapAlloc events whose value encodes raw time, thread and position:
 * value = time * 100000 + m * 100 + k (k = 0 for the ProcStatus). */
#include "tb.h"

#include <string.h>

#define MAX_EVS 12

typedef struct {
  uint64_t m, p, base;
  uint64_t dt[MAX_EVS];  /* dt of the ProcStatus, then of each HeapAlloc */
  int n;                 /* number of dts */
} lane;

static uint64_t
val(uint64_t time, uint64_t m, int k)
{
  return time * 100000 + m * 100 + (uint64_t)k;
}

static uint64_t val_time(uint64_t v) { return v / 100000; }
static uint64_t val_m(uint64_t v) { return v / 100 % 1000; }
static int val_k(uint64_t v) { return (int)(v % 100); }

/* Writes the lanes' batches into the current (open) generation. */
static void
write_lanes(tb *t, const lane *l, size_t nl)
{
  for (size_t i = 0; i < nl; i++) {
    tb_batch(t, t->cur_gen, l[i].m, l[i].base);
    uint64_t time = l[i].base;
    for (int k = 0; k < l[i].n; k++) {
      time += l[i].dt[k];
      if (k == 0)
        EV(t, TA_EV_PROC_STATUS, l[i].dt[k], l[i].p, 1);
      else
        EV(t, TA_EV_HEAP_ALLOC, l[i].dt[k], val(time, l[i].m, k));
    }
    tb_end(t);
  }
}

static const lane *
lane_of(const lane *l, size_t nl, uint64_t m)
{
  for (size_t i = 0; i < nl; i++)
    if (l[i].m == m)
      return &l[i];
  g_assert_not_reached();
}

/* The text of the lanes' events in the given order; `time` is the last
 * output time before them and is advanced. */
static void
append_lane_events(GString *s, const lane *l, size_t nl, const uint64_t *order, size_t n,
                   int64_t *time)
{
  for (size_t i = 0; i < n; i++) {
    uint64_t v = order[i];
    const lane *ln = lane_of(l, nl, val_m(v));
    int64_t t = (int64_t)val_time(v);
    if (t <= *time)
      t = *time + 1;
    *time = t;
    if (val_k(v) == 0)
      g_string_append_printf(s, "M=%llu P=-1 G=-1 StateTransition Time=%lld ProcID=%llu "
                             "Undetermined->Running Reason=\"\"\n", (unsigned long long)ln->m,
                             (long long)t, (unsigned long long)ln->p);
    else
      g_string_append_printf(s, "M=%llu P=%llu G=-1 Metric Time=%lld "
                             "Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(%llu)}\n",
                             (unsigned long long)ln->m, (unsigned long long)ln->p, (long long)t,
                             (unsigned long long)v);
  }
}

/* All lane events sorted by (raw time, lane index, position). */
static size_t
naive_order(const lane *l, size_t nl, uint64_t *out)
{
  typedef struct { uint64_t time; size_t lane; int k; uint64_t v; } item;
  item items[64];
  size_t n = 0;
  for (size_t i = 0; i < nl; i++) {
    uint64_t time = l[i].base;
    for (int k = 0; k < l[i].n; k++) {
      time += l[i].dt[k];
      items[n++] = (item){ time, i, k, val(time, l[i].m, k) };
    }
  }
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0; j--) {
      item *a = &items[j - 1], *b = &items[j];
      bool swap = a->time > b->time || (a->time == b->time && a->lane > b->lane);
      if (!swap)
        break;
      item tmp = *a;
      *a = *b;
      *b = tmp;
    }
  for (size_t i = 0; i < n; i++)
    out[i] = items[i].v;
  return n;
}

static bool
same_order(const uint64_t *a, const uint64_t *b, size_t n)
{
  return memcmp(a, b, n * sizeof *a) == 0;
}

/* The lane values in the order the decoder emits them. */
static size_t
decoded_order(const tb *t, uint64_t *out, size_t max)
{
  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  size_t n = 0;
  for (size_t i = 0; i < e.n && n < max; i++) {
    const ta_event *ev = &e.items[i].ev;
    if (ev->type == TA_EV_HEAP_ALLOC) {
      g_assert_cmpint(ev->kind, ==, TA_KIND_METRIC);
      g_assert_cmpint(ev->m, ==, (int64_t)val_m(ev->args[0]));
      out[n++] = ev->args[0];
    } else if (ev->type == TA_EV_PROC_STATUS) {
      g_assert_cmpint(ev->kind, ==, TA_KIND_STATE_TRANSITION);
      g_assert_true(e.items[i].has_tr);
      g_assert_cmpint(e.items[i].tr.resource, ==, TA_RESOURCE_PROC);
      g_assert_cmpint(e.items[i].tr.old_state, ==, TA_PROC_UNDETERMINED);
      g_assert_cmpint(e.items[i].tr.new_state, ==, TA_PROC_RUNNING);
      /* Raw time is not kept; take it from the lane spec later. */
      out[n++] = UINT64_MAX - (uint64_t)ev->m;
    }
  }
  tb_events_free(&e);
  return n;
}

/* Replaces the ProcStatus placeholders of decoded_order by their values. */
static void
fix_status_values(const lane *l, size_t nl, uint64_t *order, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (order[i] > UINT64_MAX - 1000000) {
      const lane *ln = lane_of(l, nl, UINT64_MAX - order[i]);
      order[i] = val(ln->base + ln->dt[0], ln->m, 0);
    }
}

static void
check_lanes(const lane *l, size_t nl, const uint64_t *go_order, size_t n)
{
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  write_lanes(t, l, nl);
  tb_gen_end(t);

  GString *want = g_string_new(TB_SYNC1_25);
  int64_t time = 1;
  append_lane_events(want, l, nl, go_order, n, &time);
  g_string_append_printf(want, "M=-1 P=-1 G=-1 Sync Time=%lld N=2\n", (long long)time + 1);
  tb_check(t, want->str);
  g_string_free(want, TRUE);

  uint64_t got[64], naive[64];
  size_t ng = decoded_order(t, got, 64);
  fix_status_values(l, nl, got, ng);
  g_assert_cmpuint(ng, ==, n);
  g_assert_true(same_order(got, go_order, n));
  size_t nn = naive_order(l, nl, naive);
  g_assert_cmpuint(nn, ==, n);
  g_assert_false(same_order(naive, go_order, n));
  tb_free(t);
}

#define V(time, m, k) ((uint64_t)(time) * 100000 + (uint64_t)(m) * 100 + (uint64_t)(k))

static void
test_equal_start(void)
{
  /* Five threads start at the same time; each steps by one after its
   * status. Go's sift-down (left child first, strict) skips thread 40 at
   * the first tie: 50 10 20 60 40 instead of 50 10 40 20 60, and the next
   * rounds are permuted further. */
  static const lane l[] = {
    { .m = 50, .p = 0, .base = 1000, .dt = { 1, 1, 1 }, .n = 3 },
    { .m = 10, .p = 1, .base = 1000, .dt = { 1, 1, 1 }, .n = 3 },
    { .m = 40, .p = 2, .base = 1000, .dt = { 1, 1, 1 }, .n = 3 },
    { .m = 20, .p = 3, .base = 1000, .dt = { 1, 1, 1 }, .n = 3 },
    { .m = 60, .p = 4, .base = 1000, .dt = { 1, 1, 1 }, .n = 3 },
  };
  static const uint64_t go[] = {
    V(1001, 50, 0), V(1001, 10, 0), V(1001, 20, 0), V(1001, 60, 0), V(1001, 40, 0),
    V(1002, 40, 1), V(1002, 20, 1), V(1002, 50, 1), V(1002, 10, 1), V(1002, 60, 1),
    V(1003, 60, 2), V(1003, 20, 2), V(1003, 40, 2), V(1003, 10, 2), V(1003, 50, 2),
  };
  check_lanes(l, G_N_ELEMENTS(l), go, G_N_ELEMENTS(go));
}

static void
test_zero_deltas(void)
{
  /* dt = 0 keeps a thread at the root: all its equal-time events first
   * (and M 2 runs on to 502 before M 4's first event at 502). */
  static const lane l[] = {
    { .m = 3, .p = 0, .base = 500, .dt = { 1, 0, 0, 2 }, .n = 4 },
    { .m = 1, .p = 1, .base = 500, .dt = { 1, 1, 0, 0 }, .n = 4 },
    { .m = 2, .p = 2, .base = 500, .dt = { 1, 0, 1, 1 }, .n = 4 },
    { .m = 4, .p = 3, .base = 500, .dt = { 2, 0, 0, 0 }, .n = 4 },
  };
  static const uint64_t go[] = {
    V(501, 3, 0), V(501, 3, 1), V(501, 3, 2), V(501, 1, 0), V(501, 2, 0), V(501, 2, 1),
    V(502, 2, 2), V(502, 4, 0), V(502, 4, 1), V(502, 4, 2), V(502, 4, 3), V(502, 1, 1),
    V(502, 1, 2), V(502, 1, 3), V(503, 3, 3), V(503, 2, 3),
  };
  check_lanes(l, G_N_ELEMENTS(l), go, G_N_ELEMENTS(go));
}

static void
test_removal(void)
{
  /* Threads run out at different times; the emptied cursor is removed by
   * swapping in the last heap element, which reorders the ties. */
  static const lane l[] = {
    { .m = 7, .p = 0, .base = 100, .dt = { 1 }, .n = 1 },
    { .m = 8, .p = 1, .base = 100, .dt = { 1, 1, 1, 1 }, .n = 4 },
    { .m = 9, .p = 2, .base = 100, .dt = { 1, 1, 1, 1 }, .n = 4 },
    { .m = 5, .p = 3, .base = 100, .dt = { 2, 0, 1 }, .n = 3 },
    { .m = 6, .p = 4, .base = 100, .dt = { 1, 1 }, .n = 2 },
    { .m = 4, .p = 5, .base = 100, .dt = { 1, 1, 1, 1 }, .n = 4 },
    { .m = 3, .p = 6, .base = 101, .dt = { 0, 1, 1 }, .n = 3 },
  };
  static const uint64_t go[] = {
    V(101, 7, 0), V(101, 3, 0), V(101, 8, 0), V(101, 6, 0), V(101, 9, 0), V(101, 4, 0),
    V(102, 4, 1), V(102, 8, 1), V(102, 5, 0), V(102, 5, 1), V(102, 3, 1), V(102, 9, 1),
    V(102, 6, 1), V(103, 3, 2), V(103, 8, 2), V(103, 5, 2), V(103, 4, 2), V(103, 9, 2),
    V(104, 9, 3), V(104, 4, 3), V(104, 8, 3),
  };
  check_lanes(l, G_N_ELEMENTS(l), go, G_N_ELEMENTS(go));
}

/* ---- the fallback when the root cannot advance ---- */

static void
test_fallback_sorted_order(void)
{
  /* M 10 (first in the heap) starts G 5, which only becomes runnable by
   * M 60's GoUnblock later: the parser sorts the frontier (stably, by
   * time) and tries the others in that order, one advance at a time,
   * returning to the root after each. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 10, 100);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);  /* 101 */
  EV(t, TA_EV_GO_START, 1, 5, 2);     /* 102, waits */
  EV(t, TA_EV_HEAP_ALLOC, 0, 1001);   /* 102 */
  tb_batch(t, 1, 20, 100);
  EV(t, TA_EV_PROC_STATUS, 1, 1, 1);  /* 101 */
  EV(t, TA_EV_HEAP_ALLOC, 1, 2001);   /* 102 */
  EV(t, TA_EV_HEAP_ALLOC, 0, 2002);   /* 102 */
  tb_batch(t, 1, 30, 100);
  EV(t, TA_EV_PROC_STATUS, 1, 2, 1);  /* 101 */
  EV(t, TA_EV_HEAP_ALLOC, 1, 3001);   /* 102 */
  tb_batch(t, 1, 40, 100);
  EV(t, TA_EV_PROC_STATUS, 1, 3, 1);  /* 101 */
  EV(t, TA_EV_HEAP_ALLOC, 1, 4001);   /* 102 */
  EV(t, TA_EV_HEAP_ALLOC, 1, 4002);   /* 103 */
  tb_batch(t, 1, 60, 90);
  EV(t, TA_EV_PROC_STATUS, 1, 4, 1);  /* 91 */
  EV(t, TA_EV_GO_STATUS, 1, 5, 60, 4);  /* 92: G 5 waiting */
  EV(t, TA_EV_HEAP_ALLOC, 10, 6001);  /* 102 */
  EV(t, TA_EV_GO_UNBLOCK, 2, 5, 1, 0);  /* 104 */
  EV(t, TA_EV_HEAP_ALLOC, 0, 6002);   /* 104 */
  tb_gen_end(t);
#define HA(m, p, time, v)                                                     \
  "M=" #m " P=" #p " G=-1 Metric Time=" #time                                 \
  " Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(" #v ")}\n"
#define PS(m, p, time)                                                        \
  "M=" #m " P=-1 G=-1 StateTransition Time=" #time " ProcID=" #p " Undetermined->Running Reason=\"\"\n"
  tb_check(t, TB_SYNC1_25 PS(60, 4, 91)
              "M=60 P=4 G=-1 StateTransition Time=92 GoID=5 Undetermined->Waiting Reason=\"\"\n"
              PS(10, 0, 101) PS(40, 3, 102) PS(20, 1, 103) PS(30, 2, 104)
              HA(30, 2, 105, 3001) HA(40, 3, 106, 4001) HA(60, 4, 107, 6001) HA(20, 1, 108, 2001)
              HA(20, 1, 109, 2002) HA(40, 3, 110, 4002)
              "M=60 P=4 G=-1 StateTransition Time=111 GoID=5 Waiting->Runnable Reason=\"\"\n"
              "M=10 P=0 G=-1 StateTransition Time=112 GoID=5 Runnable->Running Reason=\"\"\n"
              "M=10 P=0 G=5 Metric Time=113 Name=\"/memory/classes/heap/objects:bytes\" Value=Value{Uint64(1001)}\n"
              HA(60, 4, 114, 6002)
              "M=-1 P=-1 G=-1 Sync Time=115 N=2\n");
  tb_free(t);
}

static void
test_fallback_many_cursors(void)
{
  /* Thirteen threads besides the blocked one: past 12 elements Go's
   * slices.SortFunc is pdqsort, not an insertion sort, and it is not
   * stable, so the order in which the other cursors are tried changes. */
  tb *t = tb_new(26);
  tb_gen_begin(t, 1);
  tb_batch(t, 1, 1, 100);
  EV(t, TA_EV_PROC_STATUS, 1, 0, 1);   /* 101 */
  EV(t, TA_EV_GO_START, 0, 5, 2);      /* 101, waits for M 99 */
  for (uint64_t m = 2; m <= 14; m++) {
    tb_batch(t, 1, m, 100);
    EV(t, TA_EV_PROC_STATUS, 1, m, 1);  /* 101 */
    EV(t, TA_EV_HEAP_ALLOC, m % 3, m * 10);
  }
  tb_batch(t, 1, 99, 100);
  EV(t, TA_EV_GO_STATUS, 1, 5, 99, 4);  /* 101 */
  EV(t, TA_EV_GO_UNBLOCK, 9, 5, 1, 0);  /* 110 */
  tb_gen_end(t);
  tb_events e;
  tb_collect(t, &e);
  g_assert_cmpint(e.status, ==, 0);
  g_assert_cmpuint(e.n, ==, 1 + 1 + 13 * 2 + 2 + 1 + 1);
  g_assert_cmpint(e.items[e.n - 2].ev.type, ==, TA_EV_GO_START);
  g_assert_cmpint(e.items[e.n - 2].ev.m, ==, 1);
  tb_events_free(&e);
  /* Go 1.26's output. */
  tb_check(t, TB_SYNC1_25 PS(1, 0, 101) PS(2, 2, 102) PS(11, 11, 103) PS(7, 7, 104) PS(8, 8, 105)
              PS(9, 9, 106) HA(9, 9, 107, 90) PS(5, 5, 108)
              "M=99 P=-1 G=-1 StateTransition Time=109 GoID=5 Undetermined->Waiting Reason=\"\"\n"
              PS(14, 14, 110) PS(4, 4, 111) PS(13, 13, 112) PS(12, 12, 113) HA(12, 12, 114, 120)
              PS(10, 10, 115) PS(3, 3, 116) HA(3, 3, 117, 30) PS(6, 6, 118) HA(6, 6, 119, 60)
              HA(4, 4, 120, 40) HA(7, 7, 121, 70) HA(13, 13, 122, 130) HA(10, 10, 123, 100)
              HA(2, 2, 124, 20) HA(14, 14, 125, 140) HA(5, 5, 126, 50) HA(11, 11, 127, 110)
              HA(8, 8, 128, 80)
              "M=99 P=-1 G=-1 StateTransition Time=129 GoID=5 Waiting->Runnable Reason=\"\"\n"
              "M=1 P=0 G=-1 StateTransition Time=130 GoID=5 Runnable->Running Reason=\"\"\n"
              "M=-1 P=-1 G=-1 Sync Time=131 N=2\n");
  tb_free(t);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_set_nonfatal_assertions();
  g_test_add_func("/heap/equal-start", test_equal_start);
  g_test_add_func("/heap/zero-deltas", test_zero_deltas);
  g_test_add_func("/heap/removal", test_removal);
  g_test_add_func("/heap/fallback-sorted-order", test_fallback_sorted_order);
  g_test_add_func("/heap/fallback-many-cursors", test_fallback_many_cursors);
  return g_test_run();
}
