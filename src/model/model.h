/* model.h: public interface of the src/model layer.
 *
 * The trace model: a TaDocument indexes a Go execution trace on a background
 * thread and publishes immutable, reference-counted TaSnapshots to the main
 * thread after every generation. A snapshot holds the small tables a viewer
 * needs at once (goroutines, procs, threads, tasks, regions, logs, GC, STW,
 * metrics, CPU samples), the list of tracks, and per-track multi-resolution
 * summaries ("mipmaps") that say, for each time bucket, how much time each
 * state occupied and how many spans started there. Exact spans for a time
 * window are decoded again on demand on a worker pool (TaWindow), with an LRU
 * cache under a memory budget.
 *
 * GLib only (no GTK). Time is integer nanoseconds on the trace's clock, the
 * same values the decoder reports.
 *
 * Threading: TaDocument is a main-thread object (signals are emitted on the
 * thread-default main context that was current when it was created). A
 * TaSnapshot or TaWindow is immutable and may be read from any thread while
 * a reference is held. String and stack ids handed out by any snapshot or
 * window of a document resolve in that snapshot and every later one.
 */
#pragma once

#include <gio/gio.h>
#include <glib-object.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Basic types                                                         */
/* ------------------------------------------------------------------ */

#define TA_TIME_NONE G_MININT64   /* "no time": not created in the trace, never ended, ... */
#define TA_ID_NONE (-1)           /* no goroutine / proc / thread */
#define TA_TASK_NONE G_MAXUINT64  /* no task */

typedef guint32 TaStringId;       /* 0 = the empty string */
typedef guint32 TaStackId;        /* 0 = no stack */

/* State classes. Each track kind uses a subset; the names returned by
 * ta_state_name() are stable (use them as CSS class / colour keys and in the
 * legend); the numeric values may grow but never change meaning. */
typedef enum {
  TA_STATE_NONE = 0,            /* "none": no span (not existing, no data) */
  /* goroutine tracks */
  TA_STATE_RUNNING,             /* "running" */
  TA_STATE_RUNNABLE,            /* "runnable": waiting for a P (sched wait) */
  TA_STATE_SYSCALL,             /* "syscall": in a syscall, holding its P */
  TA_STATE_SYSCALL_BLOCKED,     /* "syscall-blocked": in a syscall, P taken away */
  TA_STATE_GC_ASSIST,           /* "gc-assist": running inside a GC mark assist */
  TA_STATE_BLOCKED_CHAN,        /* "blocked-chan": chan send / chan receive */
  TA_STATE_BLOCKED_SELECT,      /* "blocked-select" */
  TA_STATE_BLOCKED_SYNC,        /* "blocked-sync": sync, sync.(*Cond).Wait, synctest */
  TA_STATE_BLOCKED_NET,         /* "blocked-net": network */
  TA_STATE_BLOCKED_SLEEP,       /* "blocked-sleep": sleep */
  TA_STATE_BLOCKED_GC,          /* "blocked-gc": GC assist wait, wait until GC ends, ... */
  TA_STATE_BLOCKED_SYSTEM,      /* "blocked-system": system goroutine wait, forever, debug call */
  TA_STATE_BLOCKED_OTHER,       /* "blocked-other": any other or unspecified reason */
  /* proc tracks */
  TA_STATE_PROC_RUNNING,        /* "proc-running": running a user goroutine */
  TA_STATE_PROC_GC,             /* "proc-gc": running a GC worker (runtime.gcBgMarkWorker) */
  TA_STATE_PROC_SYSCALL,        /* "proc-syscall": its goroutine is in a syscall */
  TA_STATE_PROC_SCHED,          /* "proc-sched": running, but no goroutine on it */
  TA_STATE_PROC_IDLE,           /* "proc-idle" */
  /* thread tracks */
  TA_STATE_THREAD_RUNNING,      /* "thread-running": has a P and runs a goroutine */
  TA_STATE_THREAD_SYSCALL,      /* "thread-syscall": a goroutine is in a syscall on it */
  TA_STATE_THREAD_PROC,         /* "thread-proc": holds a P, no goroutine */
  /* overview tracks */
  TA_STATE_GC,                  /* "gc": GC concurrent mark phase */
  TA_STATE_STW,                 /* "stw": stop-the-world (reason on the span) */
  TA_STATE_SWEEP,               /* "sweep": GC incremental sweep (on procs, summed) */
  /* user annotation tracks */
  TA_STATE_REGION,              /* "region" (type on the span) */
  TA_STATE_TASK,                /* "task" (type on the span) */
  TA_N_STATES
} TaState;

