/* ctx-dag-view-draw.c: cairo drawing of a laid-out scene.
 *
 * Everything is drawn in layout coordinates under one transform; line widths and the
 * arrowheads are divided by the scale so they keep their size on screen.  What lies
 * outside the viewport is skipped, and text is left out when it would be unreadable. */
#include "ctx-dag-view-private.h"

#include <math.h>
#include <pango/pangocairo.h>

/* Below these scales, labels (then edge labels and arrowheads) are not drawn. */
#define TEXT_MIN_SCALE 0.35
#define DETAIL_MIN_SCALE 0.2
#define ARROW 8.0

typedef struct
{
  double x0, y0, x1, y1;  /* visible rectangle in layout coordinates */
} View;

static gboolean
visible (const View *view, double x, double y, double w, double h)
{
  return x + w >= view->x0 && x <= view->x1 && y + h >= view->y0 && y <= view->y1;
}

/* Heat: pale yellow for no self time, deep orange-red for the most. */
static void
heat (double t, double *r, double *g, double *b)
{
  t = CLAMP (t, 0, 1);
  t = sqrt (t);
  *r = 1.0 - 0.10 * t;
  *g = 0.95 - 0.58 * t;
  *b = 0.74 - 0.56 * t;
}

static void
edge_color (cairo_t *cr, const CtxDagEdge *edge, const CtxDagEdgeRoute *route, gboolean dark,
            gboolean selected)
{
  if (selected)
    cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.95);
  else if (edge->link)
    cairo_set_source_rgba (cr, 0.10, 0.55, 0.55, 0.9);
  else if (route->back || route->self_loop)
    cairo_set_source_rgba (cr, 0.56, 0.27, 0.68, 0.9);
  else if (dark)
    cairo_set_source_rgba (cr, 0.75, 0.75, 0.75, 0.7);
  else
    cairo_set_source_rgba (cr, 0.35, 0.35, 0.35, 0.7);
}

static gboolean
piece_visible (const View *view, const CtxDagPoint *p)
{
  double x0 = MIN (MIN (p[0].x, p[1].x), MIN (p[2].x, p[3].x));
  double x1 = MAX (MAX (p[0].x, p[1].x), MAX (p[2].x, p[3].x));
  double y0 = MIN (MIN (p[0].y, p[1].y), MIN (p[2].y, p[3].y));
  double y1 = MAX (MAX (p[0].y, p[1].y), MAX (p[2].y, p[3].y));

  return visible (view, x0, y0, x1 - x0, y1 - y0);
}

/* Pieces outside the view are skipped (long edges cross far more than the screen).
 * Pieces through virtual nodes are vertical, and far out a curve across one gap is a few
 * pixels: both are drawn as lines, which cairo strokes far faster, and runs of vertical
 * lines as one. */
static void
path_route (cairo_t *cr, const CtxDagPoint *p, guint n, const View *view, gboolean coarse)
{
  gboolean pending = FALSE;  /* a vertical line to (px, py) not yet emitted */
  double px = 0, py = 0;

  cairo_move_to (cr, p[0].x, p[0].y);
  for (guint i = 1; i + 2 < n; i += 3)
    {
      const CtxDagPoint *q = &p[i - 1];
      gboolean straight = coarse || (q[0].x == q[1].x && q[1].x == q[2].x && q[2].x == q[3].x);

      if (pending && !(straight && q[3].x == px))
        {
          cairo_line_to (cr, px, py);
          pending = FALSE;
        }
      if (!piece_visible (view, q))
        cairo_move_to (cr, q[3].x, q[3].y);
      else if (straight && q[0].x == q[3].x)
        {
          pending = TRUE;
          px = q[3].x;
          py = q[3].y;
        }
      else if (straight)
        cairo_line_to (cr, q[3].x, q[3].y);
      else
        cairo_curve_to (cr, q[1].x, q[1].y, q[2].x, q[2].y, q[3].x, q[3].y);
    }
  if (pending)
    cairo_line_to (cr, px, py);
}

static gboolean
route_visible (const View *view, const CtxDagPoint *p, guint n)
{
  double x0 = p[0].x, x1 = p[0].x, y0 = p[0].y, y1 = p[0].y;

  for (guint i = 1; i < n; i++)
    {
      x0 = MIN (x0, p[i].x);
      x1 = MAX (x1, p[i].x);
      y0 = MIN (y0, p[i].y);
      y1 = MAX (y1, p[i].y);
    }
  return visible (view, x0, y0, x1 - x0, y1 - y0);
}

