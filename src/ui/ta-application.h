/* ta-application.h: the AdwApplication of Trace Atlas.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TA_APPLICATION_ID "io.github.traceatlas.TraceAtlas"

#define TA_TYPE_APPLICATION (ta_application_get_type ())
G_DECLARE_FINAL_TYPE (TaApplication, ta_application, TA, APPLICATION, AdwApplication)

TaApplication *ta_application_new            (void);
/* The bundled sample trace (installed, or the source tree's when run
 * uninstalled); NULL when neither exists. */
GFile         *ta_application_get_sample     (TaApplication *self);
/* The application's preferences, or NULL when its schema is not installed. */
GSettings     *ta_application_get_settings   (TaApplication *self);
/* The preferences of the running TaApplication, if any (NULL in tests that
 * build widgets without one). */
GSettings     *ta_settings_get_default       (void);

G_END_DECLS
