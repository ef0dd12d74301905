using System.Text.Json.Nodes;
using Fluid.Control.Naming;
using Fluid.Kube;

namespace Fluid.Embedded.Agent;

/// <summary>
/// Asking for a dataset's FUSE on a node, as Fluid's CSI node plugin does: the node gets the label
/// fluid.io/f-{ns}-{name}=true that the dataset's FUSE DaemonSet selects. The label stays until the runtime
/// is deleted (upstream's OnRuntimeDeleted clean policy), so a FUSE outlives the pods that used it.
/// </summary>
public static class FuseNodes
{
    /// <summary>Labels the node for the dataset's FUSE (a no-op when it already is); throws KubeApiException when the dataset is not there.</summary>
    public static async Task<string> RequestAsync(KubeClient client, string nodeName, string ns, string datasetName, CancellationToken ct)
    {
        var dataset = await client.Resource("data.fluid.io/v1alpha1", "Dataset").GetAsync(datasetName, ns, ct).ConfigureAwait(false);
        var label = FluidLabels.Fuse(ns, datasetName, Json.Uid(dataset));
        var nodes = client.Resource("v1", "Node");
        var node = await nodes.GetAsync(nodeName, cancellationToken: ct).ConfigureAwait(false);
        if (Json.Text(node, "metadata", "labels", label) != "true")
        {
            await nodes.MergePatchAsync(nodeName, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [label] = "true" } } }, cancellationToken: ct).ConfigureAwait(false);
        }

        return label;
    }

    /// <summary>Whether a FUSE is mounted at the path and answers: a mount whose server died (ENOTCONN, EIO) or that hangs for 2 s does not count.</summary>
    public static bool IsServing(string path)
    {
        if (!MountTable.IsMountPoint(path))
        {
            return false;
        }

        var probe = Task.Run(() =>
        {
            try
            {
                _ = Directory.EnumerateFileSystemEntries(path).FirstOrDefault();
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });
        return probe.Wait(TimeSpan.FromSeconds(2)) && probe.Result;
    }
}
