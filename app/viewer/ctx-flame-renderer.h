/* ctx-flame-renderer.h: draws the flame chart with cairo, without a widget, so that the
 * view, the PNG/SVG export and the benchmark share one drawing path.
 *
 * Level of detail: spans narrower than CTX_FLAME_MIN_SPAN_PX are merged per row into
 * blocks found by binary search, so a frame costs O(rows x pixels x log n), not O(n).
 */
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "ctx-flame-index.h"
#include "ctx-flame-layout.h"

G_BEGIN_DECLS

#define CTX_FLAME_MIN_SPAN_PX 3.0
#define CTX_FLAME_MIN_LABEL_PX 24.0

typedef struct
{
  double start;          /* visible range, relative ns */
  double end;
  double scroll_y;       /* content y shown just below the ruler */
  int width;             /* the whole area, ruler included */
  int height;
  guint32 selected;      /* CTX_NONE for none */
  const guint8 *marks;   /* NULL, or non-zero per span hit by a search */
  double tsel_start;     /* time selection; tsel_start > tsel_end when none */
  double tsel_end;
  gboolean dark;
  const guint32 *flow_children;  /* children of selected on other threads (arrows) */
  guint n_flow_children;
  gboolean highlight;            /* outline every span named highlight_name */
  guint32 highlight_name;        /* the selected name (string index) */
} CtxFlameViewport;

typedef struct
{
  guint n_spans;   /* drawn one by one */
  guint n_merged;  /* merged blocks */
  guint n_labels;
  guint n_arrows;  /* cross-thread flow arrows */
  guint n_highlighted;  /* spans outlined as having the selected name */
} CtxFlameStats;

typedef struct _CtxFlameRenderer CtxFlameRenderer;

/* origin: the absolute time of relative 0 (ctx_session_get_origin()); index built for
 * the same model and origin. */
CtxFlameRenderer *ctx_flame_renderer_new (CtxTraceModel *model, const CtxFlameLayout *layout,
                                          CtxFlameIndex *index, gint64 origin);
void ctx_flame_renderer_free (CtxFlameRenderer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxFlameRenderer, ctx_flame_renderer_free)

void ctx_flame_renderer_set_font (CtxFlameRenderer *self, const PangoFontDescription *font);
void ctx_flame_renderer_draw (CtxFlameRenderer *self, cairo_t *cr, const CtxFlameViewport *vp);
const CtxFlameStats *ctx_flame_renderer_get_stats (CtxFlameRenderer *self);

/* The span under (x, y) of the area, or CTX_NONE. */
guint32 ctx_flame_renderer_hit_span (CtxFlameRenderer *self, const CtxFlameViewport *vp,
                                     double x, double y);
/* Where span is drawn (unclamped x, may be far outside); FALSE if its lane is collapsed. */
gboolean ctx_flame_renderer_span_rect (CtxFlameRenderer *self, const CtxFlameViewport *vp,
                                       guint32 span, double *x, double *y, double *w,
                                       double *h);
/* The fill colour of a span name (stable per name, so the same across runs and views). */
void ctx_flame_renderer_name_color (const char *name, gboolean dark, double rgb[3]);

G_END_DECLS
