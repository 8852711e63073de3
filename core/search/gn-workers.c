/* gn-workers.c - forked worker processes with crash and timeout isolation
 *
 * Copyright 2026 the gennas authors. MIT licence, see LICENSE.
 *
 * Framing over an AF_UNIX stream socket per worker: every message is a
 * 32-bit length and that many bytes.  A job is (id, arch); a result is a
 * fixed Wire struct followed by an optional message.  send() uses
 * MSG_NOSIGNAL, so a dead worker is an EOF to notice, not a SIGPIPE.
 */
#include "config.h"
#include "gn-error.h"
#include "gn-proxy.h"
#include "gn-workers.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_MESSAGE 2000

typedef struct {
  gint64 job;
  gint32 status;         /* GnEvalStatus */
  double score, loss, seconds;
} Wire;

typedef struct {
  pid_t pid;
  int fd;
  gboolean busy;
  gint64 job;
  gint64 started;        /* monotonic µs */
} Worker;

struct _GnWorkers {
  Worker *workers;
  int n;
  int restarts;
  GnWorkFn fn;
  gpointer user;
  double timeout;
};

void
gn_worker_result_clear (GnWorkerResult *r)
{
  if (r)
    g_clear_pointer (&r->message, g_free);
}

/* -- framing ------------------------------------------------------- */

static gboolean
write_all (int fd, const void *buf, gsize len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t k = send (fd, p, len, MSG_NOSIGNAL);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        return FALSE;
      p += k;
      len -= (gsize) k;
    }
  return TRUE;
}

static gboolean
read_all (int fd, void *buf, gsize len)
{
  char *p = buf;
  while (len > 0)
    {
      ssize_t k = read (fd, p, len);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        return FALSE;
      p += k;
      len -= (gsize) k;
    }
  return TRUE;
}

static gboolean
send_frame (int fd, const void *a, gsize alen, const void *b, gsize blen)
{
  guint32 len = (guint32) (alen + blen);
  return write_all (fd, &len, sizeof len) && write_all (fd, a, alen)
         && (blen == 0 || write_all (fd, b, blen));
}

/* Reads one frame into a new buffer (NUL-terminated for convenience). */
static char *
recv_frame (int fd, gsize *len_out)
{
  guint32 len;
  if (!read_all (fd, &len, sizeof len) || len > (1u << 24))
    return NULL;
  char *buf = g_malloc (len + 1);
  if (!read_all (fd, buf, len))
    {
      g_free (buf);
      return NULL;
    }
  buf[len] = '\0';
  *len_out = len;
  return buf;
}

/* -- the worker side ------------------------------------------------- */

G_GNUC_NORETURN static void
worker_main (GnWorkers *pool, int fd)
{
  for (;;)
    {
      gsize len;
      char *frame = recv_frame (fd, &len);
      if (frame == NULL || len < sizeof (gint64))
        _exit (0);   /* the pool closed our socket: done */
      Wire w = { 0 };
      memcpy (&w.job, frame, sizeof w.job);
      const char *arch = frame + sizeof w.job;

      GnProxyResult res = { .score = -G_MAXDOUBLE, .loss = NAN };
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = pool->fn (pool->user, arch, &res, &error);
      w.seconds = (g_get_monotonic_time () - t0) / 1e6;
      w.status = ok ? res.status : GN_EVAL_ERROR;
      w.score = ok && isfinite (res.score) ? res.score : -G_MAXDOUBLE;
      w.loss = ok ? res.loss : NAN;
      const char *msg = error ? error->message : "";
      gsize mlen = MIN (strlen (msg), MAX_MESSAGE);
      gboolean sent = send_frame (fd, &w, sizeof w, msg, mlen);
      g_clear_error (&error);
      g_free (frame);
      if (!sent)
        _exit (0);
    }
}

/* -- the pool side --------------------------------------------------- */

