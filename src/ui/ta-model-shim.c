/* ta-model-shim.c: TEMPORARY stand-in for src/model, built only while the
 * model library does not exist (see src/ui/meson.build).
 *
 * Implements the part of model.h the viewer calls, by decoding the whole
 * trace with src/trace on a thread and keeping every exact span resident.
 * No summaries: column queries are computed from the spans. Enough to open
 * the test fixtures; delete this file once libmodel links.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-model-shim"

#include "model.h"
#include "trace.h"

#include <glib/gstdio.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

static const char *state_names[TA_N_STATES][2] = {
  { "none", "None" }, { "running", "Running" }, { "runnable", "Runnable" },
  { "syscall", "Syscall" }, { "syscall-blocked", "Syscall (P taken)" },
  { "gc-assist", "GC mark assist" }, { "blocked-chan", "Blocked (channel)" },
  { "blocked-select", "Blocked (select)" }, { "blocked-sync", "Blocked (sync)" },
  { "blocked-net", "Blocked (network)" }, { "blocked-sleep", "Sleeping" },
  { "blocked-gc", "Blocked (GC)" }, { "blocked-system", "Blocked (system)" },
  { "blocked-other", "Blocked (other)" }, { "proc-running", "Running goroutine" },
  { "proc-gc", "GC worker" }, { "proc-syscall", "Goroutine in syscall" },
  { "proc-sched", "Scheduling" }, { "proc-idle", "Idle" },
  { "thread-running", "Running" }, { "thread-syscall", "In syscall" },
  { "thread-proc", "Holding a P" }, { "gc", "GC" }, { "stw", "Stop the world" },
  { "sweep", "Sweep" }, { "region", "Region" }, { "task", "Task" },
};

const char *ta_state_name (TaState s) { return s < TA_N_STATES ? state_names[s][0] : "?"; }
const char *ta_state_label (TaState s) { return s < TA_N_STATES ? state_names[s][1] : "?"; }

TaState
ta_state_for_wait_reason (const char *r)
{
  if (!r || !*r) return TA_STATE_BLOCKED_OTHER;
  if (strstr (r, "chan")) return TA_STATE_BLOCKED_CHAN;
  if (strstr (r, "select")) return TA_STATE_BLOCKED_SELECT;
  if (strstr (r, "sync") || strstr (r, "Cond")) return TA_STATE_BLOCKED_SYNC;
  if (strstr (r, "network")) return TA_STATE_BLOCKED_NET;
  if (strstr (r, "sleep")) return TA_STATE_BLOCKED_SLEEP;
  if (strstr (r, "GC")) return TA_STATE_BLOCKED_GC;
  if (strstr (r, "system") || strstr (r, "forever")) return TA_STATE_BLOCKED_SYSTEM;
  return TA_STATE_BLOCKED_OTHER;
}

gboolean
ta_state_is_executing (TaState s)
{
  return s == TA_STATE_RUNNING || s == TA_STATE_GC_ASSIST || s == TA_STATE_SYSCALL;
}

static const char *metric_names[TA_N_METRICS][2] = {
  { "heap-alloc", "Heap in use" }, { "heap-goal", "Heap goal" }, { "gomaxprocs", "GOMAXPROCS" },
  { "goroutines-running", "Running" }, { "goroutines-runnable", "Runnable" },
  { "goroutines-waiting", "Waiting" }, { "goroutines-syscall", "In syscall" },
  { "threads-running", "Threads running" }, { "threads-syscall", "Threads in syscall" },
};

const char *ta_metric_name (TaMetric m) { return m < TA_N_METRICS ? metric_names[m][0] : "?"; }
const char *ta_metric_label (TaMetric m) { return m < TA_N_METRICS ? metric_names[m][1] : "?"; }

guint
ta_track_metrics (TaTrackKind kind, TaMetric out[TA_N_METRICS])
{
  switch (kind)
    {
    case TA_TRACK_HEAP:
      out[0] = TA_METRIC_HEAP_ALLOC, out[1] = TA_METRIC_HEAP_GOAL;
      return 2;
    case TA_TRACK_GOROUTINES:
      out[0] = TA_METRIC_GOROUTINES_RUNNING, out[1] = TA_METRIC_GOROUTINES_RUNNABLE;
      out[2] = TA_METRIC_GOROUTINES_SYSCALL, out[3] = TA_METRIC_GOROUTINES_WAITING;
      return 4;
    case TA_TRACK_THREADS:
      out[0] = TA_METRIC_THREADS_RUNNING, out[1] = TA_METRIC_THREADS_SYSCALL;
      return 2;
    default:
      return 0;
    }
}

gboolean
ta_track_key_equal (const TaTrackKey *a, const TaTrackKey *b)
{
  return a->kind == b->kind && a->sub == b->sub && a->id == b->id;
}

guint
ta_track_key_hash (const TaTrackKey *k)
{
  return (guint)k->kind * 2654435761u ^ (guint)k->sub * 40503u ^ (guint)(k->id ^ (k->id >> 32));
}

G_DEFINE_QUARK (ta-model-error-quark, ta_model_error)

void
ta_model_options_init (TaModelOptions *o)
{
  memset (o, 0, sizeof *o);
  o->resident_limit = 64 << 20;
  o->window_cache_budget = 128 << 20;
  o->use_cache = TRUE;
}

/* ---- the snapshot -------------------------------------------------------- */

typedef struct {
  TaGoroutine info;
  GArray *spans;                  /* TaSpan */
  GArray *regions;                /* TaSpan, depth */
  guint   max_depth;
  int     state;                  /* ta_go_state */
  gint64  since;
  TaStackId since_stack;
  TaStringId reason;
  gint64  on_p, on_m, since_p;
  GArray *open_regions;
} Go;

typedef struct {
  gint64 id, first, last;
  GArray *spans;
  gint64 open_start, open_g, open_p;
  int open_state;
  TaStackId open_stack;
} Res;

struct _TaSnapshot {
  gatomicrefcount ref;
  gint64 start, end;
  int format;
  guint64 n_events;
  GPtrArray *strings;
  GHashTable *string_ids;
  GArray *stack_off;              /* guint32 pairs */
  GArray *frames;                 /* TaFrame */
  GHashTable *stack_ids;
  GArray *gos;                    /* Go, sorted by id at the end */
  GHashTable *g_index;
  GArray *procs, *threads;        /* Res */
  GHashTable *p_index, *m_index;
  GArray *gc, *stw, *tasks_spans; /* TaSpan (tasks: sub = lane in depth) */
  guint n_lanes;
  GArray *tasks;                  /* TaTask */
  GArray *logs, *cpu;
  GArray *metrics[TA_N_METRICS];  /* TaMetricSample */
  gint32 counts[6];
  gint64 open_gc, open_stw;
  TaStringId open_stw_reason;
  gint n_thread_sys;
};

