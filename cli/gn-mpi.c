/* gn-mpi.c - `gennas rank|search --mpi`: evaluate on the ranks of an MPI
 * job
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * See gn-mpi.h for the protocol.  Messages are raw bytes (MPI_BYTE): the
 * header is a C struct, so every rank must share its layout (one binary,
 * or one build per architecture of a homogeneous cluster).
 */
#include "config.h"
#include "gn-mpi.h"

#include <string.h>

#ifdef HAVE_MPI

#include <mpi.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

enum { TAG_JOB = 1, TAG_RESULT, TAG_STOP, TAG_BYE };

#define MAX_MESSAGE 2000
/* polling naps: from 10 µs, doubling, at most 2% of the time waited so
 * far (so a result is noticed at most 2% late) and at most 10 ms */
#define POLL_MIN_US 10
#define POLL_MAX_US 10000
#define POLL_LATE 50

typedef struct {
  gint64 job;
  gint32 status;          /* GnEvalStatus             */
  gint32 stage;           /* which of the served proxies: the job's, and
                           * echoed in its result       */
  double score, loss, seconds;
} GnMpiHeader;

struct _GnMpi {
  const char *cmd;        /* the command, for messages                    */
  int rank, size;
  gboolean served;        /* a worker rank that served until told to stop */
  gboolean stopped;       /* rank 0 has stopped the workers               */
  int stage;              /* rank 0: the stage its jobs are for now       */

  /* rank 0: one job per worker rank */
  gboolean *busy;         /* [size], by rank                              */
  GQueue idle;            /* ranks, idle longest first                    */
  int n_busy;
  int *results;           /* [size] results received from each rank       */

  /* rank 0: where the coordinator's time goes */
  gint64 t_first;         /* the first evaluator call, µs                 */
  gint64 cpu_first;       /* this thread's CPU time then, µs              */
  gint64 blocked_us;      /* in wait() with no result there yet           */
  gint64 blocked_cpu_us;  /* CPU time spent polling meanwhile             */
  gint64 mpi_us;          /* sending jobs, receiving results              */
  double eval_seconds;    /* evaluation time the workers reported         */
  int n_results;
};

/* CPU time of the calling thread, µs: unlike wall time, not inflated
 * when other processes share the core */
static gint64
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
clock_start (GnMpi *mpi)
{
  if (mpi->t_first == 0)
    {
      mpi->t_first = g_get_monotonic_time ();
      mpi->cpu_first = cpu_now ();
    }
}

/* Waits (polling, see gn-mpi.h) for a message from @source (or any) with
 * @tag (or any).  @timeout_us < 0 waits as long as it takes.  Returns FALSE
 * on timeout; adds the time spent without a message to @blocked_us, and
 * the CPU time that took to @blocked_cpu_us. */
static gboolean
poll_message (int source, int tag, gint64 timeout_us, MPI_Status *st,
              gint64 *blocked_us, gint64 *blocked_cpu_us)
{
  gint64 t0 = g_get_monotonic_time ();
  gint64 c0 = blocked_cpu_us ? cpu_now () : 0;
  gulong nap = POLL_MIN_US;
  gboolean found = FALSE;
  for (;;)
    {
      int flag = 0;
      MPI_Iprobe (source, tag, MPI_COMM_WORLD, &flag, st);
      if (flag)
        {
          found = TRUE;
          break;
        }
      gint64 now = g_get_monotonic_time ();
      if (timeout_us >= 0 && now - t0 >= timeout_us)
        break;
      g_usleep (nap);
      gulong late = (gulong) ((g_get_monotonic_time () - t0) / POLL_LATE);
      nap = MIN (nap * 2, MIN (POLL_MAX_US, MAX (POLL_MIN_US, late)));
    }
  if (blocked_us)
    *blocked_us += g_get_monotonic_time () - t0;
  if (blocked_cpu_us)
    *blocked_cpu_us += cpu_now () - c0;
  return found;
}

/* Receives the message @st announced: the header (zeroed if the message is
 * shorter) and the string after it (NULL if none).  Returns the bytes. */
