/* ctx-flame-renderer.c: cairo drawing of the flame chart (see ctx-flame-renderer.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "ctx-flame-renderer.h"
#include "ctx-time.h"

#define N_HUES 24
#define NO_HUE 0xff
/* Beyond this cairo's fixed-point coordinates overflow; everything is clamped to it. */
#define CLAMP_PX 100000.0
#define MAX_LABEL_BYTES 256
#define MAX_LAYOUT_CACHE 4096
#define COARSE_STEP CTX_FLAME_INDEX_STEP

enum
{
  BUCKET_ERROR = 2 * N_HUES,
  BUCKET_ERROR_DIM,
  BUCKET_MERGED,
  BUCKET_MERGED_DIM,
  N_BUCKETS,
};

typedef struct
{
  float x, y, w, h;
} Box;

typedef struct
{
  guint32 span;
  float x, y, w;
  guint8 bucket;
} LabelJob;

struct _CtxFlameRenderer
{
  CtxTraceModel *model;
  const CtxFlameLayout *layout;
  const CtxSpan *spans;
  gint64 origin;
  guint8 *name_hue;          /* per model string, NO_HUE until computed */
  CtxFlameIndex *index;
  GArray *buckets[N_BUCKETS];
  GArray *labels;
  GArray *running;           /* Box: right ends of spans still open */
  GArray *highlights;        /* Box: spans with the selected name */
  PangoContext *pango;
  PangoFontDescription *font;
  GHashTable *layouts;       /* name index -> PangoLayout, unconstrained width */
  PangoLayout *scratch;      /* for ellipsized labels and headers */
  double colors[N_BUCKETS][3];
  gboolean colors_dark;
  gboolean colors_ready;
  CtxFlameStats stats;
};

static void draw_flow_arrow (CtxFlameRenderer *self, cairo_t *cr, const CtxFlameViewport *vp,
                             guint32 child);

/* Per-frame constants of the time -> x mapping. */
typedef struct
{
  double start;
  double scale;  /* px per ns */
  double width;
} XMap;

static inline double
xmap (const XMap *m,
      double      t)
{
  return (t - m->start) * m->scale;
}

static inline double
clamp_px (double x)
{
  return CLAMP (x, -CLAMP_PX, CLAMP_PX);
}

/* -- colours ------------------------------------------------------------------------- */

static void
hsl_to_rgb (double h,
            double s,
            double l,
            double rgb[3])
{
  double c = (1 - fabs (2 * l - 1)) * s;
  double hp = h * 6;
  double x = c * (1 - fabs (fmod (hp, 2) - 1));
  double m = l - c / 2;
  double r = 0, g = 0, b = 0;

  if (hp < 1) { r = c; g = x; }
  else if (hp < 2) { r = x; g = c; }
  else if (hp < 3) { g = c; b = x; }
  else if (hp < 4) { g = x; b = c; }
  else if (hp < 5) { r = x; b = c; }
  else { r = c; b = x; }
  rgb[0] = r + m;
  rgb[1] = g + m;
  rgb[2] = b + m;
}

/* Hues skip the reds so that only errors are red. */
static void
hue_color (guint    hue,
           gboolean dark,
           double   rgb[3])
{
  double h = 0.06 + 0.84 * hue / (double) N_HUES;

  hsl_to_rgb (h, dark ? 0.45 : 0.60, dark ? 0.36 : 0.74, rgb);
}

static guint
hue_for_name (const char *name)
{
  return g_str_hash (name != NULL ? name : "") % N_HUES;
}

void
ctx_flame_renderer_name_color (const char *name,
                               gboolean    dark,
                               double      rgb[3])
{
  hue_color (hue_for_name (name), dark, rgb);
}

static void
background_color (gboolean dark,
                  double   rgb[3])
{
  rgb[0] = rgb[1] = rgb[2] = dark ? 0.14 : 0.98;
}

static void
dim_color (const double src[3],
           gboolean     dark,
           double       dst[3])
{
  double bg[3];

  background_color (dark, bg);
  for (int i = 0; i < 3; i++)
    dst[i] = src[i] * 0.25 + bg[i] * 0.75;
}

static void
set_rgb (double      dst[3],
         double      r,
         double      g,
         double      b)
{
  dst[0] = r;
  dst[1] = g;
  dst[2] = b;
}