G_DEFINE_BOXED_TYPE (TaSnapshot, ta_snapshot, ta_snapshot_ref, ta_snapshot_unref)

static TaStringId
intern_len (TaSnapshot *d, const char *s, gsize len)
{
  g_autofree char *key = g_strndup (s ? s : "", s ? len : 0);
  gpointer v = g_hash_table_lookup (d->string_ids, key);
  TaStringId id;
  if (v)
    return GPOINTER_TO_UINT (v) - 1;
  id = d->strings->len;
  g_ptr_array_add (d->strings, key);
  g_hash_table_insert (d->string_ids, g_steal_pointer (&key), GUINT_TO_POINTER (id + 1));
  return id;
}

static TaStringId intern (TaSnapshot *d, const char *s) { return intern_len (d, s, s ? strlen (s) : 0); }
static TaStringId intern_str (TaSnapshot *d, ta_str s) { return intern_len (d, s.ptr, s.len); }

static TaStackId
intern_stack (TaSnapshot *d, const ta_event *ev, uint64_t sid)
{
  gsize n = sid ? ta_event_stack_depth (ev, sid) : 0;
  g_autofree guint64 *pcs = NULL;
  g_autoptr (GBytes) key = NULL;
  gpointer v;
  guint32 off[2];

  if (!n)
    return 0;
  pcs = g_new (guint64, n);
  for (gsize i = 0; i < n; i++)
    {
      ta_frame f = { 0 };
      ta_event_stack_frame (ev, sid, i, &f);
      pcs[i] = f.pc;
    }
  key = g_bytes_new (pcs, n * sizeof *pcs);
  if ((v = g_hash_table_lookup (d->stack_ids, key)))
    return GPOINTER_TO_UINT (v);
  off[0] = d->frames->len;
  off[1] = (guint32)n;
  for (gsize i = 0; i < n; i++)
    {
      ta_frame f = { 0 };
      TaFrame tf;
      if (!ta_event_stack_frame (ev, sid, i, &f))
        memset (&f, 0, sizeof f);
      /* Intern first: interning may move the pointer array. */
      TaStringId fid = intern_str (d, f.func), lid = intern_str (d, f.file);
      tf.func = g_ptr_array_index (d->strings, fid);
      tf.file = g_ptr_array_index (d->strings, lid);
      tf.line = f.line;
      tf.pc = f.pc;
      g_array_append_val (d->frames, tf);
    }
  g_array_append_vals (d->stack_off, off, 2);
  g_hash_table_insert (d->stack_ids, g_steal_pointer (&key), GUINT_TO_POINTER (d->stack_off->len / 2 - 1));
  return d->stack_off->len / 2 - 1;
}

static Go *
get_go (TaSnapshot *d, gint64 id, gint64 now)
{
  gpointer v = g_hash_table_lookup (d->g_index, &id);
  Go g = { 0 };
  gint64 *key;
  if (v)
    return &g_array_index (d->gos, Go, GPOINTER_TO_UINT (v) - 1);
  g.info.id = id;
  g.info.parent = TA_ID_NONE;
  g.info.creation_time = now;
  g.info.end_time = TA_TIME_NONE;
  g.info.flags = TA_GOROUTINE_EXISTED;
  g.spans = g_array_new (FALSE, TRUE, sizeof (TaSpan));
  g.regions = g_array_new (FALSE, TRUE, sizeof (TaSpan));
  g.open_regions = g_array_new (FALSE, FALSE, sizeof (guint));
  g.on_p = g.on_m = g.since_p = TA_ID_NONE;
  g_array_append_val (d->gos, g);
  key = g_memdup2 (&id, sizeof id);
  g_hash_table_insert (d->g_index, key, GUINT_TO_POINTER (d->gos->len));
  return &g_array_index (d->gos, Go, d->gos->len - 1);
}

static Res *
get_res (GArray *arr, GHashTable *index, gint64 id, gint64 now)
{
  gpointer v = g_hash_table_lookup (index, &id);
  Res r = { 0 };
  if (v)
    {
      Res *x = &g_array_index (arr, Res, GPOINTER_TO_UINT (v) - 1);
      x->last = now;
      return x;
    }
  r.id = id;
  r.first = r.last = now;
  r.open_start = -1;
  r.open_g = r.open_p = TA_ID_NONE;
  r.spans = g_array_new (FALSE, TRUE, sizeof (TaSpan));
  g_array_append_val (arr, r);
  g_hash_table_insert (index, g_memdup2 (&id, sizeof id), GUINT_TO_POINTER (arr->len));
  return &g_array_index (arr, Res, arr->len - 1);
}

static void
res_close (Res *r, gint64 t)
{
  TaSpan s = { 0 };
  if (r->open_start < 0)
    return;
  s.start = r->open_start;
  s.end = MAX (t, s.start);
  s.state = (guint8)r->open_state;
  s.g = r->open_g;
  s.p = r->open_p;
  s.stack = r->open_stack;
  if (s.end > s.start)
    g_array_append_val (r->spans, s);
  r->open_start = -1;
}

static void
res_open (Res *r, gint64 t, gint64 g, gint64 p, int state, TaStackId stack)
{
  res_close (r, t);
  r->open_start = t;
  r->open_g = g;
  r->open_p = p;
  r->open_state = state;
  r->open_stack = stack;
}

static void
push_metric (TaSnapshot *d, TaMetric m, gint64 t, gint64 v)
{
  GArray *a = d->metrics[m];
  TaMetricSample s = { t, v };
  if (a->len)
    {
      TaMetricSample *last = &g_array_index (a, TaMetricSample, a->len - 1);
      if (last->value == v)
        return;
      if (last->time == t)
        {
          last->value = v;
          return;
        }
    }
  g_array_append_val (a, s);
}

static TaState
go_state (int st, const char *reason)
{
  switch (st)
    {
    case TA_GO_RUNNING: return TA_STATE_RUNNING;
    case TA_GO_RUNNABLE: return TA_STATE_RUNNABLE;
    case TA_GO_SYSCALL: return TA_STATE_SYSCALL;
    case TA_GO_WAITING: return ta_state_for_wait_reason (reason);
    default: return TA_STATE_NONE;
    }
}

