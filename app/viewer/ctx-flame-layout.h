/* ctx-flame-layout.h: where each process header, lane header and span row of the flame
 * chart sits vertically.  Computed when the model or a lane's collapsed state changes,
 * never while drawing. */
#pragma once

#include "ctx-trace-model.h"

G_BEGIN_DECLS

#define CTX_FLAME_RULER_HEIGHT 26
#define CTX_FLAME_PROCESS_HEIGHT 24
#define CTX_FLAME_LANE_HEADER_HEIGHT 20
#define CTX_FLAME_ROW_HEIGHT 18
#define CTX_FLAME_LANE_GAP 4

typedef enum
{
  CTX_FLAME_HIT_NOTHING,
  CTX_FLAME_HIT_PROCESS,  /* a process header: index is the process */
  CTX_FLAME_HIT_LANE,     /* a lane header: index is the lane */
  CTX_FLAME_HIT_ROW,      /* a span row: index is the lane, row the depth */
} CtxFlameHit;

typedef struct
{
  guint lane;
  double y;        /* top of the header, content coordinates */
  double rows_y;   /* top of row 0 */
  guint n_rows;    /* rows shown: 0 when collapsed */
  guint64 n_spans;
} CtxFlameLaneBox;

typedef struct
{
  guint process;
  double y;
} CtxFlameProcessBox;

typedef struct _CtxFlameLayout CtxFlameLayout;

CtxFlameLayout *ctx_flame_layout_new (CtxTraceModel *model);
void ctx_flame_layout_free (CtxFlameLayout *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtxFlameLayout, ctx_flame_layout_free)

double ctx_flame_layout_get_height (const CtxFlameLayout *self);
guint ctx_flame_layout_get_n_lanes (const CtxFlameLayout *self);
/* Lane boxes in display order (grouped by process). */
const CtxFlameLaneBox *ctx_flame_layout_get_lane_box (const CtxFlameLayout *self, guint pos);
/* The box of model lane `lane`. */
const CtxFlameLaneBox *ctx_flame_layout_find_lane (const CtxFlameLayout *self, guint lane);
guint ctx_flame_layout_get_n_processes (const CtxFlameLayout *self);
const CtxFlameProcessBox *ctx_flame_layout_get_process_box (const CtxFlameLayout *self,
                                                            guint pos);
/* First display position whose lane ends below content y (for drawing from y). */
guint ctx_flame_layout_first_lane_at (const CtxFlameLayout *self, double y);

gboolean ctx_flame_layout_get_collapsed (const CtxFlameLayout *self, guint lane);
void ctx_flame_layout_set_collapsed (CtxFlameLayout *self, guint lane, gboolean collapsed);
/* Collapses all lanes of a process, or expands them all if they are all collapsed. */
void ctx_flame_layout_toggle_process (CtxFlameLayout *self, guint process);

CtxFlameHit ctx_flame_layout_hit (const CtxFlameLayout *self, double y, guint *index,
                                  guint *row);

G_END_DECLS
