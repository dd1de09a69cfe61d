/* ctxtrace-ring.c: per-thread rings.  One producer (the owning thread), one consumer (the
 * writer).  The producer never blocks: when the ring is full it counts the loss and the
 * next record that fits is preceded by a GAP record so the writer can keep its count of
 * span sequence numbers. */
#include "ctxtrace-private.h"

#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* An END's word b is TAG_END << 56 | seq; a handle is slot << 40 | seq. */
#define END_XOR(slot) ((uint64_t) CT_TAG_END << CT_TAG_SHIFT ^ (uint64_t) (slot) << CT_SEQ_BITS)
/* Makes (handle ^ end_xor) >> 40 differ from CT_TAG_END << 16 for every real slot. */
#define END_XOR_NEVER (UINT64_C (0xFFFFFF) << CT_SEQ_BITS)

ct_ring_t ct_no_ring = { .fast_gen = 0, .end_xor = END_XOR_NEVER };
__thread ct_ring_t *ct_tl_ring __attribute__ ((tls_model ("initial-exec"))) = &ct_no_ring;
static __thread char *tl_thread_name __attribute__ ((tls_model ("initial-exec")));
/* Set once the thread's key destructor ran: no ring may be created any more. */
static __thread int tl_exiting __attribute__ ((tls_model ("initial-exec")));

static pthread_key_t ring_key;
static pthread_once_t ring_key_once = PTHREAD_ONCE_INIT;


static void
thread_exit (void *data)
{
  ct_ring_t *r = data;

  tl_exiting = 1;
  ct_tl_ring = &ct_no_ring;
  free (tl_thread_name);
  tl_thread_name = NULL;
  if (r == NULL)
    return;
  pthread_mutex_lock (&ct_state.lock);
  /* The writer frees rings of the current session once drained; an older session's
   * ring has no reader any more. */
  int current = ct_state.writer != NULL && r->gen == ct_state.writer_gen;
  if (current)
    atomic_store_explicit (&r->closed, 1, memory_order_release);
  pthread_mutex_unlock (&ct_state.lock);
  if (!current)
    ct_ring_free (r);
}

static void
make_key (void)
{
  pthread_key_create (&ring_key, thread_exit);
}

void
ct_ring_thread_init (void)
{
  pthread_once (&ring_key_once, make_key);
}

const char *
ct_thread_name_tls (void)
{
  return tl_thread_name;
}

void
ct_ring_free (ct_ring_t *r)
{
  free (r->slots);
  free (r->name);
  free (r);
}

static ct_ring_t *
ring_new (uint32_t gen)
{
  ct_ring_t *r = aligned_alloc (64, sizeof *r);
  if (r == NULL)
    return NULL;
  memset (r, 0, sizeof *r);
  r->slots = aligned_alloc (64, ct_state.ring_slots * sizeof (ct_rec_t));
  if (r->slots == NULL)
    {
      free (r);
      return NULL;
    }
  r->mask = ct_state.ring_slots - 1;
  r->room = CT_RING_CAPACITY (r);
  r->gen = gen;
  r->tid = (int64_t) syscall (SYS_gettid);
  char comm[17] = "";
  prctl (PR_GET_NAME, comm, 0, 0, 0);
  r->name = strdup (tl_thread_name != NULL ? tl_thread_name : comm);
  return r;
}

ct_ring_t *
ct_ring_get_slow (uint32_t gen)
{
  ct_ring_t *old = ct_tl_ring != &ct_no_ring ? ct_tl_ring : NULL;

  if (tl_exiting || gen == 0)
    return NULL;
  ct_ring_thread_init ();
  ct_ring_t *r = ring_new (gen);
  if (r == NULL)
    return NULL;
  pthread_mutex_lock (&ct_state.lock);
  if (gen != atomic_load (&ct_state.gen) || ct_state.writer == NULL)
    {
      pthread_mutex_unlock (&ct_state.lock);
      ct_ring_free (r);
      return NULL;
    }
  r->slot = atomic_fetch_add (&ct_state.next_slot, 1) + 1;
  if (r->slot > CT_MAX_SLOT)
    {
      pthread_mutex_unlock (&ct_state.lock);
      ct_ring_free (r);
      return NULL;
    }
  r->slot_bits = (uint64_t) r->slot << CT_SEQ_BITS;
  r->fast_gen = ct_use_tsc ? gen : 0;
  r->end_xor = ct_use_tsc ? END_XOR (r->slot) : END_XOR_NEVER;
  r->next = ct_state.rings;
  ct_state.rings = r;
  atomic_store (&ct_state.rings_changed, 1);
  pthread_mutex_unlock (&ct_state.lock);
  /* A ring of an earlier session has no reader: this thread is its only user. */
  if (old != NULL && old->gen != gen)
    ct_ring_free (old);
  ct_tl_ring = r;
  pthread_setspecific (ring_key, r);
  return r;
}

