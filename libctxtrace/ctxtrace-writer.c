/* ctxtrace-writer.c: the drain thread, first stage of the writer.  It drains every thread's
 * ring, pairs begins with ends on a per-thread stack, names spans, and seals a batch of rows
 * at least every 10 ms while data flows; the committer thread (ctxtrace-commit.c) writes
 * sealed batches with SQLite while the next one fills, so that draining never waits for a
 * commit.  Span ids are given at commit time (max(id) + 1 inside the write transaction), so
 * ids grow in commit order even with several processes on one file; until then a row is
 * referred to by its sequence number. */
#include "ctxtrace-writer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#define COMMIT_INTERVAL_NS 10000000
#define COMMIT_MAX_ROWS 16384
/* Rows waiting for the committer (open batch and sealed ones) while it is behind; beyond,
 * records wait in the rings (and are dropped, counted, when those fill).  About 65 ms of
 * spans at 1M/s: a bound on the latency a backlog adds. */
#define PENDING_MAX_ROWS (1 << 16)
#define POLL_BUSY_NS 1000000
#define POLL_IDLE_NS 5000000
#define MAX_CAPTURES 65536
#define DEFER_LIMIT_NS 200000000

enum { PROCESSED, DEFERRED };
enum { FOUND, NOT_YET, GONE };

int
ct_grow (void *arrayp, size_t *cap, size_t need, size_t elem)
{
  void **array = arrayp;
  if (need <= *cap)
    return 1;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *p = realloc (*array, n * elem);
  if (p == NULL)
    return 0;
  *array = p;
  *cap = n;
  return 1;
}

/* ---- Names ------------------------------------------------------------------------------ */

/* Something the committer must write before rows that use it: into the open batch. */
static void
push_text_op (ct_text_op_t **ops, size_t *n, size_t *cap, uint32_t index, const char *text)
{
  if (ct_grow (ops, cap, *n + 1, sizeof **ops))
    (*ops)[(*n)++] = (ct_text_op_t) { index, text };
}

static uint32_t
add_name (ct_writer_t *w, const char *text, size_t len)
{
  if (!ct_grow (&w->names, &w->cap_names, w->n_names + 1, sizeof *w->names))
    return 0;
  ct_name_t *n = &w->names[w->n_names];
  n->text = strndup (text, len);
  if (n->text == NULL)
    return 0;
  ct_batch_t *b = w->open;
  push_text_op (&b->names, &b->n_names, &b->cap_names, (uint32_t) w->n_names, n->text);
  return (uint32_t) w->n_names++;
}

static uint32_t
name_from_text (ct_writer_t *w, const char *text, size_t len)
{
  uint64_t h = UINT64_C (0xcbf29ce484222325);
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char) text[i]) * UINT64_C (0x100000001b3);
  /* Distinct texts with one hash take the following keys. */
  for (uint64_t key = h | 1;; key += 2)
    {
      int64_t idx;
      if (!ct_map_get (&w->text_names, key, &idx))
        {
          uint32_t n = add_name (w, text, len);
          ct_map_put (&w->text_names, key, n);
          return n;
        }
      const char *t = w->names[idx].text;
      if (strncmp (t, text, len) == 0 && t[len] == '\0')
        return (uint32_t) idx;
    }
}

static uint32_t
name_from_site (ct_writer_t *w, const ctxtrace_site_t *site)
{
  int64_t idx;
  if (site == NULL)
    return name_from_text (w, "(null)", 6);
  if (ct_map_get (&w->site_names, (uintptr_t) site, &idx))
    return (uint32_t) idx;
  const char *name = site->name != NULL ? site->name : "(null)";
  size_t len = ct_utf8_truncate (name, strlen (name), CT_MAX_NAME);
  if (len != strlen (name))
    w->truncated++;
  uint32_t n = name_from_text (w, name, len);
  ct_map_put (&w->site_names, (uintptr_t) site, n);
  return n;
}

static uint32_t
name_from_func (ct_writer_t *w, uint64_t fn)
{
  int64_t idx;
  char name[CT_MAX_NAME + 1];
  if (ct_map_get (&w->func_names, fn, &idx))
    return (uint32_t) idx;
  size_t len = ct_symbolize (&w->modules, (const void *) (uintptr_t) fn, name, sizeof name);
  uint32_t n = name_from_text (w, name, len < sizeof name ? len : sizeof name - 1);
  ct_map_put (&w->func_names, fn, n);
  return n;
}

/* ---- Threads ---------------------------------------------------------------------------- */

static ct_thread_t *
thread_for_slot (ct_writer_t *w, uint64_t slot)
{
  return slot < w->n_threads_cap ? w->threads[slot] : NULL;
}

static int
ensure_slot (ct_writer_t *w, size_t slot)
{
  size_t old = w->n_threads_cap;
  if (!ct_grow (&w->threads, &w->n_threads_cap, slot + 1, sizeof *w->threads))
    return 0;
  memset (w->threads + old, 0, (w->n_threads_cap - old) * sizeof *w->threads);
  return 1;
}

/* A thread row to insert or rename, written with the open batch. */
static void
push_thread_op (ct_writer_t *w, const ct_thread_t *t)
{
  ct_batch_t *b = w->open;
  char *name = strdup (t->name != NULL ? t->name : "");
  if (name == NULL || !ct_grow (&b->thread_ops, &b->cap_thread_ops, b->n_thread_ops + 1,
                                sizeof *b->thread_ops))
    {
      free (name);
      return;
    }
  b->thread_ops[b->n_thread_ops++] = (ct_thread_op_t) { t->serial, t->tid, name };
}

static void
adopt_ring (ct_writer_t *w, ct_ring_t *r)
{
  ct_thread_t *t = calloc (1, sizeof *t);
  if (t == NULL || !ensure_slot (w, r->slot)
      || !ct_grow (&w->live, &w->cap_live, w->n_live + 1, sizeof *w->live))
    {
      free (t);
      return;
    }
  t->ring = r;
  t->slot = r->slot;
  t->serial = w->n_serials++;
  t->tid = r->tid;
  t->name = strdup (r->name != NULL ? r->name : "");
  w->threads[r->slot] = t;
  w->live[w->n_live++] = t;
  push_thread_op (w, t);
}