static void
ensure_colors (CtxFlameRenderer *self,
               gboolean          dark)
{
  if (self->colors_ready && self->colors_dark == dark)
    return;
  for (guint i = 0; i < N_HUES; i++)
    {
      hue_color (i, dark, self->colors[i]);
      dim_color (self->colors[i], dark, self->colors[N_HUES + i]);
    }
  if (dark)
    set_rgb (self->colors[BUCKET_ERROR], 0.85, 0.13, 0.16);
  else
    set_rgb (self->colors[BUCKET_ERROR], 0.88, 0.11, 0.14);
  dim_color (self->colors[BUCKET_ERROR], dark, self->colors[BUCKET_ERROR_DIM]);
  if (dark)
    set_rgb (self->colors[BUCKET_MERGED], 0.42, 0.42, 0.46);
  else
    set_rgb (self->colors[BUCKET_MERGED], 0.66, 0.66, 0.70);
  dim_color (self->colors[BUCKET_MERGED], dark, self->colors[BUCKET_MERGED_DIM]);
  self->colors_dark = dark;
  self->colors_ready = TRUE;
}

static guint
span_bucket (CtxFlameRenderer       *self,
             const CtxFlameViewport *vp,
             guint32                 idx)
{
  const CtxSpan *s = &self->spans[idx];
  gboolean dim = vp->marks != NULL && vp->marks[idx] == 0;
  guint hue;

  if (s->status == 2)
    return dim ? BUCKET_ERROR_DIM : BUCKET_ERROR;
  hue = self->name_hue[s->name];
  if (G_UNLIKELY (hue == NO_HUE))
    {
      hue = hue_for_name (ctx_trace_model_get_string (self->model, s->name));
      self->name_hue[s->name] = hue;
    }
  return dim ? N_HUES + hue : hue;
}

/* -- lifecycle ----------------------------------------------------------------------- */

CtxFlameRenderer *
ctx_flame_renderer_new (CtxTraceModel        *model,
                        const CtxFlameLayout *layout,
                        CtxFlameIndex        *index,
                        gint64                origin)
{
  CtxFlameRenderer *self = g_new0 (CtxFlameRenderer, 1);
  guint n_strings = ctx_trace_model_get_n_strings (model);

  self->model = g_object_ref (model);
  self->layout = layout;
  self->spans = ctx_trace_model_get_spans (model);
  self->origin = origin;
  self->index = ctx_flame_index_ref (index);
  self->name_hue = g_malloc (MAX (n_strings, 1));
  memset (self->name_hue, NO_HUE, MAX (n_strings, 1));
  for (guint i = 0; i < N_BUCKETS; i++)
    self->buckets[i] = g_array_new (FALSE, FALSE, sizeof (Box));
  self->labels = g_array_new (FALSE, FALSE, sizeof (LabelJob));
  self->running = g_array_new (FALSE, FALSE, sizeof (Box));
  self->highlights = g_array_new (FALSE, FALSE, sizeof (Box));
  self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  self->font = pango_font_description_from_string ("Sans 9");
  pango_context_set_font_description (self->pango, self->font);
  self->layouts = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->scratch = pango_layout_new (self->pango);
  pango_layout_set_ellipsize (self->scratch, PANGO_ELLIPSIZE_END);
  return self;
}

void
ctx_flame_renderer_free (CtxFlameRenderer *self)
{
  for (guint i = 0; i < N_BUCKETS; i++)
    g_array_unref (self->buckets[i]);
  g_array_unref (self->labels);
  g_array_unref (self->running);
  g_array_unref (self->highlights);
  g_hash_table_unref (self->layouts);
  g_object_unref (self->scratch);
  g_object_unref (self->pango);
  pango_font_description_free (self->font);
  ctx_flame_index_unref (self->index);
  g_free (self->name_hue);
  g_object_unref (self->model);
  g_free (self);
}

void
ctx_flame_renderer_set_font (CtxFlameRenderer           *self,
                             const PangoFontDescription *font)
{
  if (font == NULL || pango_font_description_equal (font, self->font))
    return;
  pango_font_description_free (self->font);
  self->font = pango_font_description_copy (font);
  pango_context_set_font_description (self->pango, self->font);
  /* Cached layouts measured with the old font are now wrong. */
  g_hash_table_remove_all (self->layouts);
  pango_layout_context_changed (self->scratch);
}

const CtxFlameStats *
ctx_flame_renderer_get_stats (CtxFlameRenderer *self)
{
  return &self->stats;
}

/* -- text ---------------------------------------------------------------------------- */

/* Trace text as plain Pango text: capped, valid UTF-8 (never markup). */
static void
set_plain_text (PangoLayout *layout,
                const char  *text)
{
  gsize len = text != NULL ? strlen (text) : 0;
  g_autofree char *valid = NULL;

  if (len > MAX_LABEL_BYTES)
    len = MAX_LABEL_BYTES;
  valid = g_utf8_make_valid (text != NULL ? text : "", len);
  pango_layout_set_text (layout, valid, -1);
}