static void
write_payload (ct_ring_t *r, uint64_t pos, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0)
    {
      ct_rec_t *slot = &r->slots[pos & r->mask];
      size_t n = len < 16 ? len : 16;
      memcpy (slot, p, n);
      p += n;
      len -= n;
      pos++;
    }
}

void
ct_ring_copy_out (const ct_ring_t *r, uint64_t pos, void *out, size_t len)
{
  char *p = out;
  while (len > 0)
    {
      const ct_rec_t *slot = &r->slots[pos & r->mask];
      size_t n = len < 16 ? len : 16;
      memcpy (p, slot, n);
      p += n;
      len -= n;
      pos++;
    }
}

int
ct_ring_reserve_slow (ct_ring_t *r, uint64_t n)
{
  uint64_t head = ct_ring_head (r);
  r->tail_cache = atomic_load_explicit (&r->tail, memory_order_acquire);
  if (head - r->tail_cache + n > CT_RING_CAPACITY (r))
    return 0;
  if (r->room == 0)
    {
      /* Records were lost since the last one written: say so first (the slots kept
       * free by CT_GAP_RESERVE guarantee it fits). */
      ct_rec_t *s = &r->slots[head & r->mask];
      s->a = 0;
      s->b = (uint64_t) CT_TAG_GAP << CT_TAG_SHIFT;
      ct_ring_publish (r, head + 1);
    }
  r->room = r->tail_cache + CT_RING_CAPACITY (r);
  return 1;
}

int
ct_ring_put (ct_ring_t *r, uint64_t a, uint64_t b, const void *payload, size_t len,
             const void *payload2, size_t len2)
{
  uint64_t n = 1 + ct_payload_slots (len + len2);
  uint64_t need = ct_ring_need (r, n);

  if (CT_UNLIKELY (!ct_ring_make_room (r, need)))
    {
      atomic_fetch_add_explicit (&r->dropped_records, 1, memory_order_relaxed);
      r->room = 0;
      return 0;
    }
  uint64_t head = ct_ring_head (r);
  ct_rec_t *s = &r->slots[head & r->mask];
  s->a = a;
  s->b = b;
  if (len2 == 0)
    write_payload (r, head + 1, payload, len);
  else
    {
      /* Two parts: concatenate through a bounded stack buffer. */
      char buf[CT_MAX_KEY + 1 + CT_MAX_VALUE + 16];
      memcpy (buf, payload, len);
      memcpy (buf + len, payload2, len2);
      write_payload (r, head + 1, buf, len + len2);
    }
  ct_ring_publish (r, head + n);
  return 1;
}

size_t
ct_utf8_truncate (const char *s, size_t len, size_t max)
{
  if (len <= max)
    return len;
  /* Back up over continuation bytes so that a multi-byte character is never split. */
  while (max > 0 && ((unsigned char) s[max] & 0xC0) == 0x80)
    max--;
  return max;
}

CTXTRACE_API void
ctxtrace_thread_name (const char *name)
{
  if (name == NULL || tl_exiting)
    return;
  size_t len = ct_utf8_truncate (name, strlen (name), CT_MAX_NAME);
  char *copy = strndup (name, len);
  if (copy == NULL)
    return;
  free (tl_thread_name);
  tl_thread_name = copy;
  ct_ring_t *r = ct_current_ring ();
  if (r != NULL)
    ct_ring_put (r, 0, (uint64_t) CT_TAG_THREAD_NAME << CT_TAG_SHIFT | len, copy, len, NULL, 0);
}

void
ct_ring_forget_all_after_fork (void)
{
  ct_ring_t *r = ct_state.rings;
  while (r != NULL)
    {
      ct_ring_t *next = r->next;
      if (r != ct_tl_ring)
        ct_ring_free (r);
      r = next;
    }
  ct_state.rings = NULL;
  /* This thread's ring may be of the session being forgotten or an older one: the
   * child is its only user now either way. */
  if (ct_tl_ring != &ct_no_ring)
    ct_ring_free (ct_tl_ring);
  ct_tl_ring = &ct_no_ring;
  pthread_setspecific (ring_key, NULL);
}
