/* ctx-export-image.c: see ctx-export-image.h. */
#include "config.h"

#include "ctx-export-image.h"

#include <cairo-svg.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

cairo_surface_t *
ctx_export_image_surface_new (const char *path, int width, int height)
{
  if (g_str_has_suffix (path, ".svg") || g_str_has_suffix (path, ".SVG"))
    return cairo_svg_surface_create (path, width, height);
  return cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
}

gboolean
ctx_export_image_finish (cairo_surface_t *surface, const char *path, GError **error)
{
  cairo_status_t status;

  if (cairo_surface_get_type (surface) == CAIRO_SURFACE_TYPE_IMAGE)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write %s: %s"), path,
               cairo_status_to_string (status));
  return FALSE;
}