static int
recv_message (const MPI_Status *st, GnMpiHeader *h, char **text)
{
  int count = 0;
  MPI_Get_count (st, MPI_BYTE, &count);
  char *buf = g_malloc (MAX ((gsize) count, 1) + 1);
  MPI_Recv (buf, count, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG,
            MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  memset (h, 0, sizeof *h);
  if ((gsize) count >= sizeof *h)
    memcpy (h, buf, sizeof *h);
  if (text)
    *text = (gsize) count > sizeof *h
            ? g_strndup (buf + sizeof *h, (gsize) count - sizeof *h) : NULL;
  g_free (buf);
  return count;
}

static int
send_message (int dest, int tag, const GnMpiHeader *h, const char *text)
{
  gsize tlen = text ? strlen (text) : 0;
  if (tag == TAG_RESULT)
    tlen = MIN (tlen, MAX_MESSAGE);   /* an error message, not an arch */
  gsize len = h ? sizeof *h + tlen : 0;
  char *buf = g_malloc (MAX (len, 1));
  if (h)
    {
      memcpy (buf, h, sizeof *h);
      if (tlen)
        memcpy (buf + sizeof *h, text, tlen);
    }
  int rc = MPI_Send (buf, (int) len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
  g_free (buf);
  return rc;
}

GnMpi *
gn_mpi_new (const char *cmd, GError **error)
{
  int inited = 0;
  MPI_Initialized (&inited);
  g_return_val_if_fail (!inited, NULL);
  if (MPI_Init (NULL, NULL) != MPI_SUCCESS)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED, "MPI_Init failed");
      return NULL;
    }
  GnMpi *mpi = g_new0 (GnMpi, 1);
  mpi->cmd = cmd;
  MPI_Comm_rank (MPI_COMM_WORLD, &mpi->rank);
  MPI_Comm_size (MPI_COMM_WORLD, &mpi->size);
  if (mpi->size < 2)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_INVALID_ARGUMENT,
                   "--mpi needs at least 2 ranks (rank 0 drives, the "
                   "others evaluate), but this job has %d; run it as "
                   "`mpirun -np N gennas %s ... --mpi` with N >= 2, or "
                   "drop --mpi to use local worker processes", mpi->size,
                   cmd);
      MPI_Finalize ();
      g_free (mpi);
      return NULL;
    }
  if (mpi->rank == 0)
    {
      mpi->busy = g_new0 (gboolean, mpi->size);
      mpi->results = g_new0 (int, mpi->size);
      g_queue_init (&mpi->idle);
      for (int r = 1; r < mpi->size; r++)
        g_queue_push_tail (&mpi->idle, GINT_TO_POINTER (r));
    }
  return mpi;
}

int
gn_mpi_rank (GnMpi *mpi)
{
  return mpi->rank;
}

int
gn_mpi_size (GnMpi *mpi)
{
  return mpi->size;
}

/* -- the worker ranks ------------------------------------------------ */

typedef struct {
  GnWorkFn fn;
  gpointer user;          /* the stage's proxy                            */
} Serve;

/* Runs in the forked evaluation process, which never calls MPI: it dies of
 * its own faults like a local worker, not through Open MPI's handlers
 * (inherited from the rank), which would print a backtrace first. */
static gboolean
serve_work (gpointer user, const char *arch, GnProxyResult *result,
            GError **error)
{
  static gboolean defaults;   /* set in each child, never in the rank */
  if (!defaults)
    {
      const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
      for (gsize i = 0; i < G_N_ELEMENTS (sigs); i++)
        signal (sigs[i], SIG_DFL);
      defaults = TRUE;
    }
  Serve *s = user;
  return s->fn (s->user, arch, result, error);
}

/* The evaluation process for @stage: the one in hand if it is that
 * stage's, else a new one (the old one has no job: a rank takes one job
 * at a time, and stages follow one another). */
static GnWorkers *
stage_pool (GnWorkers **pool, int *pool_stage, Serve *serve, int stage,
            double timeout, GError **error)
{
  if (*pool != NULL && *pool_stage == stage)
    return *pool;
  g_clear_pointer (pool, gn_workers_free);
  *pool = gn_workers_new (1, serve_work, &serve[stage], timeout, error);
  *pool_stage = stage;
  return *pool;
}

