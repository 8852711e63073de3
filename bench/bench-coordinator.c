/* bench-coordinator.c - would rank 0 keep up with many MPI workers?
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Runs the real coordinator - gn_search_drive() with regularized
 * evolution over spaces/nb201.lua, recording every evaluation in a real
 * SQLite store on disk, with a progress line per evaluation - against a
 * fake GnEvaluator of W simulated workers.  A simulated worker "evaluates"
 * a job in a duration replayed from recorded evaluation times (one number
 * of seconds per line; bench/eval-seconds.txt holds times measured with
 * the regression proxy at its defaults).
 *
 * Time is simulated, except the coordinator's own: the wall time the
 * driver spends between calls into the evaluator (proposing, looking up
 * the cache, committing to SQLite, bookkeeping) advances the simulated
 * clock by exactly that much, and the evaluator's wait() jumps the clock
 * to the next completion.  So a result that completes while the
 * coordinator is still busy waits for it, as on a real rank 0, and the
 * simulated throughput shows where the coordinator, not the workers,
 * sets the pace.  MPI's own per-message cost is not simulated (gennas
 * search --mpi reports it; a few microseconds on loopback).
 *
 *   bench-coordinator [--times FILE] [--workers 1,2,...] [--scale F]
 *                     [--budget N]
 *
 * --scale multiplies every duration: 0.01 asks what happens with a proxy
 * a hundred times cheaper (or, equivalently, a hundred times the workers).
 */
#include "config.h"
#include "gennas.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  gboolean busy;
  gint64 job;
  double finish, duration, score;
} Slot;

typedef struct {
  Slot *slots;
  int n, n_busy;
  const double *times;   /* recorded durations, replayed in turn */
  int n_times, next_time;
  double scale;

  double now;            /* simulated seconds                    */
  gint64 real_mark;      /* wall clock at the last return, µs    */
  gint64 cpu_mark;       /* thread CPU time then, µs             */
  double coord;          /* coordinator seconds (real, wall)     */
  double coord_cpu;      /* of which CPU                         */
  double work;           /* simulated evaluation seconds         */
  int results;
  /* the steady state: from the W-th result to the (budget-W)-th */
  int window_from, window_to;
  double t_from, t_to;
} Sim;

static gint64
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* µs this thread has waited for a CPU while runnable (Linux schedstat);
 * 0 where unknown */
static double
runq_wait_us (void)
{
  char *text = NULL;
  double wait = 0;
  if (g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL))
    {
      unsigned long long run, waited;
      if (sscanf (text, "%llu %llu", &run, &waited) == 2)
        wait = waited / 1e3;
    }
  g_free (text);
  return wait;
}

/* The coordinator worked from the last return until now: the simulated
 * clock moves on by as much wall time (on a shared machine, more than its
 * CPU time: the simulation errs on the coordinator's slow side). */
static void
enter (Sim *s)
{
  gint64 t = g_get_monotonic_time (), c = cpu_now ();
  if (s->real_mark)
    {
      double d = (t - s->real_mark) / 1e6;
      s->now += d;
      s->coord += d;
      s->coord_cpu += (c - s->cpu_mark) / 1e6;
    }
}

static void
leave (Sim *s)
{
  s->cpu_mark = cpu_now ();
  s->real_mark = g_get_monotonic_time ();
}

static int
sim_n_idle (gpointer self)
{
  Sim *s = self;
  enter (s);
  int n = s->n - s->n_busy;
  leave (s);
  return n;
}

static int
sim_n_busy (gpointer self)
{
  Sim *s = self;
  enter (s);
  int n = s->n_busy;
  leave (s);
  return n;
}

static gboolean
sim_submit (gpointer self, gint64 job, const char *arch, GError **error)
{
  Sim *s = self;
  enter (s);
  int i = 0;
  while (s->slots[i].busy)
    i++;
  double d = s->times[s->next_time++ % s->n_times] * s->scale;
  /* any score will do; this one is stable per architecture */
  double score = g_str_hash (arch) / 4294967296.0;
  s->slots[i] = (Slot) { TRUE, job, s->now + d, d, score };
  s->n_busy++;
  leave (s);
  return TRUE;
}

