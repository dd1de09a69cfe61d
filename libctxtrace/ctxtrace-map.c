/* ctxtrace-map.c: a small open-addressing hash map for the writer (keys never 0). */
#include "ctxtrace-writer.h"

#include <stdlib.h>

static size_t
slot_of (const ct_map_t *m, uint64_t key)
{
  key ^= key >> 33;
  key *= UINT64_C (0xff51afd7ed558ccd);
  key ^= key >> 33;
  return (size_t) key & (m->cap - 1);
}

static int
grow (ct_map_t *m)
{
  ct_map_t bigger = { 0 };
  bigger.cap = m->cap ? m->cap * 2 : 256;
  bigger.keys = calloc (bigger.cap, sizeof *bigger.keys);
  bigger.values = calloc (bigger.cap, sizeof *bigger.values);
  if (bigger.keys == NULL || bigger.values == NULL)
    {
      ct_map_free (&bigger);
      return 0;
    }
  for (size_t i = 0; i < m->cap; i++)
    if (m->keys[i] != 0)
      ct_map_put (&bigger, m->keys[i], m->values[i]);
  ct_map_free (m);
  *m = bigger;
  return 1;
}

int
ct_map_put (ct_map_t *m, uint64_t key, int64_t value)
{
  if ((m->n + 1) * 4 > m->cap * 3 && !grow (m))
    return 0;
  size_t i = slot_of (m, key);
  while (m->keys[i] != 0 && m->keys[i] != key)
    i = (i + 1) & (m->cap - 1);
  if (m->keys[i] == 0)
    m->n++;
  m->keys[i] = key;
  m->values[i] = value;
  return 1;
}

int
ct_map_get (const ct_map_t *m, uint64_t key, int64_t *value)
{
  if (m->cap == 0)
    return 0;
  for (size_t i = slot_of (m, key); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
    if (m->keys[i] == key)
      {
        *value = m->values[i];
        return 1;
      }
  return 0;
}

/* Backward-shift deletion keeps probe sequences intact without tombstones. */
void
ct_map_remove (ct_map_t *m, uint64_t key)
{
  if (m->cap == 0)
    return;
  size_t i = slot_of (m, key);
  while (m->keys[i] != key)
    {
      if (m->keys[i] == 0)
        return;
      i = (i + 1) & (m->cap - 1);
    }
  m->keys[i] = 0;
  m->n--;
  for (size_t j = (i + 1) & (m->cap - 1); m->keys[j] != 0; j = (j + 1) & (m->cap - 1))
    {
      size_t home = slot_of (m, m->keys[j]);
      /* Move j back to the hole if its home is not cyclically within (i, j]. */
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j))
        {
          m->keys[i] = m->keys[j];
          m->values[i] = m->values[j];
          m->keys[j] = 0;
          i = j;
        }
    }
}

void
ct_map_free (ct_map_t *m)
{
  free (m->keys);
  free (m->values);
  memset (m, 0, sizeof *m);
}