static void
adopt_new_rings (ct_writer_t *w)
{
  if (!atomic_exchange (&ct_state.rings_changed, 0))
    return;
  pthread_mutex_lock (&ct_state.lock);
  /* The list is newest first; adopting oldest first drains threads in the order they
   * started recording, so that rows (and ids) of a burst follow that order too. */
  size_t n = 0;
  for (ct_ring_t *r = ct_state.rings; r != NULL; r = r->next)
    n += thread_for_slot (w, r->slot) == NULL;
  for (size_t k = n; k-- > 0;)
    {
      size_t i = 0;
      for (ct_ring_t *r = ct_state.rings; r != NULL; r = r->next)
        if (thread_for_slot (w, r->slot) == NULL && i++ == k)
          {
            adopt_ring (w, r);
            break;
          }
    }
  pthread_mutex_unlock (&ct_state.lock);
}

/* ---- Spans ------------------------------------------------------------------------------ */

static ct_ctx_t
current_context (ct_writer_t *w, const ct_thread_t *t)
{
  if (t->n_open > 0)
    return (ct_ctx_t) { t->stack[t->n_open - 1].ref, t->stack[t->n_open - 1].trace };
  if (t->n_attached > 0)
    return t->attached[t->n_attached - 1];
  return w->root;
}

/* The row of a span is still in the open batch (not yet sealed). */
static int
in_open_batch (const ct_writer_t *w, ct_ref_t ref)
{
  return ref < 0 && (uint64_t) -ref >= w->open->first_seq;
}

static ct_insert_t *
open_row (ct_writer_t *w, ct_ref_t ref)
{
  return &w->open->inserts[(uint64_t) -ref - w->open->first_seq];
}

static void
begin_span (ct_writer_t *w, ct_thread_t *t, uint64_t seq, uint64_t tick, uint32_t name)
{
  ct_batch_t *b = w->open;
  if (!ct_grow (&b->inserts, &b->cap_inserts, b->n_inserts + 1, sizeof *b->inserts)
      || !ct_grow (&t->stack, &t->cap_open, t->n_open + 1, sizeof *t->stack))
    return;
  ct_ctx_t parent = current_context (w, t);
  size_t idx = b->n_inserts++;
  b->inserts[idx] = (ct_insert_t) {
    .parent = parent.ref, .trace = parent.trace, .start_ns = ct_clock_to_epoch (&w->clock, tick),
    .dur_ns = -1, .thread = t->serial, .name = name, .depth = (uint32_t) t->n_open,
  };
  ct_open_t *o = &t->stack[t->n_open++];
  memset (o, 0, sizeof *o);
  o->seq = seq;
  o->ref = -(ct_ref_t) (b->first_seq + idx);
  o->parent = parent.ref;
  o->trace = parent.trace;
  o->start_tick = tick;
  o->name = name;
  o->depth = (uint32_t) t->n_open - 1;
}

static void
add_update (ct_writer_t *w, ct_ref_t span, int64_t dur, uint8_t status, char *attrs)
{
  ct_batch_t *b = w->open;
  if (!ct_grow (&b->updates, &b->cap_updates, b->n_updates + 1, sizeof *b->updates))
    {
      free (attrs);
      return;
    }
  b->updates[b->n_updates++] = (ct_update_t) { span, dur, status, attrs };
}

static void
close_span (ct_writer_t *w, ct_thread_t *t, size_t pos, uint64_t end_tick, int lost_end)
{
  ct_open_t *o = &t->stack[pos];
  int64_t dur = ct_clock_duration (&w->clock, o->start_tick, end_tick);
  if (lost_end)
    ct_attrs_set (&o->attrs, "ctxtrace.lost_end", "true", 4);
  char *attrs = ct_attrs_to_json (&o->attrs);
  if (in_open_batch (w, o->ref))
    {
      ct_insert_t *ins = open_row (w, o->ref);
      ins->dur_ns = dur;
      ins->status = o->status;
      free (ins->attrs);
      ins->attrs = attrs;
      /* Shorter than CTXTRACE_MIN_DURATION: not written; what referred to it (spans of
       * other threads, events) goes to its parent.  Spans nested in it on its thread are
       * shorter still and went the same way. */
      if (dur < w->min_duration_ns && !lost_end)
        {
          ins->discard = 1;
          atomic_fetch_add_explicit (&w->filtered_spans, 1, memory_order_relaxed);
        }
    }
  else
    add_update (w, o->ref, dur, o->status, attrs);
  ct_attrs_clear (&o->attrs);
  memmove (o, o + 1, (t->n_open - pos - 1) * sizeof *o);
  t->n_open--;
  if (t->n_open == 0)
    t->lost_pending = 0;
}

/* A function's exit closes its span; spans above it on the stack were left by longjmp or
 * an exception (their exits never ran): they end here too, marked as unwound. */
static void
func_exit (ct_writer_t *w, ct_thread_t *t, uint64_t fn, uint64_t tick)
{
  size_t pos = t->n_open;
  while (pos-- > 0)
    if (t->stack[pos].func == fn)
      break;
  if (pos == (size_t) -1)
    return; /* its entry was dropped, or happened before recording started */
  while (t->n_open - 1 > pos)
    {
      ct_open_t *top = &t->stack[t->n_open - 1];
      if (top->func != 0)
        ct_attrs_set (&top->attrs, "ctxtrace.unwound", "true", 4);
      close_span (w, t, t->n_open - 1, tick, 0);
    }
  close_span (w, t, pos, tick, 0);
}

static int
find_open (const ct_thread_t *t, uint64_t seq, size_t *pos)
{
  for (size_t i = t->n_open; i-- > 0;)
    if (t->stack[i].seq == seq)
      {
        *pos = i;
        return 1;
      }
  return 0;
}

static void
end_on_thread (ct_writer_t *w, ct_thread_t *t, uint64_t seq, uint64_t tick)
{
  size_t pos;
  if (!find_open (t, seq, &pos))
    return; /* its begin was dropped */
  /* After a loss, inner spans still open when an outer one ends lost their own ends. */
  if (t->lost_pending)
    while (t->n_open - 1 > pos)
      close_span (w, t, t->n_open - 1, tick, 1);
  close_span (w, t, pos, tick, 0);
}

