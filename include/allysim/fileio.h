/* fileio.h: the one place where allysim touches the disk.
 *
 * Every file a command writes goes through these calls, so that the rules of
 * docs/reliability.md hold everywhere:
 * - files are created with O_EXCL | O_NOFOLLOW: a planted link is an error,
 *   never followed;
 * - data is flushed and synced before the state that points at it, and small
 *   files (state, metadata) are replaced atomically: temporary file, sync,
 *   rename, sync of the directory;
 * - an output directory has one writer, enforced by a lock held for the whole
 *   command (asim_io_lock_dir);
 * - inputs are opened without blocking and refused unless they are regular
 *   files (a FIFO, a directory or a device is an error), and read with a size
 *   limit.
 * Every call that changes the disk (create, write, sync, truncate, rename,
 * unlink) is counted; in builds with ASIM_FAULT_INJECTION the environment
 * variable ASIM_FAULT_AT="N:kill" or "N:fail" makes the N-th such call kill
 * the process (SIGKILL) or fail with ENOSPC, so the tests can stop a command
 * at every moment (tests/crash.sh). */
#ifndef ALLYSIM_FILEIO_H
#define ALLYSIM_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "allysim/status.h"

/* Create path for writing; it must not exist (O_EXCL), and a link there is an
 * error (O_NOFOLLOW). *fd gets the descriptor. Messages name `shown` (the
 * file the user knows, e.g. the final name of a .tmp), or path when NULL. */
asim_status asim_io_create(const char *path, const char *shown, int *fd, asim_error *err);

/* Open an existing regular file for writing at its end (resume); a link or
 * anything but a regular file is an error. */
asim_status asim_io_open_append(const char *path, int *fd, asim_error *err);

/* Remove path if it is a regular file left by an earlier command (a stale
 * temporary file); a link or another kind of file there is an error, a
 * missing file is fine. */
asim_status asim_io_remove_stale(const char *path, asim_error *err);

/* Write all n bytes (retrying partial writes); returns 0 or an errno. */
int asim_io_write(int fd, const void *buf, size_t n);
/* fsync; returns 0 or an errno. */
int asim_io_sync(int fd);
/* ftruncate; returns 0 or an errno. */
int asim_io_truncate(int fd, off_t len);
/* close, reporting a deferred write error; returns 0 or an errno. */
int asim_io_close(int fd);
/* rename(from, to), then sync the directory of `to`; returns 0 or an errno. */
int asim_io_rename(const char *from, const char *to);
/* unlink a file (not followed if it is a link); returns 0 or an errno;
 * a missing file is 0. */
int asim_io_unlink(const char *path);
/* Sync the directory that holds path (a file name) or dir itself. */
int asim_io_sync_dir(const char *dir);

/* Create dir and its parents as needed; an existing directory is fine,
 * anything else there is an error. */
asim_status asim_io_mkdirs(const char *dir, asim_error *err);

/* Replace dir/name with text atomically: dir/name.tmp is created (a stale
 * regular one removed first), written, synced and renamed, and the directory
 * synced. A reader sees the old file or the new one, never a mixture. */
asim_status asim_io_write_atomic(const char *dir, const char *name, const char *text, size_t len,
                                 asim_error *err);

/* Open an input file for reading without blocking on it: anything but a
 * regular file ("is a FIFO", "is a directory", "is a device") is an error
 * naming path. *f gets a stdio stream (caller closes). */
asim_status asim_io_open_input(const char *path, FILE **f, asim_error *err);

/* Read a whole regular input file of at most limit bytes; *text gets a
 * NUL-terminated copy (caller frees), *len its length. Larger files are an
 * error that names the limit. */
asim_status asim_io_read_input(const char *path, size_t limit, char **text, size_t *len,
                               asim_error *err);

/* 64-bit FNV-1a of the bytes [end - n, end) of an open file (n is cut to
 * end). Returns 0 on success, or an errno; a file shorter than end is EIO. */
int asim_io_tail_hash(int fd, off_t end, size_t n, uint64_t *hash);
/* The same hash continued over a buffer (start with ASIM_IO_HASH_INIT). */
#define ASIM_IO_HASH_INIT 14695981039346656037ull
uint64_t asim_io_hash_more(uint64_t h, const void *buf, size_t n);

/* The exclusive lock on an output directory. */
typedef struct asim_dir_lock {
    int fd; /* the open lock file, -1 when not held */
} asim_dir_lock;

#define ASIM_LOCK_NAME ".allysim.lock"

/* Take the lock on dir (which must exist) for this process: dir/.allysim.lock
 * is opened and locked with flock; the holder's pid is written into it. A
 * second writer gets ASIM_EUSAGE at once: "DIR is in use by another allysim
 * command (pid N)". A lock left by a killed process is free again (flock
 * locks die with their process), so a stale lock file is simply taken. */
asim_status asim_io_lock_dir(const char *dir, asim_dir_lock *l, asim_error *err);
/* Release the lock (the file stays, for the next writer to lock). */
void asim_io_unlock_dir(asim_dir_lock *l);

/* How many disk-changing calls this process has made (fault injection). */
unsigned long asim_io_calls(void);

#endif