/* Stable machine name ("running", "blocked-chan", ...). */
const char *ta_state_name(TaState state);
/* Human label ("Running", "Blocked (channel)", ...), for the legend. */
const char *ta_state_label(TaState state);
/* Class a goroutine waiting reason (as the trace words it) falls into. */
TaState ta_state_for_wait_reason(const char *reason);
/* Whether the state counts as executing on a CPU (running, gc-assist, syscall). */
gboolean ta_state_is_executing(TaState state);

/* ------------------------------------------------------------------ */
/* Tracks                                                              */
/* ------------------------------------------------------------------ */

typedef enum {
  TA_TRACK_NONE = 0,
  /* overview */
  TA_TRACK_GC,           /* GC mark phases */
  TA_TRACK_STW,          /* stop-the-world periods */
  TA_TRACK_SWEEP,        /* sweep ranges of all procs (may overlap: time is summed) */
  TA_TRACK_HEAP,         /* metric track: HEAP_ALLOC, HEAP_GOAL */
  TA_TRACK_GOROUTINES,   /* metric track: goroutine counts by state */
  TA_TRACK_THREADS,      /* metric track: threads running / in syscall, GOMAXPROCS */
  /* per resource */
  TA_TRACK_PROC,         /* id = proc id */
  TA_TRACK_THREAD,       /* id = thread (M) id */
  TA_TRACK_GOROUTINE,    /* id = goroutine id */
  TA_TRACK_REGIONS,      /* id = goroutine id, sub = nesting depth (0 = outermost) */
  TA_TRACK_TASKS,        /* id = 0, sub = lane (tasks packed into non-overlapping lanes) */
  TA_N_TRACK_KINDS
} TaTrackKind;

/* Identifies a track across snapshots (indexes in the track list move as
 * the trace is indexed; keys do not). */
typedef struct {
  TaTrackKind kind;
  guint32 sub;
  gint64 id;
} TaTrackKey;

typedef struct {
  TaTrackKey key;
  gboolean is_metric;        /* values (ta_snapshot_query_metric), not states */
  guint32 depth;             /* nesting for indentation (regions under goroutines) */
  gint64 first, last;        /* time of its first and last span (or sample) */
} TaTrackInfo;

/* Key equality and hash (GHashTable functions for TaTrackKey pointers). */
gboolean ta_track_key_equal(const TaTrackKey *a, const TaTrackKey *b);
guint ta_track_key_hash(const TaTrackKey *key);

/* ------------------------------------------------------------------ */
/* Metrics                                                             */
/* ------------------------------------------------------------------ */

typedef enum {
  TA_METRIC_HEAP_ALLOC = 0,       /* heap in use, bytes */
  TA_METRIC_HEAP_GOAL,            /* bytes */
  TA_METRIC_GOMAXPROCS,
  TA_METRIC_GOROUTINES_RUNNING,
  TA_METRIC_GOROUTINES_RUNNABLE,
  TA_METRIC_GOROUTINES_WAITING,   /* blocked, any reason */
  TA_METRIC_GOROUTINES_SYSCALL,   /* in a syscall (with or without a P) */
  TA_METRIC_THREADS_RUNNING,      /* threads running a goroutine */
  TA_METRIC_THREADS_SYSCALL,      /* threads in a syscall */
  TA_N_METRICS
} TaMetric;

const char *ta_metric_name(TaMetric metric);   /* stable: "heap-alloc", ... */
const char *ta_metric_label(TaMetric metric);  /* "Heap in use", ... */
/* The metrics drawn on a metric track (TA_TRACK_HEAP, _GOROUTINES, _THREADS). */
guint ta_track_metrics(TaTrackKind kind, TaMetric out[TA_N_METRICS]);