/* Finds the open span named by a handle (possibly of another thread). */
static int
resolve_handle (ct_writer_t *w, ct_thread_t *cur, uint64_t h, ct_thread_t **owner, size_t *pos)
{
  if (h == CTXTRACE_CURRENT)
    {
      *owner = cur;
      *pos = cur->n_open - 1;
      return cur->n_open > 0 ? FOUND : GONE;
    }
  ct_thread_t *t = thread_for_slot (w, h >> CT_SEQ_BITS);
  if (t == NULL)
    return GONE;
  if ((h & CT_SEQ_MASK) > t->processed)
    return t->ring != NULL ? NOT_YET : GONE;
  *owner = t;
  return find_open (t, h & CT_SEQ_MASK, pos) ? FOUND : GONE;
}

/* ---- Attributes ------------------------------------------------------------------------- */

static int
format_attr (ct_writer_t *w, int type, const char *v, size_t vlen, ct_buf_t *out)
{
  int64_t i;
  double d;
  switch (type)
    {
    case CT_ATTR_INT:
      memcpy (&i, v, sizeof i);
      ct_json_int (out, i);
      return 1;
    case CT_ATTR_DOUBLE:
      memcpy (&d, v, sizeof d);
      ct_json_double (out, d);
      return 1;
    case CT_ATTR_BOOL:
      ct_buf_append (out, v[0] ? "true" : "false", v[0] ? 4 : 5);
      return 1;
    case CT_ATTR_STR:
      ct_json_string (out, v, vlen);
      return 1;
    case CT_ATTR_JSON:
      return vlen > 0 && ct_db_json_normalize (w, v, vlen, out);
    default:
      return 0;
    }
}

static void
apply_attr (ct_writer_t *w, ct_open_t *o, int type, const char *payload, size_t len)
{
  size_t klen = strnlen (payload, len);
  ct_buf_t value = { 0 };
  if (klen == len || !format_attr (w, type, payload + klen + 1, len - klen - 1, &value)
      || o->attrs.text_len + klen + value.len > CT_MAX_ATTRS_TEXT)
    atomic_fetch_add (&w->rejected_attrs, 1);
  else
    {
      ct_attrs_set (&o->attrs, payload, value.data, value.len);
      o->attrs_dirty = !in_open_batch (w, o->ref);
      w->open_dirty |= o->attrs_dirty;
    }
  ct_buf_free (&value);
}

/* ---- Records ---------------------------------------------------------------------------- */

static const char *
payload (ct_writer_t *w, const ct_ring_t *r, uint64_t pos, size_t len)
{
  if (!ct_grow (&w->scratch, &w->scratch_cap, len + 1, 1))
    return NULL;
  ct_ring_copy_out (r, pos + 1, w->scratch, len);
  w->scratch[len] = '\0';
  return w->scratch;
}

static int
on_handle_record (ct_writer_t *w, ct_thread_t *t, int tag, const ct_rec_t *rec,
                  const char *data, size_t len)
{
  ct_thread_t *owner = NULL;
  size_t pos = 0;
  uint64_t h = tag == CT_TAG_END_HANDLE ? 0 : rec->a;
  if (tag == CT_TAG_END_HANDLE)
    memcpy (&h, data, sizeof h);
  int found = resolve_handle (w, t, h, &owner, &pos);
  if (found == NOT_YET)
    return DEFERRED;
  if (found == GONE)
    {
      if (tag == CT_TAG_ATTR)
        atomic_fetch_add (&w->rejected_attrs, 1);
      return PROCESSED;
    }
  ct_open_t *o = &owner->stack[pos];
  if (tag == CT_TAG_END_HANDLE)
    close_span (w, owner, pos, rec->a, 0);
  else if (tag == CT_TAG_STATUS)
    o->status = (uint8_t) (rec->b & 0xff), o->attrs_dirty = !in_open_batch (w, o->ref),
    w->open_dirty |= o->attrs_dirty;
  else
    apply_attr (w, o, (int) (rec->b >> 40 & 0xff), data, len);
  return PROCESSED;
}

static void
on_event (ct_writer_t *w, ct_thread_t *t, uint64_t tick, const char *data, size_t len)
{
  size_t nlen = strnlen (data, len);
  const char *json = nlen < len ? data + nlen + 1 : "";
  size_t jlen = nlen < len ? len - nlen - 1 : 0;
  ct_batch_t *b = w->open;
  if (!ct_grow (&b->events, &b->cap_events, b->n_events + 1, sizeof *b->events))
    return;
  ct_buf_t attrs = { 0 };
  if (jlen > 0 && !ct_db_json_normalize (w, json, jlen, &attrs))
    atomic_fetch_add (&w->rejected_attrs, 1);
  ct_event_t *e = &b->events[b->n_events++];
  *e = (ct_event_t) { current_context (w, t).ref, ct_clock_to_epoch (&w->clock, tick),
                      t->serial, name_from_text (w, data, nlen), attrs.data };
}

static void
on_capture (ct_writer_t *w, ct_thread_t *t, uint64_t key)
{
  t->captures++;
  if (w->capture_refs == NULL)
    {
      w->capture_refs = calloc (MAX_CAPTURES, sizeof *w->capture_refs);
      w->capture_keys = calloc (MAX_CAPTURES, sizeof *w->capture_keys);
      if (w->capture_refs == NULL || w->capture_keys == NULL)
        return;
    }
  /* The oldest capture makes room: a context attached that late becomes a root. */
  size_t i = w->capture_head++ % MAX_CAPTURES;
  if (w->capture_keys[i] != 0)
    ct_map_remove (&w->captures, w->capture_keys[i]);
  w->capture_keys[i] = key;
  w->capture_refs[i] = current_context (w, t);
  ct_map_put (&w->captures, key, (int64_t) i);
  if (w->capture_refs[i].ref < 0
      && ct_grow (&w->pending_captures, &w->cap_pending_captures, w->n_pending_captures + 1,
                  sizeof (size_t)))
    w->pending_captures[w->n_pending_captures++] = i;
}

