/* ctxtrace-json.h: JSON text building for the writer thread. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CT_HIDDEN __attribute__ ((visibility ("hidden")))

typedef struct
{
  char *data;
  size_t len;
  size_t cap;
} ct_buf_t;

CT_HIDDEN int ct_buf_reserve (ct_buf_t *b, size_t extra);
CT_HIDDEN void ct_buf_append (ct_buf_t *b, const char *s, size_t len);
CT_HIDDEN void ct_buf_free (ct_buf_t *b);

/* Appends s as a JSON string; bytes that are not UTF-8 become U+FFFD. */
CT_HIDDEN void ct_json_string (ct_buf_t *b, const char *s, size_t len);
CT_HIDDEN void ct_json_int (ct_buf_t *b, int64_t v);
/* Finite doubles as numbers; NaN and infinities as the strings "NaN", "Infinity". */
CT_HIDDEN void ct_json_double (ct_buf_t *b, double v);

/* A span's attributes: key -> JSON value text; setting a key again replaces its value. */
typedef struct
{
  char *key;
  char *value;
} ct_attr_t;

typedef struct
{
  ct_attr_t *items;
  size_t n;
  size_t cap;
  size_t text_len;  /* approximate length of the JSON object */
} ct_attrs_t;

CT_HIDDEN void ct_attrs_set (ct_attrs_t *a, const char *key, const char *value, size_t vlen);
/* The attributes as a JSON object (malloc'd), or NULL when there are none. */
CT_HIDDEN char *ct_attrs_to_json (const ct_attrs_t *a);
CT_HIDDEN void ct_attrs_clear (ct_attrs_t *a);
