using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Fluid.Embedded.Storage;

/// <summary>Where and how the store keeps its data.</summary>
public sealed class StoreOptions
{
    /// <summary>The SQLite database file.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>How many recent events are kept so watches can resume; older resourceVersions answer 410 Gone.</summary>
    public int EventWindow { get; init; } = 50_000;

    /// <summary>How often old events are compacted away.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// One change of one object: ADDED, MODIFIED or DELETED, with the object after the change and,
/// for live MODIFIED events, the object before it (so filtered watches see objects enter and leave).
/// </summary>
public sealed record StoredEvent(long Revision, string Type, string Resource, string Namespace, JsonObject Object, JsonObject? Previous = null);

/// <summary>A page of a list: the items, the revision the list reflects, and the token for the next page.</summary>
public sealed record ListPage(IReadOnlyList<JsonObject> Items, long Revision, string? Continue);

/// <summary>What happens to an object's dependents when it is deleted (DeleteOptions.propagationPolicy).</summary>
public enum Propagation
{
    /// <summary>The object goes at once; the garbage collector deletes its dependents afterwards.</summary>
    Background,

    /// <summary>The object stays (with deletionTimestamp) until its dependents are gone.</summary>
    Foreground,

    /// <summary>Dependents lose their reference to the object and stay.</summary>
    Orphan,
}

/// <summary>The result of a delete: the object as last stored and whether it is gone (false: finalizers hold it).</summary>
public sealed record DeleteResult(JsonObject Object, bool Removed);

/// <summary>
/// The durable store of fluidd: JSON objects by resource ("plural.group"), namespace and name in
/// SQLite, one global resourceVersion, an event log for watches, finalizers and ownerReference
/// garbage collection. Every write is one transaction with synchronous=FULL in WAL mode: the WAL
/// is fsynced before a write is acknowledged, like etcd, so neither SIGKILL nor a power cut loses
/// an acknowledged write (NORMAL would survive SIGKILL only).
/// </summary>
public sealed class ObjectStore : IAsyncDisposable
{
    /// <summary>The finalizer that holds an owner deleted with propagationPolicy Foreground.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>The resource of namespaces, whose deletion empties them first.</summary>
    public const string NamespacesResource = "namespaces";

    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly StoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _write;
    private readonly Lock _lock = new();
    private readonly List<WatchSubscription> _subscribers = [];
    private readonly Channel<GcWork> _gc = Channel.CreateUnbounded<GcWork>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _gcTask;
    private readonly Task _compactionTask;
    private long _revision;
    private long _compacted;
    private int _gcPending;

    private ObjectStore(StoreOptions options)
    {
        _options = options;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = options.DatabasePath, Pooling = true }.ToString();
        _write = new SqliteConnection(_connectionString);
        _write.Open();
        Execute(_write, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS objects(resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                uid TEXT NOT NULL, rv INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY(resource, namespace, name)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS objects_uid ON objects(uid);
            CREATE INDEX IF NOT EXISTS objects_namespace ON objects(namespace);
            CREATE TABLE IF NOT EXISTS events(rv INTEGER PRIMARY KEY, type TEXT NOT NULL, resource TEXT NOT NULL,
                namespace TEXT NOT NULL, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS owners(owner_uid TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL,
                name TEXT NOT NULL, PRIMARY KEY(owner_uid, resource, namespace, name)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS owners_dependent ON owners(resource, namespace, name);
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
        _compacted = Scalar(_write, "SELECT COALESCE((SELECT value FROM meta WHERE key='compacted'), 0)");
        _revision = Math.Max(_compacted, Math.Max(
            Scalar(_write, "SELECT COALESCE(MAX(rv), 0) FROM events"),
            Scalar(_write, "SELECT COALESCE(MAX(rv), 0) FROM objects")));
        _gcTask = Task.Run(CollectGarbageAsync);
        _compactionTask = Task.Run(CompactPeriodicallyAsync);
    }

    /// <summary>Opens (creating when new) the store and resumes garbage collection left unfinished by a crash.</summary>
    public static ObjectStore Open(StoreOptions options)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var store = new ObjectStore(options);
        store.ResumeGarbageCollection();
        return store;
    }

    /// <summary>The newest resourceVersion.</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    /// <summary>Events at or below this revision are gone; watching from older versions answers 410.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (_lock)
            {
                return _compacted;
            }
        }
    }

