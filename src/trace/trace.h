/* trace.h: public interface of the src/trace layer.
 *
 * Decodes Go execution traces (formats 22, 23, 25 and 26: Go 1.22 to 1.26)
 * exactly as Go's own parser (internal/trace) does, one event at a time.
 * Plain C17 + libc + libzstd: no GLib, no GTK, so it can be fuzzed alone.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Wire event types (the byte that starts each record). */
enum {
  TA_EV_NONE = 0,
  TA_EV_EVENT_BATCH = 1,
  TA_EV_STACKS = 2,
  TA_EV_STACK = 3,
  TA_EV_STRINGS = 4,
  TA_EV_STRING = 5,
  TA_EV_CPU_SAMPLES = 6,
  TA_EV_CPU_SAMPLE = 7,
  TA_EV_FREQUENCY = 8,
  TA_EV_PROCS_CHANGE = 9,
  TA_EV_PROC_START = 10,
  TA_EV_PROC_STOP = 11,
  TA_EV_PROC_STEAL = 12,
  TA_EV_PROC_STATUS = 13,
  TA_EV_GO_CREATE = 14,
  TA_EV_GO_CREATE_SYSCALL = 15,
  TA_EV_GO_START = 16,
  TA_EV_GO_DESTROY = 17,
  TA_EV_GO_DESTROY_SYSCALL = 18,
  TA_EV_GO_STOP = 19,
  TA_EV_GO_BLOCK = 20,
  TA_EV_GO_UNBLOCK = 21,
  TA_EV_GO_SYSCALL_BEGIN = 22,
  TA_EV_GO_SYSCALL_END = 23,
  TA_EV_GO_SYSCALL_END_BLOCKED = 24,
  TA_EV_GO_STATUS = 25,
  TA_EV_STW_BEGIN = 26,
  TA_EV_STW_END = 27,
  TA_EV_GC_ACTIVE = 28,
  TA_EV_GC_BEGIN = 29,
  TA_EV_GC_END = 30,
  TA_EV_GC_SWEEP_ACTIVE = 31,
  TA_EV_GC_SWEEP_BEGIN = 32,
  TA_EV_GC_SWEEP_END = 33,
  TA_EV_GC_MARK_ASSIST_ACTIVE = 34,
  TA_EV_GC_MARK_ASSIST_BEGIN = 35,
  TA_EV_GC_MARK_ASSIST_END = 36,
  TA_EV_HEAP_ALLOC = 37,
  TA_EV_HEAP_GOAL = 38,
  TA_EV_GO_LABEL = 39,
  TA_EV_USER_TASK_BEGIN = 40,
  TA_EV_USER_TASK_END = 41,
  TA_EV_USER_REGION_BEGIN = 42,
  TA_EV_USER_REGION_END = 43,
  TA_EV_USER_LOG = 44,
  TA_EV_GO_SWITCH = 45,
  TA_EV_GO_SWITCH_DESTROY = 46,
  TA_EV_GO_CREATE_BLOCKED = 47,
  TA_EV_GO_STATUS_STACK = 48,
  TA_EV_EXPERIMENTAL_BATCH = 49,
  TA_EV_SYNC = 50,
  TA_EV_CLOCK_SNAPSHOT = 51,
  TA_EV_END_OF_GENERATION = 52,
  TA_EV_SPAN = 128,
  TA_EV_SPAN_ALLOC = 129,
  TA_EV_SPAN_FREE = 130,
  TA_EV_HEAP_OBJECT = 131,
  TA_EV_HEAP_OBJECT_ALLOC = 132,
  TA_EV_HEAP_OBJECT_FREE = 133,
  TA_EV_GOROUTINE_STACK = 134,
  TA_EV_GOROUTINE_STACK_ALLOC = 135,
  TA_EV_GOROUTINE_STACK_FREE = 136,
  TA_EV_SPEC_COUNT = 137,
  /* Not on the wire: the type of the Sync events the parser synthesises. */
  TA_EV_PARSER_SYNC = 255,
};

