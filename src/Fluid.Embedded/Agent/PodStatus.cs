using System.Text.Json.Nodes;

namespace Fluid.Embedded.Agent;

/// <summary>Reading a pod's reported status.</summary>
internal static class PodStatus
{
    public static bool IsReady(JsonObject pod) =>
        Json.Objects(pod, "status", "conditions").Any(c => Json.Text(c, "type") == "Ready" && Json.Text(c, "status") == "True");
}
