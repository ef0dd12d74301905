using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Embedded.Agent;
using Fluid.Embedded.Storage;
using Microsoft.AspNetCore.Http;

namespace Fluid.Embedded.Server;

/// <summary>
/// GET pods/NAME/log, as kube-apiserver answers it (text/plain; 400 when the container is ambiguous,
/// unknown or not started; 404 for an unknown pod), read from the files the node agent writes.
/// </summary>
internal sealed class PodLogs(ObjectStore store, string? podsDirectory)
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    public async Task ServeAsync(HttpContext context, string ns, string name)
    {
        var query = context.Request.Query;
        if (Flag(query, "timestamps") || query["sinceSeconds"].Count > 0 || query["sinceTime"].Count > 0)
        {
            throw ApiException.BadRequest("fluidd's node agent does not record when each line was written: timestamps, sinceSeconds and sinceTime are not supported; leave them out (tailLines works)");
        }

        var tail = Number(query, "tailLines", min: 0);
        var limit = Number(query, "limitBytes", min: 1);
        var previous = Flag(query, "previous");
        var follow = Flag(query, "follow") && !previous;
        var pod = store.Get("pods", ns, name) ?? throw ApiException.NotFound("pods", name);
        var container = Container(pod, name, query["container"].ToString());
        if (podsDirectory is null)
        {
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" has no log: fluidd runs without its node agent (--no-agent), so no pod runs here");
        }

        var uid = ObjectFields.Uid(pod) ?? "";
        var path = ContainerLogs.FilePath(ContainerLogs.PodDirectory(podsDirectory, ns, name, uid), container);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            var waiting = ContainerStatus(pod, container)?["state"]?["waiting"]?["reason"]?.ToString();
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {waiting ?? "ContainerCreating"}");
        }

        var owned = file;
        try
        {
            var text = new MemoryStream();
            if (File.Exists(path + ".1"))
            {
                try
                {
                    await text.WriteAsync(await File.ReadAllBytesAsync(path + ".1", context.RequestAborted).ConfigureAwait(false), context.RequestAborted).ConfigureAwait(false);
                }
                catch (FileNotFoundException)
                {
                    // Rotated away again meanwhile.
                }
            }

            await file.CopyToAsync(text, context.RequestAborted).ConfigureAwait(false);
            var runs = ContainerLogs.Runs(text.GetBuffer().AsSpan(0, (int)text.Length));
            ContainerRun run;
            if (previous)
            {
                run = runs.Count >= 2 ? runs[^2] : throw ApiException.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
            }
            else
            {
                run = runs.Count > 0 ? runs[^1] : new ContainerRun();
            }

            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "text/plain";
            response.Headers.CacheControl = "no-cache, private";
            var budget = limit ?? long.MaxValue;
            var lines = tail is { } t ? run.Lines.Skip(Math.Max(0, run.Lines.Count - (int)Math.Min(t, int.MaxValue))) : run.Lines;
            foreach (var line in lines)
            {
                if (!await WriteAsync(response, line, ref budget, context.RequestAborted).ConfigureAwait(false))
                {
                    return;
                }
            }

            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            if (follow && !run.Exited)
            {
                owned = null;
                await FollowAsync(context, file, path, ns, name, uid, budget, atLineStart: run.Lines.Count == 0 || run.Lines[^1][^1] == (byte)'\n', started: runs.Count > 0).ConfigureAwait(false);
            }
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task FollowAsync(HttpContext context, FileStream file, string path, string ns, string name, string uid, long budget, bool atLineStart, bool started)
    {
        // Until the container's process ends (the agent notes it), the pod goes away, or the client hangs up.
        var ct = context.RequestAborted;
        var response = context.Response;
        var pending = new List<byte>();
        var buffer = new byte[64 * 1024];
        var lastPodCheck = DateTime.UtcNow;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var read = await file.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (read > 0)
                {
                    pending.AddRange(buffer.AsSpan(0, read));
                    int newline;
                    while ((newline = pending.IndexOf((byte)'\n')) >= 0)
                    {
                        var line = pending.GetRange(0, newline + 1).ToArray();
                        pending.RemoveRange(0, newline + 1);
                        var kind = atLineStart ? ContainerLogs.Classify(line) : LineKind.Output;
                        atLineStart = true;
                        if (kind == LineKind.Start && !started)
                        {
                            // The file was opened before the agent noted the first start: this is the run being followed.
                            started = true;
                            continue;
                        }

                        if (kind is LineKind.Start or LineKind.Exit)
                        {
                            return;
                        }

                        if (kind == LineKind.Output && !await WriteAsync(response, line, ref budget, ct).ConfigureAwait(false))
                        {
                            return;
                        }
                    }

                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                    continue;
                }

                if (new FileInfo(path) is { Exists: true } info && info.Length < file.Position)
                {
                    // The agent rotated the file: what we hold is now .log.1 and fully read; go on with the new one.
                    await file.DisposeAsync().ConfigureAwait(false);
                    file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    continue;
                }

                if (pending.Count > 0 && !(atLineStart && char.IsAsciiDigit((char)pending[0])))
                {
                    // Output without a newline yet (a prompt, a progress bar): send it now rather than hold it.
                    if (!await WriteAsync(response, [.. pending], ref budget, ct).ConfigureAwait(false))
                    {
                        return;
                    }

                    atLineStart = false;
                    pending.Clear();
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                }

                if (DateTime.UtcNow - lastPodCheck > TimeSpan.FromSeconds(1))
                {
                    lastPodCheck = DateTime.UtcNow;
                    if (store.Get("pods", ns, name) is not { } pod || ObjectFields.Uid(pod) != uid)
                    {
                        return;
                    }
                }

                await Task.Delay(FollowPoll, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ValueTask<bool> WriteAsync(HttpResponse response, byte[] bytes, ref long budget, CancellationToken ct)
    {
        if (budget <= 0)
        {
            return ValueTask.FromResult(false);
        }

        var count = (int)Math.Min(bytes.Length, budget);
        budget -= count;
        var last = budget <= 0;
        return WriteCoreAsync(response, bytes.AsMemory(0, count), !last, ct);
    }

    private static async ValueTask<bool> WriteCoreAsync(HttpResponse response, ReadOnlyMemory<byte> bytes, bool more, CancellationToken ct)
    {
        await response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        return more;
    }

    private static string Container(JsonObject pod, string name, string requested)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.ToString()).OfType<string>().ToList();
        if (requested.Length > 0)
        {
            return containers.Contains(requested) ? requested : throw ApiException.BadRequest($"container {requested} is not valid for pod {name}");
        }

        return containers.Count switch
        {
            1 => containers[0],
            0 => throw ApiException.BadRequest($"a container name must be specified for pod {name}"),
            _ => throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]"),
        };
    }

    private static JsonObject? ContainerStatus(JsonObject pod, string container) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(s => s["name"]?.ToString() == container);

    private static bool Flag(IQueryCollection query, string name) => query[name].ToString() is "true" or "1";

    private static long? Number(IQueryCollection query, string name, long min)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw ApiException.BadRequest($"{name} \"{text}\" must be a whole number of at least {min}");
    }
}
