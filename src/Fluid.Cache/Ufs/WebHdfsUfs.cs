using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Fluid.Cache.Ufs;

/// <summary>
/// Opens HDFS through its REST API, WebHDFS: <c>hdfs://namenode:8020/path</c> (the HTTP address is the
/// option <c>webhdfs.address</c>, by default the same host on port 9870) or <c>webhdfs://namenode:9870/path</c>.
/// </summary>
public sealed class WebHdfsUfsProvider : IUfsProvider
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> Schemes { get; } = ["hdfs", "webhdfs"];

    /// <inheritdoc/>
    public IUnderFileSystem Open(UfsMount mount) => new WebHdfsUnderFileSystem(mount);
}

/// <summary>
/// A directory of HDFS spoken to through WebHDFS (simple authentication: <c>user.name</c> from the option
/// <c>hdfs.user</c> or <c>user</c>). Reads and writes follow the namenode's 307 redirect to a datanode.
/// Versions are <c>modificationTime-length-fileId</c>; a versioned read stats the file after reading,
/// which is sound because HDFS never gives a replaced file its old fileId back.
/// </summary>
public sealed class WebHdfsUnderFileSystem : IUnderFileSystem, IVersionedReader
{
    /// <summary>The namenode's HTTP port since Hadoop 3.</summary>
    public const int DefaultHttpPort = 9870;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly Uri _namenode;
    private readonly string _root;
    private readonly string? _user;
    private readonly TimeSpan _timeout;

    /// <summary>Opens a mount; throws <see cref="UfsException"/> on bad options.</summary>
    public WebHdfsUnderFileSystem(UfsMount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        Mount = mount;
        var uri = mount.MountPoint;
        if (uri.Host.Length == 0)
        {
            throw new UfsException($"mount point '{mount.Display}': name the namenode, as in hdfs://namenode:8020/path");
        }

        _namenode = Address(mount);
        var root = UfsPath.Normalize(Uri.UnescapeDataString(uri.AbsolutePath));
        _root = root.Length == 0 ? "" : "/" + root;
        _user = UfsOptions.Get(mount, "hdfs.user") ?? UfsOptions.Get(mount, "user");
        _timeout = UfsOptions.Duration(mount, "timeout", DefaultTimeout);
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by hand: CREATE must send its data only to the datanode.
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 32,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = _timeout < TimeSpan.FromSeconds(15) ? _timeout : TimeSpan.FromSeconds(15),
            UseCookies = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public UfsMount Mount { get; }

    /// <inheritdoc/>
    public bool CanWrite => true;

    /// <summary>The namenode's WebHDFS address this mount talks to.</summary>
    public Uri NamenodeAddress => _namenode;

    /// <inheritdoc/>
    public Task<UfsEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(path);
        return RunAsync("stat", rel, token => StatCoreAsync(rel, token), cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<UfsEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(directory);
        string? after = null;
        var batched = true;
        while (true)
        {
            var (entries, more) = await RunAsync("list", rel, async token =>
            {
                if (batched)
                {
                    var page = await ListPageAsync(rel, after, token);
                    if (page is not null)
                    {
                        return page.Value;
                    }

                    batched = false;
                }

                return (await ListAllAsync(rel, token), false);
            }, cancellationToken);

            foreach (var entry in entries)
            {
                yield return entry;
            }

            if (!more || entries.Count == 0)
            {
                yield break;
            }

            after = UfsPath.Name(entries[^1].Path);
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var rel = UfsPath.Normalize(path);
        return buffer.Length == 0 ? ValueTask.FromResult(0) : new ValueTask<int>(ReadOrEndAsync(rel, offset, buffer, cancellationToken));
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expectedVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var rel = UfsPath.Normalize(path);
        var read = 0;
        if (buffer.Length != 0)
        {
            try
            {
                read = await ReadOrEndAsync(rel, offset, buffer, cancellationToken);
            }
            catch (UfsException)
            {
                // A read that failed because the file went away or changed says so in the caller's terms.
                var now = await StatAsync(rel, cancellationToken);
                if (now is null || now.Version != expectedVersion)
                {
                    throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, now?.Version);
                }

                throw;
            }
        }

        // WebHDFS has no conditional read; a later stat that still shows this version vouches for the bytes.
        var after = await StatAsync(rel, cancellationToken);
        return after is not null && after.Version == expectedVersion
            ? read
            : throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, after?.Version);
    }

