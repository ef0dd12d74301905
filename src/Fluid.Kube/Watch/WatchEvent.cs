using Fluid.Kube.Http;

namespace Fluid.Kube.Watch;

/// <summary>What happened to an object, as the watch stream says.</summary>
public enum WatchEventType
{
    /// <summary>The object was created (or is part of the initial state).</summary>
    Added,

    /// <summary>The object changed.</summary>
    Modified,

    /// <summary>The object was deleted; the event carries its last state.</summary>
    Deleted,

    /// <summary>No change: only the latest resourceVersion, to resume from.</summary>
    Bookmark,

    /// <summary>The watch failed; <see cref="WatchEvent{T}.Status"/> says why (410 Gone: list again).</summary>
    Error,
}

/// <summary>One event of a watch stream.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Object, KubeStatus? Status)
    where T : class
{
    /// <summary>metadata.resourceVersion of the object (or bookmark), to resume the watch from.</summary>
    public string? ResourceVersion => Object is null ? null : Resources.ObjectAccess.ResourceVersion(Object);
}
