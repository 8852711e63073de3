/* gn-lnet.c - the network builder as Lua sees it ("gennas.Net")
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * A thin layer over gn-net.h's builder: nodes are integer ids, each
 * method appends one node and returns its id.  Options come as a table,
 * with PyTorch's defaults, and a key the method does not know is an
 * error.  Methods with options accept two spellings:
 *
 *   net:conv (x, { out = 16, k = 3, pad = 1, bias = false })
 *   net:conv { x, out = 16, k = 3, pad = 1, bias = false }
 *
 *   net:input ()                          the input node (0)
 *   net:conv (x, {out, k, stride=1, pad=0, dilation=1, groups=1,
 *                 bias=true, init="default"|"normal_fan_out"})
 *                 (non-square: kh and kw instead of k, stride_h and
 *                 stride_w instead of stride, pad_h and pad_w instead
 *                 of pad)
 *   net:bn (x, {affine=true, track=true})
 *   net:relu (x)      net:identity (x)      net:gap (x)
 *   net:avgpool (x, {k, stride=k, pad=0, count_include_pad=true})
 *   net:maxpool (x, {k, stride=k, pad=0})
 *   net:linear (x, n, {bias=true})
 *   net:add (a, b, ...)     or net:add {a, b, ...}
 *   net:concat (a, b, ...)  or net:concat {a, b, ...}
 *   net:zero (x, {c=channels of x, stride=1})
 *   net:resize (x, h, w)                  nearest, PyTorch's legacy rule
 *   net:crop (x, {top=0, left=0, h=height-top, w=width-left})
 *                                         a window, zero outside x
 *   net:tap (x, name)                     marks an output
 *   net:shape (x)                         returns n, c, h, w
 *
 * A GError from gn-net.h becomes a Lua error at the calling line.
 */
#include "config.h"
#include "gn-sandbox.h"

#include <string.h>

#define NET_MT "gennas.Net"

static GnNet *
check_net (lua_State *L)
{
  GnLuaNet *box = luaL_checkudata (L, 1, NET_MT);
  if (box->net == NULL)
    luaL_error (L, "the network builder is only usable inside build()");
  return box->net;
}

static int
to_int (lua_State *L, lua_Integer v, const char *method, const char *what,
        lua_Integer min)
{
  if (v < min)
    luaL_error (L, "%s: %s must be at least %d, not %I", method, what,
                (int) min, v);
  if (v > G_MAXINT)
    luaL_error (L, "%s: %s is too large (%I)", method, what, v);
  return (int) v;
}

/* the node id at stack index @idx */
static int
node_at (lua_State *L, GnNet *net, int idx, const char *method)
{
  int isnum;
  lua_Integer v = lua_tointegerx (L, idx, &isnum);
  if (!isnum)
    luaL_error (L, "%s: expected a node id, got %s", method,
                luaL_typename (L, idx));
  if (v < 0 || v >= gn_net_n_nodes (net))
    luaL_error (L, "%s: node %I does not exist (the network has %d)",
                method, v, gn_net_n_nodes (net));
  return (int) v;
}

/* ------------------------------------------------------------------ */
/* arguments: m (p1, ..., pn, {opts}) or m {p1, ..., pn, key = value}  */
/* ------------------------------------------------------------------ */

typedef struct {
  lua_State *L;
  const char *method;
  int opts;          /* stack index of the options table, 0 if none   */
  gboolean table;    /* the positional arguments are opts[1..n]       */
} Args;

