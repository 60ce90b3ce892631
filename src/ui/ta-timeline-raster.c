/* ta-timeline-raster.c: pixel writes for the timeline's track area (see the
 * header for why).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ta-timeline"

#include "ta-timeline-raster.h"

#include <math.h>
#include <string.h>

static inline guint32
channel (float v, float a)
{
  float x = CLAMP (v, 0.f, 1.f) * CLAMP (a, 0.f, 1.f) * 255.f + 0.5f;
  return (guint32)x;
}

guint32
ta_pixel_from_color (TaColor c)
{
  guint32 a = (guint32)(CLAMP (c.a, 0.f, 1.f) * 255.f + 0.5f);
  return a << 24 | channel (c.r, c.a) << 16 | channel (c.g, c.a) << 8 | channel (c.b, c.a);
}

void
ta_raster_init (TaRaster *r, int width, int height)
{
  r->width = MAX (width, 0);
  r->height = MAX (height, 0);
  r->px = g_new0 (guint32, MAX ((gsize)r->width * (gsize)r->height, 1));
}

void
ta_line_blend (guint32 *line, int n, double x0, double x1, guint32 src)
{
  int a = (int)floor (MAX (x0, 0)), b = (int)ceil (MIN (x1, (double)n));

  if (src == 0)
    return;
  if (b <= a && x1 > x0 && a < n && x0 < n && x1 > 0)
    b = a + 1;  /* at least the pixel it falls in */
  if ((src >> 24) == 255)
    for (int x = a; x < b; x++)
      line[x] = src;
  else
    for (int x = a; x < b; x++)
      line[x] = ta_pixel_over (src, line[x]);
}

void
ta_raster_put_line (TaRaster *r, const guint32 *line, int y, int h)
{
  int y0 = MAX (y, 0), y1 = MIN (y + h, r->height);
  for (int yy = y0; yy < y1; yy++)
    memcpy (r->px + (gsize)yy * r->width, line, sizeof (guint32) * r->width);
}

void
ta_raster_fill (TaRaster *r, int x, int y, int w, int h, guint32 src)
{
  int x0 = MAX (x, 0), x1 = MIN (x + w, r->width);
  int y0 = MAX (y, 0), y1 = MIN (y + h, r->height);

  if (src == 0 || x1 <= x0)
    return;
  for (int yy = y0; yy < y1; yy++)
    ta_pixels_fill (r->px + (gsize)yy * r->width + x0, x1 - x0, src);
}

void
ta_raster_put_columns (TaRaster *r, const TaRaster *t, int y)
{
  int y0 = MAX (y, 0), y1 = MIN (y + t->width, r->height), n = MIN (t->height, r->width);

  for (int yy = y0; yy < y1; yy++)
    {
      guint32 *line = r->px + (gsize)yy * r->width;
      const guint32 *src = t->px + (yy - y);
      for (int x = 0; x < n; x++)
        line[x] = src[(gsize)x * t->width];
    }
}
