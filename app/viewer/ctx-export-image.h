/* ctx-export-image.h: what the views' PNG/SVG export shares: a surface chosen by the file
 * name, and writing it out with one error message. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* An SVG surface writing to path when it ends in .svg, else an image surface for a PNG. */
cairo_surface_t *ctx_export_image_surface_new (const char *path, int width, int height);
/* Writes the PNG (or finishes the SVG) and destroys surface; FALSE with error if it failed. */
gboolean ctx_export_image_finish (cairo_surface_t *surface, const char *path, GError **error);

G_END_DECLS
