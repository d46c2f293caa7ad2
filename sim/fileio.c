/* fileio.c: durable, exclusive and non-blocking file operations, with a
 * count of the calls that change the disk for fault injection (see
 * fileio.h and docs/reliability.md). */
#include "allysim/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fault injection -------------------------------------------------------------- */

/* The only process-wide state of the library: a test hook. Every
 * disk-changing call passes through step(), from the one writing thread. */
static unsigned long calls;

unsigned long asim_io_calls(void) { return calls; }

#ifdef ASIM_FAULT_INJECTION
/* ASIM_FAULT_AT="N:kill" or "N:fail": what the N-th call does. */
static int fault_due(void)
{
    const char *s = getenv("ASIM_FAULT_AT");
    char *end;
    unsigned long n = s ? strtoul(s, &end, 10) : 0;
    if (!s || n != calls || *end != ':')
        return 0;
    if (strcmp(end + 1, "kill") == 0)
        raise(SIGKILL);
    return strcmp(end + 1, "fail") == 0;
}
#else
static int fault_due(void) { return 0; }
#endif

/* Count one disk-changing call; nonzero when it must fail (ENOSPC). */
static int step(void)
{
    calls++;
    if (fault_due()) {
        errno = ENOSPC;
        return 1;
    }
    return 0;
}

/* ---- primitives ----------------------------------------------------------------------- */

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m)    ? "is a directory"
           : S_ISFIFO(m) ? "is a FIFO"
           : S_ISLNK(m)  ? "is a symbolic link"
           : S_ISSOCK(m) ? "is a socket"
           : S_ISCHR(m) || S_ISBLK(m) ? "is a device"
                                       : "is not a regular file";
}

asim_status asim_io_create(const char *path, const char *shown, int *fd, asim_error *err)
{
    *fd = -1;
    shown = shown ? shown : path;
    if (step())
        return asim_error_set(err, ASIM_EIO, "cannot write %s: %s", shown, strerror(errno));
    int d = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (d < 0) {
        int e = errno;
        if (e == EEXIST) {
            struct stat st;
            if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
                return asim_error_set(err, ASIM_EUSAGE, "cannot write %s: %s %s (not followed)", shown,
                                      path, kind_of(st.st_mode));
        }
        return asim_error_set(err, ASIM_EIO, "cannot write %s: %s", shown, strerror(e));
    }
    *fd = d;
    return ASIM_OK;
}

