/* ta-timeline-layout.c: the timeline's rows.
 *
 * The few fixed rows (group headers, overview, procs, threads, task lanes)
 * are materialised in an array, rebuilt in microseconds whenever a snapshot
 * arrives. The goroutine group, which can hold millions of rows, is a
 * TaGoLayout (ta-goroutine-layout.h) spliced in before rows[go_at]: rows are
 * addressed by a virtual index and materialised one at a time when drawn or
 * hit.
 *
 * Sorting every goroutine takes a scan of the whole goroutine table, so the
 * TaGoLayout is built on a worker thread against an immutable snapshot and
 * swapped in when ready. While the trace loads, builds are throttled (never
 * more than one in flight, and a pause of at least twice the last build
 * between two) so the worker takes at most a third of a core away from
 * indexing; meanwhile
 * the previous layout stays valid, since goroutine table rows never reorder
 * and rows only get added (src/model/DESIGN.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "ta-timeline-private.h"

/* Below this many goroutines a build costs well under a millisecond: do it
 * at once so small traces never show an empty group. */
#define GO_SYNC_MAX 4096
/* Least pause between two builds while indexing, µs. */
#define GO_MIN_INTERVAL_US 400000

static const TaGoPitch go_pitch = { TRACK_H + ROW_GAP, REGION_H + ROW_GAP, SUBHEADER_H + ROW_GAP };

/* ---- fixed rows -------------------------------------------------------- */

static void
add_row (TaTimeline *self, RowType type, Group group, TaTrackKey key, float h, gboolean metric)
{
  Row r = { 0 };
  r.key = key;
  r.type = type;
  r.group = group;
  r.height = h;
  r.is_metric = metric;
  r.top = self->content_h;
  self->content_h += h + ROW_GAP;
  g_array_append_val (self->rows, r);
}

static void
add_header (TaTimeline *self, Group group, guint count)
{
  TaTrackKey none = { TA_TRACK_NONE, 0, 0 };
  add_row (self, ROW_HEADER, group, none, HEADER_H, FALSE);
  g_array_index (self->rows, Row, self->rows->len - 1).count = count;
}

/* Rebuilds the fixed rows around the current goroutine layout. Cheap: it
 * never walks goroutines. */