typedef struct {
  gint64 min, max;
  gint64 last;               /* value at the end of the column */
  gboolean valid;            /* false before the first sample */
} TaMetricColumn;

typedef struct {
  gint64 time;
  gint64 value;
} TaMetricSample;

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

typedef enum {
  TA_GOROUTINE_SYSTEM = 1 << 0,      /* start function in package runtime (not runtime.main) */
  TA_GOROUTINE_EXISTED = 1 << 1,     /* existed before the trace started */
  TA_GOROUTINE_GC_WORKER = 1 << 2,   /* runtime.gcBgMarkWorker */
  TA_GOROUTINE_ENDED = 1 << 3,       /* ended (destroyed, or waiting "forever") */
} TaGoroutineFlags;

typedef struct {
  gint64 id;
  gint64 parent;             /* creating goroutine, TA_ID_NONE if unknown */
  gint64 creation_time;      /* creation, or first sight for TA_GOROUTINE_EXISTED */
  gint64 end_time;           /* TA_TIME_NONE while it lives */
  TaStackId creation_stack;  /* stack of the creator at creation (0 if unknown) */
  TaStackId start_stack;     /* the new goroutine's start stack (0 if unknown) */
  TaStringId start_func;     /* "pkg.fn" of the start function, 0 if unknown */
  guint32 flags;             /* TaGoroutineFlags */
} TaGoroutine;

typedef struct {
  gint64 id;
  gint64 first, last;        /* first and last time it was seen */
} TaProcInfo;

typedef struct {
  gint64 id;
  gint64 first, last;
} TaThreadInfo;

typedef struct {
  guint64 id;
  guint64 parent;            /* TA_TASK_NONE for none */
  TaStringId type;
  gint64 begin, end;         /* TA_TIME_NONE if outside the trace */
  gint64 begin_g, end_g;     /* goroutines that began / ended it */
  guint32 n_goroutines;      /* goroutines involved (regions, logs, begin, end) */
  guint32 lane;              /* sub of its TA_TRACK_TASKS track */
} TaTask;

typedef struct {
  gint64 g;
  guint64 task;              /* TA_TASK_NONE (task 0 "background") is reported as 0 */
  TaStringId type;
  gint64 begin, end;         /* TA_TIME_NONE if outside the trace */
  guint32 depth;             /* nesting depth on its goroutine (0 = outermost) */
  TaStackId begin_stack;
} TaRegion;

typedef struct {
  gint64 time;
  gint64 g;
  guint64 task;
  TaStringId category;
  TaStringId message;
  TaStackId stack;
} TaLog;

typedef struct {
  guint64 seq;               /* GC cycle number as the trace gives it */
  gint64 begin, end;         /* mark phase; end TA_TIME_NONE if unfinished */
} TaGcCycle;

typedef struct {
  gint64 begin, end;
  TaStringId reason;         /* "stop-the-world (GC mark termination)" style text */
  gboolean is_gc;            /* a GC STW (sweep termination / mark termination) */
} TaStw;

typedef struct {
  gint64 time;
  gint64 g, p, m;
  TaStackId stack;
} TaCpuSample;

typedef struct {
  guint64 pc;
  const char *func;          /* owned by the document; valid while any snapshot lives */
  const char *file;
  guint64 line;
} TaFrame;

/* ------------------------------------------------------------------ */
/* Summaries                                                           */
/* ------------------------------------------------------------------ */

#define TA_MAX_LEVELS 24

/* One bucket of one level (or one query column). */
typedef struct {
  gint64 start, end;               /* time range it covers */
  gint64 time[TA_N_STATES];        /* ns spent in each state within [start, end) */
  guint64 n_spans;                 /* spans that START within [start, end) */
} TaBucket;

typedef enum {
  TA_COLUMN_COARSE = 1 << 0,       /* answered from a level coarser than the column:
                                    * exact spans (a TaWindow) would refine it */
  TA_COLUMN_PARTIAL = 1 << 1,      /* lies (partly) past the indexed frontier */
} TaColumnFlags;

