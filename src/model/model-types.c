/* model-types.c: state classes, metrics, track keys, options, errors. */
#define G_LOG_DOMAIN "ta-model"

#include "model-private.h"

static const struct {
  const char *name, *label;
} states[TA_N_STATES] = {
  [TA_STATE_NONE] = { "none", "None" },
  [TA_STATE_RUNNING] = { "running", "Running" },
  [TA_STATE_RUNNABLE] = { "runnable", "Runnable (waiting for a P)" },
  [TA_STATE_SYSCALL] = { "syscall", "In syscall" },
  [TA_STATE_SYSCALL_BLOCKED] = { "syscall-blocked", "Blocked in syscall" },
  [TA_STATE_GC_ASSIST] = { "gc-assist", "GC mark assist" },
  [TA_STATE_BLOCKED_CHAN] = { "blocked-chan", "Blocked (channel)" },
  [TA_STATE_BLOCKED_SELECT] = { "blocked-select", "Blocked (select)" },
  [TA_STATE_BLOCKED_SYNC] = { "blocked-sync", "Blocked (sync)" },
  [TA_STATE_BLOCKED_NET] = { "blocked-net", "Blocked (network)" },
  [TA_STATE_BLOCKED_SLEEP] = { "blocked-sleep", "Blocked (sleep)" },
  [TA_STATE_BLOCKED_GC] = { "blocked-gc", "Blocked (GC)" },
  [TA_STATE_BLOCKED_SYSTEM] = { "blocked-system", "Blocked (system)" },
  [TA_STATE_BLOCKED_OTHER] = { "blocked-other", "Blocked (other)" },
  [TA_STATE_PROC_RUNNING] = { "proc-running", "Running a goroutine" },
  [TA_STATE_PROC_GC] = { "proc-gc", "Running a GC worker" },
  [TA_STATE_PROC_SYSCALL] = { "proc-syscall", "Goroutine in syscall" },
  [TA_STATE_PROC_SCHED] = { "proc-sched", "Scheduling" },
  [TA_STATE_PROC_IDLE] = { "proc-idle", "Idle" },
  [TA_STATE_THREAD_RUNNING] = { "thread-running", "Running a goroutine" },
  [TA_STATE_THREAD_SYSCALL] = { "thread-syscall", "In syscall" },
  [TA_STATE_THREAD_PROC] = { "thread-proc", "Holding a P" },
  [TA_STATE_GC] = { "gc", "GC mark phase" },
  [TA_STATE_STW] = { "stw", "Stop-the-world" },
  [TA_STATE_SWEEP] = { "sweep", "GC sweep" },
  [TA_STATE_REGION] = { "region", "Region" },
  [TA_STATE_TASK] = { "task", "Task" },
};

const char *
ta_state_name(TaState state)
{
  return (guint)state < TA_N_STATES ? states[state].name : "none";
}

const char *
ta_state_label(TaState state)
{
  return (guint)state < TA_N_STATES ? states[state].label : "None";
}

TaState
ta_state_for_wait_reason(const char *r)
{
  if (!r || !*r)
    return TA_STATE_BLOCKED_OTHER;
  if (!strcmp(r, "chan send") || !strcmp(r, "chan receive"))
    return TA_STATE_BLOCKED_CHAN;
  if (!strcmp(r, "select"))
    return TA_STATE_BLOCKED_SELECT;
  if (!strcmp(r, "sync") || !strcmp(r, "sync.(*Cond).Wait") || !strcmp(r, "synctest"))
    return TA_STATE_BLOCKED_SYNC;
  if (!strcmp(r, "network"))
    return TA_STATE_BLOCKED_NET;
  if (!strcmp(r, "sleep"))
    return TA_STATE_BLOCKED_SLEEP;
  if (g_str_has_prefix(r, "GC ") || !strcmp(r, "wait until GC ends"))
    return TA_STATE_BLOCKED_GC;
  if (!strcmp(r, "system goroutine wait") || !strcmp(r, "forever") ||
      !strcmp(r, "wait for debug call"))
    return TA_STATE_BLOCKED_SYSTEM;
  return TA_STATE_BLOCKED_OTHER;
}