static void
go_transition (TaSnapshot *d, const ta_event *ev, const ta_transition *t)
{
  Go *g = get_go (d, t->id, ev->time);
  g_autofree char *reason = g_strndup (t->reason.ptr, t->reason.len);
  int nu = t->new_state;
  TaStackId stack = t->has_stack ? intern_stack (d, ev, t->stack_id) : 0;
  TaStackId ev_stack = intern_stack (d, ev, ta_event_stack_id (ev));

  if ((ev->type == TA_EV_GO_STATUS || ev->type == TA_EV_GO_STATUS_STACK) && g->state == nu)
    return;
  if (g->state != TA_GO_UNDETERMINED && g->state != TA_GO_NOT_EXIST)
    {
      TaSpan s = { 0 };
      s.start = g->since;
      s.end = ev->time;
      s.state = go_state (g->state, g_ptr_array_index (d->strings, g->reason));
      s.reason = g->reason;
      s.stack = g->since_stack;
      s.end_stack = ev_stack;
      s.g = TA_ID_NONE;
      s.p = g->since_p;
      if (s.end > s.start)
        g_array_append_val (g->spans, s);
    }
  if (g->state == TA_GO_RUNNING && nu != TA_GO_RUNNING)
    {
      if (g->on_p >= 0)
        res_close (get_res (d->procs, d->p_index, g->on_p, ev->time), ev->time);
      if (g->on_m >= 0 && nu != TA_GO_SYSCALL)
        res_close (get_res (d->threads, d->m_index, g->on_m, ev->time), ev->time);
    }
  if (g->state == TA_GO_SYSCALL && nu != TA_GO_SYSCALL && g->on_m >= 0)
    {
      res_close (get_res (d->threads, d->m_index, g->on_m, ev->time), ev->time);
      d->n_thread_sys--;
      push_metric (d, TA_METRIC_THREADS_SYSCALL, ev->time, d->n_thread_sys);
    }
  if (nu == TA_GO_RUNNING && g->state != TA_GO_RUNNING)
    {
      g->on_p = ev->p;
      g->on_m = ev->m;
      if (ev->p >= 0)
        res_open (get_res (d->procs, d->p_index, ev->p, ev->time), ev->time, t->id, ev->p,
                  TA_STATE_PROC_RUNNING, stack);
      if (ev->m >= 0)
        res_open (get_res (d->threads, d->m_index, ev->m, ev->time), ev->time, t->id, ev->p,
                  TA_STATE_THREAD_RUNNING, stack);
    }
  if (nu == TA_GO_SYSCALL && ev->m >= 0)
    {
      res_open (get_res (d->threads, d->m_index, ev->m, ev->time), ev->time, t->id, ev->p,
                TA_STATE_THREAD_SYSCALL, stack ? stack : ev_stack);
      g->on_m = ev->m;
      d->n_thread_sys++;
      push_metric (d, TA_METRIC_THREADS_SYSCALL, ev->time, d->n_thread_sys);
    }
  if (t->old_state == TA_GO_NOT_EXIST && nu != TA_GO_NOT_EXIST)
    {
      g->info.creation_time = ev->time;
      g->info.parent = ev->g;
      g->info.creation_stack = ev_stack;
      g->info.start_stack = stack;
      g->info.flags &= ~TA_GOROUTINE_EXISTED;
      if (stack)
        {
          TaFrame f;
          if (ta_snapshot_get_stack_frame (d, stack, 0, &f))
            g->info.start_func = intern (d, f.func);
        }
    }
  else if (!g->info.start_func && stack)
    {
      guint n = ta_snapshot_get_stack_depth (d, stack);
      TaFrame f;
      if (n && ta_snapshot_get_stack_frame (d, stack, n - 1, &f))
        g->info.start_func = intern (d, f.func);
    }
  if (nu == TA_GO_NOT_EXIST && t->old_state != TA_GO_NOT_EXIST)
    {
      g->info.end_time = ev->time;
      g->info.flags |= TA_GOROUTINE_ENDED;
    }
  if (g->state >= 0 && g->state < 6 && g->state != TA_GO_UNDETERMINED)
    d->counts[g->state]--;
  if (nu >= 0 && nu < 6)
    d->counts[nu]++;
  push_metric (d, TA_METRIC_GOROUTINES_RUNNING, ev->time, d->counts[TA_GO_RUNNING]);
  push_metric (d, TA_METRIC_GOROUTINES_RUNNABLE, ev->time, d->counts[TA_GO_RUNNABLE]);
  push_metric (d, TA_METRIC_GOROUTINES_WAITING, ev->time, d->counts[TA_GO_WAITING]);
  push_metric (d, TA_METRIC_GOROUTINES_SYSCALL, ev->time, d->counts[TA_GO_SYSCALL]);
  push_metric (d, TA_METRIC_THREADS_RUNNING, ev->time, d->counts[TA_GO_RUNNING]);

  g->state = nu;
  g->since = ev->time;
  g->since_stack = stack ? stack : ev_stack;
  g->since_p = ev->p;
  g->reason = nu == TA_GO_WAITING || nu == TA_GO_RUNNABLE ? intern (d, reason) : 0;
}

