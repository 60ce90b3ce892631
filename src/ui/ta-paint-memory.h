/* ta-paint-memory.h: keeps the memory frames paint through resident.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Once, at startup (main thread): heap thresholds, then a worker faults in
 * the memory the first frames will paint through. */
void ta_paint_memory_setup (void);

/* When a trace has finished loading (main thread): a worker hands the
 * indexing's free memory back to the system, then faults the paint memory
 * in again. */
void ta_paint_memory_trim (void);

G_END_DECLS