static PangoLayout *
name_layout (CtxFlameRenderer *self,
             guint32           name)
{
  PangoLayout *layout = g_hash_table_lookup (self->layouts, GUINT_TO_POINTER (name));

  if (layout != NULL)
    return layout;
  if (g_hash_table_size (self->layouts) >= MAX_LAYOUT_CACHE)
    g_hash_table_remove_all (self->layouts);
  layout = pango_layout_new (self->pango);
  set_plain_text (layout, ctx_trace_model_get_string (self->model, name));
  g_hash_table_insert (self->layouts, GUINT_TO_POINTER (name), layout);
  return layout;
}

static void
text_color (CtxFlameRenderer *self,
            cairo_t          *cr,
            guint             bucket,
            gboolean          dark)
{
  if (bucket >= N_HUES && bucket != BUCKET_ERROR && bucket != BUCKET_MERGED)
    cairo_set_source_rgba (cr, dark ? 1 : 0, dark ? 1 : 0, dark ? 1 : 0, 0.45);
  else if (bucket == BUCKET_ERROR || dark)
    cairo_set_source_rgb (cr, 1, 1, 1);
  else
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
}

static void
draw_label (CtxFlameRenderer *self,
            cairo_t          *cr,
            const LabelJob   *job,
            gboolean          dark)
{
  PangoLayout *layout = name_layout (self, self->spans[job->span].name);
  double avail = job->w - 6;
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (w > avail && avail < 36)
    return;  /* a lone "…" says nothing */
  if (w > avail)
    {
      /* Ellipsize into the scratch layout so the cached one keeps its natural width. */
      pango_layout_set_text (self->scratch, pango_layout_get_text (layout), -1);
      pango_layout_set_width (self->scratch, (int) (avail * PANGO_SCALE));
      layout = self->scratch;
    }
  text_color (self, cr, job->bucket, dark);
  cairo_move_to (cr, job->x + 3, job->y + (CTX_FLAME_ROW_HEIGHT - 1 - h) / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_text (CtxFlameRenderer *self,
           cairo_t          *cr,
           const char       *text,
           double            x,
           double            y,
           double            max_w,
           double            row_h)
{
  int h;

  set_plain_text (self->scratch, text);
  pango_layout_set_width (self->scratch, (int) (MAX (max_w, 1) * PANGO_SCALE));
  pango_layout_get_pixel_size (self->scratch, NULL, &h);
  cairo_move_to (cr, x, y + (row_h - h) / 2.0);
  pango_cairo_show_layout (cr, self->scratch);
}

/* -- rows ---------------------------------------------------------------------------- */

static inline double
rel_start (CtxFlameRenderer *self,
           guint32           idx)
{
  return ctx_time_rel (self->spans[idx].start_ns, self->origin);
}

static inline double
rel_end (CtxFlameRenderer *self,
         guint32           idx)
{
  return MAX (ctx_time_rel (self->spans[idx].end_ns, self->origin), rel_start (self, idx));
}

typedef struct
{
  const guint32 *ids;
  guint n;
  const GArray *coarse;
  const GArray *overlaps;
} Row;

static Row
get_row (CtxFlameRenderer *self,
         guint             lane,
         guint             depth)
{
  const GArray *array = ctx_trace_model_get_lane (self->model, lane)->rows[depth];
  Row row = { (const guint32 *) array->data, array->len,
              ctx_flame_index_get_row (self->index, lane, depth),
              ctx_flame_index_get_overlaps (self->index, lane, depth) };

  return row;
}

/* First coarse entry >= t, at or after first.  Searches walk a row left to right, so a
 * gallop from the previous answer costs O(log distance), not O(log n). */
static guint
coarse_bound (const double *coarse,
              guint         n,
              guint         first,
              double        t)
{
  guint lo = first, hi, step = 1;

  while (lo + step < n && coarse[lo + step] < t)
    {
      lo += step;
      step *= 2;
    }
  hi = MIN (lo + step, n);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (coarse[mid] < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* First position in row[from, n) whose span starts at or after t. */
static guint
lower_bound (CtxFlameRenderer *self,
             const Row        *row,
             guint             from,
             double            t)
{
  guint c = coarse_bound ((const double *) row->coarse->data, row->coarse->len,
                          from / COARSE_STEP, t);
  /* Now the answer lies in ((c - 1) * COARSE_STEP, c * COARSE_STEP]. */
  guint hi = MIN ((guint64) c * COARSE_STEP, row->n);
  guint lo = c > 0 ? (c - 1) * COARSE_STEP : 0;

  lo = MAX (lo, from);
  hi = MAX (hi, lo);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (rel_start (self, row->ids[mid]) < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}


static void
add_box (GArray *array,
         double  x0,
         double  x1,
         double  y)
{
  Box box;
  double l = floor (clamp_px (x0) + 0.5);
  double r = floor (clamp_px (x1) + 0.5);

  if (r - l >= 3)
    r -= 1;  /* a one-pixel gap between neighbours */
  r = MAX (r, l + 1);
  box = (Box) { l, y, r - l, CTX_FLAME_ROW_HEIGHT - 1 };
  g_array_append_val (array, box);
}

static void
add_span (CtxFlameRenderer       *self,
          const CtxFlameViewport *vp,
          guint32                 idx,
          double                  x0,
          double                  x1,
          double                  y)
{
  guint bucket = span_bucket (self, vp, idx);

  add_box (self->buckets[bucket], x0, x1, y);
  self->stats.n_spans++;
  if ((self->spans[idx].flags & CTX_SPAN_OPEN) != 0 && x1 < vp->width + 8)
    {
      Box b = { clamp_px (x1) - 6, y, 6, CTX_FLAME_ROW_HEIGHT - 1 };
      g_array_append_val (self->running, b);
    }
  if (vp->highlight && self->spans[idx].name == vp->highlight_name)
    add_box (self->highlights, x0, x1, y);
  if (MIN (x1, vp->width) - MAX (x0, 0) >= CTX_FLAME_MIN_LABEL_PX)
    {
      LabelJob job = { idx, MAX (x0, 0), y, MIN (x1, vp->width) - MAX (x0, 0), bucket };
      g_array_append_val (self->labels, job);
    }
}

/* The merged block last added in the current row, so that touching blocks grow into
 * one box instead of thousands (a row packed with tiny spans becomes one long bar). */
typedef struct
{
  GArray *bucket;
  guint index;
  double right;
} MergedRun;

static void
add_merged_box (CtxFlameRenderer       *self,
                const CtxFlameViewport *vp,
                MergedRun              *run,
                double                  x0,
                double                  x1,
                double                  y)
{
  GArray *bucket = self->buckets[vp->marks != NULL ? BUCKET_MERGED_DIM : BUCKET_MERGED];

  if (run->bucket == bucket && x0 <= run->right + 1)
    {
      Box *box = &g_array_index (bucket, Box, run->index);
      double r = floor (clamp_px (x1) + 0.5);

      box->w = MAX (box->w, r - box->x);
      run->right = MAX (run->right, x1);
      return;
    }
  add_box (bucket, x0, x1, y);
  run->bucket = bucket;
  run->index = bucket->len - 1;
  run->right = x1;
  self->stats.n_merged++;
}

/* Merges the run of sub-pixel spans starting at row[i]; returns the next position. */
static guint
add_merged (CtxFlameRenderer       *self,
            const CtxFlameViewport *vp,
            const XMap             *m,
            MergedRun              *run,
            const Row              *r,
            guint                   i,
            double                  y)
{
  const guint32 *row = r->ids;
  const double *coarse = (const double *) r->coarse->data;
  double x0 = xmap (m, rel_start (self, row[i]));
  double t_next = m->start + (floor (x0) + CTX_FLAME_MIN_SPAN_PX) / m->scale;
  guint c = coarse_bound (coarse, r->coarse->len, i / COARSE_STEP, t_next);
  guint j = c > 0 ? (c - 1) * COARSE_STEP : 0;
  double x1;

  /* Dense row: spans i..j-1 all start before t_next and (not overlapping) end before
   * span j starts, at coarse[c - 1]: one block, without reading any of them. */
  if (j > i + 1)
    {
      /* The same holds from span j on, known to start at coarse[c - 1]: follow the dense
       * stretch through the coarse array alone, touching no span at all. */
      while (xmap (m, coarse[c - 1]) < m->width)
        {
          double xs = xmap (m, coarse[c - 1]);
          double tn = m->start + (floor (xs) + CTX_FLAME_MIN_SPAN_PX) / m->scale;
          guint c2 = coarse_bound (coarse, r->coarse->len, c - 1, tn);
          guint j2 = c2 > 0 ? (c2 - 1) * COARSE_STEP : 0;

          if (j2 <= j + 1)
            break;
          j = j2;
          c = c2;
        }
      x1 = MAX (xmap (m, coarse[c - 1]), x0 + 1);
      if (x1 > 0)
        add_merged_box (self, vp, run, x0, x1, y);
      return j;
    }
  j = lower_bound (self, r, i + 1, t_next);

  /* A wide span starting inside the run is drawn on its own. */
  if (j - 1 > i && xmap (m, rel_end (self, row[j - 1])) - xmap (m, rel_start (self, row[j - 1]))
      >= CTX_FLAME_MIN_SPAN_PX)
    j--;
  x1 = MAX (xmap (m, rel_end (self, row[j - 1])), x0 + 1);
  if (x1 > 0)
    add_merged_box (self, vp, run, x0, x1, y);
  return j;
}

/* Spans reaching over later ones in their row, begun off screen to the left: the walk
 * from the first visible start skips them.  Rare (open spans, bad nesting); the scan goes
 * back from the view at most MAX_OVERLAP_SCAN of them so hostile files stay fast. */
#define MAX_OVERLAP_SCAN 4096

static void
draw_overlaps (CtxFlameRenderer       *self,
               const CtxFlameViewport *vp,
               const XMap             *m,
               const Row              *r,
               guint32                 drawn,
               double                  y)
{
  const guint32 *ids = (const guint32 *) r->overlaps->data;
  guint lo = 0, hi = r->overlaps->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (rel_start (self, ids[mid]) < m->start)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint k = lo, scanned = 0; k > 0 && scanned < MAX_OVERLAP_SCAN; k--, scanned++)
    {
      guint32 id = ids[k - 1];
      double x0 = xmap (m, rel_start (self, id));
      double x1 = xmap (m, rel_end (self, id));

      /* `drawn` is the span the walk began with: already on screen. */
      if (id != drawn && x1 > 0 && x1 - x0 >= CTX_FLAME_MIN_SPAN_PX)
        add_span (self, vp, id, x0, x1, y);
    }
}

static void
draw_row (CtxFlameRenderer       *self,
          const CtxFlameViewport *vp,
          const XMap             *m,
          const Row              *r,
          double                  y)
{
  const guint32 *row = r->ids;
  guint n = r->n;
  guint i = lower_bound (self, r, 0, m->start);
  MergedRun run = { NULL, 0, 0 };
  guint32 first;

  if (i > 0)
    i--;  /* the span before may still cover the left edge */
  first = i < n ? row[i] : CTX_NONE;
  while (i < n)
    {
      double x0 = xmap (m, rel_start (self, row[i]));
      double x1;

      if (x0 >= m->width)
        break;
      x1 = xmap (m, rel_end (self, row[i]));
      if (x1 - x0 < CTX_FLAME_MIN_SPAN_PX)
        {
          i = add_merged (self, vp, m, &run, r, i, y);
          continue;
        }
      if (x1 > 0)
        add_span (self, vp, row[i], x0, x1, y);
      i++;
    }
  if (r->overlaps->len > 0)
    draw_overlaps (self, vp, m, r, first, y);
}

/* -- headers and lanes --------------------------------------------------------------- */

static void
header_color (cairo_t  *cr,
              gboolean  dark,
              double    level)
{
  double v = dark ? 0.20 + level * 0.04 : 0.92 - level * 0.05;

  cairo_set_source_rgb (cr, v, v, v);
}

static void
fg_color (cairo_t  *cr,
          gboolean  dark,
          double    alpha)
{
  cairo_set_source_rgba (cr, dark ? 0.95 : 0.1, dark ? 0.95 : 0.1, dark ? 0.95 : 0.1, alpha);
}

static char *
process_title (const CtxProcess *p)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s   pid %" G_GINT64_FORMAT,
                          p->name != NULL ? p->name : _("process"), p->pid);
  if (p->hostname != NULL)
    g_string_append_printf (s, " · %s", p->hostname);
  return g_string_free (s, FALSE);
}

static void
draw_process_header (CtxFlameRenderer       *self,
                     cairo_t                *cr,
                     const CtxFlameViewport *vp,
                     const CtxProcess       *p,
                     double                  y)
{
  g_autofree char *title = process_title (p);

  header_color (cr, vp->dark, 1);
  cairo_rectangle (cr, 0, y, vp->width, CTX_FLAME_PROCESS_HEIGHT);
  cairo_fill (cr);
  fg_color (cr, vp->dark, 1);
  draw_text (self, cr, title, 8, y, vp->width - 16, CTX_FLAME_PROCESS_HEIGHT);
  if (p->dropped_spans > 0 || p->dropped_records > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, p->dropped_spans);
      g_autofree char *warn =
        g_strdup_printf (_("%s spans dropped (ring full)"), count);

      cairo_set_source_rgb (cr, 0.9, 0.55, 0.0);
      draw_text (self, cr, warn, vp->width / 2.0, y, vp->width / 2.0 - 8,
                 CTX_FLAME_PROCESS_HEIGHT);
    }
}

static void
draw_lane_header (CtxFlameRenderer       *self,
                  cairo_t                *cr,
                  const CtxFlameViewport *vp,
                  const CtxFlameLaneBox  *box,
                  double                  y)
{
  const CtxLane *lane = ctx_trace_model_get_lane (self->model, box->lane);
  g_autofree char *title = NULL;

  g_autofree char *tid = g_strdup_printf ("%" G_GINT64_FORMAT, lane->tid);
  g_autofree char *count = g_strdup_printf ("%'" G_GUINT64_FORMAT, box->n_spans);

  /* Translators: the expander, the thread name, its OS id and how many spans it has. */
  title = g_strdup_printf (_("%s %s   tid %s · %s spans"),
                           ctx_flame_layout_get_collapsed (self->layout, box->lane) ? "▸" : "▾",
                           lane->name != NULL ? lane->name : _("thread"), tid, count);
  header_color (cr, vp->dark, 0);
  cairo_rectangle (cr, 0, y, vp->width, CTX_FLAME_LANE_HEADER_HEIGHT);
  cairo_fill (cr);
  fg_color (cr, vp->dark, 0.8);
  draw_text (self, cr, title, 8, y, vp->width - 16, CTX_FLAME_LANE_HEADER_HEIGHT);
}

static void
collect_lane (CtxFlameRenderer       *self,
              const CtxFlameViewport *vp,
              const XMap             *m,
              const CtxFlameLaneBox  *box,
              double                  top)
{
  double y0 = top + box->rows_y;
  guint first = y0 < CTX_FLAME_RULER_HEIGHT ?
                (guint) ((CTX_FLAME_RULER_HEIGHT - y0) / CTX_FLAME_ROW_HEIGHT) : 0;

  for (guint d = first; d < box->n_rows; d++)
    {
      double y = y0 + d * (double) CTX_FLAME_ROW_HEIGHT;
      Row row;

      if (y >= vp->height)
        break;
      row = get_row (self, box->lane, d);
      draw_row (self, vp, m, &row, y);
    }
}

static void
draw_process_headers (CtxFlameRenderer       *self,
                      cairo_t                *cr,
                      const CtxFlameViewport *vp,
                      double                  top)
{
  guint n = ctx_flame_layout_get_n_processes (self->layout);

  for (guint i = 0; i < n; i++)
    {
      const CtxFlameProcessBox *p = ctx_flame_layout_get_process_box (self->layout, i);
      double y = top + p->y;

      if (y + CTX_FLAME_PROCESS_HEIGHT < CTX_FLAME_RULER_HEIGHT || y >= vp->height)
        continue;
      draw_process_header (self, cr, vp, ctx_trace_model_get_process (self->model, p->process), y);
    }
}

/* Walks the visible lanes: headers drawn now, span boxes collected into the buckets. */
static void
draw_lanes (CtxFlameRenderer       *self,
            cairo_t                *cr,
            const CtxFlameViewport *vp,
            const XMap             *m)
{
  double top = CTX_FLAME_RULER_HEIGHT - vp->scroll_y;
  guint n = ctx_flame_layout_get_n_lanes (self->layout);

  draw_process_headers (self, cr, vp, top);
  for (guint pos = ctx_flame_layout_first_lane_at (self->layout, vp->scroll_y); pos < n; pos++)
    {
      const CtxFlameLaneBox *box = ctx_flame_layout_get_lane_box (self->layout, pos);

      if (top + box->y >= vp->height)
        break;
      draw_lane_header (self, cr, vp, box, top + box->y);
      collect_lane (self, vp, m, box, top);
    }
}

static void
fill_buckets (CtxFlameRenderer *self,
              cairo_t          *cr)
{
  for (guint b = 0; b < N_BUCKETS; b++)
    {
      GArray *array = self->buckets[b];

      if (array->len == 0)
        continue;
      cairo_set_source_rgb (cr, self->colors[b][0], self->colors[b][1], self->colors[b][2]);
      for (guint i = 0; i < array->len; i++)
        {
          const Box *box = &g_array_index (array, Box, i);
          cairo_rectangle (cr, box->x, box->y, box->w, box->h);
        }
      cairo_fill (cr);
      g_array_set_size (array, 0);
    }
}

/* Open spans end in a striped tip: they are still running. */
static void
draw_running (CtxFlameRenderer *self,
              cairo_t          *cr,
              gboolean          dark)
{
  fg_color (cr, dark, 0.55);
  for (guint i = 0; i < self->running->len; i++)
    {
      const Box *b = &g_array_index (self->running, Box, i);

      cairo_move_to (cr, b->x, b->y);
      cairo_line_to (cr, b->x + b->w, b->y + b->h / 2);
      cairo_line_to (cr, b->x, b->y + b->h);
      cairo_close_path (cr);
    }
  cairo_fill (cr);
  g_array_set_size (self->running, 0);
}

/* Every span of the selected name: an outline of its own colour, distinct from the
 * selection's blue and from search (which dims the rest). */
static void
draw_highlights (CtxFlameRenderer *self,
                 cairo_t          *cr,
                 gboolean          dark)
{
  if (dark)
    cairo_set_source_rgb (cr, 1.0, 0.78, 0.2);
  else
    cairo_set_source_rgb (cr, 0.9, 0.45, 0.0);
  cairo_set_line_width (cr, 2);
  for (guint i = 0; i < self->highlights->len; i++)
    {
      const Box *b = &g_array_index (self->highlights, Box, i);

      cairo_rectangle (cr, b->x + 1, b->y + 1, MAX (b->w - 2, 1), b->h - 2);
    }
  cairo_stroke (cr);
  self->stats.n_highlighted = self->highlights->len;
  g_array_set_size (self->highlights, 0);
}

static void
draw_labels (CtxFlameRenderer       *self,
             cairo_t                *cr,
             const CtxFlameViewport *vp)
{
  for (guint i = 0; i < self->labels->len; i++)
    draw_label (self, cr, &g_array_index (self->labels, LabelJob, i), vp->dark);
  self->stats.n_labels = self->labels->len;
  g_array_set_size (self->labels, 0);
}

/* -- ruler, selection ---------------------------------------------------------------- */

static void
draw_ruler (CtxFlameRenderer       *self,
            cairo_t                *cr,
            const CtxFlameViewport *vp,
            const XMap             *m)
{
  double step = ctx_time_nice_step (110 / m->scale);
  double k0 = ceil (m->start / step);
  int max_ticks = vp->width / 50 + 2;

  header_color (cr, vp->dark, 2);
  cairo_rectangle (cr, 0, 0, vp->width, CTX_FLAME_RULER_HEIGHT);
  cairo_fill (cr);
  for (int i = 0; i < max_ticks; i++)
    {
      double t = (k0 + i) * step;
      double x = floor (xmap (m, t)) + 0.5;
      g_autofree char *label = NULL;

      if (x > vp->width)
        break;
      fg_color (cr, vp->dark, 0.35);
      cairo_rectangle (cr, x, CTX_FLAME_RULER_HEIGHT - 8, 1, 8);
      cairo_fill (cr);
      if (x + 60 > vp->width)
        continue;  /* no half label at the right edge */
      label = ctx_time_format_offset (t, step);
      fg_color (cr, vp->dark, 0.85);
      draw_text (self, cr, label, x + 3, 0, 100, CTX_FLAME_RULER_HEIGHT - 6);
    }
}

static void
draw_grid (CtxFlameRenderer       *self,
           cairo_t                *cr,
           const CtxFlameViewport *vp,
           const XMap             *m)
{
  double step = ctx_time_nice_step (110 / m->scale);
  double k0 = ceil (m->start / step);
  int max_ticks = vp->width / 50 + 2;

  fg_color (cr, vp->dark, 0.06);
  for (int i = 0; i < max_ticks; i++)
    {
      double x = floor (xmap (m, (k0 + i) * step));

      if (x > vp->width)
        break;
      cairo_rectangle (cr, x, CTX_FLAME_RULER_HEIGHT, 1, vp->height);
    }
  cairo_fill (cr);
}

static void
draw_selected (CtxFlameRenderer       *self,
               cairo_t                *cr,
               const CtxFlameViewport *vp)
{
  double x, y, w, h;

  if (vp->selected == CTX_NONE ||
      !ctx_flame_renderer_span_rect (self, vp, vp->selected, &x, &y, &w, &h))
    return;
  x = clamp_px (x);
  w = clamp_px (x + MAX (w, 1)) - x;
  cairo_set_line_width (cr, 2);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_rectangle (cr, x + 1, y + 1, w - 2 < 1 ? 1 : w - 2, h - 2);
  cairo_stroke (cr);
  draw_flow_arrow (self, cr, vp, vp->selected);
  for (guint i = 0; i < vp->n_flow_children; i++)
    draw_flow_arrow (self, cr, vp, vp->flow_children[i]);
}

/* A span whose parent runs on another thread (work handed over) gets an arrow from the
 * parent's start to its own when either is selected. */
static void
draw_flow_arrow (CtxFlameRenderer       *self,
                 cairo_t                *cr,
                 const CtxFlameViewport *vp,
                 guint32                 child)
{
  guint32 parent = self->spans[child].parent;
  double px, py, pw, ph, cx, cy, cw, ch, angle;

  if (parent == CTX_NONE || (self->spans[child].flags & CTX_SPAN_CROSS_THREAD) == 0 ||
      !ctx_flame_renderer_span_rect (self, vp, parent, &px, &py, &pw, &ph) ||
      !ctx_flame_renderer_span_rect (self, vp, child, &cx, &cy, &cw, &ch))
    return;
  px = clamp_px (MAX (px, 0) + 2);
  cx = clamp_px (cx);
  py = CLAMP (py + ph, -CLAMP_PX, CLAMP_PX);
  cy = CLAMP (cy + ch / 2, -CLAMP_PX, CLAMP_PX);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, px, py);
  cairo_curve_to (cr, px, (py + cy) / 2, cx - 30, cy, cx, cy);
  cairo_stroke (cr);
  angle = 0;  /* the curve arrives horizontally */
  cairo_move_to (cr, cx, cy);
  cairo_line_to (cr, cx - 7 * cos (angle - 0.5), cy - 7 * sin (angle - 0.5));
  cairo_line_to (cr, cx - 7 * cos (angle + 0.5), cy - 7 * sin (angle + 0.5));
  cairo_close_path (cr);
  cairo_fill (cr);
  self->stats.n_arrows++;
}

