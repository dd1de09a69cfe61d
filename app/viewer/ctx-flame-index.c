/* ctx-flame-index.c: the coarse start arrays of every lane row (see ctx-flame-index.h). */
#include "config.h"

#include "ctx-flame-index.h"
#include "ctx-time.h"

struct _CtxFlameIndex
{
  gatomicrefcount ref_count;
  guint *row_base;  /* per lane: position of its row 0 in rows */
  GArray **rows;
  GArray **overlaps;
  guint n_rows;
};

static GArray *
find_overlaps (const CtxSpan *spans,
               const GArray  *row)
{
  const guint32 *ids = (const guint32 *) row->data;
  GArray *overlaps = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i + 1 < row->len; i++)
    if (spans[ids[i]].end_ns > spans[ids[i + 1]].start_ns)
      g_array_append_val (overlaps, ids[i]);
  return overlaps;
}

static GArray *
build_row (const CtxSpan *spans,
           const GArray  *row,
           gint64         origin)
{
  const guint32 *ids = (const guint32 *) row->data;
  GArray *coarse = g_array_sized_new (FALSE, FALSE, sizeof (double),
                                      row->len / CTX_FLAME_INDEX_STEP + 1);

  for (guint i = 0; i < row->len; i += CTX_FLAME_INDEX_STEP)
    {
      double t = ctx_time_rel (spans[ids[i]].start_ns, origin);
      g_array_append_val (coarse, t);
    }
  return coarse;
}

CtxFlameIndex *
ctx_flame_index_new (CtxTraceModel *model,
                     gint64         origin)
{
  CtxFlameIndex *self = g_new0 (CtxFlameIndex, 1);
  guint n_lanes = ctx_trace_model_get_n_lanes (model);
  const CtxSpan *spans = ctx_trace_model_get_spans (model);

  g_atomic_ref_count_init (&self->ref_count);
  self->row_base = g_new0 (guint, MAX (n_lanes, 1));
  for (guint l = 0; l < n_lanes; l++)
    {
      self->row_base[l] = self->n_rows;
      self->n_rows += ctx_trace_model_get_lane (model, l)->n_rows;
    }
  self->rows = g_new0 (GArray *, MAX (self->n_rows, 1));
  self->overlaps = g_new0 (GArray *, MAX (self->n_rows, 1));
  for (guint l = 0; l < n_lanes; l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);

      for (guint d = 0; d < lane->n_rows; d++)
        {
          self->rows[self->row_base[l] + d] = build_row (spans, lane->rows[d], origin);
          self->overlaps[self->row_base[l] + d] = find_overlaps (spans, lane->rows[d]);
        }
    }
  return self;
}

CtxFlameIndex *
ctx_flame_index_ref (CtxFlameIndex *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ctx_flame_index_unref (CtxFlameIndex *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint i = 0; i < self->n_rows; i++)
    {
      g_array_unref (self->rows[i]);
      g_array_unref (self->overlaps[i]);
    }
  g_free (self->rows);
  g_free (self->overlaps);
  g_free (self->row_base);
  g_free (self);
}

const GArray *
ctx_flame_index_get_row (CtxFlameIndex *self,
                         guint          lane,
                         guint          depth)
{
  return self->rows[self->row_base[lane] + depth];
}

const GArray *
ctx_flame_index_get_overlaps (CtxFlameIndex *self,
                              guint          lane,
                              guint          depth)
{
  return self->overlaps[self->row_base[lane] + depth];
}
