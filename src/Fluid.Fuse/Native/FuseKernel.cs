namespace Fluid.Fuse.Native;

/// <summary>The few facts of the kernel's FUSE protocol (include/uapi/linux/fuse.h) the restart handshake needs.</summary>
internal static class FuseKernel
{
    /// <summary>sizeof(struct fuse_in_header).</summary>
    public const int InHeaderSize = 40;

    /// <summary>FUSE_INIT.</summary>
    public const uint OpInit = 26;

    /// <summary>FUSE_NOTIFY_RESEND (Linux 6.9).</summary>
    public const int NotifyResend = 7;

    /// <summary>Large enough for any request of a connection with max_pages 256 (what libfuse allocates too).</summary>
    public const int ReadBufferSize = (1 << 20) + (2 << 12);

    /// <summary>
    /// The request id given to the INIT replayed into a restarted server: the kernel's ids are even and count up
    /// from 2, and bit 63 marks resent requests, so this one is never in the kernel's tables.
    /// </summary>
    public const ulong ReplayedInitUnique = (1UL << 62) | 1;
}
