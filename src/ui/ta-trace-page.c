/* ta-trace-page.c: one open trace: timeline, toolbar and side panes.
 *
 * Owns the TaDocument (indexing on its thread) and the TaSession (what is
 * being looked at). The side panes live in ta-trace-page-panes.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-trace-page"

#include "config.h"

#include "ta-trace-page-private.h"
#include "ta-application.h"

G_DEFINE_FINAL_TYPE (TaTracePage, ta_trace_page, GTK_TYPE_WIDGET)

/* How long indexing waits for the page's first frame at most. */
#define START_INDEXING_TIMEOUT_MS 200

enum {
  PROP_0,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_LOADING,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

TaTracePage *
ta_trace_page_new (void)
{
  return g_object_new (TA_TYPE_TRACE_PAGE, NULL);
}

void
ta_trace_page_set_file (TaTracePage *self, GFile *file)
{
  g_return_if_fail (TA_IS_TRACE_PAGE (self));
  g_return_if_fail (self->file == NULL);

  self->file = g_object_ref (file);
  self->title = g_file_get_basename (file);
}

GFile *ta_trace_page_get_file (TaTracePage *self) { return self->file; }
const char *ta_trace_page_get_title (TaTracePage *self) { return self->title; }
const char *ta_trace_page_get_subtitle (TaTracePage *self) { return self->subtitle; }
gboolean ta_trace_page_get_loading (TaTracePage *self) { return self->loading; }
const char *ta_trace_page_get_error (TaTracePage *self) { return self->error_text; }
gboolean ta_trace_page_get_open_failed (TaTracePage *self) { return self->open_failed; }
TaTimeline *ta_trace_page_get_timeline (TaTracePage *self) { return self->timeline; }
TaSession *ta_trace_page_get_session (TaTracePage *self) { return self->session; }
TaDocument *ta_trace_page_get_document (TaTracePage *self) { return self->doc; }
gint64 ta_trace_page_get_drilldown_goroutine (TaTracePage *self) { return self->drill_g; }

const char *
ta_trace_page_get_pane (TaTracePage *self)
{
  return gtk_stack_get_visible_child_name (self->pane_stack);
}

static void
set_subtitle (TaTracePage *self, const char *text)
{
  if (g_strcmp0 (self->subtitle, text) == 0)
    return;
  g_free (self->subtitle);
  self->subtitle = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

static void
set_loading (TaTracePage *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
ta_trace_page_show_error (TaTracePage *self, const char *message)
{
  g_autofree char *path = g_file_get_path (self->file);
  g_autofree char *text = g_strdup_printf ("Could not read all of “%s”: %s", path ? path : self->title, message);

  g_free (self->error_text);
  self->error_text = g_strdup (text);
  gtk_label_set_text (self->error_label, text);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

/* A load that kept nothing: the cause in place of an empty timeline. */
static void
show_open_failure (TaTracePage *self, const char *message)
{
  g_autofree char *path = g_file_get_path (self->file);
  g_autofree char *title = g_strdup_printf ("Could Not Open “%s”", self->title);
  g_autofree char *cause = g_strdup_printf ("%s\n\n%s", message, path ? path : self->title);
  g_autofree char *markup = g_markup_escape_text (cause, -1);

  g_free (self->error_text);
  self->error_text = g_strdup_printf ("Could not open “%s”: %s", path ? path : self->title, message);
  self->open_failed = TRUE;
  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, markup);
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  gtk_stack_set_visible_child_name (self->content_stack, "failed");
  /* Nothing to jump to. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.jump", FALSE);
  set_subtitle (self, "Not opened");
}

static void
update_subtitle (TaTracePage *self)
{
  g_autoptr (TaSnapshot) snap = self->doc ? ta_document_dup_snapshot (self->doc) : NULL;
  g_autofree char *text = NULL;

  if (self->open_failed)
    return;
  if (!snap)
    text = g_strdup (self->loading ? "Indexing…" : "");
  else
    {
      g_autofree char *dur = ta_format_duration (ta_snapshot_get_end (snap) - ta_snapshot_get_start (snap));
      int fmt = ta_snapshot_get_format (snap);
      if (self->loading)
        text = g_strdup_printf ("Go 1.%d · %s · %" G_GUINT64_FORMAT " goroutines · indexing %d%%", fmt, dur,
                                ta_snapshot_get_n_goroutines (snap),
                                (int)(ta_document_get_progress (self->doc) * 100));
      else
        text = g_strdup_printf ("Go 1.%d · %s · %" G_GUINT64_FORMAT " goroutines · %" G_GUINT64_FORMAT " events",
                                fmt, dur, ta_snapshot_get_n_goroutines (snap), ta_snapshot_get_n_events (snap));
    }
  set_subtitle (self, text);
}

/* While loading, progress shows at most this often. Each new fraction or
 * subtitle makes GTK lay the window out again, and on X11 that asks the
 * server for the monitor's work area, six round trips the main thread waits
 * for (behind the server copying the last frame); the indexer published 16
 * snapshots a second on http-1GiB. The timeline shows one every 250 ms. */
#define PROGRESS_INTERVAL_US (250 * 1000)

static void
show_progress (TaTracePage *self)
{
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  self->progress_shown_at = g_get_monotonic_time ();
  gtk_progress_bar_set_fraction (self->progress, ta_document_get_progress (self->doc));
  update_subtitle (self);
}

static gboolean
show_progress_cb (gpointer data)
{
  TaTracePage *self = data;

  self->progress_timeout = 0;
  show_progress (self);
  return G_SOURCE_REMOVE;
}

/* Every snapshot the document publishes comes with this signal. */
static void
progress_cb (TaTracePage *self)
{
  gint64 wait_us = self->progress_shown_at + PROGRESS_INTERVAL_US - g_get_monotonic_time ();

  if (!self->loading || wait_us <= 0)
    show_progress (self);
  else if (!self->progress_timeout)
    self->progress_timeout = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, (guint)(wait_us / 1000) + 1,
                                                 show_progress_cb, self, NULL);
}

static void
snapshot_cb (TaTracePage *self, TaSnapshot *snap)
{
  ta_trace_page_update_cpu (self);
}

/* The error indexing stopped at, and what the timeline still shows of the
 * trace (the error alone left the user to guess whether anything was
 * kept). */
static void
show_load_error (TaTracePage *self, const char *message)
{
  g_autoptr (TaSnapshot) snap = ta_document_dup_snapshot (self->doc);
  guint64 gens = snap ? ta_snapshot_get_n_generations (snap) : 0;
  guint64 events = snap ? ta_snapshot_get_n_events (snap) : 0;
  g_autofree char *span = NULL, *text = NULL;

  if (gens == 0 || events == 0)
    {
      show_open_failure (self, message);
      return;
    }
  span = ta_format_duration (ta_snapshot_get_end (snap) - ta_snapshot_get_start (snap));
  text = g_strdup_printf ("%s. The timeline shows what came before it: %" G_GUINT64_FORMAT " %s, %s, %" G_GUINT64_FORMAT
                          " events.", message, gens, gens == 1 ? "generation" : "generations", span, events);
  ta_trace_page_show_error (self, text);
}

static void
failed_cb (TaTracePage *self, GError *error)
{
  show_load_error (self, error ? error->message : "unknown error");
}

static void
frame_begin_cb (TaTracePage *self)
{
  ta_model_frame_begin ();
}

static void
frame_end_cb (TaTracePage *self)
{
  ta_model_frame_end ();
}

/* Once the page starts indexing, the indexing threads give way to its
 * frames (ta_model_frame_begin), and so does the index cache's writer
 * after the last snapshot is shown: until the page goes. */
static void
index_gives_way_to_frames (TaTracePage *self, gboolean loading)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (!clock)
    return;
  g_signal_handlers_disconnect_by_func (clock, frame_begin_cb, self);
  g_signal_handlers_disconnect_by_func (clock, frame_end_cb, self);
  ta_model_frame_end ();
  if (!loading)
    return;
  g_signal_connect_object (clock, "before-paint", G_CALLBACK (frame_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (frame_end_cb), self, G_CONNECT_SWAPPED);
}

static void
finished_cb (TaTracePage *self)
{
  /* The indexing's free memory is not handed back with malloc_trim (the
   * model leaves that to us, see index_in_background): a trim holds each
   * heap's lock while it walks it, and the main thread's next allocation
   * waited for it, 7-64 ms after each load (ui-bench stall with the cache
   * written, under perf). What it gave back on http-1GiB was 37 MB of a
   * 450 MB resident set. */
  set_loading (self, FALSE);
  show_progress (self);
  ta_trace_page_update_cpu (self);
  if (ta_document_get_error (self->doc) && !self->error_text)
    show_load_error (self, ta_document_get_error (self->doc)->message);
}

static void start_indexing (TaTracePage *self);

static void
after_first_paint_cb (TaTracePage *self, GdkFrameClock *clock)
{
  g_signal_handlers_disconnect_by_func (clock, after_first_paint_cb, self);
  start_indexing (self);
}

static gboolean
start_timeout_cb (gpointer data)
{
  TaTracePage *self = data;

  self->start_timeout = 0;
  start_indexing (self);
  return G_SOURCE_REMOVE;
}

static void
start_indexing (TaTracePage *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock)
    g_signal_handlers_disconnect_by_func (clock, after_first_paint_cb, self);
  g_clear_handle_id (&self->start_timeout, g_source_remove);
  if (self->doc)
    {
      index_gives_way_to_frames (self, TRUE);
      ta_document_start (self->doc);
    }
}

/* Indexing (or reading the index cache) starts once the frame that first
 * shows the page is painted: its threads took both cores while the main
 * thread built and painted that frame, which then waited for a core (24-74
 * ms wall for 12-17 ms of main-thread CPU, ui-bench stall from scratch). A
 * window that draws no frame (hidden) holds it up for a moment only. */
static void
start_indexing_after_first_paint (TaTracePage *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (!clock || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      ta_document_start (self->doc);
      return;
    }
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (after_first_paint_cb), self, G_CONNECT_SWAPPED);
  self->start_timeout = g_timeout_add (START_INDEXING_TIMEOUT_MS, start_timeout_cb, self);
}

void
ta_trace_page_load (TaTracePage *self)
{
  g_autofree char *path = NULL;
  TaModelOptions opts;

  g_return_if_fail (TA_IS_TRACE_PAGE (self));
  g_return_if_fail (self->doc == NULL);

  path = g_file_get_path (self->file);
  if (!path)
    {
      show_open_failure (self, "only local files can be opened");
      return;
    }
  ta_model_options_init (&opts);
  opts.index_in_background = TRUE;
  if (g_getenv ("TRACE_ATLAS_RESIDENT_LIMIT"))
    opts.resident_limit = g_ascii_strtoull (g_getenv ("TRACE_ATLAS_RESIDENT_LIMIT"), NULL, 10);
  if (g_getenv ("TRACE_ATLAS_NO_CACHE"))
    opts.use_cache = FALSE;
  self->doc = ta_document_new (path, &opts);
  g_signal_connect_object (self->doc, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc, "snapshot-published", G_CALLBACK (snapshot_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc, "failed", G_CALLBACK (failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doc, "finished", G_CALLBACK (finished_cb), self, G_CONNECT_SWAPPED);
  ta_timeline_set_document (self->timeline, self->doc);
  set_loading (self, TRUE);
  update_subtitle (self);
  start_indexing_after_first_paint (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));
}

/* ---- toolbar and session ------------------------------------------------- */

static void
update_actions (TaTracePage *self)
{
  gint64 a, b;
  gboolean sel = ta_session_get_selection (self->session, &a, &b);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.back", ta_session_can_go_back (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.forward", ta_session_can_go_forward (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.zoom-selection", sel && b > a);
}

static void
selection_changed_cb (TaTracePage *self)
{
  gint64 a, b, origin = 0;
  g_autoptr (TaSnapshot) snap = self->doc ? ta_document_dup_snapshot (self->doc) : NULL;

  if (snap)
    origin = ta_snapshot_get_start (snap);
  if (ta_session_get_selection (self->session, &a, &b))
    {
      g_autofree char *d = ta_format_duration (b - a);
      g_autofree char *s = ta_format_duration (a - origin);
      g_autofree char *e = ta_format_duration (b - origin);
      g_autofree char *text = g_strdup_printf ("Selected %s (%s – %s)", d, s, e);
      gtk_label_set_text (self->selection_label, text);
    }
  else
    gtk_label_set_text (self->selection_label, "Shift+drag or drag the ruler to select a range");
  update_actions (self);
  ta_trace_page_update_cpu (self);
}

static void
forward_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  /* page.X -> timeline.X: the toolbar lives outside the timeline. */
  static const struct { const char *page, *timeline; } map[] = {
    { "page.zoom-in", "timeline.zoom-in" },
    { "page.zoom-out", "timeline.zoom-out" },
    { "page.fit", "timeline.fit" },
    { "page.zoom-selection", "timeline.zoom-selection" },
    { "page.back", "timeline.back" },
    { "page.forward", "timeline.forward" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (name, map[i].page))
      gtk_widget_activate_action (GTK_WIDGET (self->timeline), map[i].timeline, NULL);
}

static void
dismiss_error_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
toggle_pane_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  gtk_toggle_button_set_active (self->pane_toggle, !gtk_toggle_button_get_active (self->pane_toggle));
}

static void
show_pane_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  gtk_toggle_button_set_active (self->pane_toggle, TRUE);
  gtk_stack_set_visible_child_name (self->pane_stack, g_variant_get_string (param, NULL));
}

static void
sort_changed_cb (TaTracePage *self)
{
  ta_timeline_set_goroutine_sort (self->timeline, gtk_drop_down_get_selected (self->sort_dropdown) == 1
                                                    ? TA_SORT_BY_START : TA_SORT_BY_ID);
}

static void
group_toggled_cb (TaTracePage *self)
{
  ta_timeline_set_group_by_function (self->timeline, gtk_toggle_button_get_active (self->group_toggle));
}

/* goroutine-sort is an enum key (nick); the drop-down's items are in the
 * enum's order (by id, by start time). */
static gboolean
sort_from_setting (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_uint (value, g_strcmp0 (g_variant_get_string (variant, NULL), "start") == 0 ? 1 : 0);
  return TRUE;
}

static GVariant *
sort_to_setting (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "start" : "id");
}

