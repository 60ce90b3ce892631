/* ta-window.c: the main window: an empty state, or tabs of open traces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-app-window"

#include "config.h"

#include "ta-app-window.h"
#include "ta-paint-memory.h"

#define RECENT_APP_NAME "Trace Atlas"
#define RECENT_MIME     "application/x-go-trace"
#define MAX_RECENT      8

struct _TaAppWindow
{
  AdwApplicationWindow parent_instance;

  AdwWindowTitle  *window_title;
  AdwTabView      *tab_view;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkListBox      *recent_list;
  GtkWidget       *recent_label;
  GtkWidget       *sample_button;

  GtkRecentManager *recent_manager;   /* NULL until the first idle after start-up */
  gulong            recent_changed_id;
  guint             recent_idle;
  GPtrArray        *pending_recent;   /* URIs opened before the manager was there */
  GtkFileChooserNative *chooser;
  TaTracePage      *spare_page;       /* built while the window waits for a first trace */
  guint             spare_idle;
};

G_DEFINE_FINAL_TYPE (TaAppWindow, ta_app_window, ADW_TYPE_APPLICATION_WINDOW)

static void ta_app_window_update_actions (TaAppWindow *self);

TaAppWindow *
ta_app_window_new (TaApplication *app)
{
  TaAppWindow *self = g_object_new (TA_TYPE_APP_WINDOW, "application", app, NULL);
  /* The sample is found through the application, unknown during init. */
  ta_app_window_update_actions (self);
  return self;
}

void
ta_app_window_toast (TaAppWindow *self, const char *message)
{
  AdwToast *toast;

  g_return_if_fail (TA_IS_APP_WINDOW (self));
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

TaTracePage *
ta_app_window_get_page (TaAppWindow *self)
{
  AdwTabPage *page;

  g_return_val_if_fail (TA_IS_APP_WINDOW (self), NULL);
  page = adw_tab_view_get_selected_page (self->tab_view);
  return page ? TA_TRACE_PAGE (adw_tab_page_get_child (page)) : NULL;
}

/* A page that could not open has nothing to jump to. */
static void
update_jump_action (TaAppWindow *self)
{
  TaTracePage *page = ta_app_window_get_page (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.jump", page && !ta_trace_page_get_open_failed (page));
}

static void
ta_app_window_update_actions (TaAppWindow *self)
{
  TaApplication *app = TA_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GFile) sample = app ? ta_application_get_sample (app) : NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-sample", sample != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-tab", ta_app_window_get_page (self) != NULL);
  update_jump_action (self);
}

static void
add_recent (TaAppWindow *self, GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GtkRecentData data = {
    .display_name = NULL,
    .description = NULL,
    .mime_type = (char *)RECENT_MIME,
    .app_name = (char *)RECENT_APP_NAME,
    .app_exec = (char *)"trace-atlas %u",
    .groups = NULL,
    .is_private = FALSE,
  };

  if (self->recent_manager)
    gtk_recent_manager_add_full (self->recent_manager, uri, &data);
  else
    g_ptr_array_add (self->pending_recent, g_steal_pointer (&uri));
}

static void
page_title_changed_cb (TaAppWindow *self, GParamSpec *pspec, TaTracePage *page)
{
  AdwTabPage *tab = adw_tab_view_get_page (self->tab_view, GTK_WIDGET (page));

  adw_tab_page_set_title (tab, ta_trace_page_get_title (page));
  adw_tab_page_set_loading (tab, ta_trace_page_get_loading (page));
  if (ta_app_window_get_page (self) == page)
    {
      adw_window_title_set_title (self->window_title, ta_trace_page_get_title (page));
      adw_window_title_set_subtitle (self->window_title, ta_trace_page_get_subtitle (page));
      update_jump_action (self);   /* the subtitle changes as a page fails to open */
    }
}