    /// <summary>True when no garbage collection work is queued or running.</summary>
    public bool GarbageCollectionIdle => Volatile.Read(ref _gcPending) == 0;

    /// <summary>One object, or null.</summary>
    public JsonObject? Get(string resource, string ns, string name)
    {
        using var connection = OpenRead();
        return Load(connection, resource, ns, name);
    }

    /// <summary>Whether an object with this uid exists, whatever its kind.</summary>
    public bool Exists(string uid)
    {
        using var connection = OpenRead();
        return FindByUid(connection, uid) is not null;
    }

    /// <summary>
    /// Lists objects of a resource (in one namespace, or all when <paramref name="ns"/> is null),
    /// ordered by namespace and name, at most <paramref name="limit"/> (0: all) that pass the filter.
    /// </summary>
    public ListPage List(string resource, string? ns, Func<JsonObject, bool>? filter = null, int limit = 0, string? continueToken = null)
    {
        var (afterNamespace, afterName) = continueToken is null ? ("", "") : DecodeContinue(continueToken);
        using var connection = OpenRead();
        using var transaction = connection.BeginTransaction(deferred: true);
        var revision = Scalar(connection, "SELECT COALESCE(MAX(rv), 0) FROM events", transaction);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT json FROM objects WHERE resource=$r" + (ns is null ? "" : " AND namespace=$ns")
            + (continueToken is null ? "" : " AND (namespace > $an OR (namespace = $an AND name > $aname))") + " ORDER BY namespace, name";
        command.Parameters.AddWithValue("$r", resource);
        if (ns is not null)
        {
            command.Parameters.AddWithValue("$ns", ns);
        }

        if (continueToken is not null)
        {
            command.Parameters.AddWithValue("$an", afterNamespace);
            command.Parameters.AddWithValue("$aname", afterName);
        }

        var items = new List<JsonObject>();
        string? next = null;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var obj = Parse(reader.GetString(0));
            if (filter is not null && !filter(obj))
            {
                continue;
            }

            if (limit > 0 && items.Count == limit)
            {
                var last = items[^1];
                next = EncodeContinue(revision, ObjectFields.Namespace(last) ?? "", ObjectFields.Name(last) ?? "");
                break;
            }

            items.Add(obj);
        }

        return new ListPage(items, Math.Max(revision, _compacted), next);
    }

