// A minimal read-only libfuse3 passthrough of one directory, the baseline of the FUSE benchmarks.
// Reads are plain pread(2) on a descriptor opened at open(), no splice; attributes and entries are
// cached for 1 s, as our mount does. Build and run (foreground; unmount with SIGTERM or umount):
//   gcc -O2 -o fuse-passthrough fuse-passthrough.c $(pkg-config --cflags --libs fuse3)
//   fuse-passthrough SOURCE_DIR MOUNTPOINT [-s] [-o OPT]
// The kernel's readahead of a FUSE mount is its bdi's read_ahead_kb (128 KiB unless set after
// mounting); the benchmarks set it to 4096 like our mount does.
#define FUSE_USE_VERSION 35
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_READ (1 << 20)

static int source_fd = -1;

// Paths from libfuse start with '/'; they are resolved relative to the source directory.
static const char *rel(const char *path)
{
    while (*path == '/') path++;
    return *path ? path : ".";
}

static void *pt_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    conn->max_read = MAX_READ;           // must repeat the max_read mount option
    conn->max_readahead = 4 << 20;       // the bdi's read_ahead_kb caps it anyway
    cfg->entry_timeout = 1.0;
    cfg->attr_timeout = 1.0;
    cfg->negative_timeout = 0;
    cfg->use_ino = 1;
    return NULL;
}

static int pt_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (fi) return fstat((int)fi->fh, st) ? -errno : 0;
    return fstatat(source_fd, rel(path), st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int pt_open(const char *path, struct fuse_file_info *fi)
{
    if ((fi->flags & O_ACCMODE) != O_RDONLY) return -EROFS;
    int fd = openat(source_fd, rel(path), O_RDONLY);
    if (fd < 0) return -errno;
    fi->fh = (uint64_t)fd;
    return 0;
}

static int pt_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    (void)path;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread((int)fi->fh, buf + done, size - done, offset + (off_t)done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return done ? (int)done : -errno;
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    return (int)done;
}

static int pt_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    close((int)fi->fh);
    return 0;
}

static int pt_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)offset; (void)fi; (void)flags;
    int fd = openat(source_fd, rel(path), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -errno;
    DIR *dir = fdopendir(fd);
    if (!dir) { int e = errno; close(fd); return -e; }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        struct stat st = { .st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type) };
        if (filler(buf, e->d_name, &st, 0, 0)) break;
    }
    closedir(dir);
    return 0;
}

static int pt_statfs(const char *path, struct statvfs *st)
{
    (void)path;
    return fstatvfs(source_fd, st) ? -errno : 0;
}

static int pt_readonly(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)path; (void)mode; (void)fi;
    return -EROFS;
}

static const struct fuse_operations ops = {
    .init = pt_init,
    .getattr = pt_getattr,
    .open = pt_open,
    .read = pt_read,
    .release = pt_release,
    .readdir = pt_readdir,
    .statfs = pt_statfs,
    .create = pt_readonly,
};

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SOURCE_DIR MOUNTPOINT [-s] [-o OPT]...\n", argv[0]);
        return 2;
    }
    source_fd = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (source_fd < 0) { perror(argv[1]); return 1; }

    // fuse_main gets: PROG MOUNTPOINT -f -o ro,max_read=...,fsname=... [the caller's extra args]
    char opts[PATH_MAX + 64];
    snprintf(opts, sizeof opts, "ro,max_read=%d,fsname=passthrough:%s,subtype=passthrough", MAX_READ, argv[1]);
    char *args[argc + 4];
    int n = 0;
    args[n++] = argv[0];
    args[n++] = argv[2];
    args[n++] = "-f";
    args[n++] = "-o";
    args[n++] = opts;
    for (int i = 3; i < argc; i++) args[n++] = argv[i];
    return fuse_main(n, args, &ops, NULL);
}
