/* model-mev.h: events as self-contained records (see model-mev.c). */
#pragma once

#include "model-private.h"

G_BEGIN_DECLS

typedef struct {
  gint64 time;
  gint64 g, p, m;
  guint8 type, kind;
  guint8 res, old_state, new_state;   /* state transitions */
  gint64 rid;
  TaStringId reason;  /* transition reason, STW kind, label, region or task type, log category */
  TaStringId msg;     /* log message */
  TaStackId tstack;   /* transition stack (GoCreate: the new goroutine's) */
  TaStackId stack;    /* the event's stack */
  guint64 a0, a1;     /* raw arguments, by type (see mev_from_event) */
} mev;

void mev_from_event(mev *m, const ta_event *ev, ms_gen_map *map);

G_END_DECLS