gboolean
ta_state_is_executing(TaState s)
{
  return s == TA_STATE_RUNNING || s == TA_STATE_GC_ASSIST || s == TA_STATE_SYSCALL;
}

gboolean
ta_track_key_equal(const TaTrackKey *a, const TaTrackKey *b)
{
  return a->kind == b->kind && a->sub == b->sub && a->id == b->id;
}

guint
ta_track_key_hash(const TaTrackKey *k)
{
  guint64 h = ((guint64)k->id * 0x9E3779B97F4A7C15ull) ^ ((guint64)k->kind << 40) ^
              ((guint64)k->sub << 8);
  return (guint)(h ^ (h >> 29));
}

static const struct {
  const char *name, *label;
} metrics[TA_N_METRICS] = {
  [TA_METRIC_HEAP_ALLOC] = { "heap-alloc", "Heap in use" },
  [TA_METRIC_HEAP_GOAL] = { "heap-goal", "Heap goal" },
  [TA_METRIC_GOMAXPROCS] = { "gomaxprocs", "GOMAXPROCS" },
  [TA_METRIC_GOROUTINES_RUNNING] = { "goroutines-running", "Goroutines running" },
  [TA_METRIC_GOROUTINES_RUNNABLE] = { "goroutines-runnable", "Goroutines runnable" },
  [TA_METRIC_GOROUTINES_WAITING] = { "goroutines-waiting", "Goroutines waiting" },
  [TA_METRIC_GOROUTINES_SYSCALL] = { "goroutines-syscall", "Goroutines in syscall" },
  [TA_METRIC_THREADS_RUNNING] = { "threads-running", "Threads running" },
  [TA_METRIC_THREADS_SYSCALL] = { "threads-syscall", "Threads in syscall" },
};

const char *
ta_metric_name(TaMetric m)
{
  return (guint)m < TA_N_METRICS ? metrics[m].name : "";
}

const char *
ta_metric_label(TaMetric m)
{
  return (guint)m < TA_N_METRICS ? metrics[m].label : "";
}

guint
ta_track_metrics(TaTrackKind kind, TaMetric out[TA_N_METRICS])
{
  guint n = 0;
  switch (kind) {
  case TA_TRACK_HEAP:
    out[n++] = TA_METRIC_HEAP_ALLOC;
    out[n++] = TA_METRIC_HEAP_GOAL;
    break;
  case TA_TRACK_GOROUTINES:
    out[n++] = TA_METRIC_GOROUTINES_RUNNING;
    out[n++] = TA_METRIC_GOROUTINES_RUNNABLE;
    out[n++] = TA_METRIC_GOROUTINES_WAITING;
    out[n++] = TA_METRIC_GOROUTINES_SYSCALL;
    break;
  case TA_TRACK_THREADS:
    out[n++] = TA_METRIC_THREADS_RUNNING;
    out[n++] = TA_METRIC_THREADS_SYSCALL;
    out[n++] = TA_METRIC_GOMAXPROCS;
    break;
  default:
    break;
  }
  return n;
}

void
ta_model_options_init(TaModelOptions *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->resident_limit = 64ull << 20;
  opts->window_cache_budget = 128ull << 20;
  opts->use_cache = TRUE;
}

G_DEFINE_QUARK(ta-model-error-quark, ta_model_error)

GType
ta_document_state_get_type(void)
{
  static gsize id = 0;
  static const GEnumValue values[] = {
    { TA_DOCUMENT_IDLE, "TA_DOCUMENT_IDLE", "idle" },
    { TA_DOCUMENT_INDEXING, "TA_DOCUMENT_INDEXING", "indexing" },
    { TA_DOCUMENT_COMPLETE, "TA_DOCUMENT_COMPLETE", "complete" },
    { TA_DOCUMENT_FAILED, "TA_DOCUMENT_FAILED", "failed" },
    { TA_DOCUMENT_CANCELLED, "TA_DOCUMENT_CANCELLED", "cancelled" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&id))
    g_once_init_leave(&id, g_enum_register_static("TaDocumentState", values));
  return id;
}