    /// <summary>
    /// Creates an object: a name from generateName when needed, uid, creationTimestamp,
    /// generation 1, a new resourceVersion. 409 AlreadyExists when the name is taken.
    /// </summary>
    public JsonObject Create(string resource, string ns, JsonObject obj)
    {
        var metadata = ObjectFields.Metadata(obj);
        lock (_lock)
        {
            var name = ObjectFields.Text(metadata, "name");
            if (string.IsNullOrEmpty(name))
            {
                var prefix = ObjectFields.Text(metadata, "generateName") ?? "";
                do
                {
                    name = prefix + RandomSuffix();
                }
                while (Load(_write, resource, ns, name) is not null);
                metadata["name"] = name;
            }
            else if (Load(_write, resource, ns, name) is not null)
            {
                throw ApiException.AlreadyExists(resource, name);
            }

            if (ns.Length > 0)
            {
                metadata["namespace"] = ns;
            }
            else
            {
                metadata.Remove("namespace");
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = ObjectFields.Time(DateTimeOffset.UtcNow);
            metadata["generation"] = 1L;
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            metadata.Remove("selfLink");
            return Commit("ADDED", resource, ns, name, obj, remove: false);
        }
    }

    /// <summary>
    /// Read-modify-write of one object under the store's write lock. <paramref name="mutate"/>
    /// gets a copy of the stored object and returns the new one; a non-empty resourceVersion in
    /// it must match the stored one (409 Conflict otherwise). Server-owned metadata is kept,
    /// generation is bumped when anything but metadata and status changed, an unchanged object
    /// is not written, and an object being deleted goes when its last finalizer is removed.
    /// </summary>
    public JsonObject Update(string resource, string ns, string name, Func<JsonObject, JsonObject> mutate)
    {
        lock (_lock)
        {
            var current = Load(_write, resource, ns, name) ?? throw ApiException.NotFound(resource, name);
            var next = mutate((JsonObject)current.DeepClone());
            var currentMeta = ObjectFields.Metadata(current);
            var nextMeta = ObjectFields.Metadata(next);
            var wanted = ObjectFields.Text(nextMeta, "resourceVersion");
            var stored = ObjectFields.Text(currentMeta, "resourceVersion");
            if (!string.IsNullOrEmpty(wanted) && wanted != stored)
            {
                throw ApiException.Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            foreach (var field in (string[])["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"])
            {
                if (currentMeta[field] is { } value)
                {
                    nextMeta[field] = value.DeepClone();
                }
                else
                {
                    nextMeta.Remove(field);
                }
            }

            nextMeta.Remove("selfLink");
            if (JsonNode.DeepEquals(current, next))
            {
                return current;
            }

            if (!JsonNode.DeepEquals(SpecOf(current), SpecOf(next)))
            {
                nextMeta["generation"] = (currentMeta["generation"]?.GetValue<long>() ?? 0) + 1;
            }

            if (nextMeta["deletionTimestamp"] is not null && ObjectFields.Finalizers(next).Count == 0)
            {
                return Remove(resource, ns, name, next);
            }

            return Commit("MODIFIED", resource, ns, name, next, remove: false);
        }
    }

    /// <summary>
    /// Deletes an object, honouring preconditions (uid, resourceVersion), finalizers (the object
    /// stays with deletionTimestamp set until they are removed) and the propagation policy.
    /// A namespace is emptied first and goes when nothing is left in it.
    /// </summary>
    public DeleteResult Delete(string resource, string ns, string name, Propagation propagation = Propagation.Background, string? uid = null, string? resourceVersion = null)
    {
        lock (_lock)
        {
            var current = Load(_write, resource, ns, name) ?? throw ApiException.NotFound(resource, name);
            var meta = ObjectFields.Metadata(current);
            var currentUid = ObjectFields.Text(meta, "uid") ?? "";
            if (!string.IsNullOrEmpty(uid) && uid != currentUid)
            {
                throw ApiException.Conflict(resource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {currentUid}");
            }

            if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != ObjectFields.Text(meta, "resourceVersion"))
            {
                throw ApiException.Conflict(resource, name, $"Precondition failed: ResourceVersion in precondition: {resourceVersion}, ResourceVersion in object meta: {ObjectFields.Text(meta, "resourceVersion")}");
            }

            if (resource == NamespacesResource && ns.Length == 0)
            {
                if (meta["deletionTimestamp"] is null)
                {
                    meta["deletionTimestamp"] = ObjectFields.Time(DateTimeOffset.UtcNow);
                    var status = current["status"] as JsonObject ?? [];
                    status["phase"] = "Terminating";
                    current["status"] = status;
                    current = Commit("MODIFIED", resource, ns, name, current, remove: false);
                }

                Enqueue(new GcWork(GcKind.Namespace, name));
                return new DeleteResult(current, false);
            }

            if (propagation == Propagation.Orphan)
            {
                OrphanDependents(currentUid);
            }

            var finalizers = ObjectFields.Finalizers(current);
            if (propagation == Propagation.Foreground && HasDependents(currentUid) && !finalizers.Contains(ForegroundFinalizer))
            {
                var list = meta["finalizers"] as JsonArray ?? [];
                list.Add(ForegroundFinalizer);
                meta["finalizers"] = list;
                finalizers.Add(ForegroundFinalizer);
                Enqueue(new GcWork(GcKind.Foreground, currentUid));
            }

            if (finalizers.Count > 0)
            {
                if (meta["deletionTimestamp"] is null)
                {
                    meta["deletionTimestamp"] = ObjectFields.Time(DateTimeOffset.UtcNow);
                    meta["deletionGracePeriodSeconds"] = 0;
                    current = Commit("MODIFIED", resource, ns, name, current, remove: false);
                }
                else if (propagation == Propagation.Foreground)
                {
                    current = Commit("MODIFIED", resource, ns, name, current, remove: false);
                }

                return new DeleteResult(current, false);
            }

            return new DeleteResult(Remove(resource, ns, name, current), true);
        }
    }

    /// <summary>
    /// Starts a watch of a resource (one namespace or all). With a revision, the events after it
    /// come first (410 Gone when they were compacted away); without, ADDED for every current object.
    /// Live events follow without gap or repeat.
    /// </summary>
    public WatchSubscription Watch(string resource, string? ns, long? fromRevision)
    {
        var subscription = new WatchSubscription(this, resource, ns);
        lock (_lock)
        {
            _subscribers.Add(subscription);
        }

        try
        {
            using var connection = OpenRead();
            using var transaction = connection.BeginTransaction(deferred: true);
            var initial = new List<StoredEvent>();
            long through;
            if (fromRevision is null or 0)
            {
                through = Scalar(connection, "SELECT COALESCE(MAX(rv), 0) FROM events", transaction);
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "SELECT namespace, json FROM objects WHERE resource=$r" + (ns is null ? "" : " AND namespace=$ns") + " ORDER BY namespace, name";
                command.Parameters.AddWithValue("$r", resource);
                if (ns is not null)
                {
                    command.Parameters.AddWithValue("$ns", ns);
                }

                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var obj = Parse(reader.GetString(1));
                    initial.Add(new StoredEvent(long.Parse(ObjectFields.ResourceVersion(obj) ?? "0", CultureInfo.InvariantCulture), "ADDED", resource, reader.GetString(0), obj));
                }
            }
            else
            {
                var from = fromRevision.Value;
                using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = "SELECT rv, type, namespace, json FROM events WHERE rv > $from AND resource=$r" + (ns is null ? "" : " AND namespace=$ns") + " ORDER BY rv";
                    command.Parameters.AddWithValue("$from", from);
                    command.Parameters.AddWithValue("$r", resource);
                    if (ns is not null)
                    {
                        command.Parameters.AddWithValue("$ns", ns);
                    }

                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        initial.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), resource, reader.GetString(2), Parse(reader.GetString(3))));
                    }
                }

                // Read after the events so a compaction racing with the read is noticed.
                var compacted = Scalar(connection, "SELECT COALESCE((SELECT value FROM meta WHERE key='compacted'), 0)", transaction);
                if (from < compacted)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({compacted + 1})");
                }

                through = Math.Max(from, Scalar(connection, "SELECT COALESCE(MAX(rv), 0) FROM events", transaction));
            }

            subscription.Begin(initial, through);
            return subscription;
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    /// <summary>Forgets events at or below <paramref name="throughRevision"/>; watches from before it get 410 Gone.</summary>
    public void Compact(long throughRevision)
    {
        lock (_lock)
        {
            throughRevision = Math.Min(throughRevision, _revision - 1);
            if (throughRevision <= _compacted)
            {
                return;
            }

            using var transaction = _write.BeginTransaction();
            Execute(_write, "DELETE FROM events WHERE rv <= $through", transaction, ("$through", throughRevision));
            Execute(_write, "INSERT INTO meta(key, value) VALUES('compacted', $through) ON CONFLICT(key) DO UPDATE SET value=excluded.value", transaction, ("$through", throughRevision));
            transaction.Commit();
            _compacted = throughRevision;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _gc.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_gcTask, _compactionTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_lock)
        {
            foreach (var subscriber in _subscribers.ToList())
            {
                subscriber.Complete();
            }

            _subscribers.Clear();
            _write.Dispose();
        }

        _stop.Dispose();
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscription);
        }
    }

    private JsonObject Remove(string resource, string ns, string name, JsonObject obj)
    {
        var uid = ObjectFields.Uid(obj) ?? "";
        var owners = ObjectFields.OwnerUids(obj);
        var removed = Commit("DELETED", resource, ns, name, obj, remove: true);
        Enqueue(new GcWork(GcKind.Dependents, uid));
        foreach (var owner in owners)
        {
            // An owner waiting in foreground deletion may now be free to go.
            Enqueue(new GcWork(GcKind.Foreground, owner));
        }

        if (ns.Length > 0 && Load(_write, NamespacesResource, "", ns) is { } space && ObjectFields.Metadata(space)["deletionTimestamp"] is not null)
        {
            Enqueue(new GcWork(GcKind.Namespace, ns));
        }

        return removed;
    }

    private JsonObject Commit(string type, string resource, string ns, string name, JsonObject obj, bool remove)
    {
        var revision = _revision + 1;
        ObjectFields.Metadata(obj)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        var json = obj.ToJsonString();
        var uid = ObjectFields.Uid(obj) ?? "";
        var owners = remove ? [] : ObjectFields.OwnerUids(obj);
        var previous = type == "MODIFIED" && _subscribers.Count > 0 ? Load(_write, resource, ns, name) : null;
        using (var transaction = _write.BeginTransaction())
        {
            Execute(_write, "DELETE FROM owners WHERE resource=$r AND namespace=$ns AND name=$n", transaction, ("$r", resource), ("$ns", ns), ("$n", name));
            if (remove)
            {
                Execute(_write, "DELETE FROM objects WHERE resource=$r AND namespace=$ns AND name=$n", transaction, ("$r", resource), ("$ns", ns), ("$n", name));
            }
            else
            {
                Execute(_write, "INSERT INTO objects(resource, namespace, name, uid, rv, json) VALUES($r, $ns, $n, $uid, $rv, $json) "
                    + "ON CONFLICT(resource, namespace, name) DO UPDATE SET uid=excluded.uid, rv=excluded.rv, json=excluded.json",
                    transaction, ("$r", resource), ("$ns", ns), ("$n", name), ("$uid", uid), ("$rv", revision), ("$json", json));
                foreach (var owner in owners.Distinct())
                {
                    Execute(_write, "INSERT OR IGNORE INTO owners(owner_uid, resource, namespace, name) VALUES($o, $r, $ns, $n)", transaction, ("$o", owner), ("$r", resource), ("$ns", ns), ("$n", name));
                }
            }

            Execute(_write, "INSERT INTO events(rv, type, resource, namespace, json) VALUES($rv, $t, $r, $ns, $json)", transaction,
                ("$rv", revision), ("$t", type), ("$r", resource), ("$ns", ns), ("$json", json));
            transaction.Commit();
        }

        _revision = revision;
        foreach (var owner in owners)
        {
            if (FindByUid(_write, owner) is null)
            {
                // A dependent of an owner that no longer exists is garbage, as in Kubernetes.
                Enqueue(new GcWork(GcKind.Dependents, owner));
            }
        }

        var change = new StoredEvent(revision, type, resource, ns, obj, previous);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Offer(change);
        }

        return (JsonObject)obj.DeepClone();
    }

    private void OrphanDependents(string uid)
    {
        foreach (var (resource, ns, name) in Dependents(uid))
        {
            if (Load(_write, resource, ns, name) is { } dependent && ObjectFields.Metadata(dependent)["ownerReferences"] is JsonArray refs)
            {
                foreach (var reference in refs.OfType<JsonObject>().Where(r => ObjectFields.Text(r, "uid") == uid).ToList())
                {
                    refs.Remove(reference);
                }

                if (refs.Count == 0)
                {
                    ObjectFields.Metadata(dependent).Remove("ownerReferences");
                }

                Commit("MODIFIED", resource, ns, name, dependent, remove: false);
            }
        }
    }

    private bool HasDependents(string uid) => Dependents(uid).Count > 0;

    private List<(string Resource, string Namespace, string Name)> Dependents(string uid)
    {
        using var command = _write.CreateCommand();
        command.CommandText = "SELECT resource, namespace, name FROM owners WHERE owner_uid=$o";
        command.Parameters.AddWithValue("$o", uid);
        using var reader = command.ExecuteReader();
        var result = new List<(string, string, string)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return result;
    }

    private void Enqueue(GcWork work)
    {
        Interlocked.Increment(ref _gcPending);
        if (!_gc.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _gcPending);
        }
    }

    private void ResumeGarbageCollection()
    {
        lock (_lock)
        {
            using var command = _write.CreateCommand();
            command.CommandText = """
                SELECT 'd', owner_uid FROM owners WHERE owner_uid NOT IN (SELECT uid FROM objects)
                UNION SELECT 'f', uid FROM objects WHERE json LIKE '%"foregroundDeletion"%'
                UNION SELECT 'n', name FROM objects WHERE resource='namespaces' AND json LIKE '%"deletionTimestamp"%'
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var kind = reader.GetString(0) switch
                {
                    "d" => GcKind.Dependents,
                    "f" => GcKind.Foreground,
                    _ => GcKind.Namespace,
                };
                Enqueue(new GcWork(kind, reader.GetString(1)));
            }
        }
    }

    private async Task CollectGarbageAsync()
    {
        await foreach (var work in _gc.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                Collect(work);
            }
            catch (ApiException)
            {
                // The object changed or went while we looked; the next change re-queues what is left.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One odd object must not stop collection for all the others; a restart retries it.
                Console.Error.WriteLine($"fluidd: garbage collection of {work.Kind} {work.Key} failed: {e.Message}");
            }
            finally
            {
                Interlocked.Decrement(ref _gcPending);
            }
        }
    }

    private void Collect(GcWork work)
    {
        switch (work.Kind)
        {
            case GcKind.Dependents:
                foreach (var (resource, ns, name) in Locked(() => Dependents(work.Key)))
                {
                    CollectDependent(resource, ns, name);
                }

                break;
            case GcKind.Foreground:
                var owner = Locked(() => FindByUid(_write, work.Key));
                if (owner is null || !ObjectFields.Finalizers(owner.Value.Object).Contains(ForegroundFinalizer))
                {
                    return;
                }

                var dependents = Locked(() => Dependents(work.Key));
                foreach (var (resource, ns, name) in dependents)
                {
                    TryDelete(resource, ns, name, Propagation.Foreground);
                }

                if (Locked(() => Dependents(work.Key)).Count == 0)
                {
                    var (ownerResource, ownerNamespace, ownerName, _) = owner.Value;
                    Update(ownerResource, ownerNamespace, ownerName, o =>
                    {
                        if (ObjectFields.Metadata(o)["finalizers"] is JsonArray list)
                        {
                            foreach (var item in list.Where(f => f is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() == ForegroundFinalizer).ToList())
                            {
                                list.Remove(item);
                            }
                        }

                        return o;
                    });
                }

                break;
            case GcKind.Namespace:
                using (var connection = OpenRead())
                {
                    var contents = new List<(string, string)>();
                    using (var command = connection.CreateCommand())
                    {
                        command.CommandText = "SELECT resource, name FROM objects WHERE namespace=$ns";
                        command.Parameters.AddWithValue("$ns", work.Key);
                        using var reader = command.ExecuteReader();
                        while (reader.Read())
                        {
                            contents.Add((reader.GetString(0), reader.GetString(1)));
                        }
                    }

                    foreach (var (resource, name) in contents)
                    {
                        TryDelete(resource, work.Key, name, Propagation.Background);
                    }
                }

                lock (_lock)
                {
                    if (Scalar(_write, "SELECT COUNT(*) FROM objects WHERE namespace=$ns", null, ("$ns", work.Key)) == 0
                        && Load(_write, NamespacesResource, "", work.Key) is { } space
                        && ObjectFields.Metadata(space)["deletionTimestamp"] is not null
                        && ObjectFields.Finalizers(space).Count == 0)
                    {
                        Remove(NamespacesResource, "", work.Key, space);
                    }
                }

                break;
        }
    }

    private void CollectDependent(string resource, string ns, string name)
    {
        lock (_lock)
        {
            if (Load(_write, resource, ns, name) is not { } dependent)
            {
                return;
            }

            var metadata = ObjectFields.Metadata(dependent);
            var refs = metadata["ownerReferences"] as JsonArray ?? [];
            var live = refs.OfType<JsonObject>().Where(r => ObjectFields.Text(r, "uid") is { } u && FindByUid(_write, u) is not null).ToList();
            if (live.Count == 0)
            {
                if (metadata["deletionTimestamp"] is null)
                {
                    Delete(resource, ns, name, Propagation.Background);
                }

                return;
            }

            if (live.Count < refs.Count)
            {
                metadata["ownerReferences"] = new JsonArray([.. live.Select(r => r.DeepClone())]);
                Commit("MODIFIED", resource, ns, name, dependent, remove: false);
            }
        }
    }

    private void TryDelete(string resource, string ns, string name, Propagation propagation)
    {
        try
        {
            Delete(resource, ns, name, propagation);
        }
        catch (ApiException e) when (e.Code == 404)
        {
        }
    }

    private T Locked<T>(Func<T> action)
    {
        lock (_lock)
        {
            return action();
        }
    }

    private async Task CompactPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(_options.CompactionInterval);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            Compact(Revision - _options.EventWindow);
        }
    }

    private SqliteConnection OpenRead()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static JsonObject? Load(SqliteConnection connection, string resource, string ns, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM objects WHERE resource=$r AND namespace=$ns AND name=$n";
        command.Parameters.AddWithValue("$r", resource);
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$n", name);
        return command.ExecuteScalar() is string json ? Parse(json) : null;
    }

    private static (string Resource, string Namespace, string Name, JsonObject Object)? FindByUid(SqliteConnection connection, string uid)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT resource, namespace, name, json FROM objects WHERE uid=$u LIMIT 1";
        command.Parameters.AddWithValue("$u", uid);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1), reader.GetString(2), Parse(reader.GetString(3))) : null;
    }

    private static JsonObject SpecOf(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static string RandomSuffix() => string.Create(5, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = NameAlphabet[RandomNumberGenerator.GetInt32(NameAlphabet.Length)];
        }
    });

    private static string EncodeContinue(long revision, string ns, string name) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["rv"] = revision, ["ns"] = ns, ["name"] = name }.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (string Namespace, string Name) DecodeContinue(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var node = JsonNode.Parse(Convert.FromBase64String(base64)) as JsonObject;
            var ns = ObjectFields.Text(node, "ns");
            var name = ObjectFields.Text(node, "name");
            if (ns is null || name is null)
            {
                throw new FormatException();
            }

            return (ns, name);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw ApiException.BadRequest("the continue token is not valid; pass the metadata.continue of the previous page unchanged");
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private enum GcKind
    {
        Dependents,
        Foreground,
        Namespace,
    }

    private sealed record GcWork(GcKind Kind, string Key);
}

/// <summary>
/// A live watch: the events before it started (backlog or current state), then every change as
/// it is committed. A watcher that falls too far behind is ended; it resumes from its last
/// resourceVersion.
/// </summary>
public sealed class WatchSubscription : IDisposable
{
    private const int Capacity = 10_000;
    private readonly ObjectStore _store;
    private readonly string _resource;
    private readonly string? _namespace;
    private readonly Channel<StoredEvent> _events = Channel.CreateBounded<StoredEvent>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly Lock _lock = new();
    private List<StoredEvent>? _early = [];
    private long _through;

    internal WatchSubscription(ObjectStore store, string resource, string? ns)
    {
        _store = store;
        _resource = resource;
        _namespace = ns;
    }

    /// <summary>The revision the initial events reach; live events are all newer.</summary>
    public long StartRevision => _through;

    /// <summary>The events before the watch started: the backlog after the requested revision, or ADDED for every object.</summary>
    public IReadOnlyList<StoredEvent> Initial { get; private set; } = [];

    /// <summary>The live events after <see cref="Initial"/>; completes when the watch is ended by the store.</summary>
    public ChannelReader<StoredEvent> Events => _events.Reader;

    /// <inheritdoc/>
    public void Dispose()
    {
        _store.Unsubscribe(this);
        _events.Writer.TryComplete();
    }

    internal void Begin(List<StoredEvent> initial, long through)
    {
        lock (_lock)
        {
            _through = Math.Max(through, initial.Count > 0 ? initial.Max(e => e.Revision) : 0);
            Initial = initial;

            foreach (var change in _early!.Where(e => e.Revision > _through))
            {
                Write(change);
            }

            _early = null;
        }
    }

    internal void Offer(StoredEvent change)
    {
        if (change.Resource != _resource || (_namespace is not null && change.Namespace != _namespace))
        {
            return;
        }

        lock (_lock)
        {
            if (_early is not null)
            {
                _early.Add(change);
            }
            else if (change.Revision > _through)
            {
                Write(change);
            }
        }
    }

    internal void Complete() => _events.Writer.TryComplete();

    private void Write(StoredEvent change)
    {
        if (!_events.Writer.TryWrite(change))
        {
            // Too far behind: end the watch; the client resumes from its last resourceVersion.
            _events.Writer.TryComplete();
        }
    }
}