typedef struct {
  gint64 start, end;               /* the column's time range */
  gint64 time[TA_N_STATES];        /* ns per state of the buckets assigned to the column */
  guint64 n_spans;                 /* spans starting in those buckets */
  guint8 level;                    /* level the column was computed from */
  guint8 flags;                    /* TaColumnFlags */
} TaColumn;

/* ------------------------------------------------------------------ */
/* Spans (exact)                                                       */
/* ------------------------------------------------------------------ */

typedef enum {
  TA_SPAN_CREATED = 1 << 0,        /* goroutine span that begins at its creation */
  TA_SPAN_ENDS_IN_DEATH = 1 << 1,  /* goroutine span that ends at its end */
  TA_SPAN_OPEN = 1 << 2,           /* still open at the end of the indexed data:
                                    * `end` is that frontier, not a transition */
  TA_SPAN_BEFORE_TRACE = 1 << 3,   /* started before the trace (start = first sight) */
} TaSpanFlags;

typedef struct {
  gint64 start, end;
  guint8 state;                    /* TaState */
  guint8 flags;                    /* TaSpanFlags */
  guint16 depth;                   /* region nesting depth */
  TaStringId reason;               /* goroutine: transition reason; STW: reason;
                                    * region/task: type */
  TaStackId stack;                 /* stack of the event that began the span */
  TaStackId end_stack;             /* stack of the event that ended it (0 = none) */
  gint64 g;                        /* proc/thread spans: the goroutine (TA_ID_NONE);
                                    * region/task spans: the goroutine that began it */
  gint64 p;                        /* thread spans: the proc; goroutine spans: the proc
                                    * at its start (TA_ID_NONE) */
  guint64 task;                    /* region/task spans: the task id */
} TaSpan;

/* ------------------------------------------------------------------ */
/* TaSnapshot: immutable, reference-counted                            */
/* ------------------------------------------------------------------ */

typedef struct _TaSnapshot TaSnapshot;

#define TA_TYPE_SNAPSHOT (ta_snapshot_get_type())
GType ta_snapshot_get_type(void) G_GNUC_CONST;

/* A new reference (any thread). */
TaSnapshot *ta_snapshot_ref(TaSnapshot *snap);
/* Drops a reference (any thread). */
void ta_snapshot_unref(TaSnapshot *snap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TaSnapshot, ta_snapshot_unref)
/* Drops a reference; the last one is freed on a worker thread. For a
 * thread that must not wait, such as the one that paints frames. */
void ta_snapshot_release(TaSnapshot *snap);

/* Time extent of what has been indexed: first and last event times. */
gint64 ta_snapshot_get_start(const TaSnapshot *snap);
gint64 ta_snapshot_get_end(const TaSnapshot *snap);
/* TRUE once the whole file is indexed (or indexing stopped at an error). */
gboolean ta_snapshot_is_complete(const TaSnapshot *snap);
/* Generations and events indexed so far; bytes of the file consumed. */
guint64 ta_snapshot_get_n_generations(const TaSnapshot *snap);
guint64 ta_snapshot_get_n_events(const TaSnapshot *snap);
guint64 ta_snapshot_get_bytes_indexed(const TaSnapshot *snap);
/* Trace format (22, 23, 25, 26 = Go 1.22 ... 1.26). */
int ta_snapshot_get_format(const TaSnapshot *snap);
/* The decode error indexing stopped at, or NULL (copy it to keep it). */
const GError *ta_snapshot_get_error(const TaSnapshot *snap);

/* Strings and stacks. */
const char *ta_snapshot_get_string(const TaSnapshot *snap, TaStringId id);
/* Frames in a stack (0 for none). */
guint ta_snapshot_get_stack_depth(const TaSnapshot *snap, TaStackId stack);
/* Frame i of a stack, innermost first. FALSE if out of range. */
gboolean ta_snapshot_get_stack_frame(const TaSnapshot *snap, TaStackId stack, guint i,
                                     TaFrame *out);
/* "pkg.fn (file.go:123)" of the innermost frame, newly allocated; NULL if none. */
char *ta_snapshot_dup_stack_top(const TaSnapshot *snap, TaStackId stack);

/* Goroutines, in order of first appearance in the trace (creation, or first
 * sight for those that existed before it); the order never changes as the
 * trace is indexed (rows are only added). Find one by id with
 * ta_snapshot_find_goroutine (no full scan). */
