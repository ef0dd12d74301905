using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Agent;

/// <summary>
/// Every pod gets its own loopback address, 127.A.B.C, derived from its namespace and name, so that pods
/// on this host-network node can each listen on their containers' ports (two workers both on 29999) and a
/// restarted pod keeps its address. 127.0.0.0/16 is left to the host's own names.
/// </summary>
public static class PodAddress
{
    /// <summary>The address of the pod named by namespace and name.</summary>
    public static string Of(string ns, string name)
    {
        var hash = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}/{name}")));
        var a = 1 + (int)(hash % 254);
        var b = (int)((hash >> 16) & 0xff);
        var c = 1 + (int)((hash >> 32) % 254);
        return $"127.{a}.{b}.{c}";
    }

    /// <summary>The address of a pod object.</summary>
    public static string Of(JsonObject pod) => Of(Json.Namespace(pod), Json.Name(pod));
}