/* The trace index of a W3C trace id: 0 for this session's, else 1 + its place in traces. */
static uint32_t
trace_index (ct_writer_t *w, const char *hex)
{
  if (strcmp (hex, w->trace_hex) == 0)
    return 0;
  for (size_t i = 0; i < w->n_traces; i++)
    if (strcmp (w->traces[i], hex) == 0)
      return (uint32_t) i + 1;
  char *copy = strdup (hex);
  if (copy == NULL || !ct_grow (&w->traces, &w->cap_traces, w->n_traces + 1, sizeof *w->traces))
    {
      free (copy);
      return 0;
    }
  w->traces[w->n_traces++] = copy;
  ct_batch_t *b = w->open;
  push_text_op (&b->traces, &b->n_traces, &b->cap_traces, (uint32_t) w->n_traces, copy);
  return (uint32_t) w->n_traces;
}

static int
on_attach (ct_writer_t *w, ct_thread_t *t, uint64_t key, const char *data)
{
  ct_ctx_t ctx = w->root;
  if (key != 0)
    {
      ct_thread_t *from = thread_for_slot (w, key >> CT_SEQ_BITS);
      int64_t idx;
      if (from != NULL && from->ring != NULL && from->captures < (key & CT_SEQ_MASK))
        return DEFERRED;
      if (ct_map_get (&w->captures, key, &idx))
        ctx = w->capture_refs[idx];
    }
  else
    {
      /* A remote parent (from a traceparent): its span id is a span id of this file when
       * the trace is recorded here too; its trace becomes a row of the trace table. */
      uint64_t span_id;
      char hex[33];
      memcpy (&span_id, data, sizeof span_id);
      ct_hex ((const uint8_t *) data + 8, 16, hex);
      ctx.ref = (int64_t) (span_id & INT64_MAX);
      ctx.trace = trace_index (w, hex);
    }
  if (ct_grow (&t->attached, &t->cap_attached, t->n_attached + 1, sizeof *t->attached))
    t->attached[t->n_attached++] = ctx;
  return PROCESSED;
}

static int
on_record (ct_writer_t *w, ct_thread_t *t, const ct_rec_t *rec, uint64_t pos, size_t len)
{
  int tag = (int) (rec->b >> CT_TAG_SHIFT);
  if (tag <= CT_TAG_END_HANDLE || tag == CT_TAG_EVENT || tag >= CT_TAG_FUNC_ENTER)
    t->last_tick = rec->a;
  const char *data = len > 0 ? payload (w, t->ring, pos, len) : "";
  if (data == NULL)
    return PROCESSED;
  switch (tag)
    {
    case CT_TAG_BEGIN_SITE:
      begin_span (w, t, pos + 1, rec->a,
                  name_from_site (w, (const ctxtrace_site_t *) (uintptr_t) (rec->b & CT_LOW_MASK)));
      return PROCESSED;
    case CT_TAG_BEGIN_NAME:
      begin_span (w, t, pos + 1, rec->a, name_from_text (w, data, len));
      return PROCESSED;
    case CT_TAG_END:
      end_on_thread (w, t, rec->b & CT_LOW_MASK, rec->a);
      return PROCESSED;
    case CT_TAG_END_HANDLE:
    case CT_TAG_ATTR:
    case CT_TAG_STATUS:
      return on_handle_record (w, t, tag, rec, data, len);
    case CT_TAG_EVENT:
      on_event (w, t, rec->a, data, len);
      return PROCESSED;
    case CT_TAG_CAPTURE:
      on_capture (w, t, rec->a);
      return PROCESSED;
    case CT_TAG_ATTACH:
      return on_attach (w, t, rec->a, data);
    case CT_TAG_DETACH:
      if (t->n_attached > 0)
        t->n_attached--;
      return PROCESSED;
    case CT_TAG_THREAD_NAME:
      free (t->name);
      t->name = strndup (data, len);
      push_thread_op (w, t);
      return PROCESSED;
    case CT_TAG_GAP:
      t->lost_pending = 1;
      return PROCESSED;
    case CT_TAG_FUNC_ENTER:
      begin_span (w, t, pos + 1, rec->a, name_from_func (w, rec->b & CT_LOW_MASK));
      if (t->n_open > 0)
        t->stack[t->n_open - 1].func = rec->b & CT_LOW_MASK;
      return PROCESSED;
    case CT_TAG_FUNC_EXIT:
      func_exit (w, t, rec->b & CT_LOW_MASK, rec->a);
      return PROCESSED;
    default:
      return PROCESSED;
    }
}

/* Length of a record's payload in bytes. */
static size_t
payload_len (const ct_rec_t *rec)
{
  switch ((int) (rec->b >> CT_TAG_SHIFT))
    {
    case CT_TAG_BEGIN_NAME:
    case CT_TAG_EVENT:
    case CT_TAG_ATTACH:
    case CT_TAG_THREAD_NAME:
      return (size_t) (rec->b & CT_LOW_MASK);
    case CT_TAG_ATTR:
      return (size_t) (rec->b & ((UINT64_C (1) << 40) - 1));
    case CT_TAG_END_HANDLE:
      return 8;
    default:
      return 0;
    }
}

/* Processes what a ring holds; returns the number of records, stopping early at a record
 * that refers to something another ring has not delivered yet. */
static size_t
process_ring (ct_writer_t *w, ct_thread_t *t, int64_t now)
{
  ct_ring_t *r = t->ring;
  uint64_t head = atomic_load_explicit (&r->head, memory_order_acquire);
  uint64_t pos = atomic_load_explicit (&r->tail, memory_order_relaxed);
  size_t n = 0;
  while (pos < head)
    {
      const ct_rec_t rec = r->slots[pos & r->mask];
      size_t len = payload_len (&rec);
      if (on_record (w, t, &rec, pos, len) == DEFERRED)
        {
          if (t->defer_since == 0)
            t->defer_since = now;
          /* What never comes (lost to a full ring) must not stall the thread forever. */
          if (now - t->defer_since < DEFER_LIMIT_NS)
            break;
        }
      t->defer_since = 0;
      pos += 1 + ct_payload_slots (len);
      t->processed = pos;
      n++;
    }
  atomic_store_explicit (&r->tail, pos, memory_order_release);
  return n;
}