static void
arrowhead (cairo_t *cr, const CtxDagPoint *p, guint n, double scale)
{
  const CtxDagPoint *tip = &p[n - 1], *from = &p[n - 2];
  double dx = tip->x - from->x, dy = tip->y - from->y, len = hypot (dx, dy), size = ARROW / MAX (scale, 0.5);

  if (len < 1e-9)
    {
      from = &p[0];
      dx = tip->x - from->x;
      dy = tip->y - from->y;
      len = MAX (hypot (dx, dy), 1e-9);
    }
  dx /= len;
  dy /= len;
  cairo_move_to (cr, tip->x, tip->y);
  cairo_line_to (cr, tip->x - dx * size - dy * size * 0.45, tip->y - dy * size + dx * size * 0.45);
  cairo_line_to (cr, tip->x - dx * size + dy * size * 0.45, tip->y - dy * size - dx * size * 0.45);
  cairo_close_path (cr);
  cairo_fill (cr);
}

static PangoLayout *
text_layout (cairo_t *cr, const CtxDagDrawState *state, const char *text, double width,
             gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_copy (state->font);

  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (MAX (width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_font_description_free (font);
  return layout;
}

/* "×N" at the middle of the route, on a small plate so crossing lines do not hide it. */
static void
edge_label (cairo_t *cr, const CtxDagDrawState *state, const CtxDagPoint *p, guint n, guint count)
{
  g_autofree char *text = g_strdup_printf ("×%u", count);
  guint piece = ((n - 1) / 3) / 2 * 3;
  double x = (p[piece].x + 3 * p[piece + 1].x + 3 * p[piece + 2].x + p[piece + 3].x) / 8;
  double y = (p[piece].y + 3 * p[piece + 1].y + 3 * p[piece + 2].y + p[piece + 3].y) / 8;
  PangoLayout *layout = text_layout (cr, state, text, 200, FALSE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_save (cr);
  cairo_translate (cr, x + 3, y - h / 2.0);
  cairo_scale (cr, 0.85, 0.85);
  if (state->dark)
    cairo_set_source_rgba (cr, 0.15, 0.15, 0.15, 0.85);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_rectangle (cr, -2, 0, w + 4, h);
  cairo_fill (cr);
  if (state->dark)
    cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
  else
    cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
  cairo_move_to (cr, 0, 0);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

static gboolean
edge_selected (const CtxDagScene *scene, const CtxDagEdge *edge, const CtxDagDrawState *state)
{
  const CtxDagNode *a = &g_array_index (scene->nodes, CtxDagNode, edge->from);
  const CtxDagNode *b = &g_array_index (scene->nodes, CtxDagNode, edge->to);

  if (state->selected_span != CTX_NONE)
    return a->span == state->selected_span || b->span == state->selected_span;
  return state->selected_name != CTX_NONE
         && (a->name == state->selected_name || b->name == state->selected_name);
}

static void
draw_edges (const CtxDagScene *scene, cairo_t *cr, const CtxDagDrawState *state, const View *view)
{
  const CtxDagEdgeRoute *routes = ctx_dag_layout_get_edges (scene->layout);
  const CtxDagPoint *points = ctx_dag_layout_get_points (scene->layout);

  for (guint e = 0; e < scene->edges->len; e++)
    {
      const CtxDagEdge *edge = &g_array_index (scene->edges, CtxDagEdge, e);
      const CtxDagPoint *p = points + routes[e].first_point;
      guint n = routes[e].n_points;
      gboolean selected = edge_selected (scene, edge, state);
      double width = (selected ? 2.2 : 1.2) + (edge->count > 1 ? log10 (edge->count) * 0.6 : 0);

      if (!route_visible (view, p, n))
        continue;
      edge_color (cr, edge, &routes[e], state->dark, selected);
      cairo_set_line_width (cr, width / state->scale);
      /* Dashing is costly and invisible when zoomed far out; colour still tells. */
      if ((edge->link || routes[e].back || routes[e].self_loop) && state->scale >= DETAIL_MIN_SCALE)
        cairo_set_dash (cr, (double[]) { 6 / state->scale, 4 / state->scale }, 2, 0);
      path_route (cr, p, n, view, state->scale < DETAIL_MIN_SCALE);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (state->scale >= DETAIL_MIN_SCALE)
        arrowhead (cr, p, n, state->scale);
      if (state->scale >= TEXT_MIN_SCALE && edge->count > 1)
        edge_label (cr, state, p, n, edge->count);
    }
}

static void
rounded_box (cairo_t *cr, double x, double y, double w, double h, double r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* Returns the width drawn. */
static double
show_line (cairo_t *cr, const CtxDagDrawState *state, const char *text, double x, double y,
           double width, gboolean bold)
{
  PangoLayout *layout = text_layout (cr, state, text, width, bold);
  int w, h;

  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_pixel_size (layout, &w, &h);
  g_object_unref (layout);
  return w;
}

static void
draw_toggle (cairo_t *cr, const CtxDagNode *node, const CtxDagNodeBox *box, double scale)
{
  double s = CTX_DAG_TOGGLE, x = box->x + box->width - s - 3, y = box->y + box->height - s - 3;

  cairo_set_source_rgba (cr, 0, 0, 0, 0.55);
  cairo_set_line_width (cr, 1 / scale);
  cairo_rectangle (cr, x + 0.5, y + 0.5, s - 1, s - 1);
  cairo_stroke (cr);
  cairo_move_to (cr, x + 3.5, y + s / 2);
  cairo_line_to (cr, x + s - 3.5, y + s / 2);
  if (node->collapsed)
    {
      cairo_move_to (cr, x + s / 2, y + 3.5);
      cairo_line_to (cr, x + s / 2, y + s - 3.5);
    }
  cairo_set_line_width (cr, 1.5 / MAX (scale, 1));
  cairo_stroke (cr);
}

static void
draw_text (cairo_t *cr, const CtxDagDrawState *state, const CtxDagNode *node,
           const CtxDagNodeBox *box, gboolean light_text)
{
  double line = (box->height - 2 * CTX_DAG_PAD) / 3, x = box->x + CTX_DAG_PAD;
  double w = box->width - 2 * CTX_DAG_PAD - CTX_DAG_TOGGLE, used;
  g_autofree char *errors = NULL, *self = NULL;

  if (light_text)
    cairo_set_source_rgb (cr, 1, 1, 1);
  else
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  show_line (cr, state, node->label, x, box->y + CTX_DAG_PAD, box->width - 2 * CTX_DAG_PAD, TRUE);
  show_line (cr, state, node->stats, x, box->y + CTX_DAG_PAD + line, w, FALSE);
  if (node->collapsed && node->n_collapsed > 0)
    self = g_strdup_printf ("%s · +%u hidden", node->self, node->n_collapsed);
  used = show_line (cr, state, self != NULL ? self : node->self, x,
                    box->y + CTX_DAG_PAD + 2 * line, node->errors > 0 ? w * 0.6 : w, FALSE);
  if (node->errors == 0)
    return;
  /* The error count follows the self time on the same line, in red. */
  errors = g_strdup_printf (g_dngettext (NULL, "%u error", "%u errors", node->errors), node->errors);
  cairo_set_source_rgb (cr, light_text ? 1 : 0.75, light_text ? 0.9 : 0.05, light_text ? 0.9 : 0.05);
  show_line (cr, state, errors, x + used + 8, box->y + CTX_DAG_PAD + 2 * line, w - used - 8, TRUE);
}

static gboolean
node_selected (const CtxDagNode *node, const CtxDagDrawState *state)
{
  if (node->span != CTX_NONE && state->selected_span != CTX_NONE)
    return node->span == state->selected_span;
  return state->selected_name != CTX_NONE && node->name == state->selected_name;
}

static void
draw_node (const CtxDagScene *scene, cairo_t *cr, const CtxDagDrawState *state, guint v)
{
  const CtxDagNode *node = &g_array_index (scene->nodes, CtxDagNode, v);
  const CtxDagNodeBox *box = &ctx_dag_layout_get_nodes (scene->layout)[v];
  double t = scene->max_self > 0 ? (double) node->self_ns / scene->max_self : 0, r, g, b;
  gboolean selected = node_selected (node, state);

  heat (t, &r, &g, &b);
  rounded_box (cr, box->x, box->y, box->width, box->height, 5);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_fill_preserve (cr);
  if (node->errors > 0)
    cairo_set_source_rgb (cr, 0.85, 0.1, 0.1);
  else
    cairo_set_source_rgba (cr, 0, 0, 0, 0.45);
  cairo_set_line_width (cr, (node->errors > 0 ? 2.5 : 1) / state->scale);
  cairo_stroke (cr);
  if (selected)
    {
      rounded_box (cr, box->x - 3, box->y - 3, box->width + 6, box->height + 6, 7);
      cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
      cairo_set_line_width (cr, 3 / state->scale);
      cairo_stroke (cr);
    }
  if (state->scale < TEXT_MIN_SCALE)
    return;
  draw_text (cr, state, node, box, t > 0.75);
  if (node->has_children || node->collapsed)
    draw_toggle (cr, node, box, state->scale);
}

void
ctx_dag_scene_draw (const CtxDagScene *scene, cairo_t *cr, const CtxDagDrawState *state)
{
  const CtxDagNodeBox *boxes;
  View view;

  if (scene == NULL || scene->layout == NULL || state->scale <= 0)
    return;
  view = (View) { -state->tx / state->scale, -state->ty / state->scale,
                  (state->width - state->tx) / state->scale, (state->height - state->ty) / state->scale };
  boxes = ctx_dag_layout_get_nodes (scene->layout);
  cairo_save (cr);
  cairo_translate (cr, state->tx, state->ty);
  cairo_scale (cr, state->scale, state->scale);
  draw_edges (scene, cr, state, &view);
  for (guint v = 0; v < scene->nodes->len; v++)
    if (visible (&view, boxes[v].x - 4, boxes[v].y - 4, boxes[v].width + 8, boxes[v].height + 8))
      draw_node (scene, cr, state, v);
  cairo_restore (cr);
}