TaTracePage *
ta_app_window_open_file (TaAppWindow *self, GFile *file)
{
  TaTracePage *page;
  AdwTabPage *tab;

  g_return_val_if_fail (TA_IS_APP_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  /* One tab per file: focus the existing one. */
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      AdwTabPage *p = adw_tab_view_get_nth_page (self->tab_view, i);
      TaTracePage *tp = TA_TRACE_PAGE (adw_tab_page_get_child (p));
      if (g_file_equal (ta_trace_page_get_file (tp), file))
        {
          adw_tab_view_set_selected_page (self->tab_view, p);
          return tp;
        }
    }

  page = self->spare_page ? g_steal_pointer (&self->spare_page) : g_object_ref_sink (ta_trace_page_new ());
  ta_trace_page_set_file (page, file);
  tab = adw_tab_view_append (self->tab_view, GTK_WIDGET (page));
  adw_tab_page_set_title (tab, ta_trace_page_get_title (page));
  adw_tab_page_set_tooltip (tab, g_file_peek_path (file));
  g_signal_connect_object (page, "notify::title", G_CALLBACK (page_title_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::subtitle", G_CALLBACK (page_title_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::loading", G_CALLBACK (page_title_changed_cb), self, G_CONNECT_SWAPPED);
  adw_tab_view_set_selected_page (self->tab_view, tab);
  ta_trace_page_load (page);
  add_recent (self, file);
  ta_app_window_update_actions (self);
  g_object_unref (page);  /* the tab view holds it */
  return page;
}

/* ---- empty state: recent traces ----------------------------------------- */

static int
recent_cmp (gconstpointer a, gconstpointer b)
{
  GtkRecentInfo *ia = *(GtkRecentInfo **)a, *ib = *(GtkRecentInfo **)b;
  /* transfer none: the recent info keeps its own reference. */
  GDateTime *ta = gtk_recent_info_get_modified (ia);
  GDateTime *tb = gtk_recent_info_get_modified (ib);
  return -g_date_time_compare (ta, tb);
}

static void
rebuild_recent (TaAppWindow *self)
{
  GList *items;
  g_autoptr (GPtrArray) mine = g_ptr_array_new_with_free_func ((GDestroyNotify)gtk_recent_info_unref);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))))
    gtk_list_box_remove (self->recent_list, child);

  items = self->recent_manager ? gtk_recent_manager_get_items (self->recent_manager) : NULL;
  for (GList *l = items; l; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      if (gtk_recent_info_has_application (info, RECENT_APP_NAME) && gtk_recent_info_exists (info))
        g_ptr_array_add (mine, gtk_recent_info_ref (info));
    }
  g_list_free_full (items, (GDestroyNotify)gtk_recent_info_unref);
  g_ptr_array_sort (mine, recent_cmp);

  for (guint i = 0; i < mine->len && i < MAX_RECENT; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (mine, i);
      g_autoptr (GFile) file = g_file_new_for_uri (gtk_recent_info_get_uri (info));
      g_autoptr (GFile) parent = g_file_get_parent (file);
      g_autofree char *dir = parent ? g_file_get_path (parent) : NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("go-next-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gtk_recent_info_get_display_name (info));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir ? dir : "");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "file", g_object_ref (file), g_object_unref);
      gtk_list_box_append (self->recent_list, row);
    }
  gtk_widget_set_visible (self->recent_label, mine->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), mine->len > 0);
}

/* The recent manager reports every change, including the one adding the
 * trace just opened, which lands while it loads: the list (up to
 * MAX_RECENT rows built from templates, each file stat'ed) is rebuilt only
 * while it shows, and again whenever the last tab closes. */
static void
recent_changed_cb (TaAppWindow *self)
{
  if (adw_tab_view_get_n_pages (self->tab_view) == 0)
    rebuild_recent (self);
}

/* The recent manager parses the user's whole recently-used list and the
 * list stats each file: done after the first frame, not before it (and
 * the list rebuilt only if the empty state shows). */