/* What an event means, as Go's trace.EventKind. */
typedef enum {
  TA_KIND_BAD = 0,
  TA_KIND_SYNC,
  TA_KIND_METRIC,
  TA_KIND_LABEL,
  TA_KIND_STACK_SAMPLE,
  TA_KIND_RANGE_BEGIN,
  TA_KIND_RANGE_ACTIVE,
  TA_KIND_RANGE_END,
  TA_KIND_TASK_BEGIN,
  TA_KIND_TASK_END,
  TA_KIND_REGION_BEGIN,
  TA_KIND_REGION_END,
  TA_KIND_LOG,
  TA_KIND_STATE_TRANSITION,
  TA_KIND_EXPERIMENTAL,
  TA_KIND_COUNT
} ta_kind;

/* Goroutine states, numbered as Go's trace.GoState. */
typedef enum {
  TA_GO_UNDETERMINED = 0,
  TA_GO_NOT_EXIST,
  TA_GO_RUNNABLE,
  TA_GO_RUNNING,
  TA_GO_WAITING,
  TA_GO_SYSCALL,
} ta_go_state;

/* Proc states, numbered as Go's trace.ProcState. */
typedef enum {
  TA_PROC_UNDETERMINED = 0,
  TA_PROC_NOT_EXIST,
  TA_PROC_RUNNING,
  TA_PROC_IDLE,
} ta_proc_state;

typedef enum {
  TA_RESOURCE_NONE = 0,
  TA_RESOURCE_GOROUTINE,
  TA_RESOURCE_PROC,
  TA_RESOURCE_THREAD,
} ta_resource_kind;

#define TA_NO_ID (-1)                     /* NoGoroutine, NoProc, NoThread */
#define TA_NO_TASK UINT64_MAX             /* a task with no parent */

/* Byte string borrowed from the parser; not NUL-terminated. */
typedef struct {
  const char *ptr;
  size_t len;
} ta_str;

typedef struct {
  uint64_t pc;
  ta_str func;
  ta_str file;
  uint64_t line;
} ta_frame;

typedef struct ta_generation ta_generation;

/* One parsed event. Everything it points at (strings, stacks) stays valid
 * until the next call to ta_parser_next() that starts a new generation, so
 * copy what must outlive the generation. */
typedef struct {
  ta_kind kind;
  uint8_t type;        /* wire type, TA_EV_CPU_SAMPLE for samples, TA_EV_PARSER_SYNC */
  int64_t time;        /* nanoseconds; strictly increasing over the trace */
  int64_t m, p, g;     /* scheduling context, TA_NO_ID for none */
  uint64_t args[4];    /* arguments after dt; slots past the type's argument
                        * count hold leftovers: read only those it has */
  /* Derived by the state machine (meaning depends on type):
   * ProcStatus: old ta_proc_state; ProcSteal: old wire proc status;
   * GoStatus(Stack): old ta_go_state; UserTaskEnd: parent task.
   * This, task_type and sync_n are set only for the types named here;
   * for others they hold whatever the slot held before. */
  uint64_t derived;
  ta_str task_type;    /* UserTaskEnd: the type recorded at its begin, or "" */
  uint64_t sync_n;     /* Sync: 1-based counter */
  const ta_generation *gen; /* tables; NULL for Syncs that close the trace */
} ta_event;

/* Where and why parsing stopped. */
typedef struct {
  bool failed;
  bool ends_trace;     /* Go reads this as the end of the trace, not a failure */
  int64_t offset;      /* byte offset in the (decompressed) stream, -1 unknown */
  uint64_t gen;        /* generation number involved, 0 unknown */
  char message[1024];  /* what went wrong, as Go words it where Go has words */
} ta_error;

typedef struct ta_parser ta_parser;

typedef struct {
  int64_t start_offset;   /* first byte of the first batch */
  int64_t end_offset;     /* one past its last byte (incl. the end marker) */
  uint64_t number;        /* generation number from the batches */
  uint64_t bytes;         /* batch bytes buffered for it */
  int64_t min_time;       /* Sync time of the generation (ns) */
} ta_generation_info;

/* Opens a trace file (plain or zstd-compressed). On failure returns NULL and
 * fills *err (a directory, unreadable file, bad header, unknown version). */
