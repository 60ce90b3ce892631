/* ta-timeline-raster.h: a CPU pixel buffer for the timeline's track area.
 *
 * Zoomed out, a row is one colour per pixel column; handing GTK thousands
 * of one-pixel colour nodes per row costs far more than writing the pixels
 * ourselves. The canvas paints state colours into a TaRaster (premultiplied
 * ARGB32 in native byte order, what cairo and GDK_MEMORY_DEFAULT use) and
 * gives GTK one texture; text stays as Pango nodes on top.
 *
 * Pure logic (GLib only), unit tested in tests/ui/test-timeline-math.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ta-timeline-math.h"

G_BEGIN_DECLS

typedef struct {
  guint32 *px;        /* width * height pixels, row-major */
  int      width, height;
} TaRaster;

/* A colour as a premultiplied ARGB32 pixel. */
guint32 ta_pixel_from_color  (TaColor c);
/* Porter-Duff "over": src drawn on dst (both premultiplied). Inline: the
 * fills call it per pixel. */
static inline guint32
ta_pixel_over (guint32 src, guint32 dst)
{
  guint32 inv = 255 - (src >> 24);
  guint32 out = 0;

  if (inv == 0 || dst == 0)
    return src;
  if (inv == 255)
    return dst;
  for (int shift = 0; shift < 32; shift += 8)
    {
      /* dst * inv / 255, rounded, without a division */
      guint32 t = ((dst >> shift) & 0xff) * inv + 128;
      t = (t + (t >> 8)) >> 8;
      out |= MIN (((src >> shift) & 0xff) + t, 255u) << shift;
    }
  return out;
}

/* A transparent raster (zeroed); free px with g_free. */
/* Draws src over px[0..n): a plain store when opaque, else a blend that
 * reuses the last one, since a run mostly crosses the same background. */
static inline void
ta_pixels_fill (guint32 *px, int n, guint32 src)
{
  guint32 last_dst = 0, last_out = src;

  if ((src >> 24) == 255)
    {
      for (int k = 0; k < n; k++)
        px[k] = src;
      return;
    }
  for (int k = 0; k < n; k++)
    {
      if (px[k] != last_dst)
        {
          last_dst = px[k];
          last_out = ta_pixel_over (src, last_dst);
        }
      px[k] = last_out;
    }
}

void    ta_raster_init       (TaRaster *r, int width, int height);
/* Blends src over [x0, x1) of a line of pixels (clipped to [0, n)). */
void    ta_line_blend        (guint32 *line, int n, double x0, double x1, guint32 src);
/* Copies a line of r->width pixels into rows [y, y + h) (clipped). */
void    ta_raster_put_line   (TaRaster *r, const guint32 *line, int y, int h);
/* Blends src over a rectangle (clipped). */
void    ta_raster_fill       (TaRaster *r, int x, int y, int w, int h, guint32 src);
/* Copies `t`, a band of r's columns stored a column per line (t->height
 * columns of t->width pixels), into rows [y, y + t->width) of r (clipped). */
void    ta_raster_put_columns (TaRaster *r, const TaRaster *t, int y);

G_END_DECLS