static void
collect_counters (ct_writer_t *w, ct_thread_t *t)
{
  ct_ring_t *r = t->ring;
  uint64_t ds = atomic_load_explicit (&r->dropped_spans, memory_order_relaxed);
  uint64_t dr = atomic_load_explicit (&r->dropped_records, memory_order_relaxed);
  uint64_t tr = atomic_load_explicit (&r->truncated, memory_order_relaxed);
  w->dropped_spans += ds - t->dropped_spans;
  w->dropped_records += dr - t->dropped_records;
  w->truncated += tr - t->truncated;
  t->dropped_spans = ds, t->dropped_records = dr, t->truncated = tr;
}

/* A ring whose thread exited is freed once empty; the thread's row and stack stay. */
static void
retire_if_done (ct_writer_t *w, ct_thread_t *t)
{
  ct_ring_t *r = t->ring;
  if (!atomic_load_explicit (&r->closed, memory_order_acquire)
      || atomic_load (&r->tail) != atomic_load (&r->head))
    return;
  collect_counters (w, t);
  /* Spans left open by an exited thread after a loss lost their ends to the full ring. */
  if (r->room == 0)
    t->lost_pending = 1;
  while (t->lost_pending && t->n_open > 0)
    close_span (w, t, t->n_open - 1, t->last_tick, 1);
  pthread_mutex_lock (&ct_state.lock);
  for (ct_ring_t **p = &ct_state.rings; *p != NULL; p = &(*p)->next)
    if (*p == r)
      {
        *p = r->next;
        break;
      }
  pthread_mutex_unlock (&ct_state.lock);
  ct_ring_free (r);
  t->ring = NULL;
}

/* One pass over all rings, repeated while records wait on other rings. */
/* One pass over all rings, repeated while records wait on other rings.  all: a flush (or
 * the end) is due, so everything the rings hold now is taken, past the usual bounds. */
static size_t
drain (ct_writer_t *w, int all)
{
  size_t total = 0, bound = COMMIT_MAX_ROWS * 4;
  int64_t now = ct_monotonic_ns ();
  adopt_new_rings (w);
  /* Whatever a ring held when the flush began is within its capacity of its tail, however
   * fast its thread keeps recording. */
  for (size_t i = 0; all && i < w->n_live; i++)
    if (w->live[i]->ring != NULL)
      bound += w->live[i]->ring->mask + 1;
  while (all || w->open->n_inserts + w->rows_in_flight < PENDING_MAX_ROWS)
    {
      size_t n = 0;
      for (size_t i = 0; i < w->n_live; i++)
        if (w->live[i]->ring != NULL)
          n += process_ring (w, w->live[i], now);
      total += n;
      if (n == 0 || total >= bound)
        break;
    }
  for (size_t i = 0; i < w->n_live; i++)
    if (w->live[i]->ring != NULL)
      {
        collect_counters (w, w->live[i]);
        retire_if_done (w, w->live[i]);
      }
  return total;
}

/* ---- Batches --------------------------------------------------------------------------- */

static ct_batch_t *
new_batch (ct_writer_t *w)
{
  ct_batch_t *b = calloc (1, sizeof *b);
  if (b == NULL)
    return NULL;
  b->number = w->n_sealed + 1;
  b->first_seq = w->next_seq;
  return b;
}

static void
fix_ref (ct_ref_t *ref, const ct_batch_t *b)
{
  if (*ref < 0 && (uint64_t) -*ref >= b->first_seq
      && (uint64_t) -*ref < b->first_seq + b->n_inserts)
    *ref = b->ids != NULL ? b->ids[(uint64_t) -*ref - b->first_seq] : 0;
}

/* A committed batch comes back: references to its rows become ids. */
static void
fix_refs (ct_writer_t *w, const ct_batch_t *b)
{
  for (size_t i = 0; i < w->n_live; i++)
    {
      ct_thread_t *t = w->live[i];
      for (size_t j = 0; j < t->n_open; j++)
        fix_ref (&t->stack[j].ref, b), fix_ref (&t->stack[j].parent, b);
      for (size_t j = 0; j < t->n_attached; j++)
        fix_ref (&t->attached[j].ref, b);
    }
  size_t k = 0;
  for (size_t i = 0; i < w->n_pending_captures; i++)
    {
      ct_ref_t *ref = &w->capture_refs[w->pending_captures[i]].ref;
      fix_ref (ref, b);
      if (*ref < 0)
        w->pending_captures[k++] = w->pending_captures[i];
    }
  w->n_pending_captures = k;
}

/* Takes back what the committer finished; a flush is done once its batch is back. */
static void
apply_completed (ct_writer_t *w)
{
  pthread_mutex_lock (&w->queue_lock);
  ct_batch_t *list = w->completed;
  w->completed = NULL;
  w->completed_tail = &w->completed;
  pthread_mutex_unlock (&w->queue_lock);
  uint64_t ticket = 0;
  for (ct_batch_t *b = list; b != NULL; b = b->next)
    {
      fix_refs (w, b);
      w->rows_in_flight -= b->n_inserts;
      if (b->flush_ticket > ticket)
        ticket = b->flush_ticket;
      w->n_acked = b->number;
    }
  if (ticket == 0)
    return;
  pthread_mutex_lock (&ct_state.lock);
  if (ticket > w->flush_done)
    {
      w->flush_done = ticket;
      pthread_cond_broadcast (&w->done);
    }
  pthread_mutex_unlock (&ct_state.lock);
}

/* Open spans: a row still in the batch gets the span's attributes so far (a live reader
 * sees them); a row already sealed gets an update when they changed. */
static void
sync_open_spans (ct_writer_t *w)
{
  for (size_t i = 0; i < w->n_live; i++)
    for (size_t j = 0; j < w->live[i]->n_open; j++)
      {
        ct_open_t *o = &w->live[i]->stack[j];
        if (in_open_batch (w, o->ref))
          {
            ct_insert_t *row = open_row (w, o->ref);
            row->status = o->status;
            if (o->attrs.n > 0)
              {
                free (row->attrs);
                row->attrs = ct_attrs_to_json (&o->attrs);
              }
          }
        else if (o->attrs_dirty)
          add_update (w, o->ref, -1, o->status, ct_attrs_to_json (&o->attrs));
        o->attrs_dirty = 0;
      }
  w->open_dirty = 0;
}