static void
args_init (Args *a, lua_State *L, const char *method, int n_pos,
           const char *const *keys)
{
  a->L = L;
  a->method = method;
  a->table = n_pos > 0 && lua_gettop (L) == 2
             && lua_type (L, 2) == LUA_TTABLE;
  if (a->table)
    a->opts = 2;
  else
    {
      int o = 2 + n_pos;
      if (lua_gettop (L) > o)
        luaL_error (L, "%s: too many arguments", method);
      if (lua_isnoneornil (L, o))
        a->opts = 0;
      else if (keys == NULL)
        luaL_error (L, "%s: takes no options", method);
      else
        {
          luaL_checktype (L, o, LUA_TTABLE);
          a->opts = o;
        }
    }
  if (a->opts == 0)
    return;

  lua_pushnil (L);
  while (lua_next (L, a->opts))
    {
      lua_pop (L, 1);
      if (lua_type (L, -1) == LUA_TSTRING)
        {
          const char *k = lua_tostring (L, -1);
          gboolean known = FALSE;
          for (const char *const *p = keys; p && *p && !known; p++)
            known = strcmp (*p, k) == 0;
          if (!known)
            luaL_error (L, "%s: unknown option '%s'", method, k);
        }
      else if (!(a->table && lua_isinteger (L, -1)
                 && lua_tointeger (L, -1) >= 1
                 && lua_tointeger (L, -1) <= n_pos))
        luaL_error (L, "%s: unexpected %s key in the options", method,
                    luaL_typename (L, -1));
    }
}

/* pushes positional argument @i (from 1) */
static void
args_push_pos (Args *a, int i)
{
  if (a->table)
    lua_geti (a->L, a->opts, i);
  else
    lua_pushvalue (a->L, 1 + i);
}

static int
args_node (Args *a, GnNet *net, int i)
{
  args_push_pos (a, i);
  int x = node_at (a->L, net, -1, a->method);
  lua_pop (a->L, 1);
  return x;
}

static int
args_pos_int (Args *a, int i, const char *what, lua_Integer min)
{
  args_push_pos (a, i);
  int isnum;
  lua_Integer v = lua_tointegerx (a->L, -1, &isnum);
  if (!isnum)
    luaL_error (a->L, "%s: %s must be an integer, not %s", a->method, what,
                luaL_typename (a->L, -1));
  lua_pop (a->L, 1);
  return to_int (a->L, v, a->method, what, min);
}

/* pushes option @key (nil if absent) and returns its type */
static int
args_push_opt (Args *a, const char *key)
{
  if (a->opts == 0)
    {
      lua_pushnil (a->L);
      return LUA_TNIL;
    }
  return lua_getfield (a->L, a->opts, key);
}

static int
args_int (Args *a, const char *key, lua_Integer def, gboolean required,
          lua_Integer min)
{
  lua_Integer v = def;
  if (args_push_opt (a, key) == LUA_TNIL)
    {
      if (required)
        luaL_error (a->L, "%s: option '%s' is required", a->method, key);
    }
  else
    {
      int isnum;
      v = lua_tointegerx (a->L, -1, &isnum);
      if (!isnum)
        luaL_error (a->L, "%s: option '%s' must be an integer, not %s",
                    a->method, key, luaL_typename (a->L, -1));
    }
  lua_pop (a->L, 1);
  return to_int (a->L, v, a->method, key, min);
}

/* TRUE if option @key is given (not nil) */
static gboolean
args_has (Args *a, const char *key)
{
  gboolean has = args_push_opt (a, key) != LUA_TNIL;
  lua_pop (a->L, 1);
  return has;
}

/* A size that is square by default: either @key for both axes, or @key_h
 * and @key_w each (@need_both: one without the other is an error; else
 * the missing one takes @def), never both forms. */
static void
args_int_pair (Args *a, const char *key, const char *key_h,
               const char *key_w, lua_Integer def, gboolean required,
               gboolean need_both, lua_Integer min, int *vh, int *vw)
{
  gboolean sq = args_has (a, key);
  gboolean h = args_has (a, key_h), w = args_has (a, key_w);
  if (sq && (h || w))
    luaL_error (a->L, "%s: give either '%s' or '%s' and '%s', not both",
                a->method, key, key_h, key_w);
  if (need_both && h != w)
    luaL_error (a->L, "%s: '%s' needs '%s' too", a->method,
                h ? key_h : key_w, h ? key_w : key_h);
  if (required && !sq && !h && !w)
    luaL_error (a->L, "%s: option '%s' (or '%s' and '%s') is required",
                a->method, key, key_h, key_w);
  if (!h && !w)
    *vh = *vw = args_int (a, key, def, FALSE, min);
  else
    {
      *vh = args_int (a, key_h, def, FALSE, min);
      *vw = args_int (a, key_w, def, FALSE, min);
    }
}