static gboolean
recent_idle_cb (gpointer data)
{
  TaAppWindow *self = data;

  self->recent_idle = 0;
  /* GSETTINGS/recent files may be unavailable in sandboxes and tests; the
   * default manager copes (it just keeps the list in memory). */
  self->recent_manager = gtk_recent_manager_get_default ();
  for (guint i = 0; i < self->pending_recent->len; i++)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (g_ptr_array_index (self->pending_recent, i));
      add_recent (self, file);
    }
  g_ptr_array_set_size (self->pending_recent, 0);
  self->recent_changed_id = g_signal_connect_swapped (self->recent_manager, "changed",
                                                      G_CALLBACK (recent_changed_cb), self);
  if (adw_tab_view_get_n_pages (self->tab_view) == 0)
    rebuild_recent (self);
  return G_SOURCE_REMOVE;
}

/* Building a trace page (its template, some 40 widgets) took 7 ms of the
 * 14 ms the main thread was busy opening a trace (ui-bench stall): a window
 * waiting for its first trace builds one beforehand. Only then, so that it
 * never competes with a trace loading. */
static gboolean
spare_idle_cb (gpointer data)
{
  TaAppWindow *self = data;

  self->spare_idle = 0;
  if (adw_tab_view_get_n_pages (self->tab_view) == 0 && !self->spare_page)
    self->spare_page = g_object_ref_sink (ta_trace_page_new ());
  return G_SOURCE_REMOVE;
}

/* The first frame is being drawn: the recent list and the spare page can
 * come after it. */
static gboolean
first_tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  TaAppWindow *self = TA_APP_WINDOW (widget);

  if (!self->recent_idle && !self->recent_manager)
    self->recent_idle = g_idle_add_full (G_PRIORITY_LOW, recent_idle_cb, self, NULL);
  if (!self->spare_idle)
    self->spare_idle = g_idle_add_full (G_PRIORITY_LOW, spare_idle_cb, self, NULL);
  return G_SOURCE_REMOVE;
}

static void
recent_row_activated_cb (GtkListBox *box, GtkListBoxRow *row, TaAppWindow *self)
{
  GFile *file = g_object_get_data (G_OBJECT (row), "file");
  if (file)
    ta_app_window_open_file (self, file);
}

/* ---- tabs --------------------------------------------------------------- */

static void
selected_page_changed_cb (TaAppWindow *self)
{
  TaTracePage *page = ta_app_window_get_page (self);

  if (page)
    {
      adw_window_title_set_title (self->window_title, ta_trace_page_get_title (page));
      adw_window_title_set_subtitle (self->window_title, ta_trace_page_get_subtitle (page));
    }
  else
    {
      adw_window_title_set_title (self->window_title, "Trace Atlas");
      adw_window_title_set_subtitle (self->window_title, NULL);
    }
  ta_app_window_update_actions (self);
}

static void
n_pages_changed_cb (TaAppWindow *self)
{
  gboolean any = adw_tab_view_get_n_pages (self->tab_view) > 0;
  gtk_stack_set_visible_child_name (self->stack, any ? "tabs" : "empty");
  if (!any)
    rebuild_recent (self);
  ta_app_window_update_actions (self);
}