asim_status asim_io_open_append(const char *path, int *fd, asim_error *err)
{
    *fd = -1;
    int d = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (d < 0) {
        int e = errno;
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return asim_error_set(err, ASIM_EUSAGE, "cannot resume %s: %s (not followed)", path,
                                  kind_of(st.st_mode));
        return asim_error_set(err, ASIM_EIO, "cannot resume %s: %s", path, strerror(e));
    }
    if (fstat(d, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(d);
        return asim_error_set(err, ASIM_EIO, "cannot resume %s: not a regular file", path);
    }
    fcntl(d, F_SETFL, O_APPEND);
    *fd = d;
    return ASIM_OK;
}

asim_status asim_io_remove_stale(const char *path, asim_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? ASIM_OK
                               : asim_error_set(err, ASIM_EIO, "cannot check %s: %s", path,
                                                strerror(errno));
    if (!S_ISREG(st.st_mode))
        return asim_error_set(err, ASIM_EUSAGE, "%s %s: remove it (allysim never follows it)", path,
                              kind_of(st.st_mode));
    int e = asim_io_unlink(path);
    return e ? asim_error_set(err, ASIM_EIO, "cannot remove %s: %s", path, strerror(e)) : ASIM_OK;
}

int asim_io_write(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        if (step())
            return ENOSPC;
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return errno ? errno : EIO;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int asim_io_sync(int fd)
{
    if (step())
        return ENOSPC;
    return fsync(fd) == 0 ? 0 : errno;
}

int asim_io_truncate(int fd, off_t len)
{
    if (step())
        return ENOSPC;
    return ftruncate(fd, len) == 0 ? 0 : errno;
}

int asim_io_close(int fd)
{
    if (fd < 0)
        return 0;
    return close(fd) == 0 || errno == EINTR ? 0 : errno;
}

/* The directory part of path into buf ("." when there is none). */
static void dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

int asim_io_sync_dir(const char *dir)
{
    if (step())
        return ENOSPC;
    int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        return errno;
    int e = fsync(d) == 0 || errno == EINVAL ? 0 : errno; /* some file systems refuse */
    close(d);
    return e;
}

int asim_io_rename(const char *from, const char *to)
{
    if (step())
        return ENOSPC;
    if (rename(from, to) != 0)
        return errno;
    char dir[4096];
    dir_of(to, dir, sizeof dir);
    return asim_io_sync_dir(dir);
}

int asim_io_unlink(const char *path)
{
    if (step())
        return ENOSPC;
    return unlink(path) == 0 || errno == ENOENT ? 0 : errno;
}

asim_status asim_io_mkdirs(const char *dir, asim_error *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return asim_error_set(err, ASIM_EUSAGE, "output directory name too long");
    for (char *q = path + 1;; q++) {
        int end = *q == '\0';
        if (*q == '/' || end) {
            *q = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return asim_error_set(err, ASIM_EIO, "cannot create directory %s: %s", path,
                                      strerror(errno));
            if (end)
                break;
            *q = '/';
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return asim_error_set(err, ASIM_EIO, "cannot create directory %s: not a directory", dir);
    return ASIM_OK;
}

/* ---- whole files ------------------------------------------------------------------------ */

asim_status asim_io_write_atomic(const char *dir, const char *name, const char *text, size_t len,
                                 asim_error *err)
{
    char path[4096], tmp[4200];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return asim_error_set(err, ASIM_EUSAGE, "%s/%s: path too long", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd;
    asim_status st = asim_io_remove_stale(tmp, err);
    if (st == ASIM_OK)
        st = asim_io_create(tmp, path, &fd, err);
    if (st != ASIM_OK)
        return st;
    int e = asim_io_write(fd, text, len);
    if (!e)
        e = asim_io_sync(fd);
    int ec = asim_io_close(fd);
    if (!e)
        e = ec;
    if (!e)
        e = asim_io_rename(tmp, path);
    if (e) {
        unlink(tmp);
        return asim_error_set(err, ASIM_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return ASIM_OK;
}

asim_status asim_io_open_input(const char *path, FILE **f, asim_error *err)
{
    *f = NULL;
    int d = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (d < 0)
        return asim_error_set(err, ASIM_EIO, "cannot read %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(d, &st) != 0 || !S_ISREG(st.st_mode)) {
        int special = fstat(d, &st) == 0;
        const char *why = special ? kind_of(st.st_mode) : strerror(errno);
        close(d);
        return asim_error_set(err, special ? ASIM_EUSAGE : ASIM_EIO, "cannot read %s: %s", path, why);
    }
    fcntl(d, F_SETFL, 0); /* a regular file: blocking reads are fine */
    *f = fdopen(d, "r");
    if (!*f) {
        int e = errno;
        close(d);
        return asim_error_set(err, ASIM_ENOMEM, "cannot read %s: %s", path, strerror(e));
    }
    return ASIM_OK;
}

/* Format a byte count for messages (1000-based, as --max-output). */
static void size_text(size_t n, char *buf, size_t len)
{
    if (n >= 1000000000u)
        snprintf(buf, len, "%.3g GB", (double)n / 1e9);
    else if (n >= 1000000u)
        snprintf(buf, len, "%.3g MB", (double)n / 1e6);
    else
        snprintf(buf, len, "%zu bytes", n);
}

asim_status asim_io_read_input(const char *path, size_t limit, char **text, size_t *len,
                               asim_error *err)
{
    *text = NULL;
    *len = 0;
    FILE *f;
    asim_status st = asim_io_open_input(path, &f, err);
    if (st != ASIM_OK)
        return st;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf && st == ASIM_OK) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
        if (n > limit) {
            char lim[32];
            size_text(limit, lim, sizeof lim);
            st = asim_error_set(err, ASIM_EIO, "%s: larger than %s, the most allysim reads", path, lim);
        } else if (n == cap) {
            char *more = realloc(buf, 2 * cap + 1);
            if (!more)
                break;
            buf = more;
            cap *= 2;
        }
    }
    if (st == ASIM_OK && (!buf || (n == cap && !feof(f))))
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory reading %s", path);
    if (st == ASIM_OK && ferror(f))
        st = asim_error_set(err, ASIM_EIO, "cannot read %s: %s", path, strerror(errno));
    fclose(f);
    if (st != ASIM_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return ASIM_OK;
}

uint64_t asim_io_hash_more(uint64_t h, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

int asim_io_tail_hash(int fd, off_t end, size_t n, uint64_t *hash)
{
    if ((off_t)n > end)
        n = (size_t)end;
    off_t at = end - (off_t)n;
    uint64_t h = ASIM_IO_HASH_INIT;
    char buf[8192];
    while (n > 0) {
        size_t want = n < sizeof buf ? n : sizeof buf;
        ssize_t k = pread(fd, buf, want, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            return EIO; /* shorter than end */
        h = asim_io_hash_more(h, buf, (size_t)k);
        at += k;
        n -= (size_t)k;
    }
    *hash = h;
    return 0;
}

/* ---- the output directory's lock ----------------------------------------------------------- */

/* The pid written in an open lock file, or 0. */
static long holder_pid(int fd)
{
    char buf[32] = {0};
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    return k > 0 ? strtol(buf, NULL, 10) : 0;
}

asim_status asim_io_lock_dir(const char *dir, asim_dir_lock *l, asim_error *err)
{
    l->fd = -1;
    char path[4200];
    if (snprintf(path, sizeof path, "%s/%s", dir, ASIM_LOCK_NAME) >= (int)sizeof path)
        return asim_error_set(err, ASIM_EUSAGE, "%s: path too long", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return asim_error_set(err, ASIM_EIO, "cannot lock %s: %s", path,
                              e == ELOOP ? "is a symbolic link (not followed)" : strerror(e));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        long pid = holder_pid(fd);
        close(fd);
        if (e == EWOULDBLOCK) {
            if (pid > 0)
                return asim_error_set(err, ASIM_EUSAGE,
                                      "%s is in use by another allysim command (pid %ld): wait for it "
                                      "to finish or choose another -o directory",
                                      dir, pid);
            return asim_error_set(err, ASIM_EUSAGE,
                                  "%s is in use by another allysim command: wait for it to finish or "
                                  "choose another -o directory",
                                  dir);
        }
        return asim_error_set(err, ASIM_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return asim_error_set(err, ASIM_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    l->fd = fd;
    return ASIM_OK;
}

void asim_io_unlock_dir(asim_dir_lock *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