static gboolean
args_bool (Args *a, const char *key, gboolean def)
{
  gboolean v = def;
  int t = args_push_opt (a, key);
  if (t == LUA_TBOOLEAN)
    v = lua_toboolean (a->L, -1);
  else if (t != LUA_TNIL)
    luaL_error (a->L, "%s: option '%s' must be a boolean, not %s",
                a->method, key, luaL_typename (a->L, -1));
  lua_pop (a->L, 1);
  return v;
}

static double
args_number (Args *a, const char *key, double def, double min, double max)
{
  double v = def;
  int t = args_push_opt (a, key);
  if (t == LUA_TNUMBER)
    v = lua_tonumber (a->L, -1);
  else if (t != LUA_TNIL)
    luaL_error (a->L, "%s: option '%s' must be a number, not %s",
                a->method, key, luaL_typename (a->L, -1));
  lua_pop (a->L, 1);
  if (!(v >= min && v <= max))
    luaL_error (a->L, "%s: option '%s' must lie in [%g, %g], not %g",
                a->method, key, min, max, v);
  return v;
}

/* The string stays valid while the options table holds it. */
static const char *
args_string (Args *a, const char *key, const char *def)
{
  const char *v = def;
  int t = args_push_opt (a, key);
  if (t == LUA_TSTRING)
    v = lua_tostring (a->L, -1);
  else if (t != LUA_TNIL)
    luaL_error (a->L, "%s: option '%s' must be a string, not %s",
                a->method, key, luaL_typename (a->L, -1));
  lua_pop (a->L, 1);
  return v;
}

/* The graph counts against the space's memory cap: what a script
 * builds is bounded like what it allocates in Lua. */
static void
hold_graph (lua_State *L, GnNet *net)
{
  gn__sandbox_hold (L, gn_net_graph_bytes (net));
}

/* @err is read only here, after the builder call that set it (passing
 * it by value next to that call would leave the order unspecified) */
static int
push_result (lua_State *L, GnNet *net, const char *method, int id,
             GError **err)
{
  if (id < 0)
    gn__lua_raise_gerror (L, method, *err);
  hold_graph (L, net);
  lua_pushinteger (L, id);
  return 1;
}

/* ------------------------------------------------------------------ */
/* methods                                                             */
/* ------------------------------------------------------------------ */

static int
net_input (lua_State *L)
{
  check_net (L);
  if (lua_gettop (L) > 1)
    luaL_error (L, "input: takes no arguments");
  lua_pushinteger (L, 0);
  return 1;
}

static int
net_conv (lua_State *L)
{
  static const char *const keys[] = { "out", "k", "kh", "kw", "stride",
                                      "stride_h", "stride_w", "pad", "pad_h",
                                      "pad_w", "dilation", "groups", "bias",
                                      "init", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "conv", 1, keys);
  GnConv2dSpec spec = { 0 };
  int x = args_node (&a, net, 1);
  spec.out_c = args_int (&a, "out", 0, TRUE, 1);
  args_int_pair (&a, "k", "kh", "kw", 0, TRUE, TRUE, 1, &spec.kh, &spec.kw);
  args_int_pair (&a, "stride", "stride_h", "stride_w", 1, FALSE, FALSE, 1,
                 &spec.stride_h, &spec.stride_w);
  args_int_pair (&a, "pad", "pad_h", "pad_w", 0, FALSE, FALSE, 0,
                 &spec.pad_h, &spec.pad_w);
  spec.dil_h = spec.dil_w = args_int (&a, "dilation", 1, FALSE, 1);
  spec.groups = args_int (&a, "groups", 1, FALSE, 1);
  spec.bias = args_bool (&a, "bias", TRUE);
  const char *init = args_string (&a, "init", "default");
  if (strcmp (init, "default") == 0)
    spec.init = GN_INIT_TORCH_DEFAULT;
  else if (strcmp (init, "normal_fan_out") == 0)
    spec.init = GN_INIT_NORMAL_FAN_OUT;
  else
    luaL_error (L, "conv: unknown init '%s' (default or normal_fan_out)",
                init);
  GError *err = NULL;
  int id = gn_net_conv2d (net, x, &spec, &err);
  return push_result (L, net, "conv", id, &err);
}