static void
handle (TaSnapshot *d, const ta_event *ev)
{
  ta_transition t;

  d->n_events++;
  d->end = MAX (d->end, ev->time);
  switch (ev->kind)
    {
    case TA_KIND_STATE_TRANSITION:
      if (!ta_event_transition (ev, &t))
        break;
      if (t.resource == TA_RESOURCE_GOROUTINE)
        go_transition (d, ev, &t);
      else if (t.resource == TA_RESOURCE_PROC)
        {
          Res *p = get_res (d->procs, d->p_index, t.id, ev->time);
          if (t.new_state != TA_PROC_RUNNING)
            res_close (p, ev->time);
        }
      break;
    case TA_KIND_RANGE_BEGIN:
    case TA_KIND_RANGE_ACTIVE:
      if (ev->type == TA_EV_GC_BEGIN || ev->type == TA_EV_GC_ACTIVE)
        d->open_gc = d->open_gc >= 0 ? d->open_gc : ev->time;
      else if (ev->type == TA_EV_STW_BEGIN)
        {
          ta_str k;
          g_autofree char *txt = NULL;
          if (!ta_event_string (ev, ev->args[0], &k))
            k = (ta_str){ "", 0 };
          txt = g_strdup_printf ("stop-the-world (%.*s)", (int)k.len, k.ptr);
          d->open_stw = ev->time;
          d->open_stw_reason = intern (d, txt);
        }
      break;
    case TA_KIND_RANGE_END:
      if (ev->type == TA_EV_GC_END && d->open_gc >= 0)
        {
          TaSpan s = { .start = d->open_gc, .end = ev->time, .state = TA_STATE_GC, .g = TA_ID_NONE, .p = TA_ID_NONE };
          g_array_append_val (d->gc, s);
          d->open_gc = -1;
        }
      else if (ev->type == TA_EV_STW_END && d->open_stw >= 0)
        {
          TaSpan s = { .start = d->open_stw, .end = ev->time, .state = TA_STATE_STW,
                       .reason = d->open_stw_reason, .g = ev->g, .p = ev->p };
          g_array_append_val (d->stw, s);
          d->open_stw = -1;
        }
      break;
    case TA_KIND_REGION_BEGIN:
      if (ev->g >= 0)
        {
          Go *g = get_go (d, ev->g, ev->time);
          ta_str name;
          TaSpan s = { .start = ev->time, .end = G_MAXINT64, .state = TA_STATE_REGION,
                       .depth = (guint16)g->open_regions->len, .g = ev->g, .p = TA_ID_NONE,
                       .task = ev->args[0] };
          guint idx = g->regions->len;
          s.reason = ta_event_string (ev, ev->args[1], &name) ? intern_str (d, name) : 0;
          s.stack = intern_stack (d, ev, ta_event_stack_id (ev));
          g_array_append_val (g->regions, s);
          g_array_append_val (g->open_regions, idx);
          g->max_depth = MAX (g->max_depth, g->open_regions->len);
        }
      break;
    case TA_KIND_REGION_END:
      if (ev->g >= 0)
        {
          Go *g = get_go (d, ev->g, ev->time);
          if (g->open_regions->len)
            {
              guint idx = g_array_index (g->open_regions, guint, g->open_regions->len - 1);
              g_array_index (g->regions, TaSpan, idx).end = ev->time;
              g_array_index (g->regions, TaSpan, idx).end_stack = intern_stack (d, ev, ta_event_stack_id (ev));
              g_array_set_size (g->open_regions, g->open_regions->len - 1);
            }
        }
      break;
    case TA_KIND_TASK_BEGIN:
      {
        ta_str name;
        TaTask tk = { 0 };
        tk.id = ev->args[0];
        tk.parent = ev->args[1];
        tk.type = ta_event_string (ev, ev->args[2], &name) ? intern_str (d, name) : 0;
        tk.begin = ev->time;
        tk.end = TA_TIME_NONE;
        tk.begin_g = ev->g;
        g_array_append_val (d->tasks, tk);
      }
      break;
    case TA_KIND_TASK_END:
      for (guint i = 0; i < d->tasks->len; i++)
        {
          TaTask *tk = &g_array_index (d->tasks, TaTask, i);
          if (tk->id == ev->args[0] && tk->end == TA_TIME_NONE)
            tk->end = ev->time, tk->end_g = ev->g;
        }
      break;
    case TA_KIND_LOG:
      {
        ta_str c, m;
        TaLog lg = { ev->time, ev->g, ev->args[0], 0, 0, intern_stack (d, ev, ta_event_stack_id (ev)) };
        lg.category = ta_event_string (ev, ev->args[1], &c) ? intern_str (d, c) : 0;
        lg.message = ta_event_string (ev, ev->args[2], &m) ? intern_str (d, m) : 0;
        g_array_append_val (d->logs, lg);
      }
      break;
    case TA_KIND_STACK_SAMPLE:
      {
        TaCpuSample s = { ev->time, ev->g, ev->p, ev->m, intern_stack (d, ev, ta_event_stack_id (ev)) };
        g_array_append_val (d->cpu, s);
      }
      break;
    case TA_KIND_METRIC:
      if (ev->type == TA_EV_HEAP_ALLOC)
        push_metric (d, TA_METRIC_HEAP_ALLOC, ev->time, (gint64)ev->args[0]);
      else if (ev->type == TA_EV_HEAP_GOAL)
        push_metric (d, TA_METRIC_HEAP_GOAL, ev->time, (gint64)ev->args[0]);
      else if (ev->type == TA_EV_PROCS_CHANGE)
        push_metric (d, TA_METRIC_GOMAXPROCS, ev->time, (gint64)ev->args[0]);
      break;
    default:
      break;
    }
}

static TaSnapshot *
snap_new (void)
{
  TaSnapshot *d = g_new0 (TaSnapshot, 1);
  guint32 none[2] = { 0, 0 };

  g_atomic_ref_count_init (&d->ref);
  d->strings = g_ptr_array_new_with_free_func (g_free);
  d->string_ids = g_hash_table_new (g_str_hash, g_str_equal);
  intern (d, "");
  d->stack_off = g_array_new (FALSE, TRUE, sizeof (guint32));
  g_array_append_vals (d->stack_off, none, 2);
  d->frames = g_array_new (FALSE, TRUE, sizeof (TaFrame));
  d->stack_ids = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
  d->gos = g_array_new (FALSE, TRUE, sizeof (Go));
  d->g_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  d->procs = g_array_new (FALSE, TRUE, sizeof (Res));
  d->threads = g_array_new (FALSE, TRUE, sizeof (Res));
  d->p_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  d->m_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  d->gc = g_array_new (FALSE, TRUE, sizeof (TaSpan));
  d->stw = g_array_new (FALSE, TRUE, sizeof (TaSpan));
  d->tasks_spans = g_array_new (FALSE, TRUE, sizeof (TaSpan));
  d->tasks = g_array_new (FALSE, TRUE, sizeof (TaTask));
  d->logs = g_array_new (FALSE, TRUE, sizeof (TaLog));
  d->cpu = g_array_new (FALSE, TRUE, sizeof (TaCpuSample));
  for (guint m = 0; m < TA_N_METRICS; m++)
    d->metrics[m] = g_array_new (FALSE, TRUE, sizeof (TaMetricSample));
  d->open_gc = d->open_stw = -1;
  d->start = -1;
  return d;
}

static int
cmp_go (gconstpointer a, gconstpointer b)
{
  const Go *x = a, *y = b;
  return (x->info.id > y->info.id) - (x->info.id < y->info.id);
}

static int
cmp_res (gconstpointer a, gconstpointer b)
{
  const Res *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}

