/* ta-timeline-math.h: the pure arithmetic of the timeline.
 *
 * Everything here is free of GTK and of any display so it can be unit tested
 * headless (tests/ui/test-timeline-math.c): time <-> pixel conversion, zoom
 * anchored at the pointer, tick step choice and labels, hit testing of rows
 * and spans, colour mixing of merged buckets, palette parsing, the jump
 * palette grammar, navigation history and per-state statistics.
 *
 * Time is integer nanoseconds; doubles are only used for screen coordinates.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ---- time <-> pixel ---------------------------------------------------- */

/* The visible window [start, end) mapped onto [0, width) pixels. */
typedef struct {
  int64_t start;
  int64_t end;
  double  width;
} TaViewport;

double  ta_viewport_time_to_x   (const TaViewport *vp, int64_t t);
int64_t ta_viewport_x_to_time   (const TaViewport *vp, double x);
/* Nanoseconds covered by one pixel (>= a tiny positive number). */
double  ta_viewport_ns_per_px   (const TaViewport *vp);

/* Zoom by `factor` (>1 zooms in) keeping the time under pixel `anchor_x` at
 * that pixel. The result never spans less than `min_span` ns and is clamped
 * to [lo, hi] (the trace extent, with the span shrunk to fit if needed). */
void    ta_viewport_zoom_at     (TaViewport *vp, double anchor_x, double factor,
                                 int64_t min_span, int64_t lo, int64_t hi);
/* Move by `dx` pixels (positive moves the view later in time), clamped. */
void    ta_viewport_pan_px      (TaViewport *vp, double dx, int64_t lo, int64_t hi);
/* Clamp [start, end) into [lo, hi] keeping its length when possible. */
void    ta_viewport_clamp       (TaViewport *vp, int64_t lo, int64_t hi);

/* ---- ruler ------------------------------------------------------------- */

/* The smallest "nice" step (1-2-5 x 10^k ns below a second; 1, 2, 5, 10,
 * 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12 h) such that ticks are at
 * least `min_px` pixels apart when `span_ns` is drawn over `width` pixels. */
int64_t ta_tick_step            (int64_t span_ns, double width, double min_px);
/* The first multiple of `step` (relative to `origin`) at or after `t`. */
int64_t ta_tick_first           (int64_t t, int64_t origin, int64_t step);
/* A duration in the largest unit that keeps it >= 1, with up to `digits`
 * significant decimals stripped of trailing zeros: "1.5 ms", "250 ns",
 * "2 min 5 s", "1 h 3 min". Negative durations get a minus sign. */
char   *ta_format_duration      (int64_t ns);
/* Tick label for offset `rel` (ns since the trace start) when ticks are
 * `step` apart: enough decimals to tell neighbours apart ("1.25 s",
 * "1.250 020 s" is written "1.25002 s"). */
char   *ta_format_tick_label    (int64_t rel, int64_t step);
/* Relative label "+20 µs" for a tick `delta` after an anchor tick. */
char   *ta_format_tick_delta    (int64_t delta, int64_t step);

/* ---- hit testing ------------------------------------------------------- */

/* Row `i` occupies [tops[i], tops[i] + heights[i]); `tops` ascending. Returns
 * the row containing y, or -1. */
int     ta_hit_row              (const double *tops, const double *heights,
                                 guint n_rows, double y);
/* Spans sorted by start, non-overlapping: starts[i], ends[i]. Returns the
 * index of the span under time `t`, widening each span to at least
 * `slop_ns` (so sub-pixel spans can be hit) and preferring the one whose
 * body contains t. -1 when none. */
int     ta_hit_span             (const int64_t *starts, const int64_t *ends,
                                 guint n, int64_t t, int64_t slop_ns);
/* Index of the first span with end > t (binary search, for culling). */
guint   ta_first_span_ending_after (const int64_t *ends, guint n, int64_t t);

/* The first offset x >= 0 (ns from the view's start) whose pixel column,
 * (guint)((double)x / ns_per_px), is `col` or more: the columns of
 * offsets are decided by that float division, so a span's column can be
 * told by two integer compares instead. */
int64_t ta_column_first_offset  (double ns_per_px, guint col);

/* ---- colours ----------------------------------------------------------- */

typedef struct {
  float r, g, b, a;
} TaColor;

/* The colour of a merged bucket: each state's colour weighted by the time
 * it covers. Alpha is the coverage of the bucket (covered / bucket_ns,
 * never below `min_alpha` when anything is covered, so a lone 1 ns span
 * still shows). Returns FALSE (and transparent) when nothing is covered. */
gboolean ta_color_mix           (const int64_t *coverage, const TaColor *colors,
                                 guint n, int64_t bucket_ns, float min_alpha,
                                 TaColor *out);
/* ta_color_mix for many columns with the same colours: the premultiplied
 * colours computed once, only the states present in a column visited.
 * Gives exactly ta_color_mix's colour. At most TA_MIX_MAX_COLORS colours. */
#define TA_MIX_MAX_COLORS 32
typedef struct {
  double premul[TA_MIX_MAX_COLORS][4];   /* r * a, g * a, b * a, a */
  guint  n;
  float  min_alpha;
} TaColorMixer;

void     ta_color_mixer_init    (TaColorMixer *m, const TaColor *colors, guint n,
                                 float min_alpha);