void
timeline_rebuild_layout (TaTimeline *self)
{
  TaSnapshot *snap = self->snap;

  g_array_set_size (self->rows, 0);
  self->content_h = 0;
  self->go_at = 0;
  self->go_n = 0;
  self->layout_serial++;

  if (snap)
    {
      static const TaTrackKind overview[] = {
        TA_TRACK_GC, TA_TRACK_STW, TA_TRACK_HEAP, TA_TRACK_GOROUTINES, TA_TRACK_THREADS,
      };
      guint np = ta_snapshot_get_n_procs (snap), nt = ta_snapshot_get_n_threads (snap);
      guint n_lanes = 0;
      guint64 idx;

      add_header (self, GROUP_OVERVIEW, G_N_ELEMENTS (overview));
      if (!self->collapsed[GROUP_OVERVIEW])
        for (guint i = 0; i < G_N_ELEMENTS (overview); i++)
          {
            TaTrackKey key = { overview[i], 0, 0 };
            gboolean metric = overview[i] == TA_TRACK_HEAP || overview[i] == TA_TRACK_GOROUTINES
                              || overview[i] == TA_TRACK_THREADS;
            add_row (self, ROW_TRACK, GROUP_OVERVIEW, key, metric ? METRIC_H : TRACK_H, metric);
          }

      add_header (self, GROUP_PROCS, np);
      if (!self->collapsed[GROUP_PROCS])
        for (guint i = 0; i < np; i++)
          {
            TaProcInfo p;
            if (ta_snapshot_get_proc (snap, i, &p))
              add_row (self, ROW_TRACK, GROUP_PROCS, (TaTrackKey){ TA_TRACK_PROC, 0, p.id }, TRACK_H, FALSE);
          }

      add_header (self, GROUP_THREADS, nt);
      if (!self->collapsed[GROUP_THREADS])
        for (guint i = 0; i < nt; i++)
          {
            TaThreadInfo t;
            if (ta_snapshot_get_thread (snap, i, &t))
              add_row (self, ROW_TRACK, GROUP_THREADS, (TaTrackKey){ TA_TRACK_THREAD, 0, t.id }, TRACK_H, FALSE);
          }

      add_header (self, GROUP_GOROUTINES, (guint)ta_snapshot_get_n_goroutines (snap));
      self->go_at = self->rows->len;
      self->go_top = self->content_h;
      if (!self->collapsed[GROUP_GOROUTINES] && self->go_layout)
        {
          self->go_n = ta_go_layout_get_n_rows (self->go_layout);
          self->content_h += ta_go_layout_get_height (self->go_layout);
        }

      while (TRUE)
        {
          TaTrackKey key = { TA_TRACK_TASKS, n_lanes, 0 };
          if (!ta_snapshot_find_track (snap, &key, &idx))
            break;
          n_lanes++;
        }
      if (n_lanes || ta_snapshot_get_n_tasks (snap))
        {
          add_header (self, GROUP_TASKS, n_lanes);
          if (!self->collapsed[GROUP_TASKS])
            for (guint l = 0; l < n_lanes; l++)
              add_row (self, ROW_TRACK, GROUP_TASKS, (TaTrackKey){ TA_TRACK_TASKS, l, 0 }, TASK_H, FALSE);
        }
    }

  {
    double page = MAX (gtk_widget_get_height (GTK_WIDGET (self)) - RULER_H, 1);
    double value = gtk_adjustment_get_value (self->vadj);
    gtk_adjustment_configure (self->vadj, CLAMP (value, 0, MAX (self->content_h - page, 0)),
                              0, MAX (self->content_h, page), TRACK_H * 3, page * 0.9, page);
  }
  self->hover_row = -1;
  self->hover_has_span = FALSE;
  /* Rows may have moved (a new goroutine order, a collapsed group): the
   * selected span's outline follows its track. */
  if (self->has_selected_span)
    {
      guint64 i;
      self->selected_row = timeline_find_track_row (self, &self->selected_key, &i) ? (int)i : -1;
    }
  timeline_invalidate_heavy (self);
}

/* ---- virtual rows -------------------------------------------------------- */

guint64
timeline_n_rows (TaTimeline *self)
{
  return self->rows->len + self->go_n;
}

/* Materialises a goroutine-group row. */
static void
go_item_to_row (TaTimeline *self, const TaGoItem *item, Row *out)
{
  gboolean grouped = ta_go_layout_is_grouped (self->go_layout);
  TaGoroutine g;
  gint64 goid;

  memset (out, 0, sizeof *out);
  out->group = GROUP_GOROUTINES;
  out->top = self->go_top + item->top;
  out->height = (float)(item->pitch - ROW_GAP);
  if (item->kind == TA_GO_ITEM_SUBHEADER)
    {
      guint32 first, count, func;
      ta_go_layout_get_group (self->go_layout, item->group, &first, &count, &func);
      out->type = ROW_SUBHEADER;
      out->key = (TaTrackKey){ TA_TRACK_NONE, 0, 0 };
      out->count = count;
      out->func = func;
      return;
    }
  /* Table rows never move, so the current snapshot resolves them even when
   * the layout was built against an older one. */
  goid = self->snap && ta_snapshot_get_goroutine (self->snap, item->row, &g) ? g.id : TA_ID_NONE;
  out->type = ROW_TRACK;
  out->indent = grouped ? 1 : 0;
  if (item->kind == TA_GO_ITEM_GOROUTINE)
    out->key = (TaTrackKey){ TA_TRACK_GOROUTINE, 0, goid };
  else
    {
      out->key = (TaTrackKey){ TA_TRACK_REGIONS, item->depth, goid };
      out->indent++;
    }
}