static int
cmp_span (gconstpointer a, gconstpointer b)
{
  const TaSpan *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

static void
reindex (GHashTable *index, GArray *arr, gsize elt, gsize off)
{
  g_hash_table_remove_all (index);
  for (guint i = 0; i < arr->len; i++)
    g_hash_table_insert (index, g_memdup2 ((char *)arr->data + i * elt + off, sizeof (gint64)),
                         GUINT_TO_POINTER (i + 1));
}

static void
snap_finish (TaSnapshot *d)
{
  gint64 end = d->end;
  GArray *lane_end = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < d->gos->len; i++)
    {
      Go *g = &g_array_index (d->gos, Go, i);
      if (g->state != TA_GO_UNDETERMINED && g->state != TA_GO_NOT_EXIST && end > g->since)
        {
          TaSpan s = { .start = g->since, .end = end, .flags = TA_SPAN_OPEN,
                       .state = go_state (g->state, g_ptr_array_index (d->strings, g->reason)),
                       .reason = g->reason, .stack = g->since_stack, .g = TA_ID_NONE, .p = g->since_p };
          g_array_append_val (g->spans, s);
        }
      for (guint j = 0; j < g->regions->len; j++)
        if (g_array_index (g->regions, TaSpan, j).end == G_MAXINT64)
          g_array_index (g->regions, TaSpan, j).end = end;
      if (g->info.creation_time < d->start)
        g->info.creation_time = d->start;
    }
  for (guint i = 0; i < d->procs->len; i++)
    res_close (&g_array_index (d->procs, Res, i), end);
  for (guint i = 0; i < d->threads->len; i++)
    res_close (&g_array_index (d->threads, Res, i), end);
  if (d->open_gc >= 0)
    {
      TaSpan s = { .start = d->open_gc, .end = end, .state = TA_STATE_GC, .g = TA_ID_NONE, .p = TA_ID_NONE };
      g_array_append_val (d->gc, s);
    }
  /* Tasks packed into lanes. */
  for (guint i = 0; i < d->tasks->len; i++)
    {
      TaTask *tk = &g_array_index (d->tasks, TaTask, i);
      gint64 e = tk->end == TA_TIME_NONE ? end : tk->end;
      guint lane = 0;
      TaSpan s = { 0 };
      while (lane < lane_end->len && g_array_index (lane_end, gint64, lane) > tk->begin)
        lane++;
      if (lane == lane_end->len)
        g_array_append_val (lane_end, e);
      else
        g_array_index (lane_end, gint64, lane) = e;
      tk->lane = lane;
      s.start = tk->begin;
      s.end = MAX (e, tk->begin + 1);
      s.state = TA_STATE_TASK;
      s.reason = tk->type;
      s.depth = (guint16)lane;
      s.g = tk->begin_g;
      s.p = TA_ID_NONE;
      s.task = tk->id;
      g_array_append_val (d->tasks_spans, s);
    }
  d->n_lanes = lane_end->len;
  g_array_unref (lane_end);

  g_array_sort (d->gos, cmp_go);
  reindex (d->g_index, d->gos, sizeof (Go), G_STRUCT_OFFSET (Go, info.id));
  g_array_sort (d->procs, cmp_res);
  reindex (d->p_index, d->procs, sizeof (Res), G_STRUCT_OFFSET (Res, id));
  g_array_sort (d->threads, cmp_res);
  reindex (d->m_index, d->threads, sizeof (Res), G_STRUCT_OFFSET (Res, id));
  for (guint i = 0; i < d->gos->len; i++)
    g_array_sort (g_array_index (d->gos, Go, i).regions, cmp_span);
}

TaSnapshot *
ta_snapshot_ref (TaSnapshot *s)
{
  g_atomic_ref_count_inc (&s->ref);
  return s;
}

void
ta_snapshot_unref (TaSnapshot *d)
{
  if (!d || !g_atomic_ref_count_dec (&d->ref))
    return;
  for (guint i = 0; i < d->gos->len; i++)
    {
      Go *g = &g_array_index (d->gos, Go, i);
      g_array_unref (g->spans);
      g_array_unref (g->regions);
      g_array_unref (g->open_regions);
    }
  for (guint i = 0; i < d->procs->len; i++)
    g_array_unref (g_array_index (d->procs, Res, i).spans);
  for (guint i = 0; i < d->threads->len; i++)
    g_array_unref (g_array_index (d->threads, Res, i).spans);
  g_ptr_array_unref (d->strings);
  g_hash_table_unref (d->string_ids);
  g_array_unref (d->stack_off);
  g_array_unref (d->frames);
  g_hash_table_unref (d->stack_ids);
  g_array_unref (d->gos);
  g_hash_table_unref (d->g_index);
  g_array_unref (d->procs);
  g_array_unref (d->threads);
  g_hash_table_unref (d->p_index);
  g_hash_table_unref (d->m_index);
  g_array_unref (d->gc);
  g_array_unref (d->stw);
  g_array_unref (d->tasks_spans);
  g_array_unref (d->tasks);
  g_array_unref (d->logs);
  g_array_unref (d->cpu);
  for (guint m = 0; m < TA_N_METRICS; m++)
    g_array_unref (d->metrics[m]);
  g_free (d);
}

gint64 ta_snapshot_get_start (const TaSnapshot *s) { return s->start; }
gint64 ta_snapshot_get_end (const TaSnapshot *s) { return MAX (s->end, s->start + 1); }
gboolean ta_snapshot_is_complete (const TaSnapshot *s) { return TRUE; }
guint64 ta_snapshot_get_n_events (const TaSnapshot *s) { return s->n_events; }
int ta_snapshot_get_format (const TaSnapshot *s) { return s->format; }

const char *
ta_snapshot_get_string (const TaSnapshot *s, TaStringId id)
{
  return id < s->strings->len ? g_ptr_array_index (s->strings, id) : "";
}

guint
ta_snapshot_get_stack_depth (const TaSnapshot *s, TaStackId st)
{
  if (!st || st * 2 + 1 >= s->stack_off->len)
    return 0;
  return g_array_index (s->stack_off, guint32, st * 2 + 1);
}

gboolean
ta_snapshot_get_stack_frame (const TaSnapshot *s, TaStackId st, guint i, TaFrame *out)
{
  if (i >= ta_snapshot_get_stack_depth (s, st))
    return FALSE;
  *out = g_array_index (s->frames, TaFrame, g_array_index (s->stack_off, guint32, st * 2) + i);
  return TRUE;
}

char *
ta_snapshot_dup_stack_top (const TaSnapshot *s, TaStackId st)
{
  TaFrame f;
  if (!ta_snapshot_get_stack_frame (s, st, 0, &f))
    return NULL;
  return g_strdup_printf ("%s (%s:%" G_GUINT64_FORMAT ")", f.func, g_path_get_basename (f.file), f.line);
}

guint64 ta_snapshot_get_n_goroutines (const TaSnapshot *s) { return s->gos->len; }

gboolean
ta_snapshot_get_goroutine (const TaSnapshot *s, guint64 i, TaGoroutine *out)
{
  if (i >= s->gos->len)
    return FALSE;
  *out = g_array_index (s->gos, Go, i).info;
  return TRUE;
}

