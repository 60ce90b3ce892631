/* ta-application.c: the AdwApplication of Trace Atlas.
 *
 * Opens one window; every file given on the command line (or through
 * GApplication's "open") becomes a tab in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-application"

#include "config.h"

#include "ta-application.h"
#include "ta-app-window.h"
#include "ta-paint-memory.h"

struct _TaApplication
{
  AdwApplication parent_instance;

  /* NULL when the schema is not installed (an uninstalled run without
   * GSETTINGS_SCHEMA_DIR): preferences then last for the session only. */
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (TaApplication, ta_application, ADW_TYPE_APPLICATION)

TaApplication *
ta_application_new (void)
{
  return g_object_new (TA_TYPE_APPLICATION,
                       "application-id", TA_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", TA_RESOURCE_BASE,
                       NULL);
}

GFile *
ta_application_get_sample (TaApplication *self)
{
  const char *env = g_getenv ("TRACE_ATLAS_SAMPLE");
  const char *candidates[] = { env, TA_SAMPLE_INSTALLED, TA_SAMPLE_SOURCE };

  g_return_val_if_fail (TA_IS_APPLICATION (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] && *candidates[i] && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_file_new_for_path (candidates[i]);
  return NULL;
}

GSettings *
ta_application_get_settings (TaApplication *self)
{
  g_return_val_if_fail (TA_IS_APPLICATION (self), NULL);
  return self->settings;
}

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, TA_APPLICATION_ID, TRUE);
  if (!schema)
    {
      g_message ("settings schema %s not found: preferences will not be kept "
                 "(install, or set GSETTINGS_SCHEMA_DIR to the build's data directory)",
                 TA_APPLICATION_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static TaAppWindow *
get_window (TaApplication *self)
{
  GtkWindow *win = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (win == NULL)
    win = GTK_WINDOW (ta_app_window_new (self));
  return TA_APP_WINDOW (win);
}

static void
ta_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (TA_APPLICATION (app))));
}

static void
ta_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  TaAppWindow *win = get_window (TA_APPLICATION (app));

  for (int i = 0; i < n_files; i++)
    ta_app_window_open_file (win, files[i]);
  gtk_window_present (GTK_WINDOW (win));
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TaApplication *self = user_data;
  GtkWindow *win = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The Trace Atlas authors", NULL };

  adw_show_about_window (win,
                         "application-name", "Trace Atlas",
                         "application-icon", TA_APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", "A fast viewer for Go execution traces",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         NULL);
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
ta_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "about", about_action },
    { "quit", quit_action },
  };
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.close-tab", { "<Control>w", NULL } },
    { "win.jump", { "<Control>k", NULL } },
    { "win.show-help-overlay", { "<Control>question", "F1", NULL } },
  };

  G_APPLICATION_CLASS (ta_application_parent_class)->startup (app);

  ta_paint_memory_setup ();
  TA_APPLICATION (app)->settings = settings_new_if_installed ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
ta_application_dispose (GObject *object)
{
  g_clear_object (&TA_APPLICATION (object)->settings);
  G_OBJECT_CLASS (ta_application_parent_class)->dispose (object);
}

static void
ta_application_class_init (TaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ta_application_dispose;

  app_class->activate = ta_application_activate;
  app_class->open = ta_application_open;
  app_class->startup = ta_application_startup;
}

static void
ta_application_init (TaApplication *self)
{
}

GSettings *
ta_settings_get_default (void)
{
  GApplication *app = g_application_get_default ();
  return TA_IS_APPLICATION (app) ? TA_APPLICATION (app)->settings : NULL;
}
