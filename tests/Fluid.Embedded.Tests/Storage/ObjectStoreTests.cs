using System.Text.Json.Nodes;
using Fluid.Embedded.Storage;

namespace Fluid.Embedded.Tests.Storage;

public sealed class ObjectStoreTests : IAsyncLifetime
{
    private const string Datasets = "datasets.data.fluid.io";
    private const string ConfigMaps = "configmaps";
    private readonly string _dir = Directory.CreateTempSubdirectory("fluidd-store-").FullName;
    private ObjectStore _store = null!;

    public Task InitializeAsync()
    {
        _store = Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Create_assigns_uid_version_timestamp_generation_and_a_generated_name()
    {
        var created = _store.Create(Datasets, "default", Obj(null, generateName: "demo-"));
        var meta = ObjectFields.Metadata(created);
        Assert.StartsWith("demo-", ObjectFields.Name(created), StringComparison.Ordinal);
        Assert.Equal("demo-".Length + 5, ObjectFields.Name(created)!.Length);
        Assert.True(Guid.TryParse(ObjectFields.Uid(created), out _));
        Assert.Equal(_store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), ObjectFields.ResourceVersion(created));
        Assert.Equal(1, meta["generation"]!.GetValue<long>());
        Assert.Equal("default", ObjectFields.Namespace(created));
        Assert.NotNull(meta["creationTimestamp"]);
        Assert.Equal(ObjectFields.Uid(created), ObjectFields.Uid(_store.Get(Datasets, "default", ObjectFields.Name(created)!)!));
    }

    [Fact]
    public void Create_of_a_taken_name_is_409_AlreadyExists()
    {
        _store.Create(Datasets, "default", Obj("demo"));
        var e = Assert.Throws<ApiException>(() => _store.Create(Datasets, "default", Obj("demo")));
        Assert.Equal(409, e.Code);
        Assert.Equal("AlreadyExists", e.Reason);
        Assert.Equal("datasets.data.fluid.io \"demo\" already exists", e.Message);
        _store.Create(Datasets, "other", Obj("demo"));
    }

