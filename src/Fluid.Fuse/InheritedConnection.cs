using System.Globalization;
using Fluid.Fuse.Native;

namespace Fluid.Fuse;

/// <summary>
/// A FUSE connection handed down by a <see cref="FuseSupervisor"/>: the open /dev/fuse descriptor, the
/// mount point it serves, and the directory where servers of this mount keep what a successor needs.
/// </summary>
public sealed record InheritedConnection(int Fd, string Mountpoint, string StateDirectory)
{
    internal const string FdVariable = "FLUID_FUSE_FD";
    internal const string MountpointVariable = "FLUID_FUSE_MOUNTPOINT";
    internal const string StateVariable = "FLUID_FUSE_STATE";

    /// <summary>The file that keeps the inode numbers the kernel knows (see <see cref="DatasetFileSystemOptions.NodeJournal"/>).</summary>
    public string NodeJournal => Path.Combine(StateDirectory, "nodes");

    /// <summary>The kernel's INIT request as the first server read it; present once the connection was ever answered.</summary>
    public string InitRecord => Path.Combine(StateDirectory, "init");

    /// <summary>The file a server creates once it serves the connection.</summary>
    public string ServingMarker(int pid) => Path.Combine(StateDirectory, $"serving.{pid.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The connection a supervisor passed in this process's environment, or null when it was started by hand.</summary>
    public static InheritedConnection? FromEnvironment()
    {
        var fdText = Environment.GetEnvironmentVariable(FdVariable);
        if (fdText is null)
        {
            return null;
        }

        var mountpoint = Environment.GetEnvironmentVariable(MountpointVariable);
        var state = Environment.GetEnvironmentVariable(StateVariable);
        if (!int.TryParse(fdText, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd < 3 || LibC.Fcntl(fd, 1 /* F_GETFD */) < 0)
        {
            throw new IOException($"{FdVariable}={fdText} is not an open descriptor of this process; it is set by the FUSE supervisor only");
        }

        if (string.IsNullOrEmpty(mountpoint) || string.IsNullOrEmpty(state) || !Directory.Exists(state))
        {
            throw new IOException($"{FdVariable} is set but {MountpointVariable} or {StateVariable} is missing; they are set by the FUSE supervisor only");
        }

        return new InheritedConnection(fd, mountpoint, state);
    }

    /// <summary>The environment a server started by the supervisor gets.</summary>
    internal IReadOnlyDictionary<string, string> ServerEnvironment() => new Dictionary<string, string>
    {
        [FdVariable] = Fd.ToString(CultureInfo.InvariantCulture),
        [MountpointVariable] = Mountpoint,
        [StateVariable] = StateDirectory,
    };
}
