using System.Net;
using System.Net.Sockets;

namespace Fluid.Testing;

/// <summary>
/// Ports for servers a test starts later. They are taken below the kernel's ephemeral range, so no
/// outgoing connection and no port-0 listener of another test running meanwhile can be given the
/// same port between the choice and the server's bind (a port chosen by binding port 0 can).
/// </summary>
public static class TestPorts
{
    private const int Lowest = 10000;

    // Ports already handed out in this process: two calls never give the same port.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> Given = new();

    /// <summary>A port on 127.0.0.1 that nothing listens on right now, not given before by this process.</summary>
    public static int Free()
    {
        var below = EphemeralLow();
        if (below - Lowest < 1000)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        while (true)
        {
            var port = Random.Shared.Next(Lowest, below);
            if (IsFree(port) && Given.TryAdd(port, true))
            {
                return port;
            }
        }
    }

    /// <summary>A free port ending in 0 whose successor is free too.</summary>
    public static int FreePair()
    {
        while (true)
        {
            // Both ports are recorded as given, so no later Free() hands either out.
            var given = Free();
            var port = given / 10 * 10;
            if (port > 1024 && (port == given || Given.TryAdd(port, true)) && (port + 1 == given || Given.TryAdd(port + 1, true)) && IsFree(port) && IsFree(port + 1))
            {
                return port;
            }
        }
    }

    /// <summary>Whether a listener could bind 127.0.0.1:<paramref name="port"/> now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