gboolean
gn_mpi_serve (GnMpi *mpi, GnWorkFn fn, gpointer const *users, int n_users,
              double timeout, GError **error)
{
  g_return_val_if_fail (mpi != NULL && mpi->rank > 0, FALSE);
  g_return_val_if_fail (users != NULL && n_users > 0, FALSE);
  Serve *serve = g_new (Serve, n_users);
  for (int i = 0; i < n_users; i++)
    serve[i] = (Serve) { fn, users[i] };
  /* the first stage's process now, so that a proxy that cannot start
   * fails the rank before any job */
  GnWorkers *pool = NULL;
  int pool_stage = -1;
  if (stage_pool (&pool, &pool_stage, serve, 0, timeout, error) == NULL)
    {
      g_free (serve);
      return FALSE;
    }
  gboolean stop = FALSE;
  while (!stop)
    {
      MPI_Status st;
      poll_message (0, MPI_ANY_TAG, -1, &st, NULL, NULL);
      GnMpiHeader h;
      char *arch = NULL;
      recv_message (&st, &h, &arch);
      if (st.MPI_TAG != TAG_JOB)
        {
          g_free (arch);
          stop = st.MPI_TAG == TAG_STOP;
          continue;
        }
      GnWorkerResult r = { 0 };
      GError *local = NULL;
      gboolean have = FALSE;
      if (h.stage < 0 || h.stage >= n_users)
        g_set_error (&local, GN_ERROR, GN_ERROR_FAILED, "rank %d serves "
                     "%d stage(s), not stage %d (not the same command "
                     "line on every rank?)", mpi->rank, n_users, h.stage);
      else if (stage_pool (&pool, &pool_stage, serve, h.stage, timeout,
                           &local) != NULL)
        gn_workers_submit (pool, h.job, arch ? arch : "", &local);
      if (local != NULL)
        {
          /* the evaluation process could not be (re)started: this job
           * fails; the next one tries again */
          r = (GnWorkerResult) {
            .job = h.job, .message = g_strdup (local->message),
            .result = { .score = -G_MAXDOUBLE, .status = GN_EVAL_CRASHED,
                        .loss = NAN } };
          g_clear_error (&local);
          have = TRUE;
        }
      /* wait for the result, listening for a stop now and then */
      while (!have && !stop)
        {
          if (gn_workers_wait (pool, 100, &r))
            have = TRUE;
          else if (poll_message (0, TAG_STOP, 0, &st, NULL, NULL))
            {
              recv_message (&st, &h, NULL);
              stop = TRUE;
            }
        }
      if (have)
        {
          /* a failed result has the worst score and no loss already */
          GnMpiHeader out = {
            .job = r.job, .status = r.result.status, .stage = h.stage,
            .score = r.result.score, .loss = r.result.loss,
            .seconds = r.seconds };
          send_message (0, TAG_RESULT, &out, r.message);
          gn_worker_result_clear (&r);
        }
      g_free (arch);
    }
  gn_workers_free (pool);   /* kills a job abandoned by STOP */
  g_free (serve);
  send_message (0, TAG_BYE, NULL, NULL);
  mpi->served = TRUE;
  return TRUE;
}

/* -- rank 0: the evaluator -------------------------------------------- */

static int
ev_n_idle (gpointer self)
{
  GnMpi *mpi = self;
  clock_start (mpi);
  return (int) mpi->idle.length;
}

static int
ev_n_busy (gpointer self)
{
  GnMpi *mpi = self;
  clock_start (mpi);
  return mpi->n_busy;
}

static gboolean
ev_submit (gpointer self, gint64 job, const char *arch, GError **error)
{
  GnMpi *mpi = self;
  clock_start (mpi);
  g_return_val_if_fail (mpi->idle.length > 0, FALSE);
  int r = GPOINTER_TO_INT (g_queue_pop_head (&mpi->idle));
  GnMpiHeader h = { .job = job, .stage = mpi->stage };
  gint64 t0 = g_get_monotonic_time ();
  int rc = send_message (r, TAG_JOB, &h, arch);
  mpi->mpi_us += g_get_monotonic_time () - t0;
  if (rc != MPI_SUCCESS)
    {
      g_queue_push_head (&mpi->idle, GINT_TO_POINTER (r));
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "cannot send a job to rank %d (MPI error %d)", r, rc);
      return FALSE;
    }
  mpi->busy[r] = TRUE;
  mpi->n_busy++;
  return TRUE;
}

static gboolean
ev_wait (gpointer self, int timeout_ms, GnWorkerResult *out)
{
  GnMpi *mpi = self;
  clock_start (mpi);
  for (;;)
    {
      if (mpi->n_busy == 0)
        return FALSE;
      MPI_Status st;
      if (!poll_message (MPI_ANY_SOURCE, TAG_RESULT,
                         timeout_ms < 0 ? -1 : (gint64) timeout_ms * 1000,
                         &st, &mpi->blocked_us, &mpi->blocked_cpu_us))
        return FALSE;
      gint64 t0 = g_get_monotonic_time ();
      GnMpiHeader h;
      char *msg = NULL;
      int bytes = recv_message (&st, &h, &msg);
      mpi->mpi_us += g_get_monotonic_time () - t0;
      int r = st.MPI_SOURCE;
      if (r <= 0 || r >= mpi->size || !mpi->busy[r])
        {
          g_warning ("gennas %s: ignoring an unexpected result from "
                     "rank %d", mpi->cmd, r);
          g_free (msg);
          continue;
        }
      mpi->busy[r] = FALSE;
      mpi->n_busy--;
      g_queue_push_tail (&mpi->idle, GINT_TO_POINTER (r));
      if ((gsize) bytes >= sizeof h && h.stage != mpi->stage)
        {
          /* a job an earlier stage left in flight: the rank is free, the
           * result belongs to nobody now (nor to the summary's counts) */
          g_free (msg);
          continue;
        }
      mpi->results[r]++;
      mpi->n_results++;
      mpi->eval_seconds += h.seconds;
      if ((gsize) bytes < sizeof h)
        {
          /* cannot happen with one binary on every rank; counted as the
           * worker's failure, and the job is lost (job 0 is wrong) */
          g_free (msg);
          msg = g_strdup_printf ("malformed result from rank %d", r);
          h.status = GN_EVAL_ERROR;
        }
      *out = (GnWorkerResult) {
        .job = h.job,
        .result = { .score = h.score, .loss = h.loss,
                    .status = (GnEvalStatus) h.status },
        .seconds = h.seconds, .message = msg, .worker = r };
      return TRUE;
    }
}