static Go *
find_go (const TaSnapshot *s, gint64 id)
{
  gpointer v = g_hash_table_lookup (s->g_index, &id);
  return v ? &g_array_index (s->gos, Go, GPOINTER_TO_UINT (v) - 1) : NULL;
}

gboolean
ta_snapshot_find_goroutine (const TaSnapshot *s, gint64 id, TaGoroutine *out, guint64 *idx)
{
  gpointer v = g_hash_table_lookup (s->g_index, &id);
  if (!v)
    return FALSE;
  if (out)
    *out = g_array_index (s->gos, Go, GPOINTER_TO_UINT (v) - 1).info;
  if (idx)
    *idx = GPOINTER_TO_UINT (v) - 1;
  return TRUE;
}

char *
ta_snapshot_dup_goroutine_label (const TaSnapshot *s, const TaGoroutine *g)
{
  if (g->start_func)
    return g_strdup_printf ("g%" G_GINT64_FORMAT " %s", g->id, ta_snapshot_get_string (s, g->start_func));
  return g_strdup_printf ("g%" G_GINT64_FORMAT, g->id);
}

guint ta_snapshot_get_n_procs (const TaSnapshot *s) { return s->procs->len; }
guint ta_snapshot_get_n_threads (const TaSnapshot *s) { return s->threads->len; }

gboolean
ta_snapshot_get_proc (const TaSnapshot *s, guint i, TaProcInfo *out)
{
  Res *r;
  if (i >= s->procs->len)
    return FALSE;
  r = &g_array_index (s->procs, Res, i);
  out->id = r->id, out->first = r->first, out->last = r->last;
  return TRUE;
}

gboolean
ta_snapshot_get_thread (const TaSnapshot *s, guint i, TaThreadInfo *out)
{
  Res *r;
  if (i >= s->threads->len)
    return FALSE;
  r = &g_array_index (s->threads, Res, i);
  out->id = r->id, out->first = r->first, out->last = r->last;
  return TRUE;
}

guint64 ta_snapshot_get_n_tasks (const TaSnapshot *s) { return s->tasks->len; }
guint64 ta_snapshot_get_n_logs (const TaSnapshot *s) { return s->logs->len; }

gboolean
ta_snapshot_get_log (const TaSnapshot *s, guint64 i, TaLog *out)
{
  if (i >= s->logs->len)
    return FALSE;
  *out = g_array_index (s->logs, TaLog, i);
  return TRUE;
}

guint64 ta_snapshot_get_n_cpu_samples (const TaSnapshot *s) { return s->cpu->len; }

gboolean
ta_snapshot_get_cpu_sample (const TaSnapshot *s, guint64 i, TaCpuSample *out)
{
  if (i >= s->cpu->len)
    return FALSE;
  *out = g_array_index (s->cpu, TaCpuSample, i);
  return TRUE;
}

