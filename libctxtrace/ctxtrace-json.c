/* ctxtrace-json.c: JSON text for span attributes, built in the writer thread. */
#include "ctxtrace-json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int
ct_buf_reserve (ct_buf_t *b, size_t extra)
{
  if (b->len + extra + 1 <= b->cap)
    return 1;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *data = realloc (b->data, cap);
  if (data == NULL)
    return 0;
  b->data = data;
  b->cap = cap;
  return 1;
}

void
ct_buf_append (ct_buf_t *b, const char *s, size_t len)
{
  if (!ct_buf_reserve (b, len))
    return;
  memcpy (b->data + b->len, s, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void
ct_buf_free (ct_buf_t *b)
{
  free (b->data);
  memset (b, 0, sizeof *b);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t
utf8_seq_len (const unsigned char *s, size_t n)
{
  size_t len;
  uint32_t cp;

  if (s[0] < 0x80)
    return 1;
  else if ((s[0] & 0xE0) == 0xC0)
    len = 2, cp = s[0] & 0x1F;
  else if ((s[0] & 0xF0) == 0xE0)
    len = 3, cp = s[0] & 0x0F;
  else if ((s[0] & 0xF8) == 0xF0)
    len = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    {
      if ((s[i] & 0xC0) != 0x80)
        return 0;
      cp = cp << 6 | (s[i] & 0x3F);
    }
  /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
  static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
  if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

void
ct_json_string (ct_buf_t *b, const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *) s;
  ct_buf_append (b, "\"", 1);
  for (size_t i = 0; i < len;)
    {
      size_t n = p[i] < 0x20 || p[i] == '"' || p[i] == '\\' ? 1 : utf8_seq_len (p + i, len - i);
      char esc[8];
      if (n == 0)
        ct_buf_append (b, "\xEF\xBF\xBD", 3); /* U+FFFD for a byte that is not UTF-8 */
      else if (p[i] == '"' || p[i] == '\\')
        esc[0] = '\\', esc[1] = (char) p[i], ct_buf_append (b, esc, 2);
      else if (p[i] == '\n' || p[i] == '\t' || p[i] == '\r')
        esc[0] = '\\', esc[1] = p[i] == '\n' ? 'n' : p[i] == '\t' ? 't' : 'r',
        ct_buf_append (b, esc, 2);
      else if (p[i] < 0x20)
        {
          snprintf (esc, sizeof esc, "\\u%04x", p[i]);
          ct_buf_append (b, esc, 6);
        }
      else
        ct_buf_append (b, s + i, n);
      i += n ? n : 1;
    }
  ct_buf_append (b, "\"", 1);
}

void
ct_json_int (ct_buf_t *b, int64_t v)
{
  char tmp[32];
  int n = snprintf (tmp, sizeof tmp, "%" PRId64, v);
  ct_buf_append (b, tmp, (size_t) n);
}

void
ct_json_double (ct_buf_t *b, double v)
{
  char tmp[40];
  if (isnan (v))
    ct_buf_append (b, "\"NaN\"", 5);
  else if (isinf (v))
    ct_buf_append (b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"", v > 0 ? 10 : 11);
  else
    {
      /* The shortest of 15, 16 or 17 digits that reads back as the same double: 0.2 rather
       * than 0.20000000000000001. */
      int n = 0;
      for (int digits = 15; digits <= 17; digits++)
        {
          n = snprintf (tmp, sizeof tmp, "%.*g", digits, v);
          if (strtod (tmp, NULL) == v)
            break;
        }
      ct_buf_append (b, tmp, (size_t) n);
      /* Keep it a JSON number that reads back as a double ("1" would read as an int). */
      if (strspn (tmp, "-0123456789") == (size_t) n)
        ct_buf_append (b, ".0", 2);
    }
}

/* ---- Attribute sets --------------------------------------------------------------------- */

void
ct_attrs_set (ct_attrs_t *a, const char *key, const char *value, size_t vlen)
{
  for (size_t i = 0; i < a->n; i++)
    if (strcmp (a->items[i].key, key) == 0)
      {
        char *v = strndup (value, vlen);
        if (v == NULL)
          return;
        a->text_len += vlen - strlen (a->items[i].value);
        free (a->items[i].value);
        a->items[i].value = v;
        return;
      }
  if (a->n == a->cap)
    {
      size_t cap = a->cap ? a->cap * 2 : 4;
      ct_attr_t *items = realloc (a->items, cap * sizeof *items);
      if (items == NULL)
        return;
      a->items = items;
      a->cap = cap;
    }
  a->items[a->n].key = strdup (key);
  a->items[a->n].value = strndup (value, vlen);
  if (a->items[a->n].key == NULL || a->items[a->n].value == NULL)
    {
      free (a->items[a->n].key);
      free (a->items[a->n].value);
      return;
    }
  a->text_len += strlen (key) + vlen + 4;
  a->n++;
}

char *
ct_attrs_to_json (const ct_attrs_t *a)
{
  ct_buf_t b = { 0 };
  if (a->n == 0)
    return NULL;
  ct_buf_append (&b, "{", 1);
  for (size_t i = 0; i < a->n; i++)
    {
      if (i > 0)
        ct_buf_append (&b, ",", 1);
      ct_json_string (&b, a->items[i].key, strlen (a->items[i].key));
      ct_buf_append (&b, ":", 1);
      ct_buf_append (&b, a->items[i].value, strlen (a->items[i].value));
    }
  ct_buf_append (&b, "}", 1);
  return b.data;
}

void
ct_attrs_clear (ct_attrs_t *a)
{
  for (size_t i = 0; i < a->n; i++)
    {
      free (a->items[i].key);
      free (a->items[i].value);
    }
  free (a->items);
  memset (a, 0, sizeof *a);
}