gboolean
timeline_get_row (TaTimeline *self, guint64 i, Row *out)
{
  if (i < self->go_at)
    {
      *out = g_array_index (self->rows, Row, i);
      return TRUE;
    }
  if (i < self->go_at + self->go_n)
    {
      TaGoItem item;
      if (!ta_go_layout_item_at_index (self->go_layout, i - self->go_at, &item))
        return FALSE;
      go_item_to_row (self, &item, out);
      return TRUE;
    }
  i -= self->go_n;
  if (i < self->rows->len)
    {
      *out = g_array_index (self->rows, Row, i);
      return TRUE;
    }
  return FALSE;
}

/* Binary search over fixed rows [lo, hi) for the one holding content y. */
static int
fixed_row_at (TaTimeline *self, guint lo, guint hi, double cy)
{
  guint a = lo, b = hi;
  while (a < b)
    {
      guint mid = a + (b - a) / 2;
      if (g_array_index (self->rows, Row, mid).top <= cy)
        a = mid + 1;
      else
        b = mid;
    }
  if (a == lo)
    return -1;
  {
    Row *r = &g_array_index (self->rows, Row, a - 1);
    if (cy < r->top + r->height)
      return (int)(a - 1);
  }
  return -1;
}

int
timeline_row_at_y (TaTimeline *self, double y)
{
  double cy = y - RULER_H + timeline_scroll_y (self);
  double go_h = self->go_n ? ta_go_layout_get_height (self->go_layout) : 0;
  int i;

  if (y < RULER_H)
    return -1;
  if (cy < self->go_top)
    return fixed_row_at (self, 0, self->go_at, cy);
  if (cy < self->go_top + go_h)
    {
      TaGoItem item;
      if (!ta_go_layout_item_at_y (self->go_layout, cy - self->go_top, &item)
          || cy - self->go_top >= item.top + item.pitch - ROW_GAP)
        return -1;
      return (int)(self->go_at + item.index);
    }
  i = fixed_row_at (self, self->go_at, self->rows->len, cy);
  return i < 0 ? -1 : (int)(i + self->go_n);
}

/* The first row that shows below the ruler (the one under the top edge, or
 * the next one when the edge is in a gap). */
guint64
timeline_first_visible_row (TaTimeline *self)
{
  double cy = timeline_scroll_y (self);
  double go_h = self->go_n ? ta_go_layout_get_height (self->go_layout) : 0;
  guint a = 0, b;

  if (cy >= self->go_top && cy < self->go_top + go_h)
    {
      TaGoItem item;
      if (ta_go_layout_item_at_y (self->go_layout, cy - self->go_top, &item))
        return self->go_at + item.index;
    }
  /* The last fixed row whose top is at or above cy. */
  b = self->rows->len;
  while (a < b)
    {
      guint mid = a + (b - a) / 2;
      if (g_array_index (self->rows, Row, mid).top <= cy)
        a = mid + 1;
      else
        b = mid;
    }
  if (a == 0)
    return 0;
  a--;
  return a < self->go_at ? a : a + self->go_n;
}