/* Threads whose rings are gone leave the drain list once nothing of theirs is open. */
static void
prune_threads (ct_writer_t *w)
{
  size_t k = 0;
  for (size_t i = 0; i < w->n_live; i++)
    if (w->live[i]->ring != NULL || w->live[i]->n_open > 0)
      w->live[k++] = w->live[i];
  w->n_live = k;
}

void
ct_writer_fail (ct_writer_t *w, int rc)
{
  atomic_fetch_add (&w->write_errors, 1);
  if (atomic_exchange (&w->failed, 1))
    return;
  atomic_store (&ct_state.gen, 0);
  snprintf (ct_state.last_error, sizeof ct_state.last_error,
            "recording stopped: cannot write %s: %s", ct_state.path ? ct_state.path : "",
            sqlite3_errstr (rc));
  fprintf (stderr, "ctxtrace: %s\n", ct_state.last_error);
}

void
ct_writer_counters (ct_writer_t *w, uint64_t out[4])
{
  out[0] = w->dropped_spans;
  out[1] = w->dropped_records;
  out[2] = atomic_load (&w->rejected_attrs);
  out[3] = w->truncated;
}

static int
has_work (ct_writer_t *w)
{
  const ct_batch_t *b = w->open;
  uint64_t now[4];
  ct_writer_counters (w, now);
  return ct_batch_has_rows (b) || w->open_dirty || memcmp (now, b->counters, sizeof now) != 0;
}

/* Hands the open batch to the committer.  At most CT_IN_FLIGHT sealed batches wait for
 * their ids; meanwhile the open batch grows. */
static int
seal (ct_writer_t *w, uint64_t flush_ticket)
{
  if (w->n_sealed - w->n_acked >= CT_IN_FLIGHT)
    return 0;
  ct_batch_t *b = w->open;
  uint64_t counters[4]; /* as last sealed */
  memcpy (counters, b->counters, sizeof counters);
  sync_open_spans (w);
  uint64_t next_seq = b->first_seq + b->n_inserts;
  ct_writer_counters (w, b->counters);
  b->flush_ticket = flush_ticket;
  /* The next batch needs memory before this one goes: on failure nothing is sealed. */
  w->next_seq = next_seq;
  w->n_sealed++;
  w->rows_in_flight += b->n_inserts;
  ct_batch_t *fresh = new_batch (w);
  if (fresh == NULL)
    {
      w->n_sealed--;
      w->rows_in_flight -= b->n_inserts;
      w->next_seq = b->first_seq;
      memcpy (b->counters, counters, sizeof counters);
      return 0;
    }
  memcpy (fresh->counters, b->counters, sizeof fresh->counters);
  w->open = fresh;
  b->next = NULL;
  pthread_mutex_lock (&w->queue_lock);
  *w->sealed_tail = b;
  w->sealed_tail = &b->next;
  pthread_cond_signal (&w->queue_cond);
  pthread_mutex_unlock (&w->queue_lock);
  w->last_seal_ns = ct_monotonic_ns ();
  if (flush_ticket > w->flush_sealed)
    w->flush_sealed = flush_ticket;
  prune_threads (w);
  return 1;
}

/* With CTXTRACE_MIN_DURATION, a row once sealed stays in the file, so a seal waits while
 * the youngest open span of a thread (the top of its stack) is in the batch and younger
 * than the minimum: it may still end short.  The wait is bounded (the minimum, and at
 * least MIN_DURATION_WAIT_NS); a span open that long is not short anyway, unless the
 * minimum is larger than the bound. */
#define MIN_DURATION_WAIT_NS 20000000

static int
young_rows (ct_writer_t *w, int64_t due_since)
{
  if (w->min_duration_ns <= 0)
    return 0;
  int64_t now = ct_realtime_ns ();
  int64_t bound = w->min_duration_ns > MIN_DURATION_WAIT_NS ? w->min_duration_ns
                                                             : MIN_DURATION_WAIT_NS;
  if (ct_monotonic_ns () - due_since > bound)
    return 0;
  for (size_t i = 0; i < w->n_live; i++)
    {
      const ct_thread_t *t = w->live[i];
      if (t->n_open > 0 && in_open_batch (w, t->stack[t->n_open - 1].ref)
          && now - ct_clock_to_epoch (&w->clock, t->stack[t->n_open - 1].start_tick)
               < w->min_duration_ns)
        return 1;
    }
  return 0;
}

static void
maybe_seal (ct_writer_t *w, uint64_t flush_target)
{
  const ct_batch_t *b = w->open;
  if (flush_target > w->flush_sealed)
    {
      seal (w, flush_target);
      return;
    }
  if (!has_work (w))
    return;
  int64_t now = ct_monotonic_ns ();
  if (now - w->last_seal_ns < COMMIT_INTERVAL_NS
      && b->n_inserts + b->n_updates + b->n_events < COMMIT_MAX_ROWS)
    return;
  if (w->seal_due_ns == 0)
    w->seal_due_ns = now;
  if (!young_rows (w, w->seal_due_ns) && seal (w, 0))
    w->seal_due_ns = 0;
}

/* After a failed write nothing more is stored: rings are emptied so nobody waits. */
static void
discard_all (ct_writer_t *w)
{
  adopt_new_rings (w);
  for (size_t i = 0; i < w->n_live; i++)
    if (w->live[i]->ring != NULL)
      {
        ct_ring_t *r = w->live[i]->ring;
        atomic_store (&r->tail, atomic_load (&r->head));
        collect_counters (w, w->live[i]);
        retire_if_done (w, w->live[i]);
      }
}

static size_t
cycle (ct_writer_t *w, uint64_t flush_target)
{
  size_t n = 0;
  apply_completed (w);
  if (atomic_load (&w->failed))
    discard_all (w);
  else
    {
      ct_clock_update (&w->clock);
      n = drain (w, flush_target > w->flush_sealed);
    }
  maybe_seal (w, flush_target);
  return n;
}

