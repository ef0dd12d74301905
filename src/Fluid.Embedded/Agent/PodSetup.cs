using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fluid.Kube;
using Fluid.Kube.Http;

namespace Fluid.Embedded.Agent;

/// <summary>One bind mount inside a container's mount namespace.</summary>
internal sealed record BindMount(string Source, string Target, bool ReadOnly, bool Bidirectional);

/// <summary>How one container is started: program, arguments, environment, working directory and mounts.</summary>
internal sealed record ContainerLaunch(string Name, string Image, string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string? WorkingDirectory, IReadOnlyList<BindMount> Mounts, JsonObject Spec, FluidProgram Fluid, string PodIP);

/// <summary>
/// Turns a pod spec into launches: volumes made into host directories (hostPath as is, emptyDir and projected
/// secrets/configMaps under the pod's directory), env resolved, image `fluid` mapped to the fluid program.
/// </summary>
internal sealed partial class PodSetup(KubeClient client, FluidProgram fluid, string nodeName)
{
    public async Task<List<ContainerLaunch>> PrepareAsync(JsonObject pod, string podDirectory, CancellationToken ct)
    {
        var ns = Json.Namespace(pod);
        if (Json.Objects(pod, "spec", "initContainers").Any())
        {
            throw new PodConfigException("CreateContainerConfigError", "spec.initContainers: fluidd's node agent does not run init containers; move the step into the container's command");
        }

        var containers = Json.Objects(pod, "spec", "containers").ToList();
        foreach (var container in containers)
        {
            var image = Json.Text(container, "image") ?? "";
            if (!IsFluidImage(image))
            {
                throw new PodConfigException("ImageNotSupported", $"container \"{Json.Text(container, "name")}\": image \"{image}\" cannot run here; fluidd's node agent runs only image `fluid` (any registry or tag) as the local fluid program. Run this pod on a real cluster instead");
            }
        }

        var volumes = new Dictionary<string, string>();
        foreach (var volume in Json.Objects(pod, "spec", "volumes"))
        {
            var name = Json.Text(volume, "name") ?? "";
            volumes[name] = await VolumeAsync(volume, name, ns, Path.Combine(podDirectory, "volumes", name), ct).ConfigureAwait(false);
        }

        var launches = new List<ContainerLaunch>();
        foreach (var container in containers)
        {
            var name = Json.Text(container, "name") ?? "";
            var env = await EnvironmentAsync(pod, container, ns, ct).ConfigureAwait(false);
            var mounts = new List<BindMount>();
            foreach (var mount in Json.Objects(container, "volumeMounts"))
            {
                var volume = Json.Text(mount, "name") ?? "";
                if (!volumes.TryGetValue(volume, out var source))
                {
                    throw new PodConfigException("CreateContainerConfigError", $"container \"{name}\": volumeMounts[].name \"{volume}\" names no volume in spec.volumes");
                }

                if ((Json.Text(mount, "subPathExpr") is { Length: > 0 } expression ? Expand(expression, env) : Json.Text(mount, "subPath")) is { Length: > 0 } sub)
                {
                    if (sub.Split('/').Contains("..") || Path.IsPathRooted(sub))
                    {
                        throw new PodConfigException("CreateContainerConfigError", $"container \"{name}\": volumeMounts[{volume}].subPath \"{sub}\" must be a relative path without '..'");
                    }

                    source = Path.Combine(source, sub);
                    if (!File.Exists(source))
                    {
                        Directory.CreateDirectory(source);
                    }
                }

                var target = Json.Text(mount, "mountPath") ?? throw new PodConfigException("CreateContainerConfigError", $"container \"{name}\": volumeMounts[{volume}].mountPath is required");
                var readOnly = Json.At(mount, "readOnly") is JsonValue r && r.TryGetValue<bool>(out var ro) && ro;
                mounts.Add(new BindMount(source, target, readOnly, Json.Text(mount, "mountPropagation") == "Bidirectional"));
            }

            var bindsNeeded = mounts.Any(m => m.Source != m.Target);
            if (bindsNeeded && !LocalProcess.IsRoot())
            {
                throw new PodConfigException("CreateContainerError", $"container \"{name}\": its volumeMounts need a private mount namespace (unshare --mount), which only root can create; run fluidd as root, or mount every hostPath volume at its own path");
            }

            var command = Strings(container, "command").Select(s => Expand(s, env)).ToList();
            var args = Strings(container, "args").Select(s => Expand(s, env)).ToList();
            string program;
            var arguments = new List<string>();
            if (command.Count == 0 || Path.GetFileName(command[0]) == "fluid")
            {
                // The image's entrypoint is the fluid program.
                program = fluid.Path;
                arguments.AddRange(fluid.Prefix);
                arguments.AddRange(command.Skip(1));
            }
            else
            {
                program = command[0];
                arguments.AddRange(command.Skip(1));
            }

            arguments.AddRange(args);
            launches.Add(new ContainerLaunch(name, Json.Text(container, "image")!, program, arguments, env, Json.Text(container, "workingDir"), mounts, container, fluid, PodAddress.Of(pod)));
        }

        return launches;
    }