static void
bind_settings (TaTracePage *self)
{
  GSettings *settings = ta_settings_get_default ();

  if (!settings)
    return;
  g_settings_bind_with_mapping (settings, "goroutine-sort", self->sort_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, sort_from_setting, sort_to_setting, NULL, NULL);
  g_settings_bind (settings, "group-by-function", self->group_toggle, "active", G_SETTINGS_BIND_DEFAULT);
}

/* Built when the legend is first shown: its 46 labels were a good part of
 * creating the page (the main loop stalls while a trace opens). */
static void
build_legend (TaTracePage *self)
{
  if (self->legend_built)
    return;
  self->legend_built = TRUE;
  static const TaState shown[] = {
    TA_STATE_RUNNING, TA_STATE_RUNNABLE, TA_STATE_SYSCALL, TA_STATE_SYSCALL_BLOCKED, TA_STATE_GC_ASSIST,
    TA_STATE_BLOCKED_CHAN, TA_STATE_BLOCKED_SELECT, TA_STATE_BLOCKED_SYNC, TA_STATE_BLOCKED_NET,
    TA_STATE_BLOCKED_SLEEP, TA_STATE_BLOCKED_GC, TA_STATE_BLOCKED_SYSTEM, TA_STATE_BLOCKED_OTHER,
    TA_STATE_PROC_RUNNING, TA_STATE_PROC_GC, TA_STATE_PROC_SYSCALL, TA_STATE_PROC_SCHED,
    TA_STATE_GC, TA_STATE_STW, TA_STATE_REGION, TA_STATE_TASK,
  };
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      GtkWidget *swatch = gtk_label_new ("   ");
      GtkWidget *label = gtk_label_new (ta_state_label (shown[i]));
      g_autofree char *cls = g_strdup_printf ("state-%s", ta_state_name (shown[i]));
      gtk_widget_add_css_class (swatch, "swatch");
      gtk_widget_add_css_class (swatch, cls);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (self->legend_grid, swatch, (int)(i / 11) * 2, (int)(i % 11), 1, 1);
      gtk_grid_attach (self->legend_grid, label, (int)(i / 11) * 2 + 1, (int)(i % 11), 1, 1);
    }
  {
    GtkWidget *tick = gtk_label_new ("|");
    GtkWidget *label = gtk_label_new ("CPU sample");
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_grid_attach (self->legend_grid, tick, 2, 11, 1, 1);
    gtk_grid_attach (self->legend_grid, label, 3, 11, 1, 1);
  }
}

