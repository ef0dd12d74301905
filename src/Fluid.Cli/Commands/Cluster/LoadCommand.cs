using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fluid.Api.Core;
using Fluid.Api.Serialization;
using Fluid.Kube;
using Fluid.Kube.Resources;
using Fluid.Kube.Watch;
using Spectre.Console;

namespace Fluid.Cli.Commands.Cluster;

/// <summary>`fluid load`: prewarms a dataset's cache with a DataLoad and shows its progress until it ends.</summary>
internal static class LoadCommand
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan NoStatusWarning = TimeSpan.FromSeconds(20);

    public static Command Create()
    {
        var dataset = new Argument<string>("DATASET") { Description = "The dataset whose cache to fill." };
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Paths in the dataset's tree to load (default: / , the whole dataset).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var replicas = new Option<int>("--replicas")
        {
            Description = "Cache replicas of each block to load (default 1).",
            DefaultValueFactory = _ => 1,
        };
        var noWait = new Option<bool>("--no-wait") { Description = "Create the DataLoad and return; follow it later with fluid get dataload NAME -w." };
        var command = new Command("load", """
            Load (prewarm) a dataset into its cache: creates a DataLoad named DATASET-load-XXXXX for the given paths and,
            unless --no-wait, shows its progress (bytes, files, rate, time left) until it is Complete (exit 0, with a
            summary) or Failed (exit 1, with the reason). Ctrl-C stops watching; the load goes on.

            Examples:
              fluid load demo                           # the whole dataset
              fluid load demo /train /val --replicas 2
              fluid load demo --no-wait -n team-a
            """)
        {
            dataset, paths, replicas, noWait,
        };
        var cluster = new ClusterOptions(command);
        command.SetAction((result, ct) =>
        {
            var count = result.GetValue(replicas);
            if (count < 1)
            {
                throw new CliException($"--replicas {count}: load at least 1 replica");
            }

            var targets = result.GetValue(paths) is { Length: > 0 } given ? given : ["/"];
            foreach (var path in targets.Where(p => !p.StartsWith('/')))
            {
                throw new CliException($"{path}: paths are absolute in the dataset's tree (e.g. /{path.TrimStart('.', '/')})");
            }

            return ClusterConnection.RunAsync(result, cluster, (connection, token) => RunAsync(connection, result.GetValue(dataset)!, targets, count, result.GetValue(noWait), token), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(ClusterConnection connection, string datasetName, string[] paths, int replicas, bool noWait, CancellationToken ct)
    {
        var datasets = connection.Client.Resource(ResourceRegistry.Default.Resolve("datasets")!);
        var ns = connection.Namespace;
        if (await datasets.TryGetAsync(datasetName, ns, ct).ConfigureAwait(false) is null)
        {
            var existing = (await datasets.ListAsync(new ListOptions { Limit = 10 }, ns, ct).ConfigureAwait(false)).Items.Select(ObjectOutput.Name).ToList();
            throw new CliException($"dataset \"{datasetName}\" not found in namespace \"{ns}\": "
                + (existing.Count == 0 ? "create it first (fluid apply -f dataset.yaml)" : $"name one of {string.Join(", ", existing)} (fluid get datasets), or create it (fluid apply -f)"));
        }

        var kind = ResourceRegistry.Default.Resolve("dataloads")!;
        var load = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.Kind,
            ["metadata"] = new JsonObject { ["name"] = $"{datasetName}-load-{Suffix()}", ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["dataset"] = new JsonObject { ["name"] = datasetName, ["namespace"] = ns },
                ["target"] = new JsonArray([.. paths.Select(p => (JsonNode)new JsonObject { ["path"] = p, ["replicas"] = replicas })]),
            },
        };
        // Checked as a manifest would be (the reader wants the values a parser makes, hence the round trip through text).
        var document = ManifestReader.FromJson((JsonObject)JsonNode.Parse(load.ToJsonString())!, "fluid load");
        ManifestChecks.Run(document);
        if (document.Errors.Count > 0)
        {
            throw new CliException(string.Join("; ", document.Errors.Select(e => e.ToString())));
        }

        var loads = connection.Client.Resource(kind);
        var created = await loads.CreateAsync(load, ns, cancellationToken: ct).ConfigureAwait(false);
        var name = ObjectOutput.Name(created);
        Console.WriteLine($"{ObjectOutput.Reference(kind, name)} created");
        if (noWait)
        {
            Console.WriteLine($"follow it with: fluid get dataload {name} -w{(connection.NamespaceWasGiven ? $" -n {ns}" : "")}");
            return 0;
        }

        JsonObject final;
        try
        {
            final = IsInteractive()
                ? await FollowWithBarAsync(loads, created, ct).ConfigureAwait(false)
                : await FollowWithLinesAsync(loads, created, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine($"stopped watching; {name} goes on (fluid get dataload {name} -w)");
            throw;
        }

        return Finish(final, name);
    }

    private static int Finish(JsonObject load, string name)
    {
        var status = load["status"] as JsonObject;
        var phase = ObjectOutput.Text(status, "phase");
        if (phase == "Failed")
        {
            var condition = (status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().LastOrDefault(c => ObjectOutput.Text(c, "type") == "Failed");
            var reason = ObjectOutput.Text(condition, "reason");
            var message = ObjectOutput.Text(condition, "message");
            throw new CliException($"DataLoad {name} failed: {(reason is null ? "" : reason + ": ")}{message ?? "no reason given"} (fluid describe dataload {name} shows its events)");
        }

        var duration = Duration(load);
        var progress = LoadProgress.From(status?["progress"]);
        var bytes = progress?.LoadedBytes ?? progress?.TotalBytes;
        var files = progress?.LoadedFiles ?? progress?.TotalFiles;
        var summary = $"{name} Complete: loaded";
        summary += files is { } f ? $" {f} files," : "";
        summary += bytes is { } b ? $" {Quantity.HumanBytes(b)}" : " the dataset";
        summary += duration is { } d ? $" in {GoDuration.FromTimeSpan(TimeSpan.FromSeconds(Math.Round(d.TotalSeconds))).Canonical}" : "";
        if (bytes is { } total && duration is { TotalSeconds: > 0 } elapsed)
        {
            summary += $" ({Quantity.HumanBytes((decimal)(total / elapsed.TotalSeconds))}/s on average)";
        }

        Console.WriteLine(summary);
        return 0;
    }

    private static TimeSpan? Duration(JsonObject load)
    {
        if (ObjectOutput.Text(load, "status.duration") is { } text && GoDuration.TryParse(text, out var parsed, out _))
        {
            return parsed.Value;
        }

        return DateTimeOffset.TryParse(ObjectOutput.Text(load, "metadata.creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            ? DateTimeOffset.UtcNow - created
            : null;
    }

    private static async Task<JsonObject> FollowWithLinesAsync(ResourceClient<JsonObject> loads, JsonObject created, CancellationToken ct)
    {
        string? lastPhase = null;
        var lastLine = Stopwatch.StartNew();
        return await FollowAsync(loads, created, load =>
        {
            var phase = ObjectOutput.Text(load, "status.phase") ?? "Pending";
            if (phase == lastPhase && lastLine.Elapsed < LineInterval)
            {
                return;
            }

            lastPhase = phase;
            lastLine.Restart();
            var progress = LoadProgress.From(load["status"]?["progress"]);
            Console.WriteLine(progress is null ? phase : $"{phase} {progress}");
        }, ct).ConfigureAwait(false);
    }

    private static async Task<JsonObject> FollowWithBarAsync(ResourceClient<JsonObject> loads, JsonObject created, CancellationToken ct)
    {
        JsonObject? final = null;
        var barWidth = Math.Clamp(AnsiConsole.Profile.Width - 80, 10, 40);
        var details = new DetailsColumn();
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = barWidth }, new PercentageColumn(), details)
            .StartAsync(async context =>
            {
                var task = context.AddTask("Pending", maxValue: 100);
                task.IsIndeterminate = true;
                final = await FollowAsync(loads, created, load =>
                {
                    var phase = ObjectOutput.Text(load, "status.phase") ?? "Pending";
                    var progress = LoadProgress.From(load["status"]?["progress"]);
                    task.IsIndeterminate = progress?.Percent is null && phase != "Complete";
                    task.Value = Math.Clamp(phase == "Complete" ? 100 : progress?.Percent ?? 0, 0, 100);
                    task.Description = Markup.Escape(phase);
                    details.Text = progress?.Details ?? "";
                    if (phase is "Complete" or "Failed")
                    {
                        task.StopTask();
                    }

                    context.Refresh();
                }, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return final!;
    }

    /// <summary>Bytes, files, rate and time left after the bar (of the one task shown).</summary>
    private sealed class DetailsColumn : ProgressColumn
    {
        public string Text { get; set; } = "";

        protected override bool NoWrap => true;

        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(Text);
    }

    /// <summary>Watches the DataLoad, calling <paramref name="show"/> with each state, until it is Complete or Failed.</summary>
    private static async Task<JsonObject> FollowAsync(ResourceClient<JsonObject> loads, JsonObject created, Action<JsonObject> show, CancellationToken ct)
    {
        var name = ObjectOutput.Name(created);
        var ns = ObjectOutput.Namespace(created);
        var current = created;
        var version = ObjectAccess.ResourceVersion(created);
        using var noController = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var warning = WarnWithoutStatusAsync(name, noController.Token);
        void Show(JsonObject load)
        {
            if (ObjectOutput.Text(load, "status.phase") is not null)
            {
                // A controller answered: no need to say that none seems to run.
                noController.Cancel();
            }

            show(load);
        }

        Show(current);
        try
        {
            return await WatchUntilDoneAsync().ConfigureAwait(false);
        }
        finally
        {
            await noController.CancelAsync().ConfigureAwait(false);
            await warning.ConfigureAwait(false);
        }

        async Task<JsonObject> WatchUntilDoneAsync()
        {
            while (true)
            {
                if (ObjectOutput.Text(current, "status.phase") is "Complete" or "Failed")
                {
                    return current;
                }

                await foreach (var change in loads.WatchAsync(new WatchOptions { ResourceVersion = version, FieldSelector = $"metadata.name={name}" }, ns, ct).ConfigureAwait(false))
                {
                    if (change.Type == WatchEventType.Error)
                    {
                        // Too old to resume (410): read the current state and watch again from it.
                        current = await loads.TryGetAsync(name, ns, ct).ConfigureAwait(false) ?? throw Deleted(name);
                        version = ObjectAccess.ResourceVersion(current);
                        Show(current);
                        break;
                    }

                    version = change.ResourceVersion ?? version;
                    if (change.Type == WatchEventType.Bookmark || change.Object is null)
                    {
                        continue;
                    }

                    if (change.Type == WatchEventType.Deleted)
                    {
                        throw Deleted(name);
                    }

                    current = change.Object;
                    Show(current);
                    if (ObjectOutput.Text(current, "status.phase") is "Complete" or "Failed")
                    {
                        return current;
                    }
                }
            }
        }
    }

    private static async Task WarnWithoutStatusAsync(string name, CancellationToken ct)
    {
        try
        {
            await Task.Delay(NoStatusWarning, ct).ConfigureAwait(false);
            Console.Error.WriteLine($"warning: {name} has no status after {NoStatusWarning.TotalSeconds:0}s: no Fluid controller seems to serve this cluster "
                + "(fluid up runs one with fluidd; on a cluster, check the fluid-controller Deployment)");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static CliException Deleted(string name) =>
        new($"DataLoad {name} was deleted before it finished (by someone else, or its ttlSecondsAfterFinished ran out)");

    private static bool IsInteractive() => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static string Suffix()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
    }
}
