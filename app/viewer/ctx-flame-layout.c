/* ctx-flame-layout.c: vertical layout of the flame chart (see ctx-flame-layout.h). */
#include "config.h"

#include "ctx-flame-layout.h"

struct _CtxFlameLayout
{
  CtxTraceModel *model;
  GArray *lanes;       /* CtxFlameLaneBox, display order */
  GArray *processes;   /* CtxFlameProcessBox */
  guint *lane_pos;     /* model lane -> display position */
  gboolean *collapsed; /* per model lane */
  double height;
};

/* Collapsed lanes by thread id, kept on the model: the layout is made again when a live
 * refresh adds spans (and lanes may be renumbered), and what the user folded stays so. */
static GHashTable *
collapsed_threads (CtxTraceModel *model)
{
  static GQuark quark;
  GHashTable *set;

  if (quark == 0)
    quark = g_quark_from_static_string ("ctx-flame-layout-collapsed");
  set = g_object_get_qdata (G_OBJECT (model), quark);
  if (set == NULL)
    {
      set = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_object_set_qdata_full (G_OBJECT (model), quark, set, (GDestroyNotify) g_hash_table_unref);
    }
  return set;
}

static void
remember_collapsed (CtxFlameLayout *self,
                    guint           lane)
{
  GHashTable *set = collapsed_threads (self->model);
  gint64 thread_id = ctx_trace_model_get_lane (self->model, lane)->thread_id;

  if (self->collapsed[lane])
    g_hash_table_add (set, g_memdup2 (&thread_id, sizeof thread_id));
  else
    g_hash_table_remove (set, &thread_id);
}

static int
compare_lanes (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  CtxTraceModel *model = user_data;
  const CtxLane *la = ctx_trace_model_get_lane (model, *(const guint *) a);
  const CtxLane *lb = ctx_trace_model_get_lane (model, *(const guint *) b);

  if (la->process != lb->process)
    return la->process < lb->process ? -1 : 1;
  if (la->thread_id != lb->thread_id)
    return la->thread_id < lb->thread_id ? -1 : 1;
  return 0;
}

static guint64
count_spans (const CtxLane *lane)
{
  guint64 n = 0;

  for (guint d = 0; d < lane->n_rows; d++)
    n += lane->rows[d]->len;
  return n;
}

static void
add_lane (CtxFlameLayout *self,
          guint           lane,
          double         *y)
{
  const CtxLane *l = ctx_trace_model_get_lane (self->model, lane);
  CtxFlameLaneBox box = { lane, *y, *y + CTX_FLAME_LANE_HEADER_HEIGHT, 0, count_spans (l) };

  box.n_rows = self->collapsed[lane] ? 0 : l->n_rows;
  self->lane_pos[lane] = self->lanes->len;
  g_array_append_val (self->lanes, box);
  *y = box.rows_y + box.n_rows * (double) CTX_FLAME_ROW_HEIGHT + CTX_FLAME_LANE_GAP;
}

static void
relayout (CtxFlameLayout *self)
{
  guint n = ctx_trace_model_get_n_lanes (self->model);
  g_autofree guint *order = g_new (guint, MAX (n, 1));
  guint last_process = G_MAXUINT;
  double y = 0;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, n, sizeof (guint), compare_lanes, self->model);
  g_array_set_size (self->lanes, 0);
  g_array_set_size (self->processes, 0);
  for (guint i = 0; i < n; i++)
    {
      guint process = ctx_trace_model_get_lane (self->model, order[i])->process;

      if (process != last_process)
        {
          CtxFlameProcessBox pbox = { process, y };

          g_array_append_val (self->processes, pbox);
          y += CTX_FLAME_PROCESS_HEIGHT;
          last_process = process;
        }
      add_lane (self, order[i], &y);
    }
  self->height = y;
}