GnEvaluator
gn_mpi_evaluator (GnMpi *mpi, int stage)
{
  g_return_val_if_fail (mpi != NULL && mpi->rank == 0, (GnEvaluator) { 0 });
  g_return_val_if_fail (stage >= 0, (GnEvaluator) { 0 });
  mpi->stage = stage;
  return (GnEvaluator) { mpi, ev_n_idle, ev_n_busy, ev_submit, ev_wait };
}

void
gn_mpi_summary (GnMpi *mpi, FILE *out)
{
  if (mpi == NULL || mpi->rank != 0 || mpi->t_first == 0)
    return;
  double wall = (g_get_monotonic_time () - mpi->t_first) / 1e6;
  double busy = wall - mpi->blocked_us / 1e6;
  double busy_cpu = (cpu_now () - mpi->cpu_first - mpi->blocked_cpu_us) / 1e6;
  double poll_cpu = mpi->blocked_cpu_us / 1e6;
  int n = MAX (mpi->n_results, 1);
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
               + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  GString *spread = g_string_new (NULL);
  for (int r = 1; r < mpi->size; r++)
    g_string_append_printf (spread, "%s%d", r > 1 ? " " : "",
                            mpi->results[r]);
  fprintf (out, "gennas %s: MPI: %d results from %d worker rank(s) "
           "(per rank: %s) in %.2f s; workers evaluating %.0f%% of the "
           "time; coordinator %.0f us per result outside waiting (%.0f us "
           "of CPU; MPI calls %.0f us), %.2f%% of the time; polling %.2f "
           "CPU s; rank 0 CPU %.2f s\n",
           mpi->cmd, mpi->n_results, mpi->size - 1, spread->str, wall,
           wall > 0 ? 100 * mpi->eval_seconds / (wall * (mpi->size - 1)) : 0,
           busy * 1e6 / n, busy_cpu * 1e6 / n, mpi->mpi_us / (double) n,
           wall > 0 ? 100 * busy / wall : 0, poll_cpu, cpu);
  g_string_free (spread, TRUE);
}

void
gn_mpi_free (GnMpi *mpi)
{
  if (mpi == NULL)
    return;
  if (mpi->rank > 0 && !mpi->served)
    {
      fprintf (stderr, "gennas %s: rank %d cannot evaluate; ending the "
               "MPI job\n", mpi->cmd, mpi->rank);
      MPI_Abort (MPI_COMM_WORLD, 1);
    }
  if (mpi->rank == 0)
    {
      /* stop every worker and collect its goodbye; results still on the
       * way (a search that ended early) are dropped */
      for (int r = 1; r < mpi->size; r++)
        send_message (r, TAG_STOP, NULL, NULL);
      int left = mpi->size - 1;
      while (left > 0)
        {
          MPI_Status st;
          GnMpiHeader h;
          char *msg = NULL;
          poll_message (MPI_ANY_SOURCE, MPI_ANY_TAG, -1, &st, NULL, NULL);
          recv_message (&st, &h, &msg);
          g_free (msg);
          left -= st.MPI_TAG == TAG_BYE;
        }
      g_queue_clear (&mpi->idle);
      g_free (mpi->busy);
      g_free (mpi->results);
    }
  MPI_Finalize ();
  g_free (mpi);
}

#else /* !HAVE_MPI */

GnMpi *
gn_mpi_new (const char *cmd, GError **error)
{
  g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
               "--mpi: this gennas was built without MPI (install "
               "libopenmpi-dev and openmpi-bin, then configure "
               "--with-mpi)");
  return NULL;
}

int
gn_mpi_rank (GnMpi *mpi)
{
  return 0;
}

int
gn_mpi_size (GnMpi *mpi)
{
  return 1;
}

gboolean
gn_mpi_serve (GnMpi *mpi, GnWorkFn fn, gpointer const *users, int n_users,
              double timeout, GError **error)
{
  g_return_val_if_reached (FALSE);
}

GnEvaluator
gn_mpi_evaluator (GnMpi *mpi, int stage)
{
  g_return_val_if_reached ((GnEvaluator) { 0 });
}

void
gn_mpi_summary (GnMpi *mpi, FILE *out)
{
}

void
gn_mpi_free (GnMpi *mpi)
{
}

#endif /* HAVE_MPI */
