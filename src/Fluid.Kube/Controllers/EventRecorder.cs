using System.Globalization;
using System.Text.Json.Nodes;
using Fluid.Kube.Http;
using Fluid.Kube.Resources;

namespace Fluid.Kube.Controllers;

/// <summary>The two event types Kubernetes knows.</summary>
public static class EventType
{
    /// <summary>Something expected happened.</summary>
    public const string Normal = "Normal";

    /// <summary>Something the user should look at.</summary>
    public const string Warning = "Warning";
}

/// <summary>
/// Records core/v1 Events about objects (what `kubectl describe` shows). A repeat of the same event (same
/// object, type, reason and message) increments the count of the existing Event instead of creating another.
/// Recording never throws for API failures: an event is not worth failing a reconcile for.
/// </summary>
public sealed class EventRecorder
{
    private const int MaxMessageLength = 1024;
    private const int MaxRemembered = 4096;
    private readonly KubeClient _client;
    private readonly Dictionary<string, (string Namespace, string Name, int Count, string FirstTimestamp)> _seen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a recorder that signs events with <paramref name="component"/> (and the host).</summary>
    public EventRecorder(KubeClient client, string component, string? host = null)
    {
        if (string.IsNullOrWhiteSpace(component))
        {
            throw new ArgumentException("an event recorder needs a component name, e.g. \"fluid-controller\"", nameof(component));
        }

        _client = client;
        Component = component;
        Host = host ?? Environment.MachineName;
    }

    /// <summary>Who reports the events.</summary>
    public string Component { get; }

    /// <summary>Where the reporter runs.</summary>
    public string Host { get; }

    /// <summary>Told when an event could not be written.</summary>
    public Action<Exception>? OnError { get; init; }

    /// <summary>Records an event about <paramref name="involved"/> (a typed object or a JsonObject read from the server).</summary>
    public async Task RecordAsync(object involved, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        if (type is not (EventType.Normal or EventType.Warning))
        {
            throw new ArgumentException($"event type \"{type}\" must be Normal or Warning", nameof(type));
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"event reason \"{reason}\" must be one CamelCase word such as RuntimeNotReady", nameof(reason));
        }

        var name = ObjectAccess.Name(involved);
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("the object an event is about needs metadata.name", nameof(involved));
        }

        if (message.Length > MaxMessageLength)
        {
            message = message[..(MaxMessageLength - 3)] + "...";
        }

        var ns = ObjectAccess.Namespace(involved);
        var eventNamespace = string.IsNullOrEmpty(ns) ? "default" : ns;
        var key = string.Join('\u0001', ObjectAccess.ApiVersion(involved), ObjectAccess.Kind(involved), ns, name, ObjectAccess.Uid(involved), type, reason, message);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var events = _client.Resource("v1", "Event");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_seen.TryGetValue(key, out var seen))
            {
                var count = seen.Count + 1;
                try
                {
                    await events.MergePatchAsync(seen.Name, new JsonObject { ["count"] = count, ["lastTimestamp"] = now }, seen.Namespace, cancellationToken).ConfigureAwait(false);
                    _seen[key] = seen with { Count = count };
                    return;
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                    // The Event expired (the server keeps them an hour): start a new one.
                    _seen.Remove(key);
                }
            }

            var eventName = $"{name}.{(DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100:x}";
            var body = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = eventName, ["namespace"] = eventNamespace },
                ["involvedObject"] = new JsonObject
                {
                    ["apiVersion"] = ObjectAccess.ApiVersion(involved),
                    ["kind"] = ObjectAccess.Kind(involved),
                    ["name"] = name,
                    ["namespace"] = string.IsNullOrEmpty(ns) ? null : ns,
                    ["uid"] = ObjectAccess.Uid(involved),
                    ["resourceVersion"] = ObjectAccess.ResourceVersion(involved),
                },
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = Component, ["host"] = Host },
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
                ["type"] = type,
                ["reportingComponent"] = Component,
                ["reportingInstance"] = Host,
            };
            await events.CreateAsync(body, eventNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (_seen.Count >= MaxRemembered)
            {
                _seen.Clear();
            }

            _seen[key] = (eventNamespace, eventName, 1, now);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            OnError?.Invoke(e);
        }
        finally
        {
            _gate.Release();
        }
    }
}
