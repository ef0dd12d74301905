using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fluid.Cache.Tests.Ufs;

/// <summary>
/// A WebHDFS server (Hadoop 3 REST API, simple authentication) over a local directory, on 127.0.0.1 with a
/// port of its own. The namenode answers metadata operations and redirects OPEN and CREATE with a 307 to
/// the "datanode", a second path prefix of the same server, as a real cluster redirects to a DataNode.
/// FileStatus and RemoteException JSON follow the WebHDFS documentation.
/// </summary>
public sealed class WebHdfsTestServer : IAsyncDisposable
{
    public const string Owner = "hdfs";
    private const string NamenodePrefix = "/webhdfs/v1";
    private const string DatanodePrefix = "/datanode/webhdfs/v1";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _fileIds = new(StringComparer.Ordinal);
    private long _nextFileId = 16386;

    private WebHdfsTestServer(string root)
    {
        Root = root;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The directory served as HDFS's "/".</summary>
    public string Root { get; }

    /// <summary>host:port of the namenode (and of the datanode).</summary>
    public string HostAndPort { get; private set; } = "";

    /// <summary>Entries per LISTSTATUS_BATCH page (dfs.ls.limit, 1000 in Hadoop).</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>False to answer LISTSTATUS_BATCH as Hadoop before 2.8 does: an unknown op.</summary>
    public bool ListBatchSupported { get; set; } = true;

    /// <summary>"METHOD /path?query" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<WebHdfsTestServer> StartAsync(string root)
    {
        var server = new WebHdfsTestServer(root);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.HostAndPort = new Uri(address).Authority;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var raw = request.Path.Value ?? "";
        Requests.Enqueue($"{request.Method} {raw}{request.QueryString}");
        var datanode = raw.StartsWith(DatanodePrefix + "/", StringComparison.Ordinal) || raw == DatanodePrefix;
        var prefix = datanode ? DatanodePrefix : NamenodePrefix;
        if (!raw.StartsWith(prefix, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var path = raw[prefix.Length..];
        path = path.Length == 0 ? "/" : path;
        var op = request.Query["op"].ToString().ToUpperInvariant();
        try
        {
            if (path.Split('/').Any(s => s is "." or ".."))
            {
                throw new HdfsError(400, "IllegalArgumentException", "java.lang", $"Invalid path name {path}");
            }

            await (datanode ? DatanodeAsync(context, op, path) : NamenodeAsync(context, op, path));
        }
        catch (HdfsError e)
        {
            context.Response.StatusCode = e.Status;
            await WriteJsonAsync(context, new { RemoteException = new { exception = e.Exception, javaClassName = e.JavaClassName, message = e.Message } });
        }
    }

    private async Task NamenodeAsync(HttpContext context, string op, string path)
    {
        var request = context.Request;
        switch (request.Method, op)
        {
            case ("GET", "GETFILESTATUS"):
                await WriteJsonAsync(context, new { FileStatus = Status(path, "") ?? throw NotFound($"File does not exist: {path}") });
                break;
            case ("GET", "LISTSTATUS"):
                await WriteJsonAsync(context, new { FileStatuses = new { FileStatus = List(path, null, int.MaxValue, out _) } });
                break;
            case ("GET", "LISTSTATUS_BATCH") when ListBatchSupported:
                var after = request.Query["startAfter"].ToString();
                var page = List(path, after.Length == 0 ? null : after, BatchSize, out var remaining);
                await WriteJsonAsync(context, new { DirectoryListing = new { partialListing = new { FileStatuses = new { FileStatus = page } }, remainingEntries = remaining } });
                break;
            case ("GET", "OPEN"):
                if (!File.Exists(Local(path)))
                {
                    throw NotFound(Directory.Exists(Local(path)) ? $"Path is not a file: {path}" : $"File does not exist: {path}");
                }

                Redirect(context, path, "OPEN", ("offset", request.Query["offset"].ToString()), ("length", request.Query["length"].ToString()));
                break;
            case ("PUT", "CREATE"):
                if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
                {
                    throw new HdfsError(400, "IllegalArgumentException", "java.lang", "CREATE sends its data to the datanode it is redirected to, not to the namenode");
                }

                CheckCreate(path, Overwrite(request));
                Redirect(context, path, "CREATE", ("overwrite", Overwrite(request) ? "true" : "false"));
                break;
            case ("PUT", "MKDIRS"):
                CheckParents(path);
                if (File.Exists(Local(path)))
                {
                    throw new HdfsError(403, "FileAlreadyExistsException", "org.apache.hadoop.fs", $"Path is not a directory: {path}");
                }

                Directory.CreateDirectory(Local(path));
                await WriteJsonAsync(context, new { boolean = true });
                break;
            case ("PUT", "RENAME"):
                await RenameAsync(context, path);
                break;
            case ("DELETE", "DELETE"):
                await WriteJsonAsync(context, new { boolean = Delete(path, request.Query["recursive"] == "true") });
                break;
            default:
                throw UnknownOp(request.Method, op);
        }
    }

    private async Task DatanodeAsync(HttpContext context, string op, string path)
    {
        var request = context.Request;
        var local = Local(path);
        switch (request.Method, op)
        {
            case ("GET", "OPEN"):
                if (!File.Exists(local))
                {
                    throw NotFound($"File does not exist: {path}");
                }

                var offset = long.TryParse(request.Query["offset"], out var o) ? o : 0;
                var length = long.TryParse(request.Query["length"], out var l) ? l : long.MaxValue;
                await using (var file = File.OpenRead(local))
                {
                    if (offset > file.Length)
                    {
                        throw new HdfsError(403, "EOFException", "java.io", "Cannot seek after EOF");
                    }

                    file.Position = offset;
                    var count = Math.Min(length, file.Length - offset);
                    context.Response.ContentType = "application/octet-stream";
                    context.Response.ContentLength = count;
                    var buffer = new byte[Math.Min(count, 64 * 1024)];
                    for (var left = count; left > 0;)
                    {
                        var n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, n));
                        left -= n;
                    }
                }

                break;
            case ("PUT", "CREATE"):
                CheckCreate(path, Overwrite(request));
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                var temp = local + ".uploading-" + Guid.NewGuid().ToString("N");
                await using (var file = File.Create(temp))
                {
                    await request.Body.CopyToAsync(file);
                }

                File.Move(temp, local, overwrite: true);
                lock (_lock)
                {
                    _fileIds[path] = _nextFileId++;
                }

                context.Response.StatusCode = 201;
                context.Response.Headers.Location = "hdfs://127.0.0.1:8020" + path;
                break;
            default:
                throw UnknownOp(request.Method, op);
        }
    }

    private async Task RenameAsync(HttpContext context, string source)
    {
        var destination = context.Request.Query["destination"].ToString();
        if (!destination.StartsWith('/'))
        {
            throw new HdfsError(400, "IllegalArgumentException", "java.lang", $"Invalid value for webhdfs parameter \"destination\": {destination} is not absolute");
        }

        var overwrite = context.Request.Query["renameoptions"].ToString().Contains("OVERWRITE", StringComparison.OrdinalIgnoreCase);
        var from = Local(source);
        var to = Local(destination);
        var sourceIsDirectory = Directory.Exists(from);
        var destinationParent = Path.GetDirectoryName(to)!;
        if (!overwrite)
        {
            // rename(): failures are a false, not an exception.
            var ok = (sourceIsDirectory || File.Exists(from)) && Directory.Exists(destinationParent) && !File.Exists(to) && !Directory.Exists(to);
            if (ok)
            {
                Move(source, destination, sourceIsDirectory);
            }

            await WriteJsonAsync(context, new { boolean = ok });
            return;
        }

        // rename2() with OVERWRITE: replaces the target, fails with an exception.
        if (!sourceIsDirectory && !File.Exists(from))
        {
            throw NotFound($"rename source {source} is not found.");
        }

        if (!Directory.Exists(destinationParent))
        {
            throw NotFound($"rename destination parent {Path.GetDirectoryName(destination)} not found.");
        }

        if (Directory.Exists(to) != sourceIsDirectory && (Directory.Exists(to) || File.Exists(to)))
        {
            throw new HdfsError(403, "IOException", "java.io", $"Source {source} and destination {destination} must both be directories");
        }

        if (Directory.Exists(to))
        {
            if (Directory.EnumerateFileSystemEntries(to).Any())
            {
                throw new HdfsError(403, "IOException", "java.io", $"rename destination directory is not empty: {destination}");
            }

            Directory.Delete(to);
        }

        Move(source, destination, sourceIsDirectory);
        context.Response.ContentType = "application/octet-stream";
    }

    private void Move(string source, string destination, bool isDirectory)
    {
        if (isDirectory)
        {
            Directory.Move(Local(source), Local(destination));
        }
        else
        {
            File.Move(Local(source), Local(destination), overwrite: true);
        }

        lock (_lock)
        {
            foreach (var key in _fileIds.Keys.Where(k => k == destination || k.StartsWith(destination + "/", StringComparison.Ordinal)).ToList())
            {
                _fileIds.Remove(key);
            }

            foreach (var key in _fileIds.Keys.Where(k => k == source || k.StartsWith(source + "/", StringComparison.Ordinal)).ToList())
            {
                _fileIds[destination + key[source.Length..]] = _fileIds[key];
                _fileIds.Remove(key);
            }
        }
    }

    private bool Delete(string path, bool recursive)
    {
        var local = Local(path);
        if (path == "/")
        {
            return false;
        }

        if (File.Exists(local))
        {
            File.Delete(local);
        }
        else if (Directory.Exists(local))
        {
            if (!recursive && Directory.EnumerateFileSystemEntries(local).Any())
            {
                throw new HdfsError(403, "PathIsNotEmptyDirectoryException", "org.apache.hadoop.fs", $"`{path} is non empty': Directory is not empty");
            }

            Directory.Delete(local, recursive);
        }
        else
        {
            return false;
        }

        lock (_lock)
        {
            foreach (var key in _fileIds.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
            {
                _fileIds.Remove(key);
            }
        }

        return true;
    }

    private List<object> List(string path, string? startAfter, int limit, out int remaining)
    {
        var local = Local(path);
        if (File.Exists(local))
        {
            remaining = 0;
            return [Status(path, "")!];
        }

        if (!Directory.Exists(local))
        {
            throw NotFound($"File {path} does not exist.");
        }

        var names = Directory.EnumerateFileSystemEntries(local).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Where(n => startAfter is null || string.CompareOrdinal(n, startAfter) > 0).ToList();
        remaining = Math.Max(0, names.Count - limit);
        var parent = path.EndsWith('/') ? path : path + "/";
        return [.. names.Take(limit).Select(n => Status(parent + n, n!)!)];
    }

    private object? Status(string path, string suffix)
    {
        var local = Local(path);
        if (Directory.Exists(local))
        {
            var directory = new DirectoryInfo(local);
            return new
            {
                accessTime = 0L,
                blockSize = 0L,
                childrenNum = directory.EnumerateFileSystemInfos().Count(),
                fileId = FileId(path),
                group = "supergroup",
                length = 0L,
                modificationTime = Millis(directory.LastWriteTimeUtc),
                owner = Owner,
                pathSuffix = suffix,
                permission = Permission(local),
                replication = 0,
                storagePolicy = 0,
                type = "DIRECTORY",
            };
        }

        if (!File.Exists(local))
        {
            return null;
        }

        var file = new FileInfo(local);
        return new
        {
            accessTime = Millis(file.LastAccessTimeUtc),
            blockSize = 134217728L,
            childrenNum = 0,
            fileId = FileId(path),
            group = "supergroup",
            length = file.Length,
            modificationTime = Millis(file.LastWriteTimeUtc),
            owner = Owner,
            pathSuffix = suffix,
            permission = Permission(local),
            replication = 3,
            storagePolicy = 0,
            type = "FILE",
        };
    }

    private void CheckCreate(string path, bool overwrite)
    {
        CheckParents(path);
        if (Directory.Exists(Local(path)))
        {
            throw new HdfsError(403, "FileAlreadyExistsException", "org.apache.hadoop.fs", $"{path} already exists as a directory");
        }

        if (!overwrite && File.Exists(Local(path)))
        {
            throw new HdfsError(403, "FileAlreadyExistsException", "org.apache.hadoop.fs", $"{path} for client 127.0.0.1 already exists");
        }
    }

    private void CheckParents(string path)
    {
        for (var parent = ParentOf(path); parent != "/"; parent = ParentOf(parent))
        {
            if (File.Exists(Local(parent)))
            {
                throw new HdfsError(403, "ParentNotDirectoryException", "org.apache.hadoop.fs", $"Parent path is not a directory: {parent}");
            }
        }
    }

    private void Redirect(HttpContext context, string path, string op, params (string Name, string Value)[] parameters)
    {
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var query = $"op={op}&namenoderpcaddress=127.0.0.1:8020";
        var user = context.Request.Query["user.name"].ToString();
        if (user.Length != 0)
        {
            query += "&user.name=" + Uri.EscapeDataString(user);
        }

        foreach (var (name, value) in parameters.Where(p => p.Value.Length != 0))
        {
            query += $"&{name}={Uri.EscapeDataString(value)}";
        }

        context.Response.StatusCode = 307;
        context.Response.Headers.Location = $"http://{HostAndPort}{DatanodePrefix}{escaped}?{query}";
    }

    private long FileId(string path)
    {
        lock (_lock)
        {
            if (!_fileIds.TryGetValue(path, out var id))
            {
                id = _nextFileId++;
                _fileIds[path] = id;
            }

            return id;
        }
    }

    private string Local(string path) => Path.Join(Root, path.TrimStart('/'));

    private static string ParentOf(string path)
    {
        var i = path.TrimEnd('/').LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }

    private static bool Overwrite(HttpRequest request) => request.Query["overwrite"] == "true";

    private static string Permission(string local) =>
        OperatingSystem.IsWindows() ? "755" : Convert.ToString((int)File.GetUnixFileMode(local) & 0x1FF, 8);

    private static long Millis(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static HdfsError NotFound(string message) => new(404, "FileNotFoundException", "java.io", message);

    private static HdfsError UnknownOp(string method, string op)
    {
        var kind = method switch { "GET" => "GetOpParam", "PUT" => "PutOpParam", "POST" => "PostOpParam", _ => "DeleteOpParam" };
        return new(400, "IllegalArgumentException", "java.lang", $"Invalid value for webhdfs parameter \"op\": No enum constant org.apache.hadoop.hdfs.web.resources.{kind}.Op.{op}");
    }

    private static async Task WriteJsonAsync(HttpContext context, object value)
    {
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value);
    }

    private sealed class HdfsError(int status, string exception, string package, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Exception { get; } = exception;
        public string JavaClassName { get; } = package + "." + exception;
    }
}