static gboolean
sim_wait (gpointer self, int timeout_ms, GnWorkerResult *out)
{
  Sim *s = self;
  enter (s);
  int k = -1;
  for (int i = 0; i < s->n; i++)
    if (s->slots[i].busy && (k < 0 || s->slots[i].finish < s->slots[k].finish))
      k = i;
  if (k < 0)
    {
      leave (s);
      return FALSE;
    }
  Slot *w = &s->slots[k];
  if (w->finish > s->now)
    s->now = w->finish;   /* the coordinator idles until then */
  w->busy = FALSE;
  s->n_busy--;
  s->work += w->duration;
  s->results++;
  if (s->results == s->window_from)
    s->t_from = s->now;
  if (s->results == s->window_to)
    s->t_to = s->now;
  *out = (GnWorkerResult) { .job = w->job,
                            .result = { .score = w->score,
                                        .status = GN_EVAL_OK, .loss = 0 },
                            .seconds = w->duration, .worker = k };
  leave (s);
  return TRUE;
}

/* what cmd-search.c prints per evaluation, to a sink */
static void
progress (const GnEval *e, int done, int budget, GnSearch *search,
          gpointer user)
{
  const char *best_arch = NULL;
  double best = NAN;
  gn_search_best (search, &best_arch, &best);
  fprintf (user, "eval %d/%d %s score=%.6g%s best=%.6g %.1fs %s\n", done,
           budget, gn_eval_status_name (e->status), e->score,
           e->cached ? " (cached)" : "", best, e->seconds, e->arch);
}

/* Where a coordinator's evaluation goes: the driver's steps one by one,
 * in CPU µs per evaluation, over @n evaluations of a fresh run. */
static void
breakdown (GnSpace *space, const char *dir, int n, FILE *sink)
{
  GError *error = NULL;
  char *path = g_strdup_printf ("%s/breakdown.db", dir);
  GnStore *store = gn_store_open (path, &error);
  g_assert_no_error (error);
  gint64 run;
  gn_store_new_run (store, "{}", "bench", 0, &run, &error);
  g_assert_no_error (error);
  GnSearchConfig cfg = { .algo = GN_SEARCH_REA, .population = 50,
                         .tournament = 10, .seed = 2 };
  GnSearch *search = gn_search_new (space, &cfg, &error);
  g_assert_no_error (error);
  double t[5] = { 0 };
  const char *what[5] = { "propose (REA, Lua mutate/sample)",
                          "cache lookup (SQLite)",
                          "record (SQLite insert + commit)",
                          "report to the search", "progress line" };
  for (int i = 0; i < n; i++)
    {
      gint64 c0 = cpu_now ();
      char *arch = gn_search_propose (search, &error);
      g_assert_no_error (error);
      gint64 c1 = cpu_now ();
      GnEval hit;
      gn_store_lookup (store, "nb201", arch, "sim", 1, &hit);
      gint64 c2 = cpu_now ();
      GnEval e = { .run = run, .space = "nb201", .arch = arch,
                   .proxy = "sim", .config_hash = "sim", .seed = 1,
                   .score = g_str_hash (arch) / 4294967296.0, .loss = 0,
                   .status = GN_EVAL_OK, .seconds = 5 };
      if (!gn_store_record (store, &e, &e.seq, &error))
        g_error ("%s", error->message);
      gint64 c3 = cpu_now ();
      gn_search_report (search, arch, e.score, FALSE);
      gint64 c4 = cpu_now ();
      progress (&e, i + 1, n, search, sink);
      gint64 c5 = cpu_now ();
      t[0] += c1 - c0;
      t[1] += c2 - c1;
      t[2] += c3 - c2;
      t[3] += c4 - c3;
      t[4] += c5 - c4;
      g_free (arch);
    }
  printf ("# the coordinator's steps, CPU us per evaluation over %d:\n", n);
  double sum = 0;
  for (int k = 0; k < 5; k++)
    {
      printf ("#   %-36s %7.1f\n", what[k], t[k] / n);
      sum += t[k] / n;
    }
  printf ("#   %-36s %7.1f\n", "total", sum);
  gn_search_free (search);
  gn_store_close (store);
  const char *suffix[] = { "", "-wal", "-shm" };
  for (int k = 0; k < 3; k++)
    {
      char *f = g_strconcat (path, suffix[k], NULL);
      g_unlink (f);
      g_free (f);
    }
  g_free (path);
}