gboolean
timeline_find_track_row (TaTimeline *self, const TaTrackKey *key, guint64 *index_out)
{
  if (key->kind == TA_TRACK_GOROUTINE || key->kind == TA_TRACK_REGIONS)
    {
      guint64 row;
      guint32 entry;
      TaGoItem item;
      if (!self->snap || !self->go_n || !ta_snapshot_find_goroutine (self->snap, key->id, NULL, &row)
          || !ta_go_layout_find_row (self->go_layout, (guint32)row, &entry)
          || !ta_go_layout_item_of_entry (self->go_layout, entry, &item))
        return FALSE;
      if (key->kind == TA_TRACK_REGIONS)
        {
          if (key->sub >= ta_go_layout_get_depths (self->go_layout, entry))
            return FALSE;
          item.index += 1 + key->sub;
        }
      *index_out = self->go_at + item.index;
      return TRUE;
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *r = &g_array_index (self->rows, Row, i);
      if (r->type == ROW_TRACK && ta_track_key_equal (&r->key, key))
        {
          *index_out = i < self->go_at ? i : i + self->go_n;
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- building the goroutine layout ---------------------------------------- */

typedef struct {
  TaSnapshot *snap;
  TaGoLayout *prev;   /* the current layout, to append to (NULL: build anew) */
  gboolean by_start, group_by_func;
  guint serial;
  gint64 started;   /* monotonic µs */
  gboolean appended;
} GoJob;

static void
go_job_free (GoJob *job)
{
  g_clear_pointer (&job->snap, ta_snapshot_release);
  g_clear_pointer (&job->prev, ta_go_layout_unref);
  g_free (job);
}

static int
cmp_func_names (gconstpointer a, gconstpointer b, gpointer snap)
{
  int c = g_strcmp0 (ta_snapshot_get_string (snap, *(const TaStringId *)a),
                     ta_snapshot_get_string (snap, *(const TaStringId *)b));
  return c ? c : (*(const TaStringId *)a > *(const TaStringId *)b) - (*(const TaStringId *)a < *(const TaStringId *)b);
}

/* Reads goroutine table rows [first, first + count) in bulk into items
 * (ranks left 0). FALSE when cancelled. */
static gboolean
read_items (TaSnapshot *snap, guint32 first, guint32 count, TaGoSortItem *items, GCancellable *cancel)
{
  enum { CHUNK = 16384 };
  g_autofree gint64 *ids = g_new (gint64, CHUNK);
  g_autofree gint64 *created = g_new (gint64, CHUNK);
  g_autofree TaStringId *funcs = g_new (TaStringId, CHUNK);

  for (guint32 done = 0; done < count; done += CHUNK)
    {
      guint32 want = MIN (CHUNK, count - done);
      guint32 got = (guint32)ta_snapshot_get_goroutine_columns (snap, first + done, want, ids, created, funcs);
      if (cancel && g_cancellable_is_cancelled (cancel))
        return FALSE;
      for (guint32 i = 0; i < got; i++)
        items[done + i] = (TaGoSortItem){ ids[i], created[i], first + done + i, funcs[i], 0 };
      for (guint32 i = got; i < want; i++)  /* cannot happen: rows only grow */
        items[done + i] = (TaGoSortItem){ G_MAXINT64, G_MAXINT64, first + done + i, 0, 0 };
    }
  return TRUE;
}

/* Ranks the distinct start functions by name, so the sort compares
 * integers. */
static void
rank_functions (TaSnapshot *snap, TaGoSortItem *items, guint32 n)
{
  g_autoptr (GArray) distinct = g_array_new (FALSE, FALSE, sizeof (TaStringId));
  g_autoptr (GHashTable) ranks = g_hash_table_new (NULL, NULL);

  for (guint32 i = 0; i < n; i++)
    if (!g_hash_table_contains (ranks, GUINT_TO_POINTER (items[i].func)))
      {
        g_hash_table_add (ranks, GUINT_TO_POINTER (items[i].func));
        g_array_append_val (distinct, items[i].func);
      }
  g_array_sort_with_data (distinct, cmp_func_names, snap);
  for (guint k = 0; k < distinct->len; k++)
    g_hash_table_insert (ranks, GUINT_TO_POINTER (g_array_index (distinct, TaStringId, k)), GUINT_TO_POINTER (k));
  for (guint32 i = 0; i < n; i++)
    items[i].func_rank = GPOINTER_TO_UINT (g_hash_table_lookup (ranks, GUINT_TO_POINTER (items[i].func)));
}

/* Entry e of an earlier layout, read again (rows never move). */
static gboolean
old_item (TaSnapshot *snap, TaGoLayout *prev, guint32 e, TaGoSortItem *out)
{
  guint32 row = ta_go_layout_get_row (prev, e);
  TaGoroutine g;
  if (!ta_snapshot_get_goroutine (snap, row, &g))
    return FALSE;
  *out = (TaGoSortItem){ g.id, g.creation_time, row, g.start_func, 0 };
  return TRUE;
}

/* Most old entries re-read to splice new goroutines in (random reads cost
 * more than a bulk scan per row: past this, sort anew). */
#define SPLICE_MAX_TAIL 262144

/* Lays out every goroutine of the snapshot. With `prev` (a layout of the
 * same order against an earlier snapshot, not grouped) only the goroutines
 * added since are read in bulk: the old entries that sort before all of
 * them stay, the few after are re-read and sorted with the new ones.
 * Otherwise every row is read and sorted. Any thread. */
static TaGoLayout *
build_go_layout (TaSnapshot *snap, gboolean by_start, gboolean group_by_func, TaGoLayout *prev,
                 GCancellable *cancel, gboolean *appended)
{
  guint32 n = (guint32)MIN (ta_snapshot_get_n_goroutines (snap), G_MAXUINT32 - 1);
  guint32 nr = (guint32)ta_snapshot_get_n_region_goroutines (snap);
  g_autofree guint32 *region_rows = g_new (guint32, MAX (nr, 1));
  g_autofree guint32 *region_depths = g_new (guint32, MAX (nr, 1));
  g_autofree TaGoSortItem *items = NULL;

  for (guint32 k = 0; k < nr; k++)
    {
      guint64 row;
      guint32 depths;
      ta_snapshot_get_region_goroutine (snap, k, &row, &depths);
      region_rows[k] = (guint32)row;
      region_depths[k] = depths;
    }
  if (prev && !group_by_func && !ta_go_layout_is_grouped (prev)
      && ta_go_layout_get_n_goroutines (prev) > 0 && ta_go_layout_get_n_goroutines (prev) <= n)
    {
      guint32 old = ta_go_layout_get_n_goroutines (prev), added = n - old, keep = old, lo = 0, hi = old;
      g_autofree TaGoSortItem *fresh = g_new (TaGoSortItem, MAX (added, 1));
      const TaGoSortItem *least = NULL;

      if (!read_items (snap, old, added, fresh, cancel))
        return NULL;
      for (guint32 i = 0; i < added; i++)
        if (!least || ta_go_sort_item_before (&fresh[i], least, by_start))
          least = &fresh[i];
      /* Old entries sorting before every new goroutine stay where they are. */
      while (least && lo < hi)
        {
          guint32 mid = lo + (hi - lo) / 2;
          TaGoSortItem it;
          if (!old_item (snap, prev, mid, &it))
            return NULL;
          if (ta_go_sort_item_before (&it, least, by_start))
            lo = mid + 1;
          else
            hi = mid;
        }
      if (least)
        keep = lo;
      if (old - keep <= MAX (old / 8, SPLICE_MAX_TAIL / 8) && old - keep <= SPLICE_MAX_TAIL)
        {
          items = g_new (TaGoSortItem, MAX (old - keep + added, 1));
          for (guint32 e = keep; e < old; e++)
            if (!old_item (snap, prev, e, &items[e - keep]))
              return NULL;
          memcpy (items + (old - keep), fresh, sizeof (TaGoSortItem) * added);
          *appended = TRUE;
          return ta_go_layout_new_spliced (prev, keep, items, old - keep + added, by_start, region_rows,
                                           region_depths, nr);
        }
    }
  items = g_new (TaGoSortItem, MAX (n, 1));
  if (!read_items (snap, 0, n, items, cancel))
    return NULL;
  if (group_by_func)
    rank_functions (snap, items, n);
  return ta_go_layout_new (items, n, by_start, group_by_func, region_rows, region_depths, nr, go_pitch);
}

static void
go_job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  GoJob *job = data;
  TaGoLayout *layout = build_go_layout (job->snap, job->by_start, job->group_by_func, job->prev, cancel,
                                       &job->appended);
  /* Drop the snapshot here: by now it is often the last reference to an
   * older snapshot, and freeing one of a large trace takes tens of ms. */
  g_clear_pointer (&job->snap, ta_snapshot_unref);
  if (layout)
    g_task_return_pointer (task, layout, (GDestroyNotify)ta_go_layout_unref);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
}

static void start_go_job (TaTimeline *self);

static gboolean
go_timeout_cb (gpointer data)
{
  TaTimeline *self = data;
  self->go_timeout = 0;
  if (self->go_pending && !self->go_cancel)
    start_go_job (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_go_job (TaTimeline *self)
{
  gint64 now = g_get_monotonic_time ();
  if (self->go_cancel || self->go_timeout)
    return;  /* the one in flight, or the one waiting, will see the newest snapshot */
  if (now >= self->go_next_start)
    start_go_job (self);
  else
    self->go_timeout = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, (guint)((self->go_next_start - now) / 1000) + 1,
                                           go_timeout_cb, self, NULL);
}

/* A layout built on a worker replaces the rows on screen: the frame that
 * first drew it computed the lines of every newly visible goroutine row,
 * 16 ms of main-thread CPU when the final snapshot's 1.44M goroutines
 * were laid out (ui-bench stall). Those lines are computed between frames
 * first, a few ms per main-loop turn, as for snapshots (ta-timeline-draw.c). */

static void
adopt_go_layout (TaTimeline *self, TaGoLayout *layout)
{
  g_clear_pointer (&self->go_layout, ta_go_layout_unref);
  self->go_layout = layout;
  timeline_rebuild_layout (self);
}

/* The keys of the goroutine and region rows `layout` puts in view. */
static GArray *
go_layout_visible_keys (TaTimeline *self, const TaGoLayout *layout)
{
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (TaTrackKey));
  double y0 = timeline_scroll_y (self) - self->go_top;
  double y1 = y0 + gtk_widget_get_height (GTK_WIDGET (self));
  TaGoItem item;

  if (self->collapsed[GROUP_GOROUTINES] || !self->snap
      || !ta_go_layout_item_at_y (layout, MAX (y0, 0), &item))
    return keys;
  do
    {
      TaGoroutine g;
      TaTrackKey key;
      if (item.kind == TA_GO_ITEM_SUBHEADER || !ta_snapshot_get_goroutine (self->snap, item.row, &g))
        continue;
      key = item.kind == TA_GO_ITEM_GOROUTINE ? (TaTrackKey){ TA_TRACK_GOROUTINE, 0, g.id }
                                              : (TaTrackKey){ TA_TRACK_REGIONS, item.depth, g.id };
      g_array_append_val (keys, key);
    }
  while (item.top < y1 && ta_go_layout_next (layout, &item));
  return keys;
}

static gboolean
prepare_go_layout_cb (gpointer data)
{
  TaTimeline *self = data;
  g_autoptr (GArray) keys = go_layout_visible_keys (self, self->incoming_go);

  if (!timeline_prepare_lines (self, (TaTrackKey *)keys->data, keys->len,
                               g_get_monotonic_time () + PREPARE_SLICE_US))
    return G_SOURCE_CONTINUE;
  self->incoming_go_idle = 0;
  adopt_go_layout (self, g_steal_pointer (&self->incoming_go));
  timeline_prebuild_heavy (self);
  return G_SOURCE_REMOVE;
}

static void
drop_incoming_go_layout (TaTimeline *self)
{
  g_clear_handle_id (&self->incoming_go_idle, g_source_remove);
  g_clear_pointer (&self->incoming_go, ta_go_layout_unref);
}

static void
offer_go_layout (TaTimeline *self, TaGoLayout *layout)
{
  drop_incoming_go_layout (self);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || !self->go_layout)
    {
      adopt_go_layout (self, layout);
      return;
    }
  self->incoming_go = layout;
  self->incoming_go_idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, prepare_go_layout_cb, self, NULL);
}