/* ---- actions ------------------------------------------------------------ */

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, TaAppWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr (GFile) f = g_list_model_get_item (files, i);
          ta_app_window_open_file (self, f);
        }
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TaAppWindow *self = TA_APP_WINDOW (widget);
  GtkFileFilter *traces, *all;

  if (self->chooser)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }
  self->chooser = gtk_file_chooser_native_new ("Open Go Execution Trace", GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);

  /* Go has no standard extension: match the MIME type (by magic where the
   * portal supports it) and the names people use. */
  traces = gtk_file_filter_new ();
  gtk_file_filter_set_name (traces, "Go execution traces");
  gtk_file_filter_add_mime_type (traces, RECENT_MIME);
  gtk_file_filter_add_mime_type (traces, "application/x-go-trace+zstd");
  gtk_file_filter_add_pattern (traces, "*.trace");
  gtk_file_filter_add_pattern (traces, "*.trace.zst");
  gtk_file_filter_add_pattern (traces, "trace.out");
  gtk_file_filter_add_pattern (traces, "*.out");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), traces);
  all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, "All files");
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_object_unref (traces);
  g_object_unref (all);

  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_sample_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TaAppWindow *self = TA_APP_WINDOW (widget);
  TaApplication *app = TA_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr (GFile) sample = ta_application_get_sample (app);

  if (sample)
    ta_app_window_open_file (self, sample);
  else
    ta_app_window_toast (self, "The sample trace is not installed");
}

static void
close_tab_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TaAppWindow *self = TA_APP_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);
  if (page)
    adw_tab_view_close_page (self->tab_view, page);
}

static void
jump_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TaTracePage *page = ta_app_window_get_page (TA_APP_WINDOW (widget));
  if (page)
    gtk_widget_activate_action (GTK_WIDGET (page), "page.jump", NULL);
}

/* ---- drag and drop ------------------------------------------------------ */

static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, TaAppWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l; l = l->next)
    ta_app_window_open_file (self, G_FILE (l->data));
  return files != NULL;
}

/* ---- GObject ------------------------------------------------------------ */

static void
ta_app_window_dispose (GObject *object)
{
  TaAppWindow *self = TA_APP_WINDOW (object);

  g_clear_signal_handler (&self->recent_changed_id, self->recent_manager);
  g_clear_handle_id (&self->recent_idle, g_source_remove);
  g_clear_handle_id (&self->spare_idle, g_source_remove);
  g_clear_object (&self->spare_page);
  g_clear_pointer (&self->pending_recent, g_ptr_array_unref);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), TA_TYPE_APP_WINDOW);

  G_OBJECT_CLASS (ta_app_window_parent_class)->dispose (object);
}

/* The window's size outlives it (unless maximized, which is kept apart). */
static gboolean
ta_app_window_close_request (GtkWindow *window)
{
  GSettings *settings = ta_settings_get_default ();

  if (settings)
    {
      int width, height;
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
        g_settings_set (settings, "window-size", "(ii)", width, height);
    }
  return GTK_WINDOW_CLASS (ta_app_window_parent_class)->close_request (window);
}

static void
restore_window_size (TaAppWindow *self)
{
  GSettings *settings = ta_settings_get_default ();
  int width, height;

  if (!settings)
    return;
  g_settings_get (settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), MAX (width, 360), MAX (height, 300));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
ta_app_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ta_app_window_parent_class)->realize (widget);
  ta_paint_memory_hold_shm_pool (widget);
}

static void
ta_app_window_class_init (TaAppWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ta_app_window_dispose;
  widget_class->realize = ta_app_window_realize;
  window_class->close_request = ta_app_window_close_request;

  g_type_ensure (TA_TYPE_TRACE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, TA_RESOURCE_BASE "/ta-app-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, recent_label);
  gtk_widget_class_bind_template_child (widget_class, TaAppWindow, sample_button);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, selected_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, n_pages_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-sample", NULL, open_sample_action);
  gtk_widget_class_install_action (widget_class, "win.close-tab", NULL, close_tab_action);
  gtk_widget_class_install_action (widget_class, "win.jump", NULL, jump_action);
}

static void
ta_app_window_init (TaAppWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  restore_window_size (self);

#ifdef TA_DEVEL
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->pending_recent = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_add_tick_callback (GTK_WIDGET (self), first_tick_cb, NULL, NULL);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  rebuild_recent (self);  /* empty until the recent manager is there */
  gtk_stack_set_visible_child_name (self->stack, "empty");
  ta_app_window_update_actions (self);
}