CtxFlameLayout *
ctx_flame_layout_new (CtxTraceModel *model)
{
  CtxFlameLayout *self = g_new0 (CtxFlameLayout, 1);
  guint n = ctx_trace_model_get_n_lanes (model);

  self->model = g_object_ref (model);
  self->lanes = g_array_new (FALSE, FALSE, sizeof (CtxFlameLaneBox));
  self->processes = g_array_new (FALSE, FALSE, sizeof (CtxFlameProcessBox));
  self->lane_pos = g_new0 (guint, MAX (n, 1));
  self->collapsed = g_new0 (gboolean, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    self->collapsed[i] = g_hash_table_contains (collapsed_threads (model),
                                                &ctx_trace_model_get_lane (model, i)->thread_id);
  relayout (self);
  return self;
}

void
ctx_flame_layout_free (CtxFlameLayout *self)
{
  g_object_unref (self->model);
  g_array_unref (self->lanes);
  g_array_unref (self->processes);
  g_free (self->lane_pos);
  g_free (self->collapsed);
  g_free (self);
}

double
ctx_flame_layout_get_height (const CtxFlameLayout *self)
{
  return self->height;
}

guint
ctx_flame_layout_get_n_lanes (const CtxFlameLayout *self)
{
  return self->lanes->len;
}

const CtxFlameLaneBox *
ctx_flame_layout_get_lane_box (const CtxFlameLayout *self,
                               guint                 pos)
{
  return &g_array_index (self->lanes, CtxFlameLaneBox, pos);
}

const CtxFlameLaneBox *
ctx_flame_layout_find_lane (const CtxFlameLayout *self,
                            guint                 lane)
{
  return ctx_flame_layout_get_lane_box (self, self->lane_pos[lane]);
}

guint
ctx_flame_layout_get_n_processes (const CtxFlameLayout *self)
{
  return self->processes->len;
}

const CtxFlameProcessBox *
ctx_flame_layout_get_process_box (const CtxFlameLayout *self,
                                  guint                 pos)
{
  return &g_array_index (self->processes, CtxFlameProcessBox, pos);
}

static double
lane_bottom (const CtxFlameLaneBox *box)
{
  return box->rows_y + box->n_rows * (double) CTX_FLAME_ROW_HEIGHT + CTX_FLAME_LANE_GAP;
}

guint
ctx_flame_layout_first_lane_at (const CtxFlameLayout *self,
                                double                y)
{
  guint lo = 0, hi = self->lanes->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (lane_bottom (ctx_flame_layout_get_lane_box (self, mid)) <= y)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gboolean
ctx_flame_layout_get_collapsed (const CtxFlameLayout *self,
                                guint                 lane)
{
  return lane < ctx_trace_model_get_n_lanes (self->model) && self->collapsed[lane];
}

void
ctx_flame_layout_set_collapsed (CtxFlameLayout *self,
                                guint           lane,
                                gboolean        collapsed)
{
  if (lane >= ctx_trace_model_get_n_lanes (self->model))
    return;
  self->collapsed[lane] = !!collapsed;
  remember_collapsed (self, lane);
  relayout (self);
}

void
ctx_flame_layout_toggle_process (CtxFlameLayout *self,
                                 guint           process)
{
  guint n = ctx_trace_model_get_n_lanes (self->model);
  gboolean all_collapsed = TRUE;

  for (guint i = 0; i < n; i++)
    if (ctx_trace_model_get_lane (self->model, i)->process == process && !self->collapsed[i])
      all_collapsed = FALSE;
  for (guint i = 0; i < n; i++)
    if (ctx_trace_model_get_lane (self->model, i)->process == process)
      {
        self->collapsed[i] = !all_collapsed;
        remember_collapsed (self, i);
      }
  relayout (self);
}

static gboolean
hit_process (const CtxFlameLayout *self,
             double                y,
             guint                *index)
{
  for (guint i = 0; i < self->processes->len; i++)
    {
      const CtxFlameProcessBox *p = ctx_flame_layout_get_process_box (self, i);

      if (y >= p->y && y < p->y + CTX_FLAME_PROCESS_HEIGHT)
        {
          *index = p->process;
          return TRUE;
        }
    }
  return FALSE;
}

CtxFlameHit
ctx_flame_layout_hit (const CtxFlameLayout *self,
                      double                y,
                      guint                *index,
                      guint                *row)
{
  guint pos = ctx_flame_layout_first_lane_at (self, y);
  const CtxFlameLaneBox *box;

  if (hit_process (self, y, index))
    return CTX_FLAME_HIT_PROCESS;
  if (pos >= self->lanes->len)
    return CTX_FLAME_HIT_NOTHING;
  box = ctx_flame_layout_get_lane_box (self, pos);
  *index = box->lane;
  if (y >= box->y && y < box->rows_y)
    return CTX_FLAME_HIT_LANE;
  if (y >= box->rows_y && y < box->rows_y + box->n_rows * (double) CTX_FLAME_ROW_HEIGHT)
    {
      *row = (guint) ((y - box->rows_y) / CTX_FLAME_ROW_HEIGHT);
      return CTX_FLAME_HIT_ROW;
    }
  return CTX_FLAME_HIT_NOTHING;
}