static void
go_job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  TaTimeline *self = TA_TIMELINE (source);
  GoJob *job = g_task_get_task_data (G_TASK (result));
  TaGoLayout *layout = g_task_propagate_pointer (G_TASK (result), NULL);
  gint64 now = g_get_monotonic_time ();

  if (!layout)
    return;  /* cancelled: whoever cancelled it started another */
  g_debug ("goroutine layout: %u goroutines, %s in %.1f ms on a worker", ta_go_layout_get_n_goroutines (layout),
           job->appended ? "new ones spliced in" : "sorted anew", (now - job->started) / 1e3);
  g_clear_object (&self->go_cancel);
  if (job->serial != self->go_serial)
    ta_go_layout_unref (layout);
  else
    offer_go_layout (self, layout);
  /* Pause at least twice as long as this build took before the next one. */
  self->go_next_start = now + MAX (GO_MIN_INTERVAL_US, 2 * (now - job->started));
  if (self->go_pending)
    schedule_go_job (self);
}

static void
start_go_job (TaTimeline *self)
{
  GoJob *job;
  g_autoptr (GTask) task = NULL;

  if (!self->snap)
    return;
  job = g_new0 (GoJob, 1);
  job->snap = ta_snapshot_ref (self->snap);
  job->by_start = self->sort == TA_SORT_BY_START;
  job->group_by_func = self->group_by_func;
  job->serial = self->go_serial;
  /* Same serial: the current layout has the order asked for. */
  job->prev = self->go_layout ? ta_go_layout_ref (self->go_layout) : NULL;
  job->started = g_get_monotonic_time ();
  self->go_pending = FALSE;
  self->go_cancel = g_cancellable_new ();
  task = g_task_new (self, self->go_cancel, go_job_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify)go_job_free);
  g_task_set_priority (task, G_PRIORITY_LOW);
  g_task_run_in_thread (task, go_job_thread);
}

