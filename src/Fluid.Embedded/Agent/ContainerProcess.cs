using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Fluid.Embedded.Agent;

/// <summary>
/// One container as a local process, restarted per the pod's restartPolicy with exponential back-off, its
/// readiness probed, its state kept as the containerStatuses entry the API shows.
/// </summary>
internal sealed class ContainerProcess : IAsyncDisposable
{
    // Runs in the new mount namespace: bind each volume at its mountPath, enter workingDir, become the program.
    // With Bidirectional volumes the namespace starts as a copy of the host's propagation; every mount but those
    // volumes then becomes a slave, so the binds below stay here while mounts under the volumes reach the host.
    private const string MountScript = """
        set -e
        wd="$1"; shared="$2"; shift 2
        if [ -n "$shared" ]; then
          for mp in $(awk '{print $5}' /proc/self/mountinfo); do
            keep=0
            IFS=:; for s in $shared; do case "$mp" in "$s"|"$s"/*) keep=1;; esac; done; unset IFS
            [ $keep = 1 ] || mount --make-slave "$mp" 2>/dev/null || true
          done
        fi
        while [ "$1" != "--" ]; do
          if [ -d "$1" ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; [ -e "$2" ] || : > "$2"; fi
          # A volume at its own host path is there already; binding it again would stack (and, if shared, reach the host).
          if [ "$1" != "$2" ] || [ "$3" = ro ]; then
            mount --bind "$1" "$2"
            if [ "$3" = ro ]; then mount -o remount,bind,ro "$2"; fi
          fi
          shift 3
        done
        shift
        if [ -n "$wd" ]; then mkdir -p "$wd"; cd "$wd"; fi
        exec "$@"
        """;

