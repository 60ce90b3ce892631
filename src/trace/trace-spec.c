/* trace-spec.c: the table of wire event types, their arguments and flags. */
#include "trace-internal.h"

/* Sets .args and, positionally, the .n_args member that follows it. */
#define ARGS(...) (const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

/* Timed event: its args include "dt". */
#define TIMED(name_, ...) { .name = name_, .args = ARGS(__VA_ARGS__), .timed = true }

const ta_spec ta_specs[TA_EV_SPEC_COUNT] = {
  [TA_EV_EVENT_BATCH] = { .name = "EventBatch", .args = ARGS("gen", "m", "time", "size") },
  [TA_EV_STACKS] = { .name = "Stacks" },
  [TA_EV_STACK] = { .name = "Stack", .args = ARGS("id", "nframes"), .is_stack = true },
  [TA_EV_STRINGS] = { .name = "Strings" },
  [TA_EV_STRING] = { .name = "String", .args = ARGS("id"), .has_data = true },
  [TA_EV_CPU_SAMPLES] = { .name = "CPUSamples" },
  [TA_EV_CPU_SAMPLE] = { .name = "CPUSample", .args = ARGS("time", "m", "p", "g", "stack"), .stack_pos = {4} },
  [TA_EV_FREQUENCY] = { .name = "Frequency", .args = ARGS("freq") },
  [TA_EV_PROCS_CHANGE] = { .name = "ProcsChange", .args = ARGS("dt", "procs_value", "stack"), .timed = true, .stack_pos = {2} },
  [TA_EV_PROC_START] = TIMED("ProcStart", "dt", "p", "p_seq"),
  [TA_EV_PROC_STOP] = TIMED("ProcStop", "dt"),
  [TA_EV_PROC_STEAL] = TIMED("ProcSteal", "dt", "p", "p_seq", "m"),
  [TA_EV_PROC_STATUS] = TIMED("ProcStatus", "dt", "p", "pstatus"),
  [TA_EV_GO_CREATE] = { .name = "GoCreate", .args = ARGS("dt", "new_g", "new_stack", "stack"), .timed = true, .stack_pos = {3, 2} },
  [TA_EV_GO_CREATE_SYSCALL] = TIMED("GoCreateSyscall", "dt", "new_g"),
  [TA_EV_GO_START] = TIMED("GoStart", "dt", "g", "g_seq"),
  [TA_EV_GO_DESTROY] = TIMED("GoDestroy", "dt"),
  [TA_EV_GO_DESTROY_SYSCALL] = TIMED("GoDestroySyscall", "dt"),
  [TA_EV_GO_STOP] = { .name = "GoStop", .args = ARGS("dt", "reason_string", "stack"), .timed = true, .stack_pos = {2}, .string_pos = {1} },
  [TA_EV_GO_BLOCK] = { .name = "GoBlock", .args = ARGS("dt", "reason_string", "stack"), .timed = true, .stack_pos = {2}, .string_pos = {1} },
  [TA_EV_GO_UNBLOCK] = { .name = "GoUnblock", .args = ARGS("dt", "g", "g_seq", "stack"), .timed = true, .stack_pos = {3} },
  [TA_EV_GO_SYSCALL_BEGIN] = { .name = "GoSyscallBegin", .args = ARGS("dt", "p_seq", "stack"), .timed = true, .stack_pos = {2} },
  [TA_EV_GO_SYSCALL_END] = { .name = "GoSyscallEnd", .args = ARGS("dt"), .timed = true, .start_ev = TA_EV_GO_SYSCALL_BEGIN },
  [TA_EV_GO_SYSCALL_END_BLOCKED] = { .name = "GoSyscallEndBlocked", .args = ARGS("dt"), .timed = true, .start_ev = TA_EV_GO_SYSCALL_BEGIN },
  [TA_EV_GO_STATUS] = TIMED("GoStatus", "dt", "g", "m", "gstatus"),
  [TA_EV_STW_BEGIN] = { .name = "STWBegin", .args = ARGS("dt", "kind_string", "stack"), .timed = true, .stack_pos = {2}, .string_pos = {1} },
  [TA_EV_STW_END] = { .name = "STWEnd", .args = ARGS("dt"), .timed = true, .start_ev = TA_EV_STW_BEGIN },
  [TA_EV_GC_ACTIVE] = { .name = "GCActive", .args = ARGS("dt", "gc_seq"), .timed = true, .start_ev = TA_EV_GC_BEGIN },
  [TA_EV_GC_BEGIN] = { .name = "GCBegin", .args = ARGS("dt", "gc_seq", "stack"), .timed = true, .stack_pos = {2} },
  [TA_EV_GC_END] = { .name = "GCEnd", .args = ARGS("dt", "gc_seq"), .timed = true, .start_ev = TA_EV_GC_BEGIN },
  [TA_EV_GC_SWEEP_ACTIVE] = { .name = "GCSweepActive", .args = ARGS("dt", "p"), .timed = true, .start_ev = TA_EV_GC_SWEEP_BEGIN },
  [TA_EV_GC_SWEEP_BEGIN] = { .name = "GCSweepBegin", .args = ARGS("dt", "stack"), .timed = true, .stack_pos = {1} },
  [TA_EV_GC_SWEEP_END] = { .name = "GCSweepEnd", .args = ARGS("dt", "swept_value", "reclaimed_value"), .timed = true, .start_ev = TA_EV_GC_SWEEP_BEGIN },
  [TA_EV_GC_MARK_ASSIST_ACTIVE] = { .name = "GCMarkAssistActive", .args = ARGS("dt", "g"), .timed = true, .start_ev = TA_EV_GC_MARK_ASSIST_BEGIN },
  [TA_EV_GC_MARK_ASSIST_BEGIN] = { .name = "GCMarkAssistBegin", .args = ARGS("dt", "stack"), .timed = true, .stack_pos = {1} },
  [TA_EV_GC_MARK_ASSIST_END] = { .name = "GCMarkAssistEnd", .args = ARGS("dt"), .timed = true, .start_ev = TA_EV_GC_MARK_ASSIST_BEGIN },
  [TA_EV_HEAP_ALLOC] = TIMED("HeapAlloc", "dt", "heapalloc_value"),
  [TA_EV_HEAP_GOAL] = TIMED("HeapGoal", "dt", "heapgoal_value"),
  [TA_EV_GO_LABEL] = { .name = "GoLabel", .args = ARGS("dt", "label_string"), .timed = true, .string_pos = {1} },
  [TA_EV_USER_TASK_BEGIN] = { .name = "UserTaskBegin", .args = ARGS("dt", "task", "parent_task", "name_string", "stack"), .timed = true, .stack_pos = {4}, .string_pos = {3} },
  [TA_EV_USER_TASK_END] = { .name = "UserTaskEnd", .args = ARGS("dt", "task", "stack"), .timed = true, .stack_pos = {2} },
  [TA_EV_USER_REGION_BEGIN] = { .name = "UserRegionBegin", .args = ARGS("dt", "task", "name_string", "stack"), .timed = true, .stack_pos = {3}, .string_pos = {2} },
  [TA_EV_USER_REGION_END] = { .name = "UserRegionEnd", .args = ARGS("dt", "task", "name_string", "stack"), .timed = true, .stack_pos = {3}, .string_pos = {2}, .start_ev = TA_EV_USER_REGION_BEGIN },
  [TA_EV_USER_LOG] = { .name = "UserLog", .args = ARGS("dt", "task", "key_string", "value_string", "stack"), .timed = true, .stack_pos = {4}, .string_pos = {2, 3} },
  [TA_EV_GO_SWITCH] = TIMED("GoSwitch", "dt", "g", "g_seq"),
  [TA_EV_GO_SWITCH_DESTROY] = TIMED("GoSwitchDestroy", "dt", "g", "g_seq"),
  [TA_EV_GO_CREATE_BLOCKED] = { .name = "GoCreateBlocked", .args = ARGS("dt", "new_g", "new_stack", "stack"), .timed = true, .stack_pos = {3, 2} },
  [TA_EV_GO_STATUS_STACK] = { .name = "GoStatusStack", .args = ARGS("dt", "g", "m", "gstatus", "stack"), .timed = true, .stack_pos = {4} },
  [TA_EV_EXPERIMENTAL_BATCH] = { .name = "ExperimentalBatch", .args = ARGS("exp", "gen", "m", "time"), .has_data = true },
  [TA_EV_SYNC] = { .name = "Sync" },
  [TA_EV_CLOCK_SNAPSHOT] = TIMED("ClockSnapshot", "dt", "mono", "sec", "nsec"),
  [TA_EV_END_OF_GENERATION] = { .name = "EndOfGeneration" },
  [TA_EV_SPAN] = { .name = "Span", .args = ARGS("dt", "id", "npages_value", "kindclass"), .timed = true, .experimental = true },
  [TA_EV_SPAN_ALLOC] = { .name = "SpanAlloc", .args = ARGS("dt", "id", "npages_value", "kindclass"), .timed = true, .experimental = true },
  [TA_EV_SPAN_FREE] = { .name = "SpanFree", .args = ARGS("dt", "id"), .timed = true, .experimental = true },
  [TA_EV_HEAP_OBJECT] = { .name = "HeapObject", .args = ARGS("dt", "id", "type"), .timed = true, .experimental = true },
  [TA_EV_HEAP_OBJECT_ALLOC] = { .name = "HeapObjectAlloc", .args = ARGS("dt", "id", "type"), .timed = true, .experimental = true },
  [TA_EV_HEAP_OBJECT_FREE] = { .name = "HeapObjectFree", .args = ARGS("dt", "id"), .timed = true, .experimental = true },
  [TA_EV_GOROUTINE_STACK] = { .name = "GoroutineStack", .args = ARGS("dt", "id", "order"), .timed = true, .experimental = true },
  [TA_EV_GOROUTINE_STACK_ALLOC] = { .name = "GoroutineStackAlloc", .args = ARGS("dt", "id", "order"), .timed = true, .experimental = true },
  [TA_EV_GOROUTINE_STACK_FREE] = { .name = "GoroutineStackFree", .args = ARGS("dt", "id"), .timed = true, .experimental = true },
};

