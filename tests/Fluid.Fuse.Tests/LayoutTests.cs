using System.Runtime.InteropServices;
using Fluid.Fuse.Native;

namespace Fluid.Fuse.Tests;

public sealed class LayoutTests
{
    private const string Program = """
        #define FUSE_USE_VERSION 314
        #include <fuse_lowlevel.h>
        #include <sys/statvfs.h>
        #include <stdio.h>
        #include <stddef.h>
        int main(void) {
            struct fuse_file_info fi = {0};
            fi.keep_cache = 1;
            printf("fuse_lowlevel_ops %zu\n", sizeof(struct fuse_lowlevel_ops));
            printf("ops.statfs %zu\n", offsetof(struct fuse_lowlevel_ops, statfs));
            printf("ops.readdirplus %zu\n", offsetof(struct fuse_lowlevel_ops, readdirplus));
            printf("fuse_entry_param %zu\n", sizeof(struct fuse_entry_param));
            printf("entry.attr_timeout %zu\n", offsetof(struct fuse_entry_param, attr_timeout));
            printf("stat %zu\n", sizeof(struct stat));
            printf("stat.st_size %zu\n", offsetof(struct stat, st_size));
            printf("stat.st_mtim %zu\n", offsetof(struct stat, st_mtim));
            printf("fuse_file_info %zu\n", sizeof(struct fuse_file_info));
            printf("file_info.fh %zu\n", offsetof(struct fuse_file_info, fh));
            printf("keep_cache %u\n", ((unsigned *)&fi)[1]);
            printf("fuse_conn_info %zu\n", sizeof(struct fuse_conn_info));
            printf("conn.want %zu\n", offsetof(struct fuse_conn_info, want));
            printf("conn.max_readahead %zu\n", offsetof(struct fuse_conn_info, max_readahead));
            printf("statvfs %zu\n", sizeof(struct statvfs));
            printf("statvfs.f_namemax %zu\n", offsetof(struct statvfs, f_namemax));
            printf("fuse_args %zu\n", sizeof(struct fuse_args));
            printf("fuse_buf %zu\n", sizeof(struct fuse_buf));
            printf("buf.mem %zu\n", offsetof(struct fuse_buf, mem));
            printf("buf.pos %zu\n", offsetof(struct fuse_buf, pos));
            return 0;
        }
        """;

    [Fact]
    public unsafe void Native_structs_match_the_layout_gcc_gives_the_libfuse_headers()
    {
        var directory = Directory.CreateTempSubdirectory("fluid-fuse-layout-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "layout.c"), Program);
            var compile = MountFixture.Run("gcc", "-I/usr/include/fuse3", "-o", Path.Combine(directory, "layout"), Path.Combine(directory, "layout.c"));
            Assert.True(compile.Exit == 0, compile.Error);
            var c = MountFixture.Run(Path.Combine(directory, "layout")).Out
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' '))
                .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));

            var ours = new Dictionary<string, long>
            {
                ["fuse_lowlevel_ops"] = sizeof(FuseLowLevelOps),
                ["ops.statfs"] = Marshal.OffsetOf<FuseLowLevelOps>(nameof(FuseLowLevelOps.Statfs)),
                ["ops.readdirplus"] = Marshal.OffsetOf<FuseLowLevelOps>(nameof(FuseLowLevelOps.Readdirplus)),
                ["fuse_entry_param"] = sizeof(FuseEntryParam),
                ["entry.attr_timeout"] = Marshal.OffsetOf<FuseEntryParam>(nameof(FuseEntryParam.AttrTimeout)),
                ["stat"] = sizeof(Stat),
                ["fuse_buf"] = sizeof(FuseBuf),
                ["buf.mem"] = Marshal.OffsetOf<FuseBuf>(nameof(FuseBuf.Mem)),
                ["buf.pos"] = Marshal.OffsetOf<FuseBuf>(nameof(FuseBuf.Pos)),
                ["stat.st_size"] = Marshal.OffsetOf<Stat>(nameof(Stat.Size)),
                ["stat.st_mtim"] = Marshal.OffsetOf<Stat>(nameof(Stat.ModifySeconds)),
                ["fuse_file_info"] = sizeof(FuseFileInfo),
                ["file_info.fh"] = Marshal.OffsetOf<FuseFileInfo>(nameof(FuseFileInfo.Fh)),
                ["keep_cache"] = FuseFileInfo.KeepCache,
                ["fuse_conn_info"] = sizeof(FuseConnInfo),
                ["conn.want"] = Marshal.OffsetOf<FuseConnInfo>(nameof(FuseConnInfo.Want)),
                ["conn.max_readahead"] = Marshal.OffsetOf<FuseConnInfo>(nameof(FuseConnInfo.MaxReadahead)),
                ["statvfs"] = sizeof(StatVfs),
                ["statvfs.f_namemax"] = Marshal.OffsetOf<StatVfs>(nameof(StatVfs.NameMax)),
                ["fuse_args"] = sizeof(FuseArgs),
            };

            Assert.Equal(c.OrderBy(p => p.Key, StringComparer.Ordinal), ours.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