static int
net_bn (lua_State *L)
{
  static const char *const keys[] = { "affine", "track", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "bn", 1, keys);
  int x = args_node (&a, net, 1);
  gboolean affine = args_bool (&a, "affine", TRUE);
  gboolean track = args_bool (&a, "track", TRUE);
  GError *err = NULL;
  int id = gn_net_batchnorm (net, x, affine, track, &err);
  return push_result (L, net, "bn", id, &err);
}

static int
net_relu (lua_State *L)
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "relu", 1, NULL);
  GError *err = NULL;
  int x = args_node (&a, net, 1);
  int id = gn_net_relu (net, x, &err);
  return push_result (L, net, "relu", id, &err);
}

static int
net_identity (lua_State *L)
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "identity", 1, NULL);
  GError *err = NULL;
  int x = args_node (&a, net, 1);
  int id = gn_net_identity (net, x, &err);
  return push_result (L, net, "identity", id, &err);
}

static int
net_gap (lua_State *L)
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "gap", 1, NULL);
  GError *err = NULL;
  int x = args_node (&a, net, 1);
  int id = gn_net_global_avgpool (net, x, &err);
  return push_result (L, net, "gap", id, &err);
}

static int
pool (lua_State *L, const char *method, gboolean avg)
{
  static const char *const avg_keys[] = { "k", "stride", "pad",
                                          "count_include_pad", NULL };
  static const char *const max_keys[] = { "k", "stride", "pad", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, method, 1, avg ? avg_keys : max_keys);
  int x = args_node (&a, net, 1);
  int k = args_int (&a, "k", 0, TRUE, 1);
  int stride = args_int (&a, "stride", k, FALSE, 1);
  int pad = args_int (&a, "pad", 0, FALSE, 0);
  GError *err = NULL;
  int y = avg ? gn_net_avgpool (net, x, k, stride, pad,
                                args_bool (&a, "count_include_pad", TRUE),
                                &err)
              : gn_net_maxpool (net, x, k, stride, pad, &err);
  return push_result (L, net, method, y, &err);
}

static int
net_avgpool (lua_State *L)
{
  return pool (L, "avgpool", TRUE);
}

static int
net_maxpool (lua_State *L)
{
  return pool (L, "maxpool", FALSE);
}

static int
net_linear (lua_State *L)
{
  static const char *const keys[] = { "bias", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "linear", 2, keys);
  int x = args_node (&a, net, 1);
  int n = args_pos_int (&a, 2, "the number of outputs", 1);
  GError *err = NULL;
  gboolean bias = args_bool (&a, "bias", TRUE);
  int id = gn_net_linear (net, x, n, bias, &err);
  return push_result (L, net, "linear", id, &err);
}

/* net:linear_multi ({a, b, ...}, out, {...}): NB-NLP's linear */
static int
net_linear_multi (lua_State *L)
{
  static const char *const keys[] = { "bias", "init", "zero_bias", "share",
                                      "transposed", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "linear_multi", 2, keys);
  args_push_pos (&a, 1);
  if (lua_type (L, -1) != LUA_TTABLE)
    luaL_error (L, "linear_multi: the inputs must be a list of nodes, not %s",
                luaL_typename (L, -1));
  lua_Integer k = luaL_len (L, -1);
  if (k < 1 || k > 64)
    luaL_error (L, "linear_multi: 1 to 64 inputs, not %I", k);
  int xs[64];
  for (lua_Integer i = 0; i < k; i++)
    {
      lua_geti (L, -1, i + 1);
      xs[i] = node_at (L, net, -1, "linear_multi");
      lua_pop (L, 1);
    }
  lua_pop (L, 1);
  GnLinearSpec spec = {
    .out_features = args_pos_int (&a, 2, "the number of outputs", 1),
    .bias = args_bool (&a, "bias", TRUE),
    .init_range = (float) args_number (&a, "init", 0.0, 0.0, 1e6),
    .zero_bias = args_bool (&a, "zero_bias", FALSE),
    .share = args_int (&a, "share", 0, FALSE, 0),
    .share_transposed = args_bool (&a, "transposed", FALSE),
  };
  GError *err = NULL;
  int id = gn_net_linear_multi (net, (int) k, xs, &spec, &err);
  return push_result (L, net, "linear_multi", id, &err);
}