static void
draw_time_selection (CtxFlameRenderer       *self,
                     cairo_t                *cr,
                     const CtxFlameViewport *vp,
                     const XMap             *m)
{
  double x0, x1;
  g_autofree char *label = NULL;

  if (vp->tsel_start > vp->tsel_end)
    return;
  x0 = clamp_px (xmap (m, vp->tsel_start));
  x1 = clamp_px (xmap (m, vp->tsel_end));
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.15);
  cairo_rectangle (cr, x0, 0, MAX (x1 - x0, 1), vp->height);
  cairo_fill (cr);
  label = ctx_time_format_duration (vp->tsel_end - vp->tsel_start);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  draw_text (self, cr, label, MAX (x0, 0) + 4, CTX_FLAME_RULER_HEIGHT, 160,
             CTX_FLAME_ROW_HEIGHT);
}

void
ctx_flame_renderer_draw (CtxFlameRenderer       *self,
                         cairo_t                *cr,
                         const CtxFlameViewport *vp)
{
  XMap m = { vp->start, vp->width / MAX (vp->end - vp->start, 1e-3), vp->width };
  double bg[3];

  memset (&self->stats, 0, sizeof self->stats);
  ensure_colors (self, vp->dark);
  pango_cairo_update_context (cr, self->pango);
  background_color (vp->dark, bg);
  cairo_set_source_rgb (cr, bg[0], bg[1], bg[2]);
  cairo_paint (cr);
  cairo_save (cr);
  cairo_rectangle (cr, 0, CTX_FLAME_RULER_HEIGHT, vp->width, vp->height);
  cairo_clip (cr);
  draw_grid (self, cr, vp, &m);
  draw_lanes (self, cr, vp, &m);
  fill_buckets (self, cr);
  draw_running (self, cr, vp->dark);
  draw_labels (self, cr, vp);
  draw_highlights (self, cr, vp->dark);
  draw_selected (self, cr, vp);
  cairo_restore (cr);
  draw_ruler (self, cr, vp, &m);
  draw_time_selection (self, cr, vp, &m);
}

