/* ctx-flame-index.c: the coarse start arrays of every lane row (see ctx-flame-index.h). */
#include "config.h"

#include "ctx-flame-index.h"
#include "ctx-time.h"

struct _CtxFlameIndex
{
  gatomicrefcount ref_count;
  gint64 origin;
  guint n_lanes;
  gint64 *thread_ids; /* per lane: lanes renumbered by a new thread need a new index */
  guint *row_base;    /* per lane: position of its row 0 in rows */
  guint *lane_rows;   /* per lane: rows indexed */
  GArray **rows;
  GArray **overlaps;
  guint *done;        /* per row: lane-row entries indexed */
  guint32 *last;      /* per row: the span at done - 1 (an insertion before it moves it) */
  guint n_rows;
};

static GQuark
cache_quark (void)
{
  return g_quark_from_static_string ("ctx-flame-index-cache");
}

/* Indexes entries from done on: appended starts and overlaps with the entry before. */
static void
extend_row (CtxFlameIndex *self,
            const CtxSpan *spans,
            const GArray  *row,
            guint          r)
{
  const guint32 *ids = (const guint32 *) row->data;

  for (guint i = self->done[r]; i < row->len; i++)
    {
      if (i % CTX_FLAME_INDEX_STEP == 0)
        {
          double t = ctx_time_rel (spans[ids[i]].start_ns, self->origin);
          g_array_append_val (self->rows[r], t);
        }
      if (i > 0 && spans[ids[i - 1]].end_ns > spans[ids[i]].start_ns)
        g_array_append_val (self->overlaps[r], ids[i - 1]);
    }
  self->done[r] = row->len;
  self->last[r] = row->len > 0 ? ids[row->len - 1] : 0;
}

/* A row that changed other than at its end (a late span inserted in start order) is
 * indexed again from scratch. */
static void
update_row (CtxFlameIndex *self,
            const CtxSpan *spans,
            const GArray  *row,
            guint          r)
{
  guint done = self->done[r];

  if (done > row->len || (done > 0 && ((const guint32 *) row->data)[done - 1] != self->last[r]))
    {
      g_array_set_size (self->rows[r], 0);
      g_array_set_size (self->overlaps[r], 0);
      self->done[r] = 0;
    }
  extend_row (self, spans, row, r);
}

static gboolean
same_lanes (CtxFlameIndex *self,
            CtxTraceModel *model)
{
  if (ctx_trace_model_get_n_lanes (model) != self->n_lanes)
    return FALSE;
  for (guint l = 0; l < self->n_lanes; l++)
    if (ctx_trace_model_get_lane (model, l)->thread_id != self->thread_ids[l])
      return FALSE;
  return TRUE;
}

static guint
rows_wanted (CtxFlameIndex *self,
             CtxTraceModel *model,
             guint          lane)
{
  return MAX (ctx_trace_model_get_lane (model, lane)->n_rows, self->lane_rows[lane]);
}

static void
move_row (CtxFlameIndex *self,
          guint          from,
          gboolean       had,
          GArray       **rows,
          GArray       **overlaps,
          guint         *done,
          guint32       *last,
          guint          to)
{
  rows[to] = had ? self->rows[from] : g_array_new (FALSE, FALSE, sizeof (double));
  overlaps[to] = had ? self->overlaps[from] : g_array_new (FALSE, FALSE, sizeof (guint32));
  done[to] = had ? self->done[from] : 0;
  last[to] = had ? self->last[from] : 0;
}