static double *
read_times (const char *path, int *n)
{
  char *text = NULL;
  GError *error = NULL;
  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      fprintf (stderr, "bench-coordinator: %s\n", error->message);
      exit (1);
    }
  GArray *a = g_array_new (FALSE, FALSE, sizeof (double));
  char **lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *end;
      double v = g_ascii_strtod (*l, &end);
      if (end != *l && v > 0)
        g_array_append_val (a, v);
    }
  g_strfreev (lines);
  g_free (text);
  *n = (int) a->len;
  if (*n == 0)
    {
      fprintf (stderr, "bench-coordinator: no times in %s\n", path);
      exit (1);
    }
  return (double *) g_array_free (a, FALSE);
}

static void
simulate (GnSpace *space, const char *dir, int workers, int budget,
          const double *times, int n_times, double scale, FILE *sink)
{
  GError *error = NULL;
  char *path = g_strdup_printf ("%s/sim-%d.db", dir, workers);
  GnStore *store = gn_store_open (path, &error);
  g_assert_no_error (error);
  gint64 run;
  gn_store_new_run (store, "{}", "bench", 0, &run, &error);
  g_assert_no_error (error);
  GnSearchConfig cfg = { .algo = GN_SEARCH_REA, .population = 50,
                         .tournament = 10, .seed = 1 };
  GnSearch *search = gn_search_new (space, &cfg, &error);
  g_assert_no_error (error);
  Sim s = { .slots = g_new0 (Slot, workers), .n = workers, .times = times,
            .n_times = n_times, .scale = scale,
            .window_from = workers, .window_to = budget - workers };
  GnSearchDrive d = { .store = store, .run = run, .space_name = "nb201",
                      .proxy_name = "sim", .config_hash = "sim", .seed = 1,
                      .budget = budget, .use_cache = TRUE,
                      /* as the CLI drives it: results join in proposal
                       * order, 2W - 1 proposals later */
                      .in_order = TRUE,
                      .progress = progress, .progress_data = sink };
  GnEvaluator ev = { &s, sim_n_idle, sim_n_busy, sim_submit, sim_wait };
  gint64 t0 = g_get_monotonic_time ();
  double w0 = runq_wait_us ();
  if (!gn_search_drive (search, &ev, &d, &error))
    {
      fprintf (stderr, "bench-coordinator: %s\n", error->message);
      exit (1);
    }
  enter (&s);   /* the last result's recording */
  double real = (g_get_monotonic_time () - t0) / 1e6;
  double runq = (runq_wait_us () - w0) / s.results;

  double mean = 0;
  for (int i = 0; i < n_times; i++)
    mean += times[i] * scale;
  mean /= n_times;
  double ideal = 60.0 * workers / mean;           /* evaluations/min */
  double total = 60.0 * s.results / s.now;
  double steady = s.t_to > s.t_from
                  ? 60.0 * (s.window_to - s.window_from) / (s.t_to - s.t_from)
                  : NAN;
  printf ("%7d %6d %9.1f %10.0f %10.0f %10.0f %6.1f%% %6.0f %6.0f %6.0f "
          "%6.1f%% %5.1f\n", workers, s.results, s.now, ideal, total, steady,
          100 * s.work / (workers * s.now), 1e6 * s.coord / s.results,
          1e6 * s.coord_cpu / s.results, runq, 100 * s.coord / s.now, real);
  fflush (stdout);
  gn_search_free (search);
  gn_store_close (store);
  g_free (s.slots);
  g_unlink (path);
  char *side = g_strconcat (path, "-wal", NULL);
  g_unlink (side);
  g_free (side);
  side = g_strconcat (path, "-shm", NULL);
  g_unlink (side);
  g_free (side);
  g_free (path);
}

