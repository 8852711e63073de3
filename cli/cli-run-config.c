/* cli-run-config.c - a run's configuration, see cli-run-config.h
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 */
#include "config.h"
#include "cli-run-config.h"

char *
gn_cli_run_config_json (GnCliProxy *p, const char *space_path,
                        const char *algo, JsonObject *own, int workers,
                        const char *identity)
{
  JsonObject *config = json_object_new ();
  char *abs = g_canonicalize_filename (space_path, NULL);
  json_object_set_string_member (config, "space", gn_space_name (p->space));
  json_object_set_string_member (config, "space_file", abs);
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