static void
timed_wait (ct_writer_t *w, int64_t ns)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  ts.tv_nsec += ns;
  ts.tv_sec += ts.tv_nsec / 1000000000;
  ts.tv_nsec %= 1000000000;
  pthread_cond_timedwait (&w->wake, &ct_state.lock, &ts);
}

int
ct_writer_lookup_capture (ct_writer_t *w, uint64_t key, uint64_t *span, char trace_hex[33])
{
  int64_t idx;
  if (!ct_map_get (&w->captures, key, &idx))
    return -ENOENT;
  ct_ctx_t ctx = w->capture_refs[idx];
  if (ctx.ref <= 0)
    return ctx.ref < 0 ? -EAGAIN : -ENOENT;
  *span = (uint64_t) ctx.ref;
  if (ctx.trace == 0)
    memcpy (trace_hex, w->trace_hex, 33);
  else if (ctx.trace <= w->n_traces)
    memcpy (trace_hex, w->traces[ctx.trace - 1], 33);
  else
    return -ENOENT;
  return 0;
}

static void *
writer_main (void *data)
{
  ct_writer_t *w = data;
  sigset_t all;
  sigfillset (&all);
  pthread_sigmask (SIG_BLOCK, &all, NULL);
  prctl (PR_SET_NAME, "ctxtrace-drain", 0, 0, 0);
  pthread_mutex_lock (&ct_state.lock);
  while (!w->stop)
    {
      uint64_t target = w->flush_requested;
      pthread_mutex_unlock (&ct_state.lock);
      pthread_mutex_lock (&w->busy);
      size_t n = cycle (w, target);
      int blocked = w->n_sealed - w->n_acked >= CT_IN_FLIGHT;
      pthread_mutex_unlock (&w->busy);
      pthread_mutex_lock (&ct_state.lock);
      /* Sleep unless a flush came in meanwhile; the committer wakes us when it hands back
       * a batch (which may complete a flush, or make room to seal one). */
      if (!w->stop && (w->flush_requested == target || blocked))
        timed_wait (w, n > 0 || blocked ? POLL_BUSY_NS : POLL_IDLE_NS);
    }
  uint64_t target = w->flush_requested;
  pthread_mutex_unlock (&ct_state.lock);
  /* Last batch: whatever the rings hold, sealed once the committer has room for it. */
  pthread_mutex_lock (&w->busy);
  cycle (w, target + 1);
  while (w->flush_sealed <= target)
    {
      pthread_mutex_unlock (&w->busy);
      struct timespec ts = { 0, 200000 };
      nanosleep (&ts, NULL);
      pthread_mutex_lock (&w->busy);
      apply_completed (w);
      seal (w, target + 1);
    }
  pthread_mutex_unlock (&w->busy);
  ct_committer_stop (w);
  pthread_mutex_lock (&w->busy);
  apply_completed (w);
  pthread_mutex_unlock (&w->busy);
  return NULL;
}

/* ---- Life cycle ------------------------------------------------------------------------- */

/* A CTXTRACE_TRACEPARENT in the environment makes this process's spans continue that
 * trace, under that span (set by the parent that spawned us: ctxtrace_export_env). */
static void
continue_from_env (ct_writer_t *w)
{
  uint8_t trace[16];
  uint64_t span;
  const char *tp = getenv ("CTXTRACE_TRACEPARENT");
  if (tp == NULL || tp[0] == '\0' || w->trace_hex[0] != '\0')
    return;
  if (ct_traceparent_parse (tp, trace, &span) != 0)
    {
      fprintf (stderr, "ctxtrace: ignoring malformed CTXTRACE_TRACEPARENT\n");
      return;
    }
  ct_hex (trace, 16, w->trace_hex);
  w->root_span = span & INT64_MAX;
}

/* CTXTRACE_MIN_DURATION: a number with an optional unit (ns, us, ms, s; default ns). */
static int64_t
parse_duration (const char *text)
{
  if (text == NULL || text[0] == '\0')
    return 0;
  char *end;
  double v = strtod (text, &end);
  while (*end == ' ')
    end++;
  double scale = strcmp (end, "") == 0 || strcmp (end, "ns") == 0 ? 1
                 : strcmp (end, "us") == 0 || strcmp (end, "\u00b5s") == 0 ? 1e3
                 : strcmp (end, "ms") == 0 ? 1e6
                 : strcmp (end, "s") == 0 ? 1e9 : -1;
  if (end == text || scale < 0 || !(v >= 0) || v * scale > 9e18)
    {
      fprintf (stderr, "ctxtrace: ignoring malformed CTXTRACE_MIN_DURATION=%s"
                       " (expected e.g. 10us, 2ms, 500ns)\n", text);
      return 0;
    }
  return (int64_t) (v * scale);
}

static void
free_writer_locks (ct_writer_t *w)
{
  pthread_cond_destroy (&w->wake);
  pthread_cond_destroy (&w->done);
  pthread_cond_destroy (&w->queue_cond);
  pthread_mutex_destroy (&w->queue_lock);
  pthread_mutex_destroy (&w->busy);
  pthread_mutex_destroy (&w->commit_busy);
}

ct_writer_t *
ct_writer_new (const char *path, const char *trace_hex, char *err, size_t errlen, int *code)
{
  ct_writer_t *w = calloc (1, sizeof *w);
  if (w == NULL || (w->open = calloc (1, sizeof *w->open)) == NULL)
    {
      free (w);
      *code = -ENOMEM;
      return NULL;
    }
  w->open->number = 1;
  w->open->first_seq = w->next_seq = 1;
  w->sealed_tail = &w->sealed;
  w->completed_tail = &w->completed;
  if (trace_hex != NULL)
    snprintf (w->trace_hex, sizeof w->trace_hex, "%s", trace_hex);
  continue_from_env (w);
  w->min_duration_ns = parse_duration (getenv ("CTXTRACE_MIN_DURATION"));
  pthread_mutex_init (&w->busy, NULL);
  pthread_mutex_init (&w->commit_busy, NULL);
  pthread_mutex_init (&w->queue_lock, NULL);
  pthread_cond_init (&w->queue_cond, NULL);
  const char *max_mb = getenv ("CTXTRACE_MAX_FILE_MB");
  if (max_mb != NULL && atoll (max_mb) > 0)
    w->max_pages = atoll (max_mb) * 1024 * 1024 / 4096;
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&w->wake, &attr);
  pthread_cond_init (&w->done, NULL);
  pthread_condattr_destroy (&attr);
  ct_clock_init (&w->clock);
  *code = ct_db_open (w, path, err, errlen);
  if (*code == 0 && ct_db_json_open (w) != SQLITE_OK)
    {
      snprintf (err, errlen, "cannot open SQLite's in-memory JSON validator");
      *code = -ENOMEM;
    }
  if (*code != 0)
    {
      ct_db_close (w, 0);
      ct_db_json_close (w);
      free_writer_locks (w);
      free (w->open);
      free (w);
      return NULL;
    }
  w->last_seal_ns = ct_monotonic_ns ();
  w->root = (ct_ctx_t) { (ct_ref_t) w->root_span, 0 };
  w->checkpointer = ct_checkpointer_new (path);
  if (w->checkpointer != NULL)
    ct_checkpointer_attach (w->checkpointer, w->db);
  return w;
}

