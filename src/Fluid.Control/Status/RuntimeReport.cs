using System.Text.Json.Nodes;
using Fluid.Api.V1Alpha1;

namespace Fluid.Control.Status;

/// <summary>Observed state of one component (master, workers or FUSE).</summary>
public sealed record ComponentState(string Phase, int Desired, int Current, int Ready, int Available, int Unavailable, bool Exists)
{
    /// <summary>True when the phase is Ready or PartialReady.</summary>
    public bool ReadyOrPartial => Phase is RuntimePhases.Ready or RuntimePhases.PartialReady;
}

/// <summary>Observed state of a runtime, before it is written in the shape of its kind's status.</summary>
public sealed record RuntimeReport(
    ComponentState Master,
    ComponentState Worker,
    ComponentState Fuse,
    IReadOnlyList<RuntimeCondition> Conditions,
    string Selector,
    string? SetupDuration);

/// <summary>
/// Computes component phases, counts and conditions from the observed StatefulSets and
/// DaemonSet, as upstream does: a component is Ready when as many replicas are ready as the spec
/// wants, PartialReady when some are, NotReady otherwise; each has an Initialized condition once
/// its workload exists and a Ready condition with upstream's reasons and messages.
/// </summary>
public static class RuntimeStatusCalculator
{
    /// <summary>Upstream's condition reasons.</summary>
    public static class Reasons
    {
        /// <summary>Master created.</summary>
        public const string MasterInitialized = "Master is initialized";

        /// <summary>Master ready.</summary>
        public const string MasterReady = "Master is ready";

        /// <summary>Workers created.</summary>
        public const string WorkersInitialized = "Workers are initialized";

        /// <summary>Workers ready.</summary>
        public const string WorkersReady = "Workers are ready";

        /// <summary>Fuses created.</summary>
        public const string FusesInitialized = "Fuses are initialized";

        /// <summary>Fuses ready.</summary>
        public const string FusesReady = "Fuses are ready";
    }

    /// <summary>State of a StatefulSet against the replicas the spec wants (null when it does not exist).</summary>
    public static ComponentState FromStatefulSet(JsonObject? statefulSet, int desired)
    {
        if (statefulSet is null)
        {
            return new ComponentState(RuntimePhases.NotReady, desired, 0, 0, 0, desired, false);
        }

        var status = statefulSet["status"];
        var ready = Cluster.Manifest.Int(status?["readyReplicas"]);
        var current = Cluster.Manifest.Int(status?["replicas"]);
        var available = status?["availableReplicas"] is { } a ? a.GetValue<int>() : ready;
        return new ComponentState(Phase(desired, ready), desired, current, ready, available, Math.Max(0, desired - available), true);
    }

    /// <summary>State of a DaemonSet; desired is what the controller scheduled (0 for a FUSE not yet needed anywhere).</summary>
    public static ComponentState FromDaemonSet(JsonObject? daemonSet)
    {
        if (daemonSet is null)
        {
            return new ComponentState(RuntimePhases.NotReady, 0, 0, 0, 0, 0, false);
        }

        var status = daemonSet["status"];
        var desired = Cluster.Manifest.Int(status?["desiredNumberScheduled"]);
        var current = Cluster.Manifest.Int(status?["currentNumberScheduled"]);
        var ready = Cluster.Manifest.Int(status?["numberReady"]);
        var available = status?["numberAvailable"] is { } a ? a.GetValue<int>() : ready;
        var unavailable = status?["numberUnavailable"] is { } u ? u.GetValue<int>() : Math.Max(0, desired - available);
        return new ComponentState(Phase(desired, ready), desired, current, ready, available, unavailable, true);
    }

    /// <summary>Ready when all wanted replicas are ready (or none is wanted), PartialReady when some are, else NotReady.</summary>
    public static string Phase(int desired, int ready) =>
        ready >= desired ? RuntimePhases.Ready : ready > 0 ? RuntimePhases.PartialReady : RuntimePhases.NotReady;

    /// <summary>The conditions of the three components, keeping each condition's transition time while its status holds.</summary>
    public static List<RuntimeCondition> Conditions(ComponentState master, ComponentState worker, ComponentState fuse, IReadOnlyList<RuntimeCondition>? previous, DateTimeOffset now)
    {
        var result = new List<RuntimeCondition>();
        void Add(string type, bool value, string reason, string message)
        {
            var status = value ? "True" : "False";
            var old = previous?.FirstOrDefault(c => c.Type == type);
            result.Add(new RuntimeCondition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message,
                LastProbeTime = now,
                LastTransitionTime = old is not null && old.Status == status ? old.LastTransitionTime : now,
            });
        }

        void Component(ComponentState state, string initializedType, string initializedReason, string readyType, string readyReason, string noun, string plural)
        {
            if (!state.Exists)
            {
                return;
            }

            Add(initializedType, true, initializedReason, $"The {noun} {(plural == "" ? "is" : "are")} initialized.");
            var message = state.Phase switch
            {
                RuntimePhases.Ready => $"The {noun} {(plural == "" ? "is" : "are")} ready.",
                RuntimePhases.PartialReady => $"The {noun} {(plural == "" ? "is" : "are")} partially ready.",
                _ => $"The {noun} {(plural == "" ? "is" : "are")} not ready.",
            };
            Add(readyType, state.ReadyOrPartial, readyReason, message);
        }

        Component(master, RuntimeConditionTypes.MasterInitialized, Reasons.MasterInitialized, RuntimeConditionTypes.MasterReady, Reasons.MasterReady, "master", "");
        Component(worker, RuntimeConditionTypes.WorkersInitialized, Reasons.WorkersInitialized, RuntimeConditionTypes.WorkersReady, Reasons.WorkersReady, "workers", "s");
        Component(fuse, RuntimeConditionTypes.FusesInitialized, Reasons.FusesInitialized, RuntimeConditionTypes.FusesReady, Reasons.FusesReady, "fuses", "s");
        return result;
    }
}
