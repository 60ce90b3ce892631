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

G_END_DECLS