/* Lanes gained rows: give each lane its rows again, keeping what was indexed. */
static void
regroup_rows (CtxFlameIndex *self,
              CtxTraceModel *model)
{
  guint n = 0;
  guint *base = g_new0 (guint, MAX (self->n_lanes, 1));
  GArray **rows, **overlaps;
  guint *done;
  guint32 *last;

  for (guint l = 0; l < self->n_lanes; l++)
    {
      base[l] = n;
      n += rows_wanted (self, model, l);
    }
  rows = g_new0 (GArray *, MAX (n, 1));
  overlaps = g_new0 (GArray *, MAX (n, 1));
  done = g_new0 (guint, MAX (n, 1));
  last = g_new0 (guint32, MAX (n, 1));
  for (guint l = 0; l < self->n_lanes; l++)
    {
      for (guint d = 0; d < rows_wanted (self, model, l); d++)
        move_row (self, self->row_base[l] + d, d < self->lane_rows[l], rows, overlaps, done,
                  last, base[l] + d);
      self->lane_rows[l] = rows_wanted (self, model, l);
    }
  g_free (self->rows);
  g_free (self->overlaps);
  g_free (self->done);
  g_free (self->last);
  g_free (self->row_base);
  self->rows = rows;
  self->overlaps = overlaps;
  self->done = done;
  self->last = last;
  self->row_base = base;
  self->n_rows = n;
}

static gboolean
lanes_grew (CtxFlameIndex *self,
            CtxTraceModel *model)
{
  for (guint l = 0; l < self->n_lanes; l++)
    if (ctx_trace_model_get_lane (model, l)->n_rows > self->lane_rows[l])
      return TRUE;
  return FALSE;
}

/* Brings the index up to date with the model's rows: only new entries are read. */
static void
update (CtxFlameIndex *self,
        CtxTraceModel *model)
{
  const CtxSpan *spans = ctx_trace_model_get_spans (model);

  if (lanes_grew (self, model))
    regroup_rows (self, model);
  for (guint l = 0; l < self->n_lanes; l++)
    {
      const CtxLane *lane = ctx_trace_model_get_lane (model, l);

      for (guint d = 0; d < lane->n_rows; d++)
        update_row (self, spans, lane->rows[d], self->row_base[l] + d);
    }
}

static CtxFlameIndex *
build (CtxTraceModel *model,
       gint64         origin)
{
  CtxFlameIndex *self = g_new0 (CtxFlameIndex, 1);
  guint n_lanes = ctx_trace_model_get_n_lanes (model);

  g_atomic_ref_count_init (&self->ref_count);
  self->origin = origin;
  self->n_lanes = n_lanes;
  self->thread_ids = g_new0 (gint64, MAX (n_lanes, 1));
  self->row_base = g_new0 (guint, MAX (n_lanes, 1));
  self->lane_rows = g_new0 (guint, MAX (n_lanes, 1));
  for (guint l = 0; l < n_lanes; l++)
    {
      self->thread_ids[l] = ctx_trace_model_get_lane (model, l)->thread_id;
      self->row_base[l] = self->n_rows;
      self->lane_rows[l] = ctx_trace_model_get_lane (model, l)->n_rows;
      self->n_rows += self->lane_rows[l];
    }
  self->rows = g_new0 (GArray *, MAX (self->n_rows, 1));
  self->overlaps = g_new0 (GArray *, MAX (self->n_rows, 1));
  self->done = g_new0 (guint, MAX (self->n_rows, 1));
  self->last = g_new0 (guint32, MAX (self->n_rows, 1));
  for (guint r = 0; r < self->n_rows; r++)
    {
      self->rows[r] = g_array_new (FALSE, FALSE, sizeof (double));
      self->overlaps[r] = g_array_new (FALSE, FALSE, sizeof (guint32));
    }
  update (self, model);
  return self;
}

CtxFlameIndex *
ctx_flame_index_new (CtxTraceModel *model,
                     gint64         origin)
{
  CtxFlameIndex *cached = g_object_get_qdata (G_OBJECT (model), cache_quark ());
  CtxFlameIndex *self;

  if (cached != NULL && cached->origin == origin && same_lanes (cached, model))
    {
      update (cached, model);
      return ctx_flame_index_ref (cached);
    }
  self = build (model, origin);
  g_object_set_qdata_full (G_OBJECT (model), cache_quark (), ctx_flame_index_ref (self),
                           (GDestroyNotify) ctx_flame_index_unref);
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
  g_free (self->lane_rows);
  g_free (self->thread_ids);
  g_free (self->done);
  g_free (self->last);
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
