using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Fluid.Cache.Ufs;

/// <summary>Opens web servers (<c>http://</c>, <c>https://</c>) as read-only sources.</summary>
public sealed class HttpUfsProvider : IUfsProvider
{
    /// <inheritdoc/>
    public IReadOnlyCollection<string> Schemes { get; } = ["http", "https"];

    /// <inheritdoc/>
    public IUnderFileSystem Open(UfsMount mount) => new HttpUnderFileSystem(mount);
}

/// <summary>
/// A directory of a web server, read with ranged GETs (see README.md in this folder). Options: <c>timeout</c>
/// (per request, default 60s), <c>header.&lt;Name&gt;</c> (sent with every request), <c>manifest</c> (a file
/// under the mount listing the files, <c>relative/path&lt;TAB&gt;size</c> a line, used instead of the server's
/// directory listings); secrets <c>username</c> and <c>password</c> for Basic authentication, sent only to the
/// mount's own origin. Listed files are stated with HEAD, so listings and stats give the same versions.
/// Versions are the ETag, else <c>lm:&lt;Last-Modified unix seconds&gt;:&lt;length&gt;</c>, else <c>len:&lt;length&gt;</c>.
/// </summary>
public sealed class HttpUnderFileSystem : IUnderFileSystem, IVersionedReader
{
    /// <summary>The version of every directory: servers give directories no validator.</summary>
    public const string DirectoryVersion = "dir";

    private const int ParallelStats = 16;
    private const int MaxRedirects = 5;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly TimeSpan _timeout;
    private readonly string? _manifest;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly SemaphoreSlim _manifestLock = new(1, 1);
    private ManifestSnapshot? _manifestSnapshot;