    [Fact]
    public void Every_write_gets_a_higher_resource_version_and_stale_writes_are_409_Conflict()
    {
        var created = _store.Create(Datasets, "default", Obj("demo"));
        var first = ObjectFields.ResourceVersion(created);
        var updated = _store.Update(Datasets, "default", "demo", o => Set(o, "spec", new JsonObject { ["x"] = 1 }));
        Assert.True(long.Parse(ObjectFields.ResourceVersion(updated)!) > long.Parse(first!));

        var e = Assert.Throws<ApiException>(() => _store.Update(Datasets, "default", "demo", o =>
        {
            ObjectFields.Metadata(o)["resourceVersion"] = first;
            return Set(o, "spec", new JsonObject { ["x"] = 2 });
        }));
        Assert.Equal(409, e.Code);
        Assert.Equal("Conflict", e.Reason);
        Assert.Contains("the object has been modified", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _store.Get(Datasets, "default", "demo")!["spec"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public void Generation_counts_spec_changes_only_and_unchanged_writes_are_not_stored()
    {
        _store.Create(Datasets, "default", Obj("demo"));
        var spec = _store.Update(Datasets, "default", "demo", o => Set(o, "spec", new JsonObject { ["x"] = 1 }));
        Assert.Equal(2, ObjectFields.Metadata(spec)["generation"]!.GetValue<long>());
        var status = _store.Update(Datasets, "default", "demo", o => Set(o, "status", new JsonObject { ["phase"] = "Bound" }));
        var labels = _store.Update(Datasets, "default", "demo", o =>
        {
            ObjectFields.Metadata(o)["labels"] = new JsonObject { ["a"] = "b" };
            return o;
        });
        Assert.Equal(2, ObjectFields.Metadata(labels)["generation"]!.GetValue<long>());
        Assert.NotEqual(ObjectFields.ResourceVersion(status), ObjectFields.ResourceVersion(labels));

        var revision = _store.Revision;
        var same = _store.Update(Datasets, "default", "demo", o => o);
        Assert.Equal(revision, _store.Revision);
        Assert.Equal(ObjectFields.ResourceVersion(labels), ObjectFields.ResourceVersion(same));
    }

    [Fact]
    public void Server_owned_metadata_cannot_be_overwritten()
    {
        var created = _store.Create(Datasets, "default", Obj("demo"));
        var updated = _store.Update(Datasets, "default", "demo", o =>
        {
            var meta = ObjectFields.Metadata(o);
            meta["uid"] = "forged";
            meta["creationTimestamp"] = "2000-01-01T00:00:00Z";
            meta["generation"] = 99;
            return Set(o, "spec", new JsonObject { ["x"] = 1 });
        });
        Assert.Equal(ObjectFields.Uid(created), ObjectFields.Uid(updated));
        Assert.Equal(ObjectFields.Metadata(created)["creationTimestamp"]!.ToString(), ObjectFields.Metadata(updated)["creationTimestamp"]!.ToString());
        Assert.Equal(2, ObjectFields.Metadata(updated)["generation"]!.GetValue<long>());
    }

    [Fact]
    public void Delete_with_finalizers_sets_deletionTimestamp_and_the_object_goes_with_its_last_finalizer()
    {
        var obj = Obj("demo");
        ObjectFields.Metadata(obj)["finalizers"] = new JsonArray("a", "b");
        _store.Create(Datasets, "default", obj);

        var result = _store.Delete(Datasets, "default", "demo");
        Assert.False(result.Removed);
        Assert.NotNull(ObjectFields.Metadata(result.Object)["deletionTimestamp"]);
        Assert.NotNull(_store.Get(Datasets, "default", "demo"));

        _store.Update(Datasets, "default", "demo", o => SetFinalizers(o, "b"));
        Assert.NotNull(_store.Get(Datasets, "default", "demo"));
        _store.Update(Datasets, "default", "demo", o => SetFinalizers(o));
        Assert.Null(_store.Get(Datasets, "default", "demo"));
    }

    [Fact]
    public void Delete_preconditions_and_missing_objects_are_reported()
    {
        _store.Create(Datasets, "default", Obj("demo"));
        Assert.Equal(409, Assert.Throws<ApiException>(() => _store.Delete(Datasets, "default", "demo", uid: "other")).Code);
        Assert.Equal(409, Assert.Throws<ApiException>(() => _store.Delete(Datasets, "default", "demo", resourceVersion: "999")).Code);
        Assert.True(_store.Delete(Datasets, "default", "demo").Removed);
        var e = Assert.Throws<ApiException>(() => _store.Delete(Datasets, "default", "demo"));
        Assert.Equal(404, e.Code);
        Assert.Equal("datasets.data.fluid.io \"demo\" not found", e.Message);
    }

    [Fact]
    public async Task Dependents_of_a_deleted_owner_are_garbage_collected_in_the_background()
    {
        var owner = _store.Create(Datasets, "default", Obj("demo"));
        var other = _store.Create(Datasets, "default", Obj("other"));
        _store.Create(ConfigMaps, "default", Owned("only-demo", owner));
        _store.Create(ConfigMaps, "default", Owned("both", owner, other));
        _store.Create(ConfigMaps, "default", Obj("free"));

        _store.Delete(Datasets, "default", "demo");
        await WaitUntil(() => _store.Get(ConfigMaps, "default", "only-demo") is null);
        await WaitUntil(() => _store.GarbageCollectionIdle);
        var both = _store.Get(ConfigMaps, "default", "both")!;
        Assert.Equal([ObjectFields.Uid(other)!], ObjectFields.OwnerUids(both));
        Assert.NotNull(_store.Get(ConfigMaps, "default", "free"));
    }

    [Fact]
    public async Task Orphan_keeps_dependents_and_foreground_deletes_them_before_the_owner()
    {
        var owner = _store.Create(Datasets, "default", Obj("orphaner"));
        _store.Create(ConfigMaps, "default", Owned("kept", owner));
        _store.Delete(Datasets, "default", "orphaner", Propagation.Orphan);
        await WaitUntil(() => _store.GarbageCollectionIdle);
        Assert.Empty(ObjectFields.OwnerUids(_store.Get(ConfigMaps, "default", "kept")!));

        var parent = _store.Create(Datasets, "default", Obj("parent"));
        var child = Owned("child", parent);
        ObjectFields.Metadata(child)["finalizers"] = new JsonArray("hold");
        _store.Create(ConfigMaps, "default", child);
        var result = _store.Delete(Datasets, "default", "parent", Propagation.Foreground);
        Assert.False(result.Removed);
        Assert.Contains(ObjectStore.ForegroundFinalizer, ObjectFields.Finalizers(result.Object));
        await WaitUntil(() => _store.Get(ConfigMaps, "default", "child") is { } c && ObjectFields.Metadata(c)["deletionTimestamp"] is not null);
        Assert.NotNull(_store.Get(Datasets, "default", "parent"));

        _store.Update(ConfigMaps, "default", "child", o => SetFinalizers(o));
        await WaitUntil(() => _store.Get(Datasets, "default", "parent") is null);
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_its_contents_then_itself()
    {
        _store.Create(ObjectStore.NamespacesResource, "", Obj("team"));
        _store.Create(ConfigMaps, "team", Obj("a"));
        _store.Create(Datasets, "team", Obj("b"));
        _store.Create(ConfigMaps, "default", Obj("elsewhere"));
        var result = _store.Delete(ObjectStore.NamespacesResource, "", "team");
        Assert.Equal("Terminating", result.Object["status"]!["phase"]!.GetValue<string>());
        await WaitUntil(() => _store.Get(ObjectStore.NamespacesResource, "", "team") is null);
        Assert.Empty(_store.List(ConfigMaps, "team").Items);
        Assert.Empty(_store.List(Datasets, "team").Items);
        Assert.NotNull(_store.Get(ConfigMaps, "default", "elsewhere"));
    }

    [Fact]
    public void List_pages_with_a_continue_token_and_filters()
    {
        for (var i = 0; i < 7; i++)
        {
            var obj = Obj($"item-{i}");
            ObjectFields.Metadata(obj)["labels"] = new JsonObject { ["even"] = (i % 2 == 0).ToString() };
            _store.Create(ConfigMaps, i < 4 ? "a" : "b", obj);
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = _store.List(ConfigMaps, null, o => ObjectFields.Labels(o)!["even"] == "True", 2, token);
            names.AddRange(page.Items.Select(o => ObjectFields.Name(o)!));
            token = page.Continue;
            pages++;
        }
        while (token is not null);
        Assert.Equal(["item-0", "item-2", "item-4", "item-6"], names);
        Assert.Equal(2, pages);
        Assert.Equal(3, _store.List(ConfigMaps, "b").Items.Count);
        Assert.Equal(400, Assert.Throws<ApiException>(() => _store.List(ConfigMaps, null, null, 1, "garbage!")).Code);
    }

    [Fact]
    public async Task A_watch_resumed_from_a_revision_sees_every_later_event_then_live_ones()
    {
        _store.Create(Datasets, "default", Obj("a"));
        var from = _store.Revision;
        _store.Create(Datasets, "default", Obj("b"));
        _store.Update(Datasets, "default", "a", o => Set(o, "spec", new JsonObject { ["x"] = 1 }));
        _store.Create(ConfigMaps, "default", Obj("not-watched"));
        _store.Delete(Datasets, "default", "b");

        using var watch = _store.Watch(Datasets, null, from);
        Assert.Equal(["ADDED b", "MODIFIED a", "DELETED b"], watch.Initial.Select(e => $"{e.Type} {ObjectFields.Name(e.Object)}"));
        _store.Create(Datasets, "other", Obj("c"));
        var live = await ReadOne(watch);
        Assert.Equal("ADDED c", $"{live.Type} {ObjectFields.Name(live.Object)}");
        Assert.Equal(_store.Revision, live.Revision);
    }

    [Fact]
    public void A_watch_without_a_revision_starts_with_the_current_objects_and_a_namespace_filter_applies()
    {
        _store.Create(Datasets, "default", Obj("a"));
        _store.Create(Datasets, "other", Obj("b"));
        using var watch = _store.Watch(Datasets, "other", null);
        Assert.Equal(["ADDED b"], watch.Initial.Select(e => $"{e.Type} {ObjectFields.Name(e.Object)}"));
    }

    [Fact]
    public void Watching_from_a_compacted_revision_is_410_Gone()
    {
        _store.Create(Datasets, "default", Obj("a"));
        var old = _store.Revision;
        for (var i = 0; i < 5; i++)
        {
            _store.Update(Datasets, "default", "a", o => Set(o, "spec", new JsonObject { ["x"] = i }));
        }

        _store.Compact(_store.Revision - 2);
        var e = Assert.Throws<ApiException>(() => _store.Watch(Datasets, null, old));
        Assert.Equal(410, e.Code);
        Assert.Equal("Expired", e.Reason);
        using var recent = _store.Watch(Datasets, null, _store.CompactedRevision);
        Assert.Equal(2, recent.Initial.Count);
    }

    [Fact]
    public async Task Objects_events_and_the_revision_survive_a_reopen()
    {
        _store.Create(Datasets, "default", Obj("a"));
        var from = _store.Revision;
        _store.Update(Datasets, "default", "a", o => Set(o, "spec", new JsonObject { ["x"] = 1 }));
        var revision = _store.Revision;
        await _store.DisposeAsync();

        _store = Open();
        Assert.Equal(revision, _store.Revision);
        Assert.Equal(1, _store.Get(Datasets, "default", "a")!["spec"]!["x"]!.GetValue<int>());
        using var watch = _store.Watch(Datasets, null, from);
        Assert.Equal(["MODIFIED"], watch.Initial.Select(e => e.Type));
        Assert.True(long.Parse(ObjectFields.ResourceVersion(_store.Create(Datasets, "default", Obj("b")))!) > revision);
    }

    private ObjectStore Open() => ObjectStore.Open(new StoreOptions { DatabasePath = Path.Combine(_dir, "store.db") });

    private static JsonObject Obj(string? name, string? generateName = null)
    {
        var meta = new JsonObject();
        if (name is not null)
        {
            meta["name"] = name;
        }

        if (generateName is not null)
        {
            meta["generateName"] = generateName;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Thing", ["metadata"] = meta, ["spec"] = new JsonObject() };
    }

    private static JsonObject Owned(string name, params JsonObject[] owners)
    {
        var obj = Obj(name);
        ObjectFields.Metadata(obj)["ownerReferences"] = new JsonArray([.. owners.Select(o => (JsonNode)new JsonObject
        {
            ["apiVersion"] = "data.fluid.io/v1alpha1",
            ["kind"] = "Dataset",
            ["name"] = ObjectFields.Name(o),
            ["uid"] = ObjectFields.Uid(o),
        })]);
        return obj;
    }

    private static JsonObject Set(JsonObject obj, string field, JsonNode value)
    {
        obj[field] = value;
        return obj;
    }

    private static JsonObject SetFinalizers(JsonObject obj, params string[] finalizers)
    {
        ObjectFields.Metadata(obj)["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]);
        return obj;
    }

    private static async Task<StoredEvent> ReadOne(WatchSubscription watch)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await watch.Events.ReadAsync(timeout.Token);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