int
main (int argc, char **argv)
{
  char *times_path = NULL, *workers_list = NULL, *space_path = NULL;
  double scale = 1;
  int budget = 0;
  GOptionEntry entries[] = {
    { "times", 't', 0, G_OPTION_ARG_FILENAME, &times_path,
      "recorded evaluation seconds, one a line (default: "
      "bench/eval-seconds.txt)", "FILE" },
    { "workers", 'w', 0, G_OPTION_ARG_STRING, &workers_list,
      "simulated worker counts (default 1,2,4,...,256)", "LIST" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale,
      "multiply every duration (default 1)", "F" },
    { "budget", 'b', 0, G_OPTION_ARG_INT, &budget,
      "evaluations per simulation (default max(2000, 8 W))", "N" },
    { "space", 0, 0, G_OPTION_ARG_FILENAME, &space_path,
      "the search space (default: spaces/nb201.lua)", "FILE" },
    { NULL }
  };
  GOptionContext *ctx = g_option_context_new ("- simulate many workers "
                                              "against the real coordinator");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-coordinator: %s\n", error->message);
      return 2;
    }
  g_option_context_free (ctx);

  int n_times;
  double *times = read_times (times_path ? times_path
                              : SRCDIR "/eval-seconds.txt", &n_times);
  GnSpace *space = gn_space_load (space_path ? space_path
                                  : TOP_SRCDIR "/spaces/nb201.lua", &error);
  if (space == NULL)
    {
      fprintf (stderr, "bench-coordinator: %s\n", error->message);
      return 1;
    }
  double mean = 0;
  for (int i = 0; i < n_times; i++)
    mean += times[i];
  mean /= n_times;
  char *dir = g_dir_make_tmp ("gennas-bench-XXXXXX", NULL);
  FILE *sink = fopen ("/dev/null", "w");

  printf ("# %d recorded evaluation times, mean %.3f s, x %g = %.4f s; "
          "REA P=50 S=10 on %s;\n# store %s (SQLite, WAL, a commit per "
          "evaluation)\n", n_times, mean, scale, mean * scale,
          gn_space_name (space), dir);
  printf ("# ideal: workers never wait; total: the whole run; steady: from "
          "the W-th result to the (budget-W)-th\n# workers: time the "
          "workers evaluate; us, cpu-us: the coordinator's wall and CPU time "
          "per evaluation;\n# runq-us: of the wall time, waiting for a CPU "
          "(other processes); coord: its share of the time\n");
  printf ("#workers  evals   sim-sec  ideal/min  total/min steady/min "
          "workers     us cpu-us runq-us coord real-s\n");
  char **list = g_strsplit (workers_list ? workers_list
                            : "1,2,4,8,16,32,64,128,256", ",", -1);
  for (char **w = list; *w; w++)
    {
      int workers = atoi (*w);
      if (workers < 1)
        continue;
      simulate (space, dir, workers, budget > 0 ? budget
                : MAX (2000, 8 * workers), times, n_times, scale, sink);
    }
  g_strfreev (list);
  breakdown (space, dir, 2000, sink);
  fclose (sink);
  g_rmdir (dir);
  g_free (dir);
  gn_space_free (space);
  g_free (times);
  g_free (times_path);
  g_free (workers_list);
  g_free (space_path);
  return 0;
}