int
ct_writer_start (ct_writer_t *w)
{
  int rc = ct_committer_start (w);
  if (rc != 0)
    return rc;
  rc = pthread_create (&w->thread, NULL, writer_main, w);
  w->started = rc == 0;
  if (rc != 0)
    {
      ct_committer_stop (w);
    }
  return -rc;
}

/* Called with ct_state.lock held. */
void
ct_writer_flush_locked (ct_writer_t *w)
{
  uint64_t ticket = ++w->flush_requested;
  pthread_cond_signal (&w->wake);
  while (w->flush_done < ticket && !w->stop)
    pthread_cond_wait (&w->done, &ct_state.lock);
}

void
ct_writer_get_stats (ct_writer_t *w, ctxtrace_stats_t *stats)
{
  stats->committed_spans = atomic_load (&w->committed_spans);
  /* The drain thread's totals: read while it is between cycles. */
  pthread_mutex_lock (&w->busy);
  stats->dropped_spans = w->dropped_spans;
  stats->dropped_records = w->dropped_records;
  stats->truncated_values = w->truncated;
  pthread_mutex_unlock (&w->busy);
  stats->rejected_attrs = atomic_load (&w->rejected_attrs);
  stats->write_errors = atomic_load (&w->write_errors);
  stats->filtered_spans = atomic_load (&w->filtered_spans);
  /* The samples belong to the committer: read them while it is between batches. */
  pthread_mutex_lock (&w->commit_busy);
  ct_committer_latency (w, &stats->commit_latency_p50_ns, &stats->commit_latency_p99_ns);
  pthread_mutex_unlock (&w->commit_busy);
}

static void
free_thread (ct_thread_t *t)
{
  for (size_t i = 0; i < t->n_open; i++)
    ct_attrs_clear (&t->stack[i].attrs);
  free (t->stack);
  free (t->attached);
  free (t->name);
  free (t);
}

/* after_fork: the child's copy, whose condition variables record waiters of the parent
 * (destroying them would wait for those forever): their memory is simply freed. */
static void
writer_free (ct_writer_t *w, int after_fork)
{
  ct_batch_free (w->open);
  for (ct_batch_t *b = w->sealed, *next; b != NULL; b = next)
    next = b->next, ct_batch_free (b);
  ct_committer_free (w); /* the committed batches, also those still on the completed list */
  for (size_t i = 0; i < w->n_threads_cap; i++)
    if (w->threads[i] != NULL)
      free_thread (w->threads[i]);
  for (size_t i = 0; i < w->n_names; i++)
    free (w->names[i].text);
  for (size_t i = 0; i < w->n_traces; i++)
    free (w->traces[i]);
  free (w->threads), free (w->live), free (w->names), free (w->traces), free (w->scratch);
  free (w->capture_refs), free (w->capture_keys), free (w->pending_captures);
  ct_map_free (&w->site_names), ct_map_free (&w->text_names), ct_map_free (&w->captures);
  ct_map_free (&w->func_names);
  ct_modules_free (w->modules);
  if (!after_fork)
    free_writer_locks (w);
  free (w);
}

void
ct_writer_abandon (ct_writer_t *w)
{
  sqlite3_wal_autocheckpoint (w->db, 1000);
  ct_checkpointer_abandon (w->checkpointer);
  ct_db_close (w, 0);
  ct_db_json_close (w);
  writer_free (w, 1);
}

int
ct_writer_stop (ct_writer_t *w, ctxtrace_stats_t *final_stats, int64_t deadline_ns)
{
  pthread_mutex_lock (&ct_state.lock);
  w->stop = 1;
  pthread_cond_signal (&w->wake);
  pthread_cond_broadcast (&w->done);
  pthread_mutex_unlock (&ct_state.lock);
  if (w->started)
    {
      struct timespec ts = { deadline_ns / 1000000000, deadline_ns % 1000000000 };
      if (deadline_ns > 0 ? pthread_timedjoin_np (w->thread, NULL, &ts) != 0
                          : pthread_join (w->thread, NULL) != 0)
        return -ETIMEDOUT; /* the process is exiting: leave the writer be */
    }
  ct_writer_get_stats (w, final_stats);
  /* SQLite's own checkpoints again (replacing our hook) before the checkpointer goes. */
  sqlite3_wal_autocheckpoint (w->db, 1000);
  ct_checkpointer_stop (w->checkpointer);
  ct_db_close (w, ct_realtime_ns ());
  ct_db_json_close (w);
  writer_free (w, 0);
  return 0;
}

/* Both threads between steps (fork, so that the child's copies are consistent). */
void
ct_writer_lock_busy (ct_writer_t *w)
{
  pthread_mutex_lock (&w->busy);
  pthread_mutex_lock (&w->commit_busy);
  ct_checkpointer_lock (w->checkpointer);
}

void
ct_writer_unlock_busy (ct_writer_t *w)
{
  ct_checkpointer_unlock (w->checkpointer);
  pthread_mutex_unlock (&w->commit_busy);
  pthread_mutex_unlock (&w->busy);
}

const char *
ct_writer_trace_hex (ct_writer_t *w)
{
  return w->trace_hex;
}
