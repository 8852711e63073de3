/* cli-run-config.c - a run's configuration, see cli-run-config.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-run-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

char *
gn_cli_run_config_json (GnCliProxy *p, const char *space_path,
                        const char *algo, JsonObject *own, int workers,
                        const char *identity)
{
  JsonObject *config = json_object_new ();
  char *abs = g_canonicalize_filename (space_path, NULL);
  json_object_set_string_member (config, "space", gn_space_name (p->space));
  json_object_set_string_member (config, "space_file", abs);
  gsize len;
  char *text = gn_cli_run_config_read_space (space_path, &len, NULL);
  if (text != NULL)
    {
      char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                               (const guchar *) text, len);
      json_object_set_string_member (config, "space_sha256", sum);
      g_free (sum);
      g_free (text);
    }
  json_object_set_string_member (config, "algo", algo);
  JsonObjectIter it;
  const char *name;
  JsonNode *value;
  json_object_iter_init_ordered (&it, own);
  while (json_object_iter_next_ordered (&it, &name, &value))
    json_object_set_member (config, name, json_node_copy (value));
  json_object_set_int_member (config, "workers", workers);
  json_object_set_string_member (config, "proxy",
                                 gn_proxy_desc (p->proxy)->name);
  json_object_set_string_member (config, "identity", identity);

  JsonNode *root = json_node_init_object (json_node_alloc (), config);
  char *json = json_to_string (root, FALSE);
  json_node_unref (root);
  json_object_unref (config);
  g_free (abs);
  return json;
}

char *
gn_cli_run_config_get_string (const char *config_json, const char *name)
{
  if (config_json == NULL)
    return NULL;
  JsonNode *root = json_from_string (config_json, NULL);
  char *value = NULL;
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *member = json_object_get_member (json_node_get_object (root),
                                                 name);
      if (member != NULL && JSON_NODE_HOLDS_VALUE (member)
          && json_node_get_value_type (member) == G_TYPE_STRING)
        value = json_node_dup_string (member);
    }
  if (root != NULL)
    json_node_unref (root);
  return value;
}

char *
gn_cli_run_config_read_space (const char *path, gsize *len, GError **error)
{
  GByteArray *buf = NULL;
  const char *why = NULL;
  int saved = 0;
  /* O_NONBLOCK: opening a FIFO must not wait for a writer */
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      saved = errno;
      why = g_strerror (saved);
      goto out;
    }
  if (!S_ISREG (st.st_mode))
    {
      why = "not a regular file";
      goto out;
    }
  buf = g_byte_array_new ();
  for (;;)
    {
      guint8 chunk[65536];
      ssize_t k = read (fd, chunk, sizeof chunk);
      if (k < 0 && errno == EINTR)
        continue;
      if (k < 0)
        {
          saved = errno;
          why = g_strerror (saved);
          goto out;
        }
      if (k == 0)
        break;
      if (buf->len + (gsize) k > GN_CLI_SPACE_FILE_MAX)
        {
          why = "larger than a space file can be (16 MiB)";
          goto out;
        }
      g_byte_array_append (buf, chunk, (guint) k);
    }

out:
  if (fd >= 0)
    close (fd);
  if (why != NULL)
    {
      g_set_error (error, G_FILE_ERROR,
                   saved ? g_file_error_from_errno (saved) : G_FILE_ERROR_INVAL,
                   "%s: %s", path, why);
      if (buf != NULL)
        g_byte_array_free (buf, TRUE);
      return NULL;
    }
  *len = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (buf, FALSE);
}

char *
gn_cli_run_config_space_sha256 (const char *config_json)
{
  char *sum = gn_cli_run_config_get_string (config_json, "space_sha256");
  if (sum != NULL)
    return sum;
  /* "space=...;space_sha256=HEX;algo=..." */
  char *identity = gn_cli_run_config_get_string (config_json, "identity");
  if (identity != NULL)
    {
      char **fields = g_strsplit (identity, ";", -1);
      for (char **f = fields; *f && sum == NULL; f++)
        if (g_str_has_prefix (*f, "space_sha256="))
          sum = g_strdup (*f + strlen ("space_sha256="));
      g_strfreev (fields);
    }
  g_free (identity);
  return sum;
}

GnSpace *
gn_cli_run_config_load_space_file (const char *path, const char *sha256,
                                   GError **error)
{
  gsize len;
  char *text = gn_cli_run_config_read_space (path, &len, error);
  GnSpace *space = NULL;
  if (text == NULL)
    return NULL;
  char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                           (const guchar *) text, len);
  if (sha256 && g_ascii_strcasecmp (sum, sha256) != 0)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                 "%s is not the space file the run used (its contents "
                 "changed)", path);
  else
    space = gn_space_load_string (path, text, len, error);
  g_free (sum);
  g_free (text);
  return space;
}

GnSpace *
gn_cli_run_config_load_space (const char *config_json, gint64 run,
                              GError **error)
{
  char *file = gn_cli_run_config_get_string (config_json, "space_file");
  char *sum = gn_cli_run_config_space_sha256 (config_json);
  GnSpace *space = NULL;
  if (file == NULL)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "run %"
                 G_GINT64_FORMAT " names no space file", run);
  else if (sum == NULL)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "run %"
                 G_GINT64_FORMAT " recorded no checksum of its space file "
                 "%s", run, file);
  else
    space = gn_cli_run_config_load_space_file (file, sum, error);
  g_free (file);
  g_free (sum);
  return space;
}