ta_parser *ta_parser_open_path(const char *path, ta_error *err);
/* Same for a trace in memory; data must outlive the parser. */
ta_parser *ta_parser_open_memory(const void *data, size_t len, ta_error *err);
/* Decodes the generations found in [offset, offset+len) of a plain trace
 * file whose header says `format`, as if they were a whole trace. This is
 * how a viewer re-decodes one generation on demand. */
ta_parser *ta_parser_open_range(const char *path, int format, int64_t offset,
                                int64_t len, ta_error *err);
void ta_parser_free(ta_parser *p);

/* 1: *ev filled. 0: end of trace. -1: error, see ta_parser_error(). After an
 * error every later call returns -1 again. */
int ta_parser_next(ta_parser *p, ta_event *ev);
/* Up to max (> 0) events at once, as that many ta_parser_next() calls
 * would give them, for consumers that want less call overhead. Returns how
 * many were filled (> 0); 0 at the end of the trace and -1 on error, as
 * ta_parser_next() does, but only once every event before them has been
 * returned. A batch never crosses into a new generation, so the tables its
 * events point at stay valid until the next call. */
int ta_parser_next_many(ta_parser *p, ta_event *evs, int max);
const ta_error *ta_parser_error(const ta_parser *p);
/* After a clean end: why the trace ended early, if it did (a table batch cut
 * short, which Go takes as the end of the trace); NULL otherwise. */
const ta_error *ta_parser_early_end(const ta_parser *p);

int ta_parser_format(const ta_parser *p);          /* 22, 23, 25 or 26 */
/* The generation being decoded (valid after its Sync event). */
const ta_generation_info *ta_parser_generation(const ta_parser *p);
uint64_t ta_parser_bytes_read(const ta_parser *p); /* input consumed so far */
uint64_t ta_parser_largest_generation(const ta_parser *p);
/* Generations whose every event has been returned, and the stream offset
 * where the last of them ends: after an error, what was kept. */
uint64_t ta_parser_complete_generations(const ta_parser *p, int64_t *end_offset);

/* Accessors (Go's Event methods). */
const char *ta_kind_name(ta_kind k);
const char *ta_go_state_name(ta_go_state s);
const char *ta_proc_state_name(ta_proc_state s);
/* Looks a string ID up in the event's generation; false if it is unknown. */
bool ta_event_string(const ta_event *ev, uint64_t id, ta_str *out);
/* The event's stack ID per Go's Event.Stack (0 = none). */
uint64_t ta_event_stack_id(const ta_event *ev);
/* Number of frames of a stack of the event's generation, and one frame. */
size_t ta_event_stack_depth(const ta_event *ev, uint64_t stack_id);
bool ta_event_stack_frame(const ta_event *ev, uint64_t stack_id, size_t i, ta_frame *out);

/* State transitions. */
typedef struct {
  ta_resource_kind resource;
  int64_t id;
  int old_state, new_state;  /* ta_go_state or ta_proc_state */
  ta_str reason;
  uint64_t reason_id;        /* the reason's string ID; 0: none */
  bool has_stack;            /* Go's Stack != NoStack */
  uint64_t stack_id;
} ta_transition;
bool ta_event_transition(const ta_event *ev, ta_transition *out);
/* The same without looking the reason string up (`reason` stays empty,
 * `reason_id` says which it is): for callers that map strings themselves,
 * once per event. */
bool ta_event_transition_ids(const ta_event *ev, ta_transition *out);

/* Sync details. */
typedef struct {
  bool has_snapshot;
  int64_t trace_ns;
  uint64_t mono;
  int64_t wall_sec, wall_nsec;  /* as time.Unix(sec, nsec) received them */
  size_t n_experimental_batches;
} ta_sync_info;
bool ta_event_sync(const ta_event *ev, ta_sync_info *out);

/* Event specs (names and argument names) for -d=wire and messages. */
typedef struct {
  const char *name;
  const char *const *args; /* including "dt" for timed events */
  uint8_t n_args;
  bool timed, is_stack, has_data;
  uint8_t stack_pos[2];   /* 1-based positions in the full arg list, 0 = none */
  uint8_t string_pos[2];
  uint8_t start_ev;
  bool experimental;
} ta_spec;
/* Spec of `type` in the table of `format` (NULL outside it). */
const ta_spec *ta_spec_get(int format, unsigned type);

#ifdef __cplusplus
}
#endif
