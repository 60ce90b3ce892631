/* ta-paint-memory.h: keeps the memory frames paint through resident.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Once, at startup (main thread): the arena count and heap thresholds,
 * then a worker faults in the memory the first frames will paint through. */
void ta_paint_memory_setup (void);

/* When a toplevel is realized: with the cairo renderer on X11, keeps the
 * shared-memory pool its frames go through from being destroyed and made
 * afresh between frames. */
void ta_paint_memory_hold_shm_pool (GtkWidget *toplevel);

G_END_DECLS