gboolean ta_color_mixer_mix     (const TaColorMixer *m, const int64_t *coverage,
                                 int64_t bucket_ns, TaColor *out);
/* The same, told which states (bit i: coverage[i]) may be covered: the
 * others are taken as zero and not read. */
gboolean ta_color_mixer_mix_states (const TaColorMixer *m, const int64_t *coverage,
                                    uint32_t states, int64_t bucket_ns, TaColor *out);
/* The time the summary buckets behind pixel column `col` of a query over
 * [t0, t1) in `n_cols` columns really cover. The model assigns each bucket
 * (width `bucket_w`, on a grid from `origin`) whole to the column holding
 * its start, the first column also taking the bucket that straddles t0; so
 * a column's per-state times add up to this range, not to the column's own
 * width (a bucket may be wider than a column, or two may start in one).
 * Returns FALSE when no bucket starts in the column. */
gboolean ta_column_bucket_range  (int64_t origin, int64_t bucket_w, int64_t t0, int64_t t1,
                                  guint n_cols, guint col, int64_t *start, int64_t *end);
/* Walks the widths of the columns of a query over [t0, t1) in n_cols
 * columns (column c is [t0 + floor(c * span / n), t0 + floor((c + 1) * span / n)),
 * as the model splits it) with an integer quotient and remainder: one
 * division to start at column `first`, none per column after. */
typedef struct {
  int64_t f, rem;     /* floor(c * span / n) and c * span % n for the next column c */
  int64_t q, r, n;    /* span / n, span % n, n */
} TaColumnSteps;
void    ta_column_steps_init    (TaColumnSteps *s, int64_t t0, int64_t t1, guint n_cols, guint first);
/* The next column's width (end - start). */
static inline int64_t
ta_column_steps_next (TaColumnSteps *s)
{
  int64_t f0 = s->f;
  s->f += s->q;
  s->rem += s->r;
  if (s->rem >= s->n)
    {
      s->rem -= s->n;
      s->f++;
    }
  return s->f - f0;
}
/* Parses "#rgb", "#rgba", "#rrggbb" or "#rrggbbaa". */
gboolean ta_color_parse         (const char *text, TaColor *out);

/* A palette: named colours in a text file, one "name = #rrggbb" per line,
 * '#' or ';' starting a comment at the beginning of a line. Unknown names are
 * kept (the caller decides), malformed lines are reported with their line
 * number in `error`. */
#define TA_PALETTE_ERROR (ta_palette_error_quark ())
GQuark ta_palette_error_quark (void);
typedef struct _TaPalette TaPalette;
TaPalette *ta_palette_parse     (const char *text, GError **error);
void       ta_palette_free      (TaPalette *palette);
gboolean   ta_palette_lookup    (const TaPalette *palette, const char *name,
                                 TaColor *out);
guint      ta_palette_size      (const TaPalette *palette);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TaPalette, ta_palette_free)

/* ---- jump palette (Ctrl+K) --------------------------------------------- */

typedef enum {
  TA_JUMP_NONE = 0,
  TA_JUMP_GOROUTINE,   /* g123 */
  TA_JUMP_PROC,        /* p4 */
  TA_JUMP_THREAD,      /* m7 */
  TA_JUMP_TIME,        /* @1.5ms, @2s: time since the trace start */
  TA_JUMP_FUNCTION,    /* anything else: substring of a function name */
} TaJumpKind;

typedef struct {
  TaJumpKind kind;
  int64_t    id;       /* goroutine/proc/thread id, or time in ns */
  char      *text;     /* TA_JUMP_FUNCTION: the trimmed query */
} TaJumpQuery;

void     ta_jump_parse          (const char *input, TaJumpQuery *out);
void     ta_jump_query_clear    (TaJumpQuery *q);
/* "1.5ms", "20 us", "3s", "250" (ns) -> ns. */
gboolean ta_parse_duration      (const char *text, int64_t *out_ns);

/* ---- navigation history (Alt+Left / Alt+Right) ------------------------- */

typedef struct {
  int64_t start, end;
} TaRange;

typedef struct _TaHistory TaHistory;
TaHistory *ta_history_new       (guint capacity);
void       ta_history_free      (TaHistory *h);
/* Records the view being left; forward entries are dropped. Identical
 * consecutive entries are merged. */
void       ta_history_push      (TaHistory *h, TaRange current);
gboolean   ta_history_can_back  (const TaHistory *h);
gboolean   ta_history_can_forward (const TaHistory *h);
/* Moves back/forward from `current`; returns the range to show. */
gboolean   ta_history_back      (TaHistory *h, TaRange current, TaRange *out);
gboolean   ta_history_forward   (TaHistory *h, TaRange current, TaRange *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TaHistory, ta_history_free)

/* ---- statistics -------------------------------------------------------- */

typedef struct {
  guint64 count;
  int64_t total, min, max;
  double  mean;
  int64_t p50, p99;
} TaDurationStats;

/* Sorts `values` in place and fills `out`. Percentiles use the nearest rank
 * method (p50 of 1..4 is 2, p99 of 1..100 is 99). */
void     ta_duration_stats      (int64_t *values, guint n, TaDurationStats *out);

G_END_DECLS
