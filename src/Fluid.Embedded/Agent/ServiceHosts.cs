using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Agent;

/// <summary>
/// Makes Service names resolve on this node, as cluster DNS would: a block of the hosts file, owned by one
/// agent, maps {svc}.{ns}.svc (and .svc.cluster.local) to the addresses of the pods the Service selects, and
/// {pod}.{svc}.{ns}.svc to each StatefulSet pod. Pods run on the host's network, so the host's resolver is theirs.
/// The block is rewritten only when it changes and removed when the agent stops.
/// </summary>
internal sealed class ServiceHosts(string hostsFile, string owner)
{
    private readonly string _begin = $"# BEGIN fluidd {Tag(owner)} (managed by fluidd's node agent: Service names of its pods)";
    private readonly string _end = $"# END fluidd {Tag(owner)}";
    private string? _written;

    /// <summary>The path of the hosts file.</summary>
    public string Path => hostsFile;

    /// <summary>Rewrites the block for the given Services and pods (pods of other nodes or being deleted are left out).</summary>
    public void Sync(IEnumerable<JsonObject> services, IReadOnlyList<JsonObject> pods)
    {
        var lines = Lines(services, pods);
        var text = string.Join('\n', lines);
        if (text == _written)
        {
            return;
        }

        Rewrite(lines);
        _written = text;
    }

    /// <summary>Removes the block.</summary>
    public void Remove()
    {
        if (File.Exists(hostsFile))
        {
            Rewrite([]);
        }

        _written = null;
    }

    /// <summary>The hosts lines for the Services, sorted so the block changes only when the mapping does.</summary>
    internal static List<string> Lines(IEnumerable<JsonObject> services, IReadOnlyList<JsonObject> pods)
    {
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var selector = Json.Labels(service, "spec", "selector");
            if (selector.Count == 0)
            {
                continue;
            }

            var ns = Json.Namespace(service);
            var name = Json.Name(service);
            foreach (var pod in pods)
            {
                if (Json.Namespace(pod) != ns || Json.Deleting(pod) || Json.Text(pod, "status", "phase") is "Succeeded" or "Failed")
                {
                    continue;
                }

                var labels = Json.Labels(pod, "metadata", "labels");
                if (!selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value))
                {
                    continue;
                }

                var ip = PodAddress.Of(pod);
                lines.Add($"{ip} {name}.{ns}.svc {name}.{ns}.svc.cluster.local");
                lines.Add($"{ip} {Json.Name(pod)}.{name}.{ns}.svc {Json.Name(pod)}.{name}.{ns}.svc.cluster.local");
            }
        }

        return [.. lines];
    }

    private void Rewrite(IReadOnlyList<string> lines)
    {
        // Written in place (the file may be a bind mount); FileShare.None takes an flock that other agents honour.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var file = new FileStream(hostsFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var current = new StreamReader(file, Encoding.UTF8, leaveOpen: true).ReadToEnd();
                var kept = new List<string>();
                var inside = false;
                foreach (var line in current.Split('\n'))
                {
                    if (line == _begin)
                    {
                        inside = true;
                    }
                    else if (line == _end)
                    {
                        inside = false;
                    }
                    else if (!inside)
                    {
                        kept.Add(line);
                    }
                }

                while (kept.Count > 0 && kept[^1].Length == 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                if (lines.Count > 0)
                {
                    kept.Add(_begin);
                    kept.AddRange(lines);
                    kept.Add(_end);
                }

                var bytes = Encoding.UTF8.GetBytes(string.Join('\n', kept) + "\n");
                file.Position = 0;
                file.Write(bytes);
                file.SetLength(bytes.Length);
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static string Tag(string owner) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(owner)))[..12];
}