    /// <inheritdoc/>
    public async Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var rel = UfsPath.Normalize(path);
        if (rel.Length == 0)
        {
            throw Fail("write", rel, "is the mount's root directory");
        }

        var datanode = await RunAsync("write", rel, async token =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, Url("CREATE", rel, ("overwrite", "true")));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            return IsRedirect(response) && response.Headers.Location is { } location
                ? new Uri(request.RequestUri!, location)
                : throw await ErrorAsync("write", rel, response, "the namenode did not redirect CREATE to a datanode", token);
        }, cancellationToken);

        // The upload may take longer than one request's timeout; only the caller's token ends it.
        try
        {
            using var upload = new HttpRequestMessage(HttpMethod.Put, datanode) { Content = new BorrowedStreamContent(content) };
            upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await _http.SendAsync(upload, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync("write", rel, response, null, cancellationToken);
            }
        }
        catch (HttpRequestException e)
        {
            throw Fail("write", rel, $"cannot reach the datanode {datanode.Authority}: {HttpUnderFileSystem.Innermost(e)}");
        }
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(path);
        if (rel.Length == 0)
        {
            throw Fail("delete", rel, "is the mount's root directory");
        }

        // false means there was nothing to delete: deleting is idempotent.
        return RunAsync("delete", rel, token => CallAsync(HttpMethod.Delete, "DELETE", "delete", rel, token, ("recursive", "false")), cancellationToken);
    }

    /// <inheritdoc/>
    public Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        var source = UfsPath.Normalize(from);
        var destination = UfsPath.Normalize(to);
        if (source.Length == 0 || destination.Length == 0)
        {
            throw Fail("rename", source, "the mount's root cannot be renamed or replaced");
        }

        return RunAsync("rename", source, async token =>
        {
            var parent = UfsPath.Parent(destination);
            if (parent.Length != 0)
            {
                await MkdirsAsync(parent, "rename", token);
            }

            // OVERWRITE selects rename2, which replaces the target and reports failures as exceptions.
            var result = await CallAsync(HttpMethod.Put, "RENAME", "rename", source, token,
                ("destination", FullPath(destination)), ("renameoptions", "OVERWRITE"));
            return result is false
                ? throw Fail("rename", source, $"HDFS refused to rename it to '{Display(destination)}' (does it exist?)")
                : true;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        var rel = UfsPath.Normalize(path);
        return RunAsync("create directory", rel, async token =>
        {
            await MkdirsAsync(rel, "create directory", token);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<UfsEntry?> StatCoreAsync(string rel, CancellationToken token)
    {
        using var response = await _http.GetAsync(Url("GETFILESTATUS", rel), HttpCompletionOption.ResponseHeadersRead, token);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync("stat", rel, response, null, token);
        }

        using var json = await ReadJsonAsync("stat", rel, response, token);
        return json.RootElement.TryGetProperty("FileStatus", out var status)
            ? ToEntry(rel, status)
            : throw Fail("stat", rel, "the answer to GETFILESTATUS has no FileStatus");
    }

    /// <summary>One page of LISTSTATUS_BATCH; null when the namenode does not know that operation.</summary>
    private async Task<(List<UfsEntry> Entries, bool More)?> ListPageAsync(string rel, string? after, CancellationToken token)
    {
        var url = after is null ? Url("LISTSTATUS_BATCH", rel) : Url("LISTSTATUS_BATCH", rel, ("startAfter", after));
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
        if (response.StatusCode == HttpStatusCode.BadRequest && after is null)
        {
            var remote = await RemoteExceptionAsync(response, token);
            if (remote?.Exception is "IllegalArgumentException" or "UnsupportedOperationException")
            {
                return null;
            }

            throw ListError(rel, response.StatusCode, remote);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw ListError(rel, response.StatusCode, await RemoteExceptionAsync(response, token));
        }

        using var json = await ReadJsonAsync("list", rel, response, token);
        if (!json.RootElement.TryGetProperty("DirectoryListing", out var listing)
            || !listing.TryGetProperty("partialListing", out var partial)
            || !partial.TryGetProperty("FileStatuses", out var statuses))
        {
            throw Fail("list", rel, "the answer to LISTSTATUS_BATCH has no DirectoryListing.partialListing.FileStatuses");
        }

        var remaining = listing.TryGetProperty("remainingEntries", out var left) && left.TryGetInt64(out var n) ? n : 0;
        return (ToEntries(rel, statuses), remaining > 0);
    }

    private async Task<List<UfsEntry>> ListAllAsync(string rel, CancellationToken token)
    {
        using var response = await _http.GetAsync(Url("LISTSTATUS", rel), HttpCompletionOption.ResponseHeadersRead, token);
        if (!response.IsSuccessStatusCode)
        {
            throw ListError(rel, response.StatusCode, await RemoteExceptionAsync(response, token));
        }

        using var json = await ReadJsonAsync("list", rel, response, token);
        return json.RootElement.TryGetProperty("FileStatuses", out var statuses)
            ? ToEntries(rel, statuses)
            : throw Fail("list", rel, "the answer to LISTSTATUS has no FileStatuses");
    }

    private List<UfsEntry> ToEntries(string rel, JsonElement statuses)
    {
        var entries = new List<UfsEntry>();
        if (!statuses.TryGetProperty("FileStatus", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return entries;
        }

        foreach (var status in array.EnumerateArray())
        {
            var suffix = status.TryGetProperty("pathSuffix", out var s) ? s.GetString() ?? "" : "";
            if (suffix.Length == 0)
            {
                // Listing a file answers with the file itself.
                throw Fail("list", rel, "is a file, not a directory");
            }

            entries.Add(ToEntry(UfsPath.Combine(rel, suffix), status));
        }

        return entries;
    }

    private async Task<int> ReadOrEndAsync(string rel, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync("read", rel, token => ReadCoreAsync(rel, offset, buffer, token), cancellationToken);
        }
        catch (UfsException) when (offset > 0)
        {
            // HDFS refuses to seek past the end of a file ("Cannot seek after EOF"); there a read returns nothing.
            var now = await StatAsync(rel, cancellationToken);
            if (now is { IsDirectory: false } && offset >= now.Size)
            {
                return 0;
            }

            throw;
        }
    }

    private async Task<int> ReadCoreAsync(string rel, long offset, Memory<byte> buffer, CancellationToken token)
    {
        var url = Url("OPEN", rel, ("offset", Invariant($"{offset}")), ("length", Invariant($"{buffer.Length}")));
        for (var hops = 0; ; hops++)
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
            if (IsRedirect(response) && response.Headers.Location is { } location && hops < 3)
            {
                url = new Uri(url, location);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync("read", rel, response, null, token);
            }

            await using var body = await response.Content.ReadAsStreamAsync(token);
            return await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, token);
        }
    }

    private async Task MkdirsAsync(string rel, string verb, CancellationToken token)
    {
        if (await CallAsync(HttpMethod.Put, "MKDIRS", verb, rel, token) is false)
        {
            throw Fail(verb, rel, "HDFS did not create the directory");
        }
    }

    /// <summary>Calls an operation answered by the namenode alone; returns its {"boolean": ...} if any.</summary>
    private async Task<bool?> CallAsync(HttpMethod method, string op, string verb, string rel, CancellationToken token, params (string Name, string Value)[] parameters)
    {
        using var request = new HttpRequestMessage(method, Url(op, rel, parameters));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(verb, rel, response, null, token);
        }

        var text = await response.Content.ReadAsStringAsync(token);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("boolean", out var value)
                && value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private UfsEntry ToEntry(string rel, JsonElement status)
    {
        var type = status.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type is not ("FILE" or "DIRECTORY" or "SYMLINK"))
        {
            throw Fail("stat", rel, $"the FileStatus has an unknown type '{type}'");
        }

        var isDirectory = type == "DIRECTORY";
        var length = isDirectory ? 0 : Number(status, "length") ?? 0;
        var modified = Number(status, "modificationTime") ?? 0;
        var fileId = Number(status, "fileId");
        var version = fileId is { } id ? Invariant($"{modified}-{length}-{id}") : Invariant($"{modified}-{length}");
        return new UfsEntry(rel, isDirectory, length, DateTimeOffset.FromUnixTimeMilliseconds(modified), version);
    }

    private static long? Number(JsonElement status, string name) =>
        status.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private Task<T> RunAsync<T>(string verb, string rel, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        HttpUnderFileSystem.RunWithDeadlineAsync(
            _timeout, _namenode.Authority, "; set the option 'webhdfs.address' to the namenode's HTTP address", why => Fail(verb, rel, why), operation, cancellationToken);

    private Uri Url(string op, string rel, params (string Name, string Value)[] parameters)
    {
        var path = FullPath(rel);
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var query = "op=" + op;
        if (_user is not null)
        {
            query += "&user.name=" + Uri.EscapeDataString(_user);
        }

        foreach (var (name, value) in parameters)
        {
            query += "&" + name + "=" + Uri.EscapeDataString(value);
        }

        return new Uri(_namenode, "/webhdfs/v1" + escaped + "?" + query);
    }

    private string FullPath(string rel) =>
        rel.Length == 0 ? (_root.Length == 0 ? "/" : _root) : _root + "/" + rel;

    private static bool IsRedirect(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.Redirect
            or HttpStatusCode.SeeOther or HttpStatusCode.PermanentRedirect or HttpStatusCode.MovedPermanently;

    private async Task<JsonDocument> ReadJsonAsync(string verb, string rel, HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(token);
            return await JsonDocument.ParseAsync(body, cancellationToken: token);
        }
        catch (JsonException e)
        {
            throw Fail(verb, rel, $"the answer is not WebHDFS JSON: {e.Message}");
        }
    }

    private sealed record RemoteError(string? Exception, string? Message);

    private static async Task<RemoteError?> RemoteExceptionAsync(HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(token);
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("RemoteException", out var remote))
            {
                var exception = remote.TryGetProperty("exception", out var e) ? e.GetString() : null;
                var message = remote.TryGetProperty("message", out var m) ? m.GetString() : null;
                return new RemoteError(exception, message);
            }
        }
        catch (JsonException)
        {
            // Not WebHDFS's error JSON (a proxy's error page, say): the status code tells what is known.
        }

        return null;
    }

    private async Task<UfsException> ErrorAsync(string verb, string rel, HttpResponseMessage response, string? unexpected, CancellationToken token)
    {
        if (response.IsSuccessStatusCode && unexpected is not null)
        {
            return Fail(verb, rel, $"{unexpected} (it answered {(int)response.StatusCode})");
        }

        var remote = await RemoteExceptionAsync(response, token);
        return Fail(verb, rel, Describe(response.StatusCode, remote));
    }

    private UfsException ListError(string rel, HttpStatusCode status, RemoteError? remote) =>
        Fail("list", rel, status == HttpStatusCode.NotFound && remote?.Message is null ? "does not exist" : Describe(status, remote));

    private static string Describe(HttpStatusCode status, RemoteError? remote)
    {
        if (remote?.Message is { } message)
        {
            return remote.Exception is { } exception ? $"{message} ({exception})" : message;
        }

        return status switch
        {
            HttpStatusCode.NotFound => "does not exist",
            HttpStatusCode.Unauthorized => "WebHDFS asks for authentication (401); this connector speaks simple authentication (option 'hdfs.user')",
            HttpStatusCode.Forbidden => "access denied (403)",
            _ => $"WebHDFS answered {(int)status} {status}",
        };
    }

    private static Uri Address(UfsMount mount)
    {
        var uri = mount.MountPoint;
        var text = UfsOptions.Get(mount, "webhdfs.address");
        if (text is null)
        {
            var port = uri.Scheme.Equals("webhdfs", StringComparison.OrdinalIgnoreCase) && uri.Port > 0 ? uri.Port : DefaultHttpPort;
            return new Uri(Invariant($"http://{uri.Host}:{port}/"));
        }

        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var address)
            || address.Scheme is not ("http" or "https")
            || address.Host.Length == 0
            || address.AbsolutePath != "/")
        {
            throw new UfsException(
                $"mount point '{mount.Display}': option 'webhdfs.address' is '{text}'; write the namenode's HTTP address as host:port (or https://host:port)");
        }

        return address;
    }

    private UfsException Fail(string verb, string rel, string why) =>
        new($"{Mount.Display}: cannot {verb} '{Display(rel)}': {why}");

    private static string Display(string rel) => "/" + rel;

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>The caller's stream as a request body, left open for the caller to dispose.</summary>
    private sealed class BorrowedStreamContent(Stream stream) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context) =>
            stream.CopyToAsync(target);

        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context, CancellationToken cancellationToken) =>
            stream.CopyToAsync(target, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = stream.CanSeek ? stream.Length - stream.Position : 0;
            return stream.CanSeek;
        }
    }
}
