/* main.c: entry point of trace-atlas, the Go execution trace viewer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "trace-atlas"

#include "ta-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (TaApplication) app = ta_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