/* Row count, and row `index`. */
guint64 ta_snapshot_get_n_goroutines(const TaSnapshot *snap);
gboolean ta_snapshot_get_goroutine(const TaSnapshot *snap, guint64 index, TaGoroutine *out);
/* Finds a goroutine by id; index_out may be NULL. */
gboolean ta_snapshot_find_goroutine(const TaSnapshot *snap, gint64 goid, TaGoroutine *out,
                                    guint64 *index_out);
/* Bulk read of rows [first, first + n) of the goroutine table (for scans
 * such as sorting every goroutine off the main thread): each non-NULL array
 * gets n values. Returns the rows read (fewer past the end). */
guint64 ta_snapshot_get_goroutine_columns(const TaSnapshot *snap, guint64 first, guint64 n,
                                          gint64 *ids, gint64 *created, TaStringId *funcs);
/* Goroutines that have region tracks, ascending table row: the row and how
 * many region depths (TA_TRACK_REGIONS tracks, sub 0..n_depths-1) it has. */
guint64 ta_snapshot_get_n_region_goroutines(const TaSnapshot *snap);
gboolean ta_snapshot_get_region_goroutine(const TaSnapshot *snap, guint64 index, guint64 *row,
                                          guint32 *n_depths);
/* "g123 pkg.fn" (or "g123" without a known start function), newly allocated. */
char *ta_snapshot_dup_goroutine_label(const TaSnapshot *snap, const TaGoroutine *g);

/* Procs and threads, ascending id. */
guint ta_snapshot_get_n_procs(const TaSnapshot *snap);
gboolean ta_snapshot_get_proc(const TaSnapshot *snap, guint index, TaProcInfo *out);
guint ta_snapshot_get_n_threads(const TaSnapshot *snap);
gboolean ta_snapshot_get_thread(const TaSnapshot *snap, guint index, TaThreadInfo *out);

/* Tasks (ascending begin time; a task whose begin is before the trace comes
 * where its end was seen), regions (ascending begin time) and logs (ascending
 * time). */
guint64 ta_snapshot_get_n_tasks(const TaSnapshot *snap);
gboolean ta_snapshot_get_task(const TaSnapshot *snap, guint64 index, TaTask *out);
/* A task by id. */
gboolean ta_snapshot_find_task(const TaSnapshot *snap, guint64 task_id, TaTask *out);
/* Goroutines involved in a task; returns the number written (at most n). */
guint ta_snapshot_get_task_goroutines(const TaSnapshot *snap, guint64 task_id, gint64 *out,
                                      guint n);
guint64 ta_snapshot_get_n_regions(const TaSnapshot *snap);
gboolean ta_snapshot_get_region(const TaSnapshot *snap, guint64 index, TaRegion *out);
guint64 ta_snapshot_get_n_logs(const TaSnapshot *snap);
gboolean ta_snapshot_get_log(const TaSnapshot *snap, guint64 index, TaLog *out);
/* Index of the first region (by begin) / log at or after `time` (binary search). */
guint64 ta_snapshot_lower_bound_region(const TaSnapshot *snap, gint64 time);
guint64 ta_snapshot_lower_bound_log(const TaSnapshot *snap, gint64 time);

/* GC cycles and stop-the-world periods, ascending time. */
guint ta_snapshot_get_n_gc_cycles(const TaSnapshot *snap);
gboolean ta_snapshot_get_gc_cycle(const TaSnapshot *snap, guint index, TaGcCycle *out);
guint ta_snapshot_get_n_stws(const TaSnapshot *snap);
gboolean ta_snapshot_get_stw(const TaSnapshot *snap, guint index, TaStw *out);

/* Raw metric samples (value changes), ascending time. */
guint64 ta_snapshot_get_n_metric_samples(const TaSnapshot *snap, TaMetric metric);
gboolean ta_snapshot_get_metric_sample(const TaSnapshot *snap, TaMetric metric, guint64 index,
                                       TaMetricSample *out);