const ta_spec *
ta_spec_get(int format, unsigned type)
{
  unsigned limit;
  switch (format) {
  case 22: limit = TA_EV_USER_LOG + 1; break;
  case 23: limit = TA_EV_EXPERIMENTAL_BATCH + 1; break;
  case 25: limit = TA_EV_CLOCK_SNAPSHOT + 1; break;
  default: limit = TA_EV_SPEC_COUNT; break;
  }
  if (type >= limit)
    return NULL;
  return &ta_specs[type];
}
/* 1 + arguments after dt of each timed wire type; 0 = not a timed event. */
const uint8_t ta_timed_arg_count[256] = {
  [9] = 3, /* ProcsChange */
  [10] = 3, /* ProcStart */
  [11] = 1, /* ProcStop */
  [12] = 4, /* ProcSteal */
  [13] = 3, /* ProcStatus */
  [14] = 4, /* GoCreate */
  [15] = 2, /* GoCreateSyscall */
  [16] = 3, /* GoStart */
  [17] = 1, /* GoDestroy */
  [18] = 1, /* GoDestroySyscall */
  [19] = 3, /* GoStop */
  [20] = 3, /* GoBlock */
  [21] = 4, /* GoUnblock */
  [22] = 3, /* GoSyscallBegin */
  [23] = 1, /* GoSyscallEnd */
  [24] = 1, /* GoSyscallEndBlocked */
  [25] = 4, /* GoStatus */
  [26] = 3, /* STWBegin */
  [27] = 1, /* STWEnd */
  [28] = 2, /* GCActive */
  [29] = 3, /* GCBegin */
  [30] = 2, /* GCEnd */
  [31] = 2, /* GCSweepActive */
  [32] = 2, /* GCSweepBegin */
  [33] = 3, /* GCSweepEnd */
  [34] = 2, /* GCMarkAssistActive */
  [35] = 2, /* GCMarkAssistBegin */
  [36] = 1, /* GCMarkAssistEnd */
  [37] = 2, /* HeapAlloc */
  [38] = 2, /* HeapGoal */
  [39] = 2, /* GoLabel */
  [40] = 5, /* UserTaskBegin */
  [41] = 3, /* UserTaskEnd */
  [42] = 4, /* UserRegionBegin */
  [43] = 4, /* UserRegionEnd */
  [44] = 5, /* UserLog */
  [45] = 3, /* GoSwitch */
  [46] = 3, /* GoSwitchDestroy */
  [47] = 4, /* GoCreateBlocked */
  [48] = 5, /* GoStatusStack */
  [51] = 4, /* ClockSnapshot */
  [128] = 4, /* Span */
  [129] = 4, /* SpanAlloc */
  [130] = 2, /* SpanFree */
  [131] = 3, /* HeapObject */
  [132] = 3, /* HeapObjectAlloc */
  [133] = 2, /* HeapObjectFree */
  [134] = 3, /* GoroutineStack */
  [135] = 3, /* GoroutineStackAlloc */
  [136] = 2, /* GoroutineStackFree */
};
