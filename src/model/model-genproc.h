/* model-genproc.h: one generation's events -> spans, buckets and records.
 *
 * A Go trace generation is self-contained: it names the state of every
 * goroutine, proc and thread it touches with a status event. So a generation
 * can be processed alone, on any thread, in any order: what a track was doing
 * when the generation began arrives as a "head" (the state a status event
 * reports, from that event until the track's first real transition), and
 * what it is doing when the generation ends leaves as a "tail". Spans that
 * begin and end inside the generation are final ("internal") and go straight
 * into level-0 buckets. The merge (model-merge.c) joins each tail with the
 * next head, in generation order; the window decoder (model-window.c) takes
 * the internal spans and gets the joined ones from the long-span table. */
#pragma once

#include "model-mev.h"

G_BEGIN_DECLS

/* A piece of a span touching a generation boundary. */
typedef struct {
  gint64 start, end;        /* end == TA_TIME_NONE: open at the generation end */
  gint64 g, p;
  guint64 jkey;             /* equal jkeys join across the boundary */
  TaStringId reason;
  TaStackId stack, end_stack;
  guint8 cls, flags, go_state;
} gp_piece;

typedef struct {
  TaTrackKey key;
  guint32 order;            /* first appearance in the generation */
  gboolean has_head, has_tail, head_is_tail;
  gp_piece head, tail;
  ms_l0 l0;                 /* internal spans, bucketed (when shift != 0) */
  GArray *spans;            /* internal spans (TaSpan) when kept */
  guint64 n_internal;
  /* goroutines */
  gboolean created, ended, forever;
  gint64 creation_time, end_time, parent;
  TaStackId creation_stack, start_stack;
  TaStringId start_func;    /* root frame of the first stack seen, 0 unknown */
  gint64 first_time;        /* first event naming it */
} gp_track;

/* Region records (depth is relative: merge adds the carried depth). */
typedef struct {
  gint64 g;
  gint64 begin, end;        /* begin NONE: ended a region begun earlier; end NONE: open */
  guint64 task;
  TaStringId type;
  TaStackId stack, end_stack;
  guint32 local_depth;      /* depth among the regions begun in this generation */
  guint32 popped_before;    /* earlier regions ended (popped) in this generation before it began */
} gp_region;

typedef struct {
  guint8 type;              /* TA_EV_* of the range event */
  guint8 kind;              /* TA_KIND_RANGE_BEGIN/ACTIVE/END */
  gint64 time;
  gint64 scope;             /* proc / goroutine id, or GC seq */
  gint64 g;
  TaStringId reason;        /* STW kind */
  TaStackId stack;
} gp_range;

typedef struct {
  guint8 kind;              /* TA_KIND_TASK_BEGIN/END, TA_KIND_LOG */
  gint64 time, g;
  guint64 id, parent;
  TaStringId type, category, message;
  TaStackId stack;
} gp_user;

typedef struct {
  gint64 time, g, p, m;
  TaStackId stack;
} gp_sample;

/* A goroutine born and dead within the generation, compacted at its death:
 * its state machine and track are freed, what the merge needs stays, packed
 * (gp_out.done_recs; read back with gp_out_done). */
typedef struct {
  guint32 order;            /* its place among the tracks (a NULL there) */
  TaStackId creation_stack, start_stack;
  TaStringId start_func;
  guint32 l0_len;
  gint64 id, parent, creation_time, end_time;
  const guint8 *l0;         /* its level-0 stream (l0_len bytes) */
  guint64 n_internal;
} gp_done;

/* Where a packed gp_done begins in gp_out.done_recs. */
typedef struct {
  guint32 order, off;
} gp_done_at;

typedef struct {
  gint64 time, value;
} gp_metric_sample;

enum {
  GP_COUNT_G_RUNNING,
  GP_COUNT_G_RUNNABLE,
  GP_COUNT_G_WAITING,
  GP_COUNT_G_SYSCALL,
  GP_COUNT_M_RUNNING,
  GP_COUNT_M_SYSCALL,
  GP_N_COUNTS
};

typedef struct {
  /* generation */
  guint64 number;
  gint64 sync_time;         /* B: the generation's Sync */
  gint64 last_time;         /* last event, or the closing Sync */
  gint64 last_event;        /* last event (not the closing Sync) */
  guint64 n_events;
  gboolean complete;
  /* tracks (goroutines, procs, threads), in order of first appearance;
   * NULL where a goroutine was compacted (see done) */
  GPtrArray *tracks;
  /* Compacted goroutines as varints with their level-0 bytes (a few dozen
   * bytes each instead of a 72-byte struct: spawn-heavy generations hold
   * hundreds of thousands while they wait to be merged). */
  mu_buf done_recs;
  gint64 done_time_base;    /* creation times are packed relative to it */
  GArray *done_at;          /* gp_done_at, in track order once finished */
  GHashTable *by_key;       /* TaTrackKey* -> gp_track* */
  GArray *regions;          /* gp_region, in begin order (open ends last) */
  GArray *ranges;           /* gp_range */
  GArray *user;             /* gp_user: tasks and logs in time order */
  GArray *samples;          /* gp_sample */
  GArray *metric[3];        /* gp_metric_sample: heap alloc, heap goal, gomaxprocs */
  GArray *counts[GP_N_COUNTS]; /* mm_acc, relative to the generation start */
  gint64 count0[GP_N_COUNTS];  /* what the heads add at the generation start */
  guint count_shift;        /* bucket shift of counts[] (relative to sync_time if != shift) */
  guint l0_shift;           /* shift of the tracks' l0 streams (0: none) */
} gp_out;

typedef struct {
  guint shift;              /* L0 bucket shift; 0: no bucketing */
  guint count_shift;        /* bucket shift of the count metrics (shift, or a fine one) */
  gboolean provisional;     /* shift is a fine provisional one, origin the generation's Sync */
  gint64 origin;
  gboolean keep_spans;      /* keep raw internal spans of every track */
  GHashTable *only;         /* when set: keep spans only for these keys (TaTrackKey*) */
  gboolean first_gen;       /* the trace's first generation */
  gint64 floor;             /* time of the previous generation's last event
                             * (G_MININT64: none) */
  ms_table *strtab;
} gp_config;

typedef struct genproc genproc;

genproc *genproc_new(const gp_config *cfg);
void genproc_free(genproc *gp);
/* Feeds one event of the generation (its Sync first). */
void genproc_event(genproc *gp, const ta_event *ev);
/* Feeds an event already made self-contained (model-mev.h). */
void genproc_mev(genproc *gp, mev *m);
/* Ends the generation: closes heads, makes tails. Returns the output. */
gp_out *genproc_finish(genproc *gp);
void gp_out_free(gp_out *out);
gsize gp_out_memory(const gp_out *out);
/* Compacted goroutines of a finished output: how many, and the i-th in
 * track order (d->l0 points into the output). */
guint gp_out_n_done(const gp_out *out);
void gp_out_done(const gp_out *out, guint i, gp_done *d);

/* Keys */
static inline TaTrackKey
ta_key(TaTrackKind kind, gint64 id, guint32 sub)
{
  TaTrackKey k = { kind, sub, id };
  return k;
}

G_END_DECLS