    private readonly ContainerLaunch _launch;
    private readonly string _restartPolicy;
    private readonly string _directory;
    private readonly NodeAgentOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly LogFile _log;
    private Task _loop = Task.CompletedTask;
    private Process? _process;
    private Task _output = Task.CompletedTask;
    private JsonObject _state = new() { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } };
    private JsonObject? _lastState;
    private int _restarts;
    private bool _ready;
    private bool _finished;
    private bool _holdsShared;
    private string? _lastProbeError;

    public ContainerProcess(ContainerLaunch launch, string restartPolicy, string podDirectory, NodeAgentOptions options)
    {
        _launch = launch;
        _restartPolicy = restartPolicy;
        _directory = podDirectory;
        _options = options;
        _log = new LogFile(ContainerLogs.FilePath(podDirectory, launch.Name), options.LogMaxBytes);
    }

    public string Name => _launch.Name;

    /// <summary>Exited and will not be restarted.</summary>
    public bool Finished
    {
        get
        {
            lock (_lock)
            {
                return _finished;
            }
        }
    }

    public int? ExitCode
    {
        get
        {
            lock (_lock)
            {
                return (int?)Json.Number(_state, "terminated", "exitCode");
            }
        }
    }

    public bool Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready;
            }
        }
    }

    public string PidFile => Path.Combine(_directory, _launch.Name + ".pid");

    public void Start() => _loop = Task.Run(RunAsync, CancellationToken.None);

    public JsonObject Status()
    {
        lock (_lock)
        {
            var status = new JsonObject
            {
                ["name"] = _launch.Name,
                ["image"] = _launch.Image,
                ["imageID"] = "",
                ["ready"] = _ready,
                ["started"] = _state.ContainsKey("running"),
                ["restartCount"] = _restarts,
                ["state"] = _state.DeepClone(),
                ["lastState"] = _lastState?.DeepClone() ?? new JsonObject(),
            };
            if (_process is { } p)
            {
                status["containerID"] = $"fluidd://{p.Id}";
            }

            return status;
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var backoff = _options.InitialRestartBackoff;
        while (!ct.IsCancellationRequested)
        {
            var started = DateTimeOffset.UtcNow;
            Process process;
            try
            {
                process = Spawn();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
            {
                _log.Note($"start failed: {e.Message}");
                SetState(new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "RunContainerError", ["message"] = $"starting {_launch.Program} failed: {e.Message}" } });
                if (!await DelayAsync(backoff, ct).ConfigureAwait(false))
                {
                    break;
                }

                backoff = Next(backoff);
                continue;
            }

            using var probing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var probe = Task.Run(() => ProbeAsync(probing.Token), CancellationToken.None);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            // What the process wrote last is in the log before the exit note (a child that keeps the pipes open is not waited for long).
            try
            {
                await _output.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            await probing.CancelAsync().ConfigureAwait(false);
            await probe.ConfigureAwait(false);
            var code = process.ExitCode;
            var finished = DateTimeOffset.UtcNow;
            File.Delete(PidFile);
            _log.Note($"{ContainerLogs.ExitNote}{code}");
            var terminated = new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = code,
                    ["reason"] = code == 0 ? "Completed" : "Error",
                    ["startedAt"] = Time(started),
                    ["finishedAt"] = Time(finished),
                    ["containerID"] = $"fluidd://{process.Id}",
                },
            };
            var restart = !ct.IsCancellationRequested && (_restartPolicy == "Always" || (_restartPolicy == "OnFailure" && code != 0));
            lock (_lock)
            {
                _ready = false;
                _state = terminated;
                _finished = !restart;
            }

            if (!restart)
            {
                break;
            }

            // A container that ran a while starts its back-off afresh, as the kubelet does after 10 minutes.
            if (finished - started > TimeSpan.FromMinutes(10))
            {
                backoff = _options.InitialRestartBackoff;
            }

            lock (_lock)
            {
                _lastState = terminated;
                _restarts++;
                _state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = $"back-off {backoff.TotalSeconds:0.#}s restarting failed container={_launch.Name}" } };
            }

            if (!await DelayAsync(backoff, ct).ConfigureAwait(false))
            {
                break;
            }

            backoff = Next(backoff);
        }
    }

    private TimeSpan Next(TimeSpan backoff) => backoff * 2 > _options.MaxRestartBackoff ? _options.MaxRestartBackoff : backoff * 2;

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Process Spawn()
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.Environment.Clear();
        foreach (var name in (string[])["PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME", "TMPDIR", "LANG"])
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["HOSTNAME"] = _launch.Environment.GetValueOrDefault("HOSTNAME") ?? System.Environment.MachineName;
        start.Environment[AgentMark.Variable] = AgentMark.For(_options.DataDirectory);
        foreach (var (name, value) in _launch.Environment)
        {
            start.Environment[name] = value;
        }

        if (_launch.Mounts.Count == 0 || _launch.Mounts.All(m => m.Source == m.Target))
        {
            // Nothing to bind (or every volume sits at its own host path): no namespace is needed.
            start.FileName = _launch.Program;
            foreach (var argument in _launch.Arguments)
            {
                start.ArgumentList.Add(argument);
            }

            if (_launch.WorkingDirectory is { } wd)
            {
                Directory.CreateDirectory(wd);
                start.WorkingDirectory = wd;
            }
        }
        else
        {
            var shared = _launch.Mounts.Where(m => m.Bidirectional).Select(m => m.Source).ToList();
            foreach (var source in shared)
            {
                MountTable.MakeShared(source, newUser: !_holdsShared);
            }

            _holdsShared = true;

            start.FileName = "unshare";
            foreach (var argument in (string[])["--mount", "--propagation", shared.Count > 0 ? "unchanged" : "private", "--", "/bin/sh", "-c", MountScript, "fluidd-container", _launch.WorkingDirectory ?? "", string.Join(':', shared)])
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var mount in _launch.Mounts)
            {
                start.ArgumentList.Add(mount.Source);
                start.ArgumentList.Add(mount.Target);
                start.ArgumentList.Add(mount.ReadOnly ? "ro" : "rw");
            }

            start.ArgumentList.Add("--");
            start.ArgumentList.Add(_launch.Program);
            foreach (var argument in _launch.Arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        _log.Note($"{ContainerLogs.StartNote}{_launch.Program} {string.Join(' ', _launch.Arguments)}");
        var process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        process.StandardInput.Close();
        LocalProcess.WritePidFile(PidFile, process.Id);
        _output = Task.WhenAll(_log.PumpAsync(process.StandardOutput.BaseStream), _log.PumpAsync(process.StandardError.BaseStream));
        lock (_lock)
        {
            _process = process;
            _state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(DateTimeOffset.UtcNow) } };
            _ready = false;
        }

        return process;
    }

    private async Task ProbeAsync(CancellationToken ct)
    {
        if (Json.At(_launch.Spec, "readinessProbe") is not JsonObject probe)
        {
            lock (_lock)
            {
                _ready = _state.ContainsKey("running");
            }

            return;
        }

        var initial = TimeSpan.FromSeconds(Json.Number(probe, "initialDelaySeconds") ?? 0);
        var period = TimeSpan.FromSeconds(Math.Max(1, Json.Number(probe, "periodSeconds") ?? 10));
        var timeout = TimeSpan.FromSeconds(Math.Max(1, Json.Number(probe, "timeoutSeconds") ?? 1));
        var successThreshold = Json.Number(probe, "successThreshold") ?? 1;
        var failureThreshold = Json.Number(probe, "failureThreshold") ?? 3;
        long successes = 0, failures = 0;
        if (!await DelayAsync(initial, ct).ConfigureAwait(false))
        {
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            var ok = await ProbeOnceAsync(probe, timeout, ct).ConfigureAwait(false);
            successes = ok ? successes + 1 : 0;
            failures = ok ? 0 : failures + 1;
            lock (_lock)
            {
                if (successes >= successThreshold)
                {
                    _ready = true;
                }
                else if (failures >= failureThreshold)
                {
                    _ready = false;
                }
            }

            // Until the first success, probe often so a pod turns ready soon after it can serve.
            if (!await DelayAsync(Ready ? period : TimeSpan.FromMilliseconds(Math.Min(period.TotalMilliseconds, 250)), ct).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<bool> ProbeOnceAsync(JsonObject probe, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            if (Json.At(probe, "httpGet") is JsonObject http)
            {
                var scheme = (Json.Text(http, "scheme") ?? "HTTP").ToLowerInvariant();
                var host = Json.Text(http, "host") ?? _launch.PodIP;
                var url = new Uri($"{scheme}://{host}:{Port(Json.At(http, "port"))}{Json.Text(http, "path") ?? "/"}");
                using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
                using var client = new HttpClient(handler);
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                foreach (var header in Json.Objects(http, "httpHeaders"))
                {
                    request.Headers.TryAddWithoutValidation(Json.Text(header, "name") ?? "", Json.Text(header, "value"));
                }

                using var response = await client.SendAsync(request, limit.Token).ConfigureAwait(false);
                return (int)response.StatusCode is >= 200 and < 400;
            }

            if (Json.At(probe, "tcpSocket") is JsonObject tcp)
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(Json.Text(tcp, "host") ?? _launch.PodIP, Port(Json.At(tcp, "port")), limit.Token).ConfigureAwait(false);
                return true;
            }

            if (Json.At(probe, "exec", "command") is JsonArray command && command.Count > 0)
            {
                var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                var words = command.Select(w => w?.ToString() ?? "").ToList();
                var isFluid = Path.GetFileName(words[0]) == "fluid";
                start.FileName = isFluid ? _launch.Fluid.Path : words[0];
                foreach (var prefix in isFluid ? _launch.Fluid.Prefix : [])
                {
                    start.ArgumentList.Add(prefix);
                }

                foreach (var word in words.Skip(1))
                {
                    start.ArgumentList.Add(word);
                }

                using var process = Process.Start(start)!;
                try
                {
                    await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    return false;
                }

                return process.ExitCode == 0;
            }

            return true;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or OperationCanceledException or IOException or System.ComponentModel.Win32Exception or UriFormatException or InvalidOperationException)
        {
            if (e.Message != _lastProbeError)
            {
                _lastProbeError = e.Message;
                _log.Note($"readiness probe failed: {e.GetType().Name}: {e.Message}");
            }

            return false;
        }
    }

    private int Port(JsonNode? port)
    {
        if (port is JsonValue v && v.TryGetValue<int>(out var number))
        {
            return number;
        }

        var name = port?.ToString() ?? "";
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        return (int?)Json.Objects(_launch.Spec, "ports").Where(p => Json.Text(p, "name") == name).Select(p => Json.Number(p, "containerPort")).FirstOrDefault() ?? 0;
    }

    private void SetState(JsonObject state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }

    /// <summary>SIGTERM, then SIGKILL after the grace period; returns once the process is gone.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Process? process;
        lock (_lock)
        {
            process = _process;
        }

        if (process is not null && !process.HasExited)
        {
            LocalProcess.Signal(process.Id, "TERM");
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _log.Note($"still running {grace.TotalSeconds:0}s after SIGTERM; sending SIGKILL");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        await _loop.ConfigureAwait(false);
        File.Delete(PidFile);
    }

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => new(DisposeAsyncWithGrace(TimeSpan.FromSeconds(5)));

    public async Task DisposeAsyncWithGrace(TimeSpan grace)
    {
        await StopAsync(grace).ConfigureAwait(false);
        foreach (var mount in _launch.Mounts.Where(m => m.Bidirectional && _holdsShared))
        {
            MountTable.ReleaseShared(mount.Source);
        }

        _log.Dispose();
        _stop.Dispose();
    }
}