/* -- hit testing --------------------------------------------------------------------- */

gboolean
ctx_flame_renderer_span_rect (CtxFlameRenderer       *self,
                              const CtxFlameViewport *vp,
                              guint32                 span,
                              double                 *x,
                              double                 *y,
                              double                 *w,
                              double                 *h)
{
  const CtxSpan *s = &self->spans[span];
  const CtxFlameLaneBox *box = ctx_flame_layout_find_lane (self->layout, s->lane);
  XMap m = { vp->start, vp->width / MAX (vp->end - vp->start, 1e-3), vp->width };

  if (s->depth >= box->n_rows)
    return FALSE;
  *x = xmap (&m, rel_start (self, span));
  *w = xmap (&m, rel_end (self, span)) - *x;
  *y = CTX_FLAME_RULER_HEIGHT - vp->scroll_y + box->rows_y + s->depth * (double) CTX_FLAME_ROW_HEIGHT;
  *h = CTX_FLAME_ROW_HEIGHT - 1;
  return TRUE;
}

guint32
ctx_flame_renderer_hit_span (CtxFlameRenderer       *self,
                             const CtxFlameViewport *vp,
                             double                  x,
                             double                  y)
{
  XMap m = { vp->start, vp->width / MAX (vp->end - vp->start, 1e-3), vp->width };
  double t = vp->start + x / m.scale, slop = 2 / m.scale;
  guint lane, depth = 0, pos;
  Row row;

  if (y < CTX_FLAME_RULER_HEIGHT ||
      ctx_flame_layout_hit (self->layout, y - CTX_FLAME_RULER_HEIGHT + vp->scroll_y, &lane, &depth)
      != CTX_FLAME_HIT_ROW)
    return CTX_NONE;
  row = get_row (self, lane, depth);
  pos = lower_bound (self, &row, 0, t + slop);
  /* The span starting last before the pointer, if it reaches it (2 px of slop). */
  if (pos > 0 && rel_end (self, row.ids[pos - 1]) >= t - slop)
    return row.ids[pos - 1];
  return CTX_NONE;
}