    public static bool IsFluidImage(string image)
    {
        var withoutDigest = image.Split('@')[0];
        var last = withoutDigest[(withoutDigest.LastIndexOf('/') + 1)..];
        var colon = last.IndexOf(':', StringComparison.Ordinal);
        return (colon < 0 ? last : last[..colon]) == "fluid";
    }

    private async Task<string> VolumeAsync(JsonObject volume, string name, string ns, string directory, CancellationToken ct)
    {
        if (Json.At(volume, "hostPath") is JsonObject host)
        {
            var path = Json.Text(host, "path") ?? throw new PodConfigException("CreateContainerConfigError", $"volume \"{name}\": hostPath.path is required");
            var type = Json.Text(host, "type") ?? "";
            if (type == "DirectoryOrCreate")
            {
                Directory.CreateDirectory(path);
            }
            else if (type == "FileOrCreate" && !File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, []);
            }
            else if (type is "Directory" && !Directory.Exists(path) || type is "File" or "Socket" or "CharDevice" or "BlockDevice" && !File.Exists(path))
            {
                throw new PodConfigException("CreateContainerConfigError", $"volume \"{name}\": hostPath.path {path} does not exist as a {type}; create it or use type DirectoryOrCreate");
            }

            return path;
        }

        if (Json.At(volume, "emptyDir") is JsonObject)
        {
            Directory.CreateDirectory(directory);
            return directory;
        }