static int
unary_op (lua_State *L, const char *method,
          int (*fn) (GnNet *, int, GError **))
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, method, 1, NULL);
  GError *err = NULL;
  int x = args_node (&a, net, 1);
  int id = fn (net, x, &err);
  return push_result (L, net, method, id, &err);
}

static int
net_tanh (lua_State *L)
{
  return unary_op (L, "tanh", gn_net_tanh);
}

static int
net_sigmoid (lua_State *L)
{
  return unary_op (L, "sigmoid", gn_net_sigmoid);
}

static int
net_leaky_relu (lua_State *L)
{
  return unary_op (L, "leaky_relu", gn_net_leaky_relu);
}

static int
net_mul (lua_State *L)
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "mul", 2, NULL);
  int x = args_node (&a, net, 1), y = args_node (&a, net, 2);
  GError *err = NULL;
  int id = gn_net_mul (net, x, y, &err);
  return push_result (L, net, "mul", id, &err);
}

static int
net_blend (lua_State *L)
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "blend", 3, NULL);
  int z = args_node (&a, net, 1), x = args_node (&a, net, 2);
  int y = args_node (&a, net, 3);
  GError *err = NULL;
  int id = gn_net_blend (net, z, x, y, &err);
  return push_result (L, net, "blend", id, &err);
}

static int
net_dropout (lua_State *L)
{
  static const char *const keys[] = { "p", "share", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "dropout", 1, keys);
  int x = args_node (&a, net, 1);
  float p = (float) args_number (&a, "p", 0.5, 0.0, 1.0);
  int share = args_int (&a, "share", 0, FALSE, 0);
  GError *err = NULL;
  int id = gn_net_dropout (net, x, p, share, &err);
  return push_result (L, net, "dropout", id, &err);
}

static int
nary (lua_State *L, const char *method,
      int (*fn) (GnNet *, int, const int *, GError **))
{
  GnNet *net = check_net (L);
  int list = 0;
  lua_Integer n;
  if (lua_type (L, 2) == LUA_TTABLE)
    {
      if (lua_gettop (L) > 2)
        luaL_error (L, "%s: give the nodes as arguments or as one list, "
                    "not both", method);
      list = 2;
      n = luaL_len (L, 2);
    }
  else
    n = lua_gettop (L) - 1;
  if (n < 1 || n > G_MAXINT / (lua_Integer) sizeof (int))
    luaL_error (L, "%s: needs at least one node", method);

  /* Lua-owned scratch: nothing to free if a bad id raises below */
  int *xs = lua_newuserdatauv (L, (size_t) n * sizeof (int), 0);
  for (lua_Integer i = 0; i < n; i++)
    {
      if (list)
        lua_geti (L, list, i + 1);
      else
        lua_pushvalue (L, 2 + (int) i);
      xs[i] = node_at (L, net, -1, method);
      lua_pop (L, 1);
    }
  GError *err = NULL;
  int id = fn (net, (int) n, xs, &err);
  return push_result (L, net, method, id, &err);
}

static int
net_add (lua_State *L)
{
  return nary (L, "add", gn_net_add);
}

static int
net_concat (lua_State *L)
{
  return nary (L, "concat", gn_net_concat);
}

static int
net_zero (lua_State *L)
{
  static const char *const keys[] = { "c", "stride", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "zero", 1, keys);
  int x = args_node (&a, net, 1);
  int c = args_int (&a, "c", 0, FALSE, 0);
  int stride = args_int (&a, "stride", 1, FALSE, 1);
  GError *err = NULL;
  int id = gn_net_zero (net, x, c, stride, &err);
  return push_result (L, net, "zero", id, &err);
}