guint64
ta_snapshot_lower_bound_cpu_sample (const TaSnapshot *s, gint64 t)
{
  guint lo = 0, hi = s->cpu->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (s->cpu, TaCpuSample, mid).time < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The spans of a track (regions and task lanes filtered into `tmp`). */
static GArray *
track_spans (const TaSnapshot *s, const TaTrackKey *k, GArray *tmp)
{
  gpointer v;
  switch (k->kind)
    {
    case TA_TRACK_GC: return s->gc;
    case TA_TRACK_STW: return s->stw;
    case TA_TRACK_GOROUTINE:
      {
        Go *g = find_go (s, k->id);
        return g ? g->spans : NULL;
      }
    case TA_TRACK_PROC:
      v = g_hash_table_lookup (s->p_index, &k->id);
      return v ? g_array_index (s->procs, Res, GPOINTER_TO_UINT (v) - 1).spans : NULL;
    case TA_TRACK_THREAD:
      v = g_hash_table_lookup (s->m_index, &k->id);
      return v ? g_array_index (s->threads, Res, GPOINTER_TO_UINT (v) - 1).spans : NULL;
    case TA_TRACK_REGIONS:
    case TA_TRACK_TASKS:
      {
        GArray *src;
        if (k->kind == TA_TRACK_REGIONS)
          {
            Go *g = find_go (s, k->id);
            if (!g || k->sub >= g->max_depth)
              return NULL;
            src = g->regions;
          }
        else
          {
            if (k->sub >= s->n_lanes)
              return NULL;
            src = s->tasks_spans;
          }
        g_array_set_size (tmp, 0);
        for (guint i = 0; i < src->len; i++)
          if (g_array_index (src, TaSpan, i).depth == k->sub)
            g_array_append_val (tmp, g_array_index (src, TaSpan, i));
        return tmp;
      }
    default:
      return NULL;
    }
}

gboolean
ta_snapshot_find_track (const TaSnapshot *s, const TaTrackKey *k, guint64 *idx)
{
  g_autoptr (GArray) tmp = g_array_new (FALSE, FALSE, sizeof (TaSpan));
  if (idx)
    *idx = 0;
  switch (k->kind)
    {
    case TA_TRACK_GC: case TA_TRACK_STW: case TA_TRACK_HEAP: case TA_TRACK_GOROUTINES: case TA_TRACK_THREADS:
      return TRUE;
    case TA_TRACK_REGIONS:
      {
        Go *g = find_go (s, k->id);
        return g && k->sub < g->max_depth;
      }
    case TA_TRACK_TASKS:
      return k->sub < s->n_lanes;
    default:
      return track_spans (s, k, tmp) != NULL;
    }
}

char *
ta_snapshot_dup_track_label (const TaSnapshot *s, const TaTrackKey *k)
{
  switch (k->kind)
    {
    case TA_TRACK_GC: return g_strdup ("GC");
    case TA_TRACK_STW: return g_strdup ("STW");
    case TA_TRACK_SWEEP: return g_strdup ("Sweep");
    case TA_TRACK_HEAP: return g_strdup ("Heap");
    case TA_TRACK_GOROUTINES: return g_strdup ("Goroutines");
    case TA_TRACK_THREADS: return g_strdup ("Threads");
    case TA_TRACK_PROC: return g_strdup_printf ("Proc %" G_GINT64_FORMAT, k->id);
    case TA_TRACK_THREAD: return g_strdup_printf ("Thread %" G_GINT64_FORMAT, k->id);
    case TA_TRACK_GOROUTINE:
      {
        Go *g = find_go (s, k->id);
        return g ? ta_snapshot_dup_goroutine_label (s, &g->info) : g_strdup_printf ("g%" G_GINT64_FORMAT, k->id);
      }
    case TA_TRACK_REGIONS: return g_strdup_printf ("Regions g%" G_GINT64_FORMAT " (%u)", k->id, k->sub);
    case TA_TRACK_TASKS: return g_strdup_printf ("Tasks %u", k->sub + 1);
    default: return g_strdup ("?");
    }
}

static guint
first_after (const TaSpan *sp, guint n, gint64 t)
{
  guint lo = 0, hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (sp[mid].end <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gboolean
ta_snapshot_query_track (const TaSnapshot *s, const TaTrackKey *k, gint64 t0, gint64 t1, guint n_cols,
                         TaColumn *out)
{
  g_autoptr (GArray) tmp = g_array_new (FALSE, FALSE, sizeof (TaSpan));
  GArray *arr = track_spans (s, k, tmp);
  const TaSpan *sp;
  double w;

  if (!n_cols || t1 <= t0)
    return FALSE;
  w = (double)(t1 - t0) / n_cols;
  for (guint c = 0; c < n_cols; c++)
    {
      memset (&out[c], 0, sizeof out[c]);
      out[c].start = t0 + (gint64)(c * w);
      out[c].end = t0 + (gint64)((c + 1) * w);
    }
  if (!arr)
    return k->kind == TA_TRACK_GC || k->kind == TA_TRACK_STW;
  sp = (const TaSpan *)arr->data;
  for (guint i = k->kind == TA_TRACK_REGIONS || k->kind == TA_TRACK_TASKS ? 0 : first_after (sp, arr->len, t0);
       i < arr->len && sp[i].start < t1; i++)
    {
      gint64 a = MAX (sp[i].start, t0), b = MIN (sp[i].end, t1);
      guint c0, c1;
      if (b <= a)
        continue;
      c0 = MIN ((guint)((double)(a - t0) / w), n_cols - 1);
      c1 = MIN ((guint)((double)(b - 1 - t0) / w), n_cols - 1);
      if (sp[i].start >= t0)
        out[c0].n_spans++;
      for (guint c = c0; c <= c1; c++)
        {
          gint64 ov = MIN (b, out[c].end) - MAX (a, out[c].start);
          if (ov > 0 && sp[i].state < TA_N_STATES)
            out[c].time[sp[i].state] += ov;
        }
    }
  return TRUE;
}

gboolean
ta_snapshot_query_metric (const TaSnapshot *s, TaMetric m, gint64 t0, gint64 t1, guint n_cols,
                          TaMetricColumn *out)
{
  GArray *a = s->metrics[m];
  const TaMetricSample *v = (const TaMetricSample *)a->data;
  guint lo = 0, hi = a->len, i;
  double w;

  if (!n_cols || t1 <= t0)
    return FALSE;
  memset (out, 0, sizeof *out * n_cols);
  if (!a->len)
    return TRUE;
  w = (double)(t1 - t0) / n_cols;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (v[mid].time <= t0)
        lo = mid + 1;
      else
        hi = mid;
    }
  i = lo;   /* first sample after t0; lo-1 holds the value at t0 */
  for (guint c = 0; c < n_cols; c++)
    {
      gint64 ce = t0 + (gint64)((c + 1) * w);
      gboolean valid = i > 0;
      gint64 cur = valid ? v[i - 1].value : 0;
      out[c].valid = valid;
      out[c].min = out[c].max = out[c].last = cur;
      while (i < a->len && v[i].time < ce)
        {
          cur = v[i].value;
          if (!out[c].valid)
            out[c].min = out[c].max = cur, out[c].valid = TRUE;
          out[c].min = MIN (out[c].min, cur);
          out[c].max = MAX (out[c].max, cur);
          i++;
        }
      out[c].last = cur;
    }
  return TRUE;
}

/* ---- windows ------------------------------------------------------------------ */

struct _TaWindow {
  gatomicrefcount ref;
  gint64 start, end;
  TaSnapshot *snap;
  GArray *keys;        /* TaTrackKey */
  GPtrArray *spans;    /* GArray<TaSpan> */
};

G_DEFINE_BOXED_TYPE (TaWindow, ta_window, ta_window_ref, ta_window_unref)

TaWindow *ta_window_ref (TaWindow *w) { g_atomic_ref_count_inc (&w->ref); return w; }

void
ta_window_unref (TaWindow *w)
{
  if (!w || !g_atomic_ref_count_dec (&w->ref))
    return;
  ta_snapshot_unref (w->snap);
  g_array_unref (w->keys);
  g_ptr_array_unref (w->spans);
  g_free (w);
}

gint64 ta_window_get_start (const TaWindow *w) { return w->start; }
gint64 ta_window_get_end (const TaWindow *w) { return w->end; }
guint ta_window_get_n_tracks (const TaWindow *w) { return w->keys->len; }
const TaTrackKey *ta_window_get_track (const TaWindow *w, guint i) { return &g_array_index (w->keys, TaTrackKey, i); }
TaSnapshot *ta_window_get_snapshot (const TaWindow *w) { return w->snap; }

const TaSpan *
ta_window_get_spans (const TaWindow *w, guint i, gsize *n)
{
  GArray *a = g_ptr_array_index (w->spans, i);
  *n = a->len;
  return (const TaSpan *)a->data;
}

/* ---- document -------------------------------------------------------------------- */

struct _TaDocument {
  GObject parent_instance;
  char *path;
  TaSnapshot *snap;
  GError *error;
  TaDocumentState state;
  double progress;
  guint progress_idle;
  GCancellable *cancel;
  GMutex lock;
};

G_DEFINE_FINAL_TYPE (TaDocument, ta_document, G_TYPE_OBJECT)

enum { D_SNAPSHOT, D_PROGRESS, D_FAILED, D_FINISHED, D_N };
static guint dsig[D_N];

TaDocument *
ta_document_new (const char *path, const TaModelOptions *opts)
{
  TaDocument *d = g_object_new (TA_TYPE_DOCUMENT, NULL);
  d->path = g_strdup (path);
  return d;
}

static gboolean
progress_idle (gpointer data)
{
  TaDocument *d = data;
  g_mutex_lock (&d->lock);
  d->progress_idle = 0;
  g_mutex_unlock (&d->lock);
  g_signal_emit (d, dsig[D_PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

static void
index_thread (GTask *task, gpointer src, gpointer data, GCancellable *cancel)
{
  TaDocument *doc = src;
  ta_error err = { 0 };
  ta_parser *p = ta_parser_open_path (doc->path, &err);
  TaSnapshot *d;
  ta_event ev;
  GStatBuf st;
  guint64 size = 0, k = 0;
  int r;

  if (!p)
    {
      g_task_return_new_error (task, TA_MODEL_ERROR, TA_MODEL_ERROR_OPEN, "%s", err.message);
      return;
    }
  if (g_stat (doc->path, &st) == 0)
    size = (guint64)st.st_size;
  d = snap_new ();
  d->format = ta_parser_format (p);
  while ((r = ta_parser_next (p, &ev)) == 1)
    {
      if (d->start < 0)
        d->start = ev.time;
      handle (d, &ev);
      if ((++k & 0xfff) == 0)
        {
          if (g_cancellable_is_cancelled (cancel))
            break;
          g_mutex_lock (&doc->lock);
          doc->progress = size ? (double)ta_parser_bytes_read (p) / (double)size : 0;
          if (!doc->progress_idle)
            doc->progress_idle = g_idle_add_full (G_PRIORITY_LOW, progress_idle, g_object_ref (doc), g_object_unref);
          g_mutex_unlock (&doc->lock);
        }
    }
  if (d->start < 0)
    d->start = d->end = 0;
  snap_finish (d);
  g_task_set_task_data (task, d, (GDestroyNotify)ta_snapshot_unref);
  if (r < 0)
    {
      const ta_error *e = ta_parser_error (p);
      if (e->offset >= 0)
        g_task_return_new_error (task, TA_MODEL_ERROR, TA_MODEL_ERROR_DECODE, "%s (at byte %" G_GINT64_FORMAT ")",
                                 e->message, e->offset);
      else
        g_task_return_new_error (task, TA_MODEL_ERROR, TA_MODEL_ERROR_DECODE, "%s", e->message);
    }
  else
    g_task_return_boolean (task, TRUE);
  ta_parser_free (p);
}

static void
index_done (GObject *src, GAsyncResult *res, gpointer data)
{
  TaDocument *doc = TA_DOCUMENT (src);
  g_autoptr (GError) error = NULL;
  TaSnapshot *snap = g_task_get_task_data (G_TASK (res));

  g_task_propagate_boolean (G_TASK (res), &error);
  if (snap)
    {
      g_clear_pointer (&doc->snap, ta_snapshot_unref);
      doc->snap = ta_snapshot_ref (snap);
      g_signal_emit (doc, dsig[D_SNAPSHOT], 0, snap);
    }
  doc->progress = 1;
  if (error)
    {
      doc->state = TA_DOCUMENT_FAILED;
      doc->error = g_error_copy (error);
      g_signal_emit (doc, dsig[D_FAILED], 0, error);
    }
  else
    doc->state = TA_DOCUMENT_COMPLETE;
  g_signal_emit (doc, dsig[D_FINISHED], 0);
}

void
ta_document_start (TaDocument *doc)
{
  g_autoptr (GTask) task = g_task_new (doc, doc->cancel, index_done, NULL);
  doc->state = TA_DOCUMENT_INDEXING;
  g_task_run_in_thread (task, index_thread);
}

void ta_document_cancel (TaDocument *doc) { g_cancellable_cancel (doc->cancel); }
const char *ta_document_get_path (TaDocument *doc) { return doc->path; }
TaDocumentState ta_document_get_state (TaDocument *doc) { return doc->state; }
double ta_document_get_progress (TaDocument *doc) { return doc->progress; }
const GError *ta_document_get_error (TaDocument *doc) { return doc->error; }
TaSnapshot *ta_document_dup_snapshot (TaDocument *doc) { return doc->snap ? ta_snapshot_ref (doc->snap) : NULL; }

typedef struct {
  TaSnapshot *snap;
  GArray *keys;
  gint64 t0, t1;
} WinReq;

static void
win_req_free (gpointer p)
{
  WinReq *r = p;
  ta_snapshot_unref (r->snap);
  g_array_unref (r->keys);
  g_free (r);
}

static void
window_thread (GTask *task, gpointer src, gpointer data, GCancellable *cancel)
{
  WinReq *r = data;
  TaWindow *w = g_new0 (TaWindow, 1);
  g_autoptr (GArray) tmp = g_array_new (FALSE, FALSE, sizeof (TaSpan));

  g_atomic_ref_count_init (&w->ref);
  w->start = r->t0;
  w->end = r->t1;
  w->snap = ta_snapshot_ref (r->snap);
  w->keys = g_array_ref (r->keys);
  w->spans = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  for (guint i = 0; i < r->keys->len; i++)
    {
      GArray *out = g_array_new (FALSE, FALSE, sizeof (TaSpan));
      GArray *src_arr = track_spans (r->snap, &g_array_index (r->keys, TaTrackKey, i), tmp);
      if (src_arr)
        for (guint j = 0; j < src_arr->len; j++)
          {
            TaSpan *s = &g_array_index (src_arr, TaSpan, j);
            if (s->end > r->t0 && s->start < r->t1)
              g_array_append_val (out, *s);
          }
      g_ptr_array_add (w->spans, out);
    }
  if (g_cancellable_is_cancelled (cancel))
    {
      ta_window_unref (w);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      return;
    }
  g_task_return_pointer (task, w, (GDestroyNotify)ta_window_unref);
}

void
ta_document_request_spans_async (TaDocument *doc, TaSnapshot *snap, const TaTrackKey *tracks, guint n,
                                 gint64 t0, gint64 t1, GCancellable *cancel, GAsyncReadyCallback cb,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (doc, cancel, cb, user_data);
  WinReq *r = g_new0 (WinReq, 1);

  r->snap = ta_snapshot_ref (snap);
  r->keys = g_array_sized_new (FALSE, FALSE, sizeof (TaTrackKey), n);
  g_array_append_vals (r->keys, tracks, n);
  r->t0 = t0;
  r->t1 = t1;
  g_task_set_task_data (task, r, win_req_free);
  g_task_run_in_thread (task, window_thread);
}

TaWindow *
ta_document_request_spans_finish (TaDocument *doc, GAsyncResult *res, GError **error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

static void
ta_document_finalize (GObject *o)
{
  TaDocument *d = TA_DOCUMENT (o);
  g_cancellable_cancel (d->cancel);
  g_clear_object (&d->cancel);
  g_clear_pointer (&d->snap, ta_snapshot_unref);
  g_clear_error (&d->error);
  g_free (d->path);
  g_mutex_clear (&d->lock);
  G_OBJECT_CLASS (ta_document_parent_class)->finalize (o);
}

static void
ta_document_class_init (TaDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ta_document_finalize;
  dsig[D_SNAPSHOT] = g_signal_new ("snapshot-published", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, TA_TYPE_SNAPSHOT);
  dsig[D_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  dsig[D_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  dsig[D_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ta_document_init (TaDocument *d)
{
  d->cancel = g_cancellable_new ();
  g_mutex_init (&d->lock);
}