/* CPU samples, ascending time. */
guint64 ta_snapshot_get_n_cpu_samples(const TaSnapshot *snap);
gboolean ta_snapshot_get_cpu_sample(const TaSnapshot *snap, guint64 index, TaCpuSample *out);
guint64 ta_snapshot_lower_bound_cpu_sample(const TaSnapshot *snap, gint64 time);

/* Track list, in display order: overview (GC, STW, sweep, heap, goroutines,
 * threads), procs, threads (ascending id), goroutines (in table order, each
 * followed by its region tracks), task lanes. Virtual: a million goroutines
 * cost nothing until asked for. Only tracks with data are listed. */
guint64 ta_snapshot_get_n_tracks(const TaSnapshot *snap);
gboolean ta_snapshot_get_track(const TaSnapshot *snap, guint64 index, TaTrackInfo *out);
/* Index of a track in this snapshot's list; FALSE if it has none yet. */
gboolean ta_snapshot_find_track(const TaSnapshot *snap, const TaTrackKey *key,
                                guint64 *index_out);
/* Display name: "GC", "STW", "Proc 3", "Thread 12", "g123 pkg.fn", "Regions g123 · depth 2",
 * "Tasks 1"; newly allocated. */
char *ta_snapshot_dup_track_label(const TaSnapshot *snap, const TaTrackKey *key);

/* Summary levels: bucket b of level L covers
 * [origin + b * width(L), origin + (b + 1) * width(L)); width(L+1) = 4 * width(L). */
/* Levels so that the top one covers the trace in one bucket. */
guint ta_snapshot_get_n_levels(const TaSnapshot *snap);
/* Time of bucket 0 (the first generation's Sync). */
gint64 ta_snapshot_get_origin(const TaSnapshot *snap);
/* Width of a bucket of `level`, ns. */
gint64 ta_snapshot_get_bucket_width(const TaSnapshot *snap, guint level);
/* The finest level whose bucket width is <= `ns_per_column` (0 if none is). */
guint ta_snapshot_pick_level(const TaSnapshot *snap, gint64 ns_per_column);

/* Per-track query for the canvas: splits [t0, t1) into n_columns equal
 * columns and fills out[0..n_columns) from the finest stored level that is
 * no finer than a column (TA_COLUMN_COARSE where only coarser data exists).
 * Each bucket is assigned whole to the column containing its start, so the
 * total over columns equals the total over the buckets, and nothing flickers
 * while zooming. Divide time[] by (end - start) for fractions. Cheap: reads
 * only summaries in memory. FALSE for an unknown or metric track. */
gboolean ta_snapshot_query_track(const TaSnapshot *snap, const TaTrackKey *key, gint64 t0,
                                 gint64 t1, guint n_columns, TaColumn *out);
/* The bulk form for drawing many rows: adds the same columns' per-state
 * times to time[c * TA_N_STATES + state] (no column ranges, levels, flags
 * or span counts), sets bit `state` of states[c] for each state it adds to
 * (states may be NULL), and sets [*lo, *hi] to the columns it added to
 * (*lo > *hi when none), so a caller can keep `time` and `states` zeroed
 * and clear only what it touched. FALSE as ta_snapshot_query_track. */
gboolean ta_snapshot_accumulate_track(const TaSnapshot *snap, const TaTrackKey *key, gint64 t0,
                                      gint64 t1, guint n_columns, gint64 *time, guint32 *states,
                                      guint *lo, guint *hi);
G_STATIC_ASSERT(TA_N_STATES <= 32);   /* a bit per state in `states` */
/* Metric query: min/max/last per column, from the metric summaries. */
gboolean ta_snapshot_query_metric(const TaSnapshot *snap, TaMetric metric, gint64 t0, gint64 t1,
                                  guint n_columns, TaMetricColumn *out);
/* Raw buckets of one level (for tests and the CLI): fills up to n buckets
 * with index >= first_bucket that are not empty, ascending; returns how many. */
guint ta_snapshot_get_buckets(const TaSnapshot *snap, const TaTrackKey *key, guint level,
                              gint64 first_bucket, TaBucket *out, guint n);
/* Total time per state of a track over the whole indexed trace, and its span
 * count (the top of the pyramid). */