/* Brings the goroutine layout up to the current snapshot and order. Small
 * tables are laid out at once; large ones on a worker, the previous layout
 * staying on screen meanwhile (after an order change it is dropped). */
void
timeline_request_goroutine_layout (TaTimeline *self, gboolean order_changed)
{
  if (order_changed)
    {
      drop_incoming_go_layout (self);
      self->go_serial++;
      if (self->go_cancel)
        g_cancellable_cancel (self->go_cancel);
      g_clear_object (&self->go_cancel);
      g_clear_handle_id (&self->go_timeout, g_source_remove);
      self->go_next_start = 0;
      /* It no longer says what the user asked for, nor can it be appended to. */
      g_clear_pointer (&self->go_layout, ta_go_layout_unref);
    }
  if (!self->snap)
    {
      drop_incoming_go_layout (self);
      g_clear_pointer (&self->go_layout, ta_go_layout_unref);
      timeline_rebuild_layout (self);
      return;
    }
  if (ta_snapshot_get_n_goroutines (self->snap) <= GO_SYNC_MAX && !self->go_cancel)
    {
      gboolean appended = FALSE;
      TaGoLayout *layout = build_go_layout (self->snap, self->sort == TA_SORT_BY_START, self->group_by_func,
                                            self->go_layout, NULL, &appended);
      g_clear_pointer (&self->go_layout, ta_go_layout_unref);
      self->go_layout = layout;
      self->go_pending = FALSE;
      timeline_rebuild_layout (self);
      return;
    }
  timeline_rebuild_layout (self);
  self->go_pending = TRUE;
  schedule_go_job (self);
}

void
timeline_layout_dispose (TaTimeline *self)
{
  if (self->go_cancel)
    g_cancellable_cancel (self->go_cancel);
  g_clear_object (&self->go_cancel);
  g_clear_handle_id (&self->go_timeout, g_source_remove);
  drop_incoming_go_layout (self);
  g_clear_pointer (&self->go_layout, ta_go_layout_unref);
  self->go_n = 0;
}