/* ---- layout (root box + jump popover) ------------------------------------ */

static void
ta_trace_page_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                       int *min_b, int *nat_b)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  gtk_widget_measure (self->root, o, for_size, min, nat, min_b, nat_b);
}

static void
ta_trace_page_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  TaTracePage *self = TA_TRACE_PAGE (widget);
  gtk_widget_allocate (self->root, width, height, baseline, NULL);
  if (self->jump_popover && gtk_widget_get_visible (GTK_WIDGET (self->jump_popover)))
    gtk_popover_present (self->jump_popover);
}

/* ---- GObject ----------------------------------------------------------------- */

static void
ta_trace_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TaTracePage *self = TA_TRACE_PAGE (object);

  switch (prop_id)
    {
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_SUBTITLE: g_value_set_string (value, self->subtitle); break;
    case PROP_LOADING: g_value_set_boolean (value, self->loading); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ta_trace_page_dispose (GObject *object)
{
  TaTracePage *self = TA_TRACE_PAGE (object);

  if (self->doc)
    {
      ta_document_cancel (self->doc);
      index_gives_way_to_frames (self, FALSE);
    }
  if (self->pane_cancel)
    g_cancellable_cancel (self->pane_cancel);
  g_clear_object (&self->pane_cancel);
  if (self->drill_cancel)
    g_cancellable_cancel (self->drill_cancel);
  g_clear_object (&self->drill_cancel);
  if (self->cpu_cancel)
    g_cancellable_cancel (self->cpu_cancel);
  g_clear_object (&self->cpu_cancel);
  g_clear_handle_id (&self->cpu_idle, g_source_remove);
  g_clear_handle_id (&self->start_timeout, g_source_remove);
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  if (self->timeline)
    {
      ta_timeline_set_document (self->timeline, NULL);
      ta_timeline_set_session (self->timeline, NULL);
    }
  if (self->jump_popover)
    gtk_widget_unparent (GTK_WIDGET (self->jump_popover));
  self->jump_popover = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), TA_TYPE_TRACE_PAGE);
  self->root = NULL;
  self->timeline = NULL;
  g_clear_object (&self->doc);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (ta_trace_page_parent_class)->dispose (object);
}