gboolean ta_snapshot_get_track_totals(const TaSnapshot *snap, const TaTrackKey *key,
                                      TaBucket *out);
/* Time per state summed over all goroutines (for `stats`). */
void ta_snapshot_get_goroutine_totals(const TaSnapshot *snap, TaBucket *out);

/* Memory the snapshot's document holds for summaries and tables (bytes). */
gsize ta_snapshot_get_memory_size(const TaSnapshot *snap);

/* ------------------------------------------------------------------ */
/* TaWindow: exact spans of some tracks over a time window              */
/* ------------------------------------------------------------------ */

typedef struct _TaWindow TaWindow;

#define TA_TYPE_WINDOW (ta_window_get_type())
GType ta_window_get_type(void) G_GNUC_CONST;

/* A new reference / drop one (any thread). */
TaWindow *ta_window_ref(TaWindow *win);
void ta_window_unref(TaWindow *win);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TaWindow, ta_window_unref)

/* The requested range [start, end) (every span overlapping it is included,
 * with its true start and end even outside the range). */
gint64 ta_window_get_start(const TaWindow *win);
gint64 ta_window_get_end(const TaWindow *win);
/* The tracks asked for, in the order asked. */
guint ta_window_get_n_tracks(const TaWindow *win);
const TaTrackKey *ta_window_get_track(const TaWindow *win, guint i);
/* Spans of track i, ascending start (non-overlapping within a track, except
 * TA_TRACK_SWEEP). The array lives as long as the window. */
const TaSpan *ta_window_get_spans(const TaWindow *win, guint i, gsize *n_spans);
/* The same spans' starts, ends and states (a TaState in a byte) as arrays
 * of their own: zoomed out, a frame walks millions of sub-pixel spans for
 * these 17 of a TaSpan's bytes. They live as long as the window. */
void ta_window_get_span_columns(const TaWindow *win, guint i, const gint64 **starts,
                                const gint64 **ends, const guint8 **states);
/* Snapshot the window was decoded against (resolves its strings/stacks). */
TaSnapshot *ta_window_get_snapshot(const TaWindow *win);

/* ------------------------------------------------------------------ */
/* TaDocument                                                          */
/* ------------------------------------------------------------------ */

#define TA_TYPE_DOCUMENT (ta_document_get_type())
G_DECLARE_FINAL_TYPE(TaDocument, ta_document, TA, DOCUMENT, GObject)

typedef enum {
  TA_DOCUMENT_IDLE = 0,     /* created, not started */
  TA_DOCUMENT_INDEXING,
  TA_DOCUMENT_COMPLETE,     /* whole file indexed */
  TA_DOCUMENT_FAILED,       /* stopped at an error; the last snapshot holds what was good */
  TA_DOCUMENT_CANCELLED,
} TaDocumentState;

GType ta_document_state_get_type(void) G_GNUC_CONST;
#define TA_TYPE_DOCUMENT_STATE (ta_document_state_get_type())

#define TA_MODEL_ERROR (ta_model_error_quark())
/* The TA_MODEL_ERROR domain. */
GQuark ta_model_error_quark(void);
typedef enum {
  TA_MODEL_ERROR_OPEN,      /* cannot open / not a trace / unsupported version */
  TA_MODEL_ERROR_DECODE,    /* invalid or truncated data (message names where) */
  TA_MODEL_ERROR_CANCELLED,
  TA_MODEL_ERROR_NOT_INDEXED, /* a window outside what has been indexed */
} TaModelError;

typedef struct {
  /* Exact spans are kept in memory for the whole trace when the file is at
   * most this many bytes (0: never; then windows are always decoded on demand). */
  guint64 resident_limit;
  /* Budget of the window cache, in bytes (LRU beyond it). */
  guint64 window_cache_budget;
  /* Threads decoding generations in parallel while indexing (0 = cores). */
  guint n_index_threads;
  /* Threads decoding windows (0 = cores). */
  guint n_window_threads;
  /* Use and write the on-disk index cache ($XDG_CACHE_HOME/trace-atlas). */
  gboolean use_cache;
  /* Overrides the cache directory (tests); NULL for the default. */
  const char *cache_dir;
  /* Indexing threads past the first snapshot run at a lower priority, so
   * that an interactive process keeps the cores for its main thread, and
   * free memory is not handed back to the system (malloc_trim) after each
   * snapshot: that drops the main thread's free pages too, which its next
   * frames fault in again. The application trims if it sees fit (the
   * viewer sets this and does not trim; a batch tool should not set it: it
   * would only lose the cores to other processes). */
  gboolean index_in_background;
} TaModelOptions;