    /// <summary>Opens a mount; throws <see cref="UfsException"/> on bad options.</summary>
    public HttpUnderFileSystem(UfsMount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        Mount = mount;
        if (mount.MountPoint.UserInfo.Length != 0)
        {
            throw new UfsException(
                $"mount point '{mount.Display}': credentials in the URL would be stored in plain text; put them in the secrets 'username' and 'password' (encryptOptions)");
        }

        var text = mount.MountPoint.GetLeftPart(UriPartial.Path);
        _base = new Uri(text.EndsWith('/') ? text : text + "/");
        _timeout = UfsOptions.Duration(mount, "timeout", DefaultTimeout);
        var manifest = UfsOptions.Get(mount, "manifest");
        try
        {
            _manifest = manifest is null ? null : UfsPath.Normalize(manifest);
        }
        catch (UfsException e)
        {
            throw new UfsException($"mount point '{mount.Display}': option 'manifest': {e.Message}", e);
        }

        if (_manifest is { Length: 0 })
        {
            throw new UfsException($"mount point '{mount.Display}': option 'manifest' must name a file under the mount, such as manifest.tsv");
        }

        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 32,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = _timeout < TimeSpan.FromSeconds(15) ? _timeout : TimeSpan.FromSeconds(15),
            // Redirects are followed by hand, so that credentials go along only to the mount's own origin.
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            _authorization = ConfigureHeaders(mount, _http.DefaultRequestHeaders);
        }
        catch
        {
            _http.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public UfsMount Mount { get; }

    /// <inheritdoc/>
    public bool CanWrite => false;

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
        var children = await RunAsync("list", rel, token => ListChildrenAsync(rel, token), cancellationToken);
        var files = new List<string>();
        foreach (var child in children)
        {
            var path = UfsPath.Combine(rel, child.Name);
            if (child.IsDirectory)
            {
                yield return DirectoryEntry(path);
            }
            else
            {
                files.Add(path);
            }
        }

        // Each file is stated so that a listing gives the same versions as StatAsync.
        for (var start = 0; start < files.Count; start += ParallelStats)
        {
            var batch = files.Skip(start).Take(ParallelStats).Select(file => StatAsync(file, cancellationToken));
            foreach (var entry in await Task.WhenAll(batch))
            {
                if (entry is not null)
                {
                    yield return entry;
                }
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        ReadCoreAsync(path, offset, buffer, null, cancellationToken);

    /// <summary>
    /// Reads from exactly <paramref name="expectedVersion"/>: the request carries <c>If-Match</c> (an ETag) or
    /// <c>If-Unmodified-Since</c> (a Last-Modified version), a 412 becomes <see cref="UfsVersionChangedException"/>,
    /// and the validators of the answer are compared too, for servers that ignore the condition.
    /// </summary>
    public ValueTask<int> ReadAsync(string path, long offset, Memory<byte> buffer, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expectedVersion);
        return ReadCoreAsync(path, offset, buffer, expectedVersion, cancellationToken);
    }

    /// <inheritdoc/>
    public Task WriteFileAsync(string path, Stream content, CancellationToken cancellationToken) => throw ReadOnly("write", path);

    /// <inheritdoc/>
    public Task DeleteAsync(string path, CancellationToken cancellationToken) => throw ReadOnly("delete", path);

    /// <inheritdoc/>
    public Task RenameAsync(string from, string to, CancellationToken cancellationToken) => throw ReadOnly("rename", from);

    /// <inheritdoc/>
    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken) => throw ReadOnly("create directory", path);

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _manifestLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<UfsEntry?> StatCoreAsync(string rel, CancellationToken token)
    {
        if (rel.Length == 0)
        {
            return DirectoryEntry(rel);
        }

        using (var response = await SendAsync(HttpMethod.Head, UrlOf(rel), null, token))
        {
            if (IsDirectoryAnswer(response))
            {
                return DirectoryEntry(rel);
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return await InManifestDirectoryAsync(rel, token) ? DirectoryEntry(rel) : null;
            }

            if (response.IsSuccessStatusCode && response.Content.Headers.ContentLength is { } length)
            {
                return FileEntry(rel, response, length);
            }

            if (!response.IsSuccessStatusCode && response.StatusCode is not (HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented))
            {
                throw StatusError("stat", rel, response);
            }
        }

        // HEAD without a length (or not allowed, as with presigned GET-only URLs): the first byte tells the size.
        using var answer = await SendAsync(HttpMethod.Get, UrlOf(rel), get => get.Headers.Range = new RangeHeaderValue(0, 0), token);
        if (IsDirectoryAnswer(answer))
        {
            return DirectoryEntry(rel);
        }

        switch (answer.StatusCode)
        {
            case HttpStatusCode.NotFound or HttpStatusCode.Gone:
                return await InManifestDirectoryAsync(rel, token) ? DirectoryEntry(rel) : null;
            case HttpStatusCode.PartialContent or HttpStatusCode.RequestedRangeNotSatisfiable when answer.Content.Headers.ContentRange?.Length is { } total:
                return FileEntry(rel, answer, total);
            case HttpStatusCode.OK when answer.Content.Headers.ContentLength is { } length:
                return FileEntry(rel, answer, length);
            case HttpStatusCode.OK when await ManifestSizeAsync(rel, token) is { } listed:
                return FileEntry(rel, answer, listed);
            case HttpStatusCode.OK:
                throw Fail("stat", rel, "the server tells neither its length (HEAD) nor its range (GET with Range); list it in a manifest with its size");
            default:
                throw StatusError("stat", rel, answer);
        }
    }

    private async ValueTask<int> ReadCoreAsync(string path, long offset, Memory<byte> buffer, string? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var rel = UfsPath.Normalize(path);
        if (buffer.Length == 0)
        {
            return 0;
        }

        return await RunAsync("read", rel, async token =>
        {
            using var response = await SendAsync(HttpMethod.Get, UrlOf(rel), request =>
            {
                request.Headers.Range = new RangeHeaderValue(offset, offset + buffer.Length - 1);
                if (expectedVersion is not null)
                {
                    AddPrecondition(request, expectedVersion);
                }
            }, token);
            long? total;
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != offset)
                    {
                        throw Fail("read", rel, $"asked for bytes from {offset} and the server answered with '{range}'");
                    }

                    total = range.Length;
                    break;
                case HttpStatusCode.OK when offset == 0:
                    total = response.Content.Headers.ContentLength;
                    break;
                case HttpStatusCode.OK:
                    throw Fail("read", rel, "the server ignores Range requests (it answered 200 with the whole file to a ranged GET); serve it from a server that supports ranges");
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    // At or past the end; a version check still applies where the answer tells the length.
                    total = response.Content.Headers.ContentRange?.Length;
                    if (expectedVersion is not null && IsLastModifiedVersion(expectedVersion) && total is { } length && !expectedVersion.EndsWith(Invariant($":{length}"), StringComparison.Ordinal))
                    {
                        throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, null);
                    }

                    return 0;
                case HttpStatusCode.PreconditionFailed when expectedVersion is not null:
                    throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, null);
                case HttpStatusCode.NotFound or HttpStatusCode.Gone when expectedVersion is not null:
                    throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, null);
                default:
                    throw StatusError("read", rel, response);
            }

            if (expectedVersion is not null)
            {
                var actual = VersionOf(response, total ?? -1);
                if (actual != expectedVersion)
                {
                    throw VersionedReads.Changed(Mount, Display(rel), expectedVersion, actual);
                }
            }

            await using var body = await response.Content.ReadAsStreamAsync(token);
            return await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, token);
        }, cancellationToken);
    }

    private static void AddPrecondition(HttpRequestMessage request, string expectedVersion)
    {
        if (IsLastModifiedVersion(expectedVersion))
        {
            var seconds = expectedVersion.AsSpan(3, expectedVersion.IndexOf(':', 3) - 3);
            request.Headers.IfUnmodifiedSince = DateTimeOffset.FromUnixTimeSeconds(long.Parse(seconds, CultureInfo.InvariantCulture));
        }
        else if (!expectedVersion.StartsWith("W/", StringComparison.Ordinal) && !expectedVersion.StartsWith("len:", StringComparison.Ordinal))
        {
            // If-Match compares strongly: weak ETags never match, so they (and bare lengths) are checked on the answer only.
            request.Headers.TryAddWithoutValidation("If-Match", expectedVersion);
        }
    }

    private async Task<List<ListedChild>> ListChildrenAsync(string rel, CancellationToken token)
    {
        if (_manifest is not null)
        {
            var snapshot = await ManifestAsync(token);
            if (rel.Length != 0 && !snapshot.Directories.Contains(rel))
            {
                throw Fail("list", rel, snapshot.Files.ContainsKey(rel) ? "is a file, not a directory" : $"does not exist (it is not in the manifest '{_manifest}')");
            }

            var prefix = rel.Length == 0 ? "" : rel + "/";
            var children = new Dictionary<string, ListedChild>(StringComparer.Ordinal);
            foreach (var file in snapshot.Files.Keys)
            {
                if (!file.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = file[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var name = slash < 0 ? rest : rest[..slash];
                children.TryAdd(name, new ListedChild(name, slash >= 0));
            }

            return [.. children.Values];
        }

        var url = UrlOf(rel, directory: true);
        using var response = await SendAsync(HttpMethod.Get, url, request =>
        {
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/html;q=0.9");
        }, token);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            throw Fail("list", rel, "does not exist (or is not a directory)");
        }

        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw Fail("list", rel, "the server does not list this directory (403); turn on its directory listing (nginx: autoindex on) or set the option 'manifest'");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw StatusError("list", rel, response);
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        try
        {
            if (mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase))
            {
                await using var json = await response.Content.ReadAsStreamAsync(token);
                return HttpListings.ParseJson(json);
            }

            if (mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            {
                var html = await response.Content.ReadAsStringAsync(token);
                var directoryPath = (response.RequestMessage?.RequestUri ?? url).AbsolutePath;
                return HttpListings.ParseHtml(html, directoryPath);
            }
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw Fail("list", rel, $"the directory listing cannot be read: {e.Message}");
        }

        throw Fail("list", rel, $"the server answered with '{mediaType}', not a directory listing (JSON or HTML); set the option 'manifest' to list files another way");
    }

    private async Task<bool> InManifestDirectoryAsync(string rel, CancellationToken token) =>
        _manifest is not null && (await ManifestAsync(token)).Directories.Contains(rel);

    private async Task<long?> ManifestSizeAsync(string rel, CancellationToken token) =>
        _manifest is not null && (await ManifestAsync(token)).Files.TryGetValue(rel, out var size) && size >= 0 ? size : null;

    /// <summary>The manifest, fetched again only when the server says it changed (If-None-Match).</summary>
    private async Task<ManifestSnapshot> ManifestAsync(CancellationToken token)
    {
        await _manifestLock.WaitAsync(token);
        try
        {
            var manifest = _manifest!;
            var etag = _manifestSnapshot?.ETag;
            using var response = await SendAsync(HttpMethod.Get, UrlOf(manifest), request =>
            {
                if (etag is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }
            }, token);
            if (response.StatusCode == HttpStatusCode.NotModified && _manifestSnapshot is not null)
            {
                return _manifestSnapshot;
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                throw Fail("read the manifest", manifest, "does not exist; the option 'manifest' names a file relative to the mount");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw StatusError("read the manifest", manifest, response);
            }

            await using var body = await response.Content.ReadAsStreamAsync(token);
            using var reader = new StreamReader(body, Encoding.UTF8);
            Dictionary<string, long> files;
            try
            {
                files = HttpListings.ParseManifest(reader, manifest);
            }
            catch (FormatException e)
            {
                throw new UfsException($"{Mount.Display}: {e.Message}", e);
            }

            var directories = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files.Keys)
            {
                for (var parent = UfsPath.Parent(file); parent.Length != 0 && directories.Add(parent); parent = UfsPath.Parent(parent))
                {
                }
            }

            _manifestSnapshot = new ManifestSnapshot(HeaderValue(response, "ETag"), files, directories);
            return _manifestSnapshot;
        }
        finally
        {
            _manifestLock.Release();
        }
    }

    /// <summary>Sends a request, following redirects; the answer's RequestMessage is the last request sent.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, Action<HttpRequestMessage>? configure, CancellationToken token)
    {
        for (var hops = 0; ; hops++)
        {
            var request = new HttpRequestMessage(method, url);
            configure?.Invoke(request);
            if (_authorization is not null && IsSameOrigin(url, _base))
            {
                request.Headers.Authorization = _authorization;
            }

            var response = await SendWithRetriesAsync(request, configure, token);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location || hops == MaxRedirects)
            {
                return response;
            }

            var next = new Uri(url, location);
            response.RequestMessage?.Dispose();
            response.Dispose();
            if (next.Scheme is not ("http" or "https") || (url.Scheme == "https" && next.Scheme == "http"))
            {
                throw new UfsException($"{Mount.Display}: the server redirected {url.AbsolutePath} to '{next.GetLeftPart(UriPartial.Authority)}', which is not followed (only http(s), never from https to http)");
            }

            url = next;
        }
    }

    /// <summary>
    /// Sends a GET or HEAD again when a kept-alive connection turns out dead (nginx closes one after a 412
    /// although it announced keep-alive): both are idempotent, and a fresh connection usually succeeds.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithRetriesAsync(HttpRequestMessage request, Action<HttpRequestMessage>? configure, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            }
            catch (HttpRequestException e) when (attempt < 3 && e.HttpRequestError is not (HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError))
            {
                // A request message can be sent only once.
                var again = new HttpRequestMessage(request.Method, request.RequestUri);
                configure?.Invoke(again);
                again.Headers.Authorization = request.Headers.Authorization;
                request.Dispose();
                request = again;
            }
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool IsSameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    private Task<T> RunAsync<T>(string verb, string rel, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        RunWithDeadlineAsync(_timeout, _base.Authority, "", why => Fail(verb, rel, why), operation, cancellationToken);

    /// <summary>
    /// Runs one HTTP exchange under the connector's timeout and turns what can go wrong on the
    /// wire (no answer, unreachable host, broken connection) into a <see cref="UfsException"/>.
    /// </summary>
    internal static async Task<T> RunWithDeadlineAsync<T>(
        TimeSpan timeout, string authority, string unreachableHint, Func<string, UfsException> fail, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await operation(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw fail($"no answer from {authority} within {timeout.TotalSeconds:0.###}s (option 'timeout')");
        }
        catch (HttpRequestException e)
        {
            throw fail($"cannot reach {authority}: {Innermost(e)}{unreachableHint}");
        }
        catch (IOException e) when (e is not UfsException)
        {
            throw fail($"the connection to {authority} failed: {e.Message}");
        }
    }

    // HttpRequestException says "An error occurred while sending the request"; the cause is further in.
    internal static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    private Uri UrlOf(string rel, bool directory = false)
    {
        if (rel.Length == 0)
        {
            return _base;
        }

        var escaped = string.Join('/', rel.Split('/').Select(Uri.EscapeDataString));
        return new Uri(_base, directory ? escaped + "/" : escaped);
    }

    // A server answers a path without its trailing slash by redirecting to the directory.
    private static bool IsDirectoryAnswer(HttpResponseMessage response) =>
        response.StatusCode != HttpStatusCode.NotFound
        && response.RequestMessage?.RequestUri?.AbsolutePath.EndsWith('/') == true;

    private static UfsEntry DirectoryEntry(string rel) =>
        new(rel, true, 0, DateTimeOffset.UnixEpoch, DirectoryVersion);

    private static UfsEntry FileEntry(string rel, HttpResponseMessage response, long length) =>
        new(rel, false, length, response.Content.Headers.LastModified ?? DateTimeOffset.UnixEpoch, VersionOf(response, length));

    /// <summary>The ETag, else Last-Modified and length, else the length alone.</summary>
    private static string VersionOf(HttpResponseMessage response, long length)
    {
        if (HeaderValue(response, "ETag") is { } etag)
        {
            return etag;
        }

        return response.Content.Headers.LastModified is { } modified
            ? Invariant($"lm:{modified.ToUnixTimeSeconds()}:{length}")
            : Invariant($"len:{length}");
    }

    private static bool IsLastModifiedVersion(string version) =>
        version.StartsWith("lm:", StringComparison.Ordinal) && version.IndexOf(':', 3) > 3;

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Adds the header options; returns the Basic credentials, sent only to the mount's origin.</summary>
    private static AuthenticationHeaderValue? ConfigureHeaders(UfsMount mount, HttpRequestHeaders headers)
    {
        foreach (var (key, value) in mount.Options)
        {
            if (!key.StartsWith("header.", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = key["header.".Length..];
            if (name.Length == 0 || !headers.TryAddWithoutValidation(name, value))
            {
                throw new UfsException($"mount point '{mount.Display}': option '{key}' does not name a request header; write header.<Name>, e.g. header.X-Token");
            }
        }

        var username = UfsOptions.Secret(mount, "username");
        var password = UfsOptions.Secret(mount, "password");
        if ((username is null) != (password is null))
        {
            throw new UfsException(
                $"mount point '{mount.Display}': Basic authentication needs both secrets 'username' and 'password'; only '{(username is null ? "password" : "username")}' is set");
        }

        if (username is null || password is null)
        {
            return null;
        }

        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(username.Reveal() + ":" + password.Reveal()));
        return new AuthenticationHeaderValue("Basic", token);
    }

    private UfsException StatusError(string verb, string rel, HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        var why = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized when Mount.Secrets.ContainsKey("username") =>
                "the server refused the username and password (401); check the secrets 'username' and 'password'",
            HttpStatusCode.Unauthorized => "the server asks for credentials (401); set the secrets 'username' and 'password'",
            HttpStatusCode.Forbidden => "the server denies access (403)",
            HttpStatusCode.NotFound or HttpStatusCode.Gone => "does not exist",
            _ => $"the server answered {code} {response.ReasonPhrase}",
        };
        return Fail(verb, rel, why);
    }

    private UfsException ReadOnly(string verb, string path) =>
        new($"{Mount.Display} is read-only: the http connector cannot {verb} '{Display(path)}'");

    private UfsException Fail(string verb, string rel, string why) =>
        new($"{Mount.Display}: cannot {verb} '{Display(rel)}': {why}");

    private static string Display(string rel) => rel.StartsWith('/') ? rel : "/" + rel;

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private sealed record ManifestSnapshot(string? ETag, Dictionary<string, long> Files, HashSet<string> Directories);
}