        if (Json.At(volume, "secret") is JsonObject secret)
        {
            var secretName = Json.Text(secret, "secretName") ?? "";
            var obj = await client.Resource("v1", "Secret").TryGetAsync(secretName, ns, ct).ConfigureAwait(false);
            var data = Json.At(obj, "data") as JsonObject ?? [];
            var files = data.ToDictionary(p => p.Key, p => Convert.FromBase64String(p.Value?.ToString() ?? ""));
            Project(name, "secret", secretName, obj is not null, files, secret, directory, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return directory;
        }

        if (Json.At(volume, "configMap") is JsonObject map)
        {
            var mapName = Json.Text(map, "name") ?? "";
            var obj = await client.Resource("v1", "ConfigMap").TryGetAsync(mapName, ns, ct).ConfigureAwait(false);
            var files = new Dictionary<string, byte[]>();
            foreach (var (key, value) in Json.At(obj, "data") as JsonObject ?? [])
            {
                files[key] = Encoding.UTF8.GetBytes(value?.ToString() ?? "");
            }

            foreach (var (key, value) in Json.At(obj, "binaryData") as JsonObject ?? [])
            {
                files[key] = Convert.FromBase64String(value?.ToString() ?? "");
            }

            Project(name, "configMap", mapName, obj is not null, files, map, directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return directory;
        }

        if (Json.At(volume, "persistentVolumeClaim") is JsonObject claim)
        {
            return await ClaimAsync(name, Json.Text(claim, "claimName") ?? "", ns, ct).ConfigureAwait(false);
        }

        var kind = volume.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "(none)";
        throw new PodConfigException("CreateContainerConfigError", $"volume \"{name}\": source {kind} is not supported by fluidd's node agent; use hostPath, emptyDir, secret, configMap or persistentVolumeClaim");
    }

    // A claim on a Fluid dataset's volume is published as the CSI node plugin would: the node gets the dataset's
    // FUSE label (so its FUSE DaemonSet runs here), and once the FUSE is mounted its directory is bound into the pod.
    private async Task<string> ClaimAsync(string volume, string claimName, string ns, CancellationToken ct)
    {
        var claim = await client.Resource("v1", "PersistentVolumeClaim").TryGetAsync(claimName, ns, ct).ConfigureAwait(false)
            ?? throw new PodConfigException("ContainerCreating", $"volume \"{volume}\": persistentvolumeclaim \"{claimName}\" not found in namespace {ns}; for a dataset, the claim appears once its runtime is ready");
        var pvName = Json.Text(claim, "spec", "volumeName")
            ?? throw new PodConfigException("ContainerCreating", $"volume \"{volume}\": persistentvolumeclaim \"{claimName}\" is not bound to a volume yet (spec.volumeName is empty)");
        var pv = await client.Resource("v1", "PersistentVolume").TryGetAsync(pvName, cancellationToken: ct).ConfigureAwait(false)
            ?? throw new PodConfigException("ContainerCreating", $"volume \"{volume}\": persistentvolume \"{pvName}\" of claim \"{claimName}\" not found");
        if (Json.Text(pv, "spec", "hostPath", "path") is { } hostPath)
        {
            return hostPath;
        }

        if (Json.Text(pv, "spec", "local", "path") is { } localPath)
        {
            return localPath;
        }

        var driver = Json.Text(pv, "spec", "csi", "driver");
        if (driver != Fluid.Control.Native.NativeLayout.CsiDriver)
        {
            throw new PodConfigException("CreateContainerConfigError", $"volume \"{volume}\": persistentvolume \"{pvName}\" is served by {driver ?? "no CSI driver"}; fluidd's node agent publishes only Fluid datasets ({Fluid.Control.Native.NativeLayout.CsiDriver}), hostPath and local volumes");
        }

        var path = Json.Text(pv, "spec", "csi", "volumeAttributes", "fluid_path")
            ?? throw new PodConfigException("CreateContainerConfigError", $"volume \"{volume}\": persistentvolume \"{pvName}\" has no volumeAttributes.fluid_path");
        var datasetNs = Json.Text(pv, "spec", "csi", "volumeAttributes", "runtime_namespace") ?? ns;
        var datasetName = Json.Text(pv, "spec", "csi", "volumeAttributes", "runtime_name") ?? claimName;
        await FuseNodes.RequestAsync(client, nodeName, datasetNs, datasetName, ct).ConfigureAwait(false);
        if (!FuseNodes.IsServing(path))
        {
            throw new PodConfigException("ContainerCreating", $"volume \"{volume}\": waiting for the FUSE of dataset {datasetNs}/{datasetName} to mount at {path}", TimeSpan.FromSeconds(1));
        }

        return path;
    }

    private static void Project(string volume, string kind, string objectName, bool exists, Dictionary<string, byte[]> files, JsonObject source, string directory, UnixFileMode mode)
    {
        var optional = Json.At(source, "optional") is JsonValue o && o.TryGetValue<bool>(out var opt) && opt;
        if (!exists && !optional)
        {
            throw new PodConfigException("CreateContainerConfigError", $"volume \"{volume}\": {kind} \"{objectName}\" not found; create it or mark the volume optional");
        }

        var wanted = new List<(string Key, string Path)>();
        var items = Json.Objects(source, "items").ToList();
        if (items.Count == 0)
        {
            wanted.AddRange(files.Keys.Select(k => (k, k)));
        }
        else
        {
            foreach (var item in items)
            {
                var key = Json.Text(item, "key") ?? "";
                var path = Json.Text(item, "path") ?? key;
                if (!files.ContainsKey(key))
                {
                    if (optional)
                    {
                        continue;
                    }

                    throw new PodConfigException("CreateContainerConfigError", $"volume \"{volume}\": items[].key \"{key}\" is not in {kind} \"{objectName}\"");
                }

                if (path.Split('/').Contains("..") || Path.IsPathRooted(path))
                {
                    throw new PodConfigException("CreateContainerConfigError", $"volume \"{volume}\": items[].path \"{path}\" must be relative without '..'");
                }

                wanted.Add((key, path));
            }
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        foreach (var (key, path) in wanted)
        {
            var file = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, files[key]);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, mode);
            }
        }
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync(JsonObject pod, JsonObject container, string ns, CancellationToken ct)
    {
        // A container's host name is its pod's name, as under kubelet (the spec's env may still override it).
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOSTNAME"] = Json.Name(pod) };
        var containerName = Json.Text(container, "name");
        foreach (var from in Json.Objects(container, "envFrom"))
        {
            var prefix = Json.Text(from, "prefix") ?? "";
            foreach (var (kind, field) in (IEnumerable<(string, string)>)[("ConfigMap", "configMapRef"), ("Secret", "secretRef")])
            {
                if (Json.At(from, field) is not JsonObject reference)
                {
                    continue;
                }

                var obj = await client.Resource("v1", kind).TryGetAsync(Json.Text(reference, "name") ?? "", ns, ct).ConfigureAwait(false);
                if (obj is null)
                {
                    if (Json.At(reference, "optional") is JsonValue v && v.TryGetValue<bool>(out var optional) && optional)
                    {
                        continue;
                    }

                    throw new PodConfigException("CreateContainerConfigError", $"container \"{containerName}\": envFrom[].{field} {kind} \"{Json.Text(reference, "name")}\" not found");
                }

                foreach (var (key, value) in Json.At(obj, "data") as JsonObject ?? [])
                {
                    env[prefix + key] = kind == "Secret" ? Encoding.UTF8.GetString(Convert.FromBase64String(value?.ToString() ?? "")) : value?.ToString() ?? "";
                }
            }
        }

        foreach (var variable in Json.Objects(container, "env"))
        {
            var name = Json.Text(variable, "name") ?? "";
            if (Json.At(variable, "valueFrom") is not JsonObject from)
            {
                env[name] = Expand(Json.Text(variable, "value") ?? "", env);
                continue;
            }

            if (Json.At(from, "fieldRef") is JsonObject fieldRef)
            {
                var path = Json.Text(fieldRef, "fieldPath") ?? "";
                env[name] = path switch
                {
                    "metadata.name" => Json.Name(pod),
                    "metadata.namespace" => Json.Namespace(pod),
                    "metadata.uid" => Json.Uid(pod),
                    "spec.nodeName" => Json.Text(pod, "spec", "nodeName") ?? "",
                    "spec.serviceAccountName" => Json.Text(pod, "spec", "serviceAccountName") ?? "default",
                    "status.podIP" or "status.podIPs" => PodAddress.Of(pod),
                    "status.hostIP" or "status.hostIPs" => "127.0.0.1",
                    _ when LabelPath().Match(path) is { Success: true } m =>
                        Json.Text(pod, "metadata", m.Groups[1].Value, m.Groups[2].Value) ?? "",
                    _ => throw new PodConfigException("CreateContainerConfigError", $"container \"{containerName}\": env {name}: valueFrom.fieldRef.fieldPath \"{path}\" is not supported"),
                };
                continue;
            }

            foreach (var (kind, field) in (IEnumerable<(string, string)>)[("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")])
            {
                if (Json.At(from, field) is not JsonObject reference)
                {
                    continue;
                }

                var optional = Json.At(reference, "optional") is JsonValue v && v.TryGetValue<bool>(out var o) && o;
                var objectName = Json.Text(reference, "name") ?? "";
                var key = Json.Text(reference, "key") ?? "";
                JsonObject? obj;
                try
                {
                    obj = await client.Resource("v1", kind).TryGetAsync(objectName, ns, ct).ConfigureAwait(false);
                }
                catch (KubeApiException e)
                {
                    throw new PodConfigException("CreateContainerConfigError", $"container \"{containerName}\": env {name}: reading {kind} \"{objectName}\" failed: {e.ApiMessage ?? e.Message}");
                }

                var value = Json.Text(obj, "data", key);
                if (value is null)
                {
                    if (optional)
                    {
                        continue;
                    }

                    throw new PodConfigException("CreateContainerConfigError", $"container \"{containerName}\": env {name}: valueFrom.{field} key \"{key}\" not found in {kind} \"{objectName}\"");
                }

                env[name] = kind == "Secret" ? Encoding.UTF8.GetString(Convert.FromBase64String(value)) : value;
            }

            if (!env.ContainsKey(name) && Json.At(from, "resourceFieldRef") is not null)
            {
                throw new PodConfigException("CreateContainerConfigError", $"container \"{containerName}\": env {name}: valueFrom.resourceFieldRef is not supported");
            }
        }

        return env;
    }

    private static IEnumerable<string> Strings(JsonObject container, string field) =>
        Json.At(container, field) is JsonArray a ? a.Select(v => v?.ToString() ?? "") : [];

    // $(VAR) refers to an earlier variable; $$(VAR) escapes it, as in Kubernetes.
    private static string Expand(string text, IReadOnlyDictionary<string, string> env) =>
        Reference().Replace(text, m => m.Value.StartsWith("$$", StringComparison.Ordinal) ? m.Value[1..] : env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    [GeneratedRegex(@"\$?\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['(.+)'\]$")]
    private static partial Regex LabelPath();
}