/* The viewer brackets each frame it makes with these (main thread): the
 * threads indexing in the background (index_in_background) pause at their
 * next check, every few thousand events, until the frame is done (25 ms at
 * most), so that the frame has the cores. */
void ta_model_frame_begin(void);
void ta_model_frame_end(void);

/* Fills the defaults: resident_limit 64 MiB, window_cache_budget 128 MiB,
 * threads = cores (0), use_cache TRUE. */
void ta_model_options_init(TaModelOptions *opts);

/* Creates a document for a trace file; does not start indexing. opts may be
 * NULL for the defaults. Properties: "path", "state", "progress" (0..1),
 * "bytes-indexed", "bytes-total", "n-generations", "n-events", "snapshot",
 * "error" (GError boxed), "from-cache". Signals:
 *   "snapshot-published" (TaSnapshot *snap): a new snapshot is current;
 *   "progress" (): progress properties changed (at most once per idle);
 *   "failed" (GError *error): indexing stopped at an error (the current
 *       snapshot keeps every generation before it);
 *   "finished" (): indexing ended (complete, failed or cancelled).
 * All of one publish arrive in one coalesced idle on the main context. */
TaDocument *ta_document_new(const char *path, const TaModelOptions *opts);
/* Starts the background indexing (or loads a valid index cache). */
void ta_document_start(TaDocument *doc);
/* Stops indexing (the current snapshot stays usable); cancels windows. */
void ta_document_cancel(TaDocument *doc);
/* The trace file. */
const char *ta_document_get_path(TaDocument *doc);
/* Where indexing is (main thread view: changes with the published snapshots). */
TaDocumentState ta_document_get_state(TaDocument *doc);
/* Bytes indexed / file size, 1 when complete. */
double ta_document_get_progress(TaDocument *doc);
/* Bytes of the file the current snapshot covers, and the file size. */
guint64 ta_document_get_bytes_indexed(TaDocument *doc);
guint64 ta_document_get_bytes_total(TaDocument *doc);
/* The error indexing stopped at, or NULL. */
const GError *ta_document_get_error(TaDocument *doc);
/* TRUE when the current snapshot came from the on-disk index cache. */
gboolean ta_document_get_from_cache(TaDocument *doc);
/* The current snapshot (NULL before the first publish); a new reference. */
TaSnapshot *ta_document_dup_snapshot(TaDocument *doc);

/* Blocks until indexing ends, iterating no main loop (CLI, tests): returns
 * the final snapshot. Signals are still queued to the main context. */
TaSnapshot *ta_document_wait(TaDocument *doc);

/* Asks for the exact spans of `tracks` over [t0, t1) against `snap`. Decoded
 * on the worker pool (generations not covered by the cache are re-read from
 * the file); cached per (generation, track) under the budget. The callback
 * runs on the caller's thread-default main context. */
void ta_document_request_spans_async(TaDocument *doc, TaSnapshot *snap, const TaTrackKey *tracks,
                                     guint n_tracks, gint64 t0, gint64 t1,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
TaWindow *ta_document_request_spans_finish(TaDocument *doc, GAsyncResult *result,
                                           GError **error);
/* Same, blocking on the calling thread (never call it from the main thread
 * of a UI). */
TaWindow *ta_document_request_spans(TaDocument *doc, TaSnapshot *snap, const TaTrackKey *tracks,
                                    guint n_tracks, gint64 t0, gint64 t1,
                                    GCancellable *cancellable, GError **error);
/* Bytes held by the window cache right now, and its statistics. */
guint64 ta_document_get_window_cache_size(TaDocument *doc);
void ta_document_get_window_cache_stats(TaDocument *doc, guint64 *hits, guint64 *misses,
                                        guint64 *evictions);

G_END_DECLS