static int
net_resize (lua_State *L)
{
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "resize", 3, NULL);
  int x = args_node (&a, net, 1);
  int h = args_pos_int (&a, 2, "the height", 1);
  int w = args_pos_int (&a, 3, "the width", 1);
  GError *err = NULL;
  int id = gn_net_resize_nearest (net, x, h, w, &err);
  return push_result (L, net, "resize", id, &err);
}

static int
net_crop (lua_State *L)
{
  static const char *const keys[] = { "top", "left", "h", "w", NULL };
  GnNet *net = check_net (L);
  Args a;
  args_init (&a, L, "crop", 1, keys);
  int x = args_node (&a, net, 1);
  GnShape in = gn_net_shape (net, x);
  int top = args_int (&a, "top", 0, FALSE, -G_MAXINT);
  int left = args_int (&a, "left", 0, FALSE, -G_MAXINT);
  int h = args_int (&a, "h", (lua_Integer) in.h - top, FALSE, 1);
  int w = args_int (&a, "w", (lua_Integer) in.w - left, FALSE, 1);
  GError *err = NULL;
  int id = gn_net_crop (net, x, top, left, h, w, &err);
  return push_result (L, net, "crop", id, &err);
}

static int
net_tap (lua_State *L)
{
  GnNet *net = check_net (L);
  int x = node_at (L, net, 2, "tap");
  const char *name = luaL_checkstring (L, 3);
  if (lua_gettop (L) > 3)
    luaL_error (L, "tap: too many arguments");
  GError *err = NULL;
  if (!gn_net_tap (net, x, name, &err))
    gn__lua_raise_gerror (L, "tap", err);
  hold_graph (L, net);
  lua_pushinteger (L, x);
  return 1;
}

static int
net_shape (lua_State *L)
{
  GnNet *net = check_net (L);
  GnShape s = gn_net_shape (net, node_at (L, net, 2, "shape"));
  lua_pushinteger (L, s.n);
  lua_pushinteger (L, s.c);
  lua_pushinteger (L, s.h);
  lua_pushinteger (L, s.w);
  return 4;
}

static int
net_tostring (lua_State *L)
{
  GnLuaNet *box = luaL_checkudata (L, 1, NET_MT);
  if (box->net != NULL)
    lua_pushfstring (L, "gennas.Net (building, %d nodes)",
                     gn_net_n_nodes (box->net));
  else
    lua_pushstring (L, "gennas.Net (closed)");
  return 1;
}

void
gn__lua_open_net (lua_State *L)
{
  static const luaL_Reg methods[] = {
    { "input", net_input },
    { "conv", net_conv },
    { "bn", net_bn },
    { "relu", net_relu },
    { "identity", net_identity },
    { "gap", net_gap },
    { "avgpool", net_avgpool },
    { "maxpool", net_maxpool },
    { "linear", net_linear },
    { "add", net_add },
    { "concat", net_concat },
    { "zero", net_zero },
    { "resize", net_resize },
    { "crop", net_crop },
    { "linear_multi", net_linear_multi },
    { "tanh", net_tanh },
    { "sigmoid", net_sigmoid },
    { "leaky_relu", net_leaky_relu },
    { "mul", net_mul },
    { "blend", net_blend },
    { "dropout", net_dropout },
    { "tap", net_tap },
    { "shape", net_shape },
    { NULL, NULL }
  };
  luaL_newmetatable (L, NET_MT);
  luaL_newlib (L, methods);
  lua_setfield (L, -2, "__index");
  lua_pushcfunction (L, net_tostring);
  lua_setfield (L, -2, "__tostring");
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");   /* scripts cannot reach it */
  lua_pop (L, 1);
}

GnLuaNet *
gn__lua_new_net (lua_State *L)
{
  GnLuaNet *box = lua_newuserdatauv (L, sizeof *box, 0);
  box->net = NULL;
  luaL_setmetatable (L, NET_MT);
  return box;
}