static gboolean
spawn (GnWorkers *pool, int i, GError **error)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "cannot create a worker socket: %s", g_strerror (errno));
      return FALSE;
    }
  fflush (NULL);   /* no buffered output printed twice */
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (sv[0]);
      close (sv[1]);
      g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                   "cannot start a worker process: %s", g_strerror (errno));
      return FALSE;
    }
  if (pid == 0)
    {
      close (sv[0]);
      /* the other workers' sockets belong to the pool, not to us */
      for (int k = 0; k < pool->n; k++)
        if (k != i && pool->workers[k].fd >= 0)
          close (pool->workers[k].fd);
      worker_main (pool, sv[1]);
    }
  close (sv[1]);
  pool->workers[i] = (Worker) { .pid = pid, .fd = sv[0] };
  return TRUE;
}

static void
reap (Worker *w, gboolean kill_it)
{
  if (w->fd >= 0)
    close (w->fd);
  w->fd = -1;
  if (w->pid > 0)
    {
      if (kill_it)
        kill (w->pid, SIGKILL);
      while (waitpid (w->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  w->pid = 0;
  w->busy = FALSE;
}

GnWorkers *
gn_workers_new (int workers, GnWorkFn fn, gpointer user, double timeout,
             GError **error)
{
  g_return_val_if_fail (workers >= 1 && fn != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  GnWorkers *pool = g_new0 (GnWorkers, 1);
  pool->n = workers;
  pool->fn = fn;
  pool->user = user;
  pool->timeout = timeout;
  pool->workers = g_new0 (Worker, workers);
  for (int i = 0; i < workers; i++)
    pool->workers[i].fd = -1;
  for (int i = 0; i < workers; i++)
    if (!spawn (pool, i, error))
      {
        gn_workers_free (pool);
        return NULL;
      }
  return pool;
}

void
gn_workers_free (GnWorkers *pool)
{
  if (pool == NULL)
    return;
  /* idle workers exit on EOF; busy ones are killed */
  for (int i = 0; i < pool->n; i++)
    reap (&pool->workers[i], pool->workers[i].busy);
  g_free (pool->workers);
  g_free (pool);
}

int
gn_workers_count (GnWorkers *pool)
{
  return pool->n;
}

int
gn_workers_n_busy (GnWorkers *pool)
{
  int busy = 0;
  for (int i = 0; i < pool->n; i++)
    busy += pool->workers[i].busy;
  return busy;
}

int
gn_workers_n_idle (GnWorkers *pool)
{
  return pool->n - gn_workers_n_busy (pool);
}

int
gn_workers_n_restarts (GnWorkers *pool)
{
  return pool->restarts;
}

gboolean
gn_workers_submit (GnWorkers *pool, gint64 job, const char *arch, GError **error)
{
  g_return_val_if_fail (pool != NULL && arch != NULL, FALSE);
  for (int i = 0; i < pool->n; i++)
    {
      Worker *w = &pool->workers[i];
      if (w->busy)
        continue;
      /* a worker that died while idle is replaced here */
      if (w->fd < 0 || !send_frame (w->fd, &job, sizeof job, arch,
                                    strlen (arch)))
        {
          reap (w, TRUE);
          pool->restarts++;
          if (!spawn (pool, i, error)
              || !send_frame (w->fd, &job, sizeof job, arch, strlen (arch)))
            {
              if (error && *error == NULL)
                g_set_error (error, GN_ERROR, GN_ERROR_FAILED,
                             "cannot hand a job to worker %d", i);
              return FALSE;
            }
        }
      w->busy = TRUE;
      w->job = job;
      w->started = g_get_monotonic_time ();
      return TRUE;
    }
  g_return_val_if_reached (FALSE);
}

/* Describes how a reaped worker ended, for the failure message. */
static char *
death_message (pid_t pid)
{
  int status = 0;
  pid_t r;
  while ((r = waitpid (pid, &status, 0)) < 0 && errno == EINTR)
    ;
  if (r == pid && WIFSIGNALED (status))
    return g_strdup_printf ("worker killed by signal %d (%s)",
                            WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  if (r == pid && WIFEXITED (status))
    return g_strdup_printf ("worker exited with status %d",
                            WEXITSTATUS (status));
  return g_strdup ("worker vanished");
}

static void
fail_worker (GnWorkers *pool, int i, GnEvalStatus status, GnWorkerResult *out)
{
  Worker *w = &pool->workers[i];
  double secs = (g_get_monotonic_time () - w->started) / 1e6;
  char *msg;
  if (status == GN_EVAL_TIMEOUT)
    {
      kill (w->pid, SIGKILL);
      msg = g_strdup_printf ("evaluation timed out after %.1f s", secs);
    }
  else
    msg = death_message (w->pid);
  w->pid = (status == GN_EVAL_TIMEOUT) ? w->pid : 0;
  *out = (GnWorkerResult) { .job = w->job, .seconds = secs, .message = msg,
                            .worker = i,
                            .result = { .score = -G_MAXDOUBLE,
                                        .status = status, .loss = NAN } };
  reap (w, FALSE);
  pool->restarts++;
  /* a failed respawn leaves the slot empty; submit() retries it */
  spawn (pool, i, NULL);
}

gboolean
gn_workers_wait (GnWorkers *pool, int timeout_ms, GnWorkerResult *out)
{
  g_return_val_if_fail (pool != NULL && out != NULL, FALSE);
  struct pollfd *fds = g_newa (struct pollfd, pool->n);
  int *idx = g_newa (int, pool->n);
  gint64 deadline = timeout_ms < 0 ? -1
                    : g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      int nfds = 0;
      gint64 now = g_get_monotonic_time ();
      gint64 wake = deadline;
      for (int i = 0; i < pool->n; i++)
        {
          Worker *w = &pool->workers[i];
          if (!w->busy)
            continue;
          if (pool->timeout > 0)
            {
              gint64 due = w->started + (gint64) (pool->timeout * 1e6);
              if (due <= now)
                {
                  fail_worker (pool, i, GN_EVAL_TIMEOUT, out);
                  return TRUE;
                }
              wake = wake < 0 ? due : MIN (wake, due);
            }
          fds[nfds] = (struct pollfd) { .fd = w->fd, .events = POLLIN };
          idx[nfds++] = i;
        }
      if (nfds == 0)
        return FALSE;
      int ms = wake < 0 ? -1 : (int) MAX (0, (wake - now + 999) / 1000);
      int r = poll (fds, (nfds_t) nfds, ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0 && deadline >= 0 && g_get_monotonic_time () >= deadline)
        return FALSE;
      for (int k = 0; k < nfds && r > 0; k++)
        {
          if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          int i = idx[k];
          Worker *w = &pool->workers[i];
          gsize len;
          char *frame = recv_frame (w->fd, &len);
          if (frame == NULL || len < sizeof (Wire))
            {
              g_free (frame);
              fail_worker (pool, i, GN_EVAL_CRASHED, out);
              return TRUE;
            }
          Wire wire;
          memcpy (&wire, frame, sizeof wire);
          *out = (GnWorkerResult) {
            .job = wire.job, .seconds = wire.seconds, .worker = i,
            .result = { .score = wire.score,
                        .status = (GnEvalStatus) wire.status,
                        .loss = wire.loss },
            .message = len > sizeof wire
                       ? g_strndup (frame + sizeof wire, len - sizeof wire)
                       : NULL,
          };
          g_free (frame);
          w->busy = FALSE;
          return TRUE;
        }
    }
}

/* -- as a GnEvaluator ------------------------------------------------ */

static int
ev_n_idle (gpointer self)
{
  return gn_workers_n_idle (self);
}

static int
ev_n_busy (gpointer self)
{
  return gn_workers_n_busy (self);
}

static gboolean
ev_submit (gpointer self, gint64 job, const char *arch, GError **error)
{
  return gn_workers_submit (self, job, arch, error);
}

static gboolean
ev_wait (gpointer self, int timeout_ms, GnWorkerResult *out)
{
  return gn_workers_wait (self, timeout_ms, out);
}

GnEvaluator
gn_workers_evaluator (GnWorkers *pool)
{
  return (GnEvaluator) { pool, ev_n_idle, ev_n_busy, ev_submit, ev_wait };
}