static void
ta_trace_page_finalize (GObject *object)
{
  TaTracePage *self = TA_TRACE_PAGE (object);

  g_clear_object (&self->file);
  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->error_text);
  g_clear_pointer (&self->span_text, g_free);
  G_OBJECT_CLASS (ta_trace_page_parent_class)->finalize (object);
}

static void
ta_trace_page_class_init (TaTracePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ta_trace_page_get_property;
  object_class->dispose = ta_trace_page_dispose;
  object_class->finalize = ta_trace_page_finalize;
  widget_class->measure = ta_trace_page_measure;
  widget_class->size_allocate = ta_trace_page_size_allocate;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TA_TYPE_TIMELINE);
  gtk_widget_class_set_template_from_resource (widget_class, TA_RESOURCE_BASE "/ta-trace-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, root);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, failed_page);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, progress);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, selection_label);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, group_toggle);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, legend_grid);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, pane_toggle);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, timeline);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, vscrollbar);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, side_pane);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, pane_stack);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, details_box);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, goroutine_box);
  gtk_widget_class_bind_template_child (widget_class, TaTracePage, cpu_box);

  gtk_widget_class_install_action (widget_class, "page.zoom-in", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "page.zoom-out", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "page.fit", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "page.zoom-selection", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "page.back", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "page.forward", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "page.dismiss-error", NULL, dismiss_error_action);
  gtk_widget_class_install_action (widget_class, "page.toggle-pane", NULL, toggle_pane_action);
  gtk_widget_class_install_action (widget_class, "page.show-pane", "s", ta_trace_page_show_pane_action);
  (void)show_pane_action;
  ta_trace_page_panes_class_init (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "page.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "page.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "page.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "page.jump", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "page.toggle-pane", NULL);
}

static void
ta_trace_page_init (TaTracePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->drill_g = -1;
  self->session = ta_session_new ();
  ta_timeline_set_session (self->timeline, self->session);
  gtk_scrollbar_set_adjustment (self->vscrollbar, ta_timeline_get_vadjustment (self->timeline));
  g_signal_connect_object (self->session, "selection-changed", G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "history-changed", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sort_dropdown, "notify::selected", G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->group_toggle, "toggled", G_CALLBACK (group_toggled_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->pane_toggle, "active", self->side_pane, "visible", G_BINDING_SYNC_CREATE);
  bind_settings (self);
  g_signal_connect_object (gtk_widget_get_ancestor (GTK_WIDGET (self->legend_grid), GTK_TYPE_POPOVER), "show",
                           G_CALLBACK (build_legend), self, G_CONNECT_SWAPPED);
  ta_trace_page_panes_init (self);
  selection_changed_cb (self);
  update_actions (self);
}
