namespace Fluid.Kube.Config;

/// <summary>
/// A bearer token kept in a file that the kubelet rotates: re-read whenever the file's write time or size
/// changes. The token never appears in messages.
/// </summary>
public sealed class TokenFile(string path)
{
    private readonly Lock _lock = new();
    private DateTime _writeTime;
    private long _length = -1;
    private string? _token;

    /// <summary>The file being read.</summary>
    public string Path { get; } = path;

    /// <summary>The current token; re-read when the file changed since the last call.</summary>
    public string Read()
    {
        FileInfo info;
        try
        {
            info = new FileInfo(Path);
            info.Refresh();
            if (!info.Exists)
            {
                return _token ?? throw new KubeConfigException($"token file {Path} does not exist");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return _token ?? throw new KubeConfigException($"cannot read token file {Path}: {e.Message}", e);
        }

        lock (_lock)
        {
            if (_token is not null && info.LastWriteTimeUtc == _writeTime && info.Length == _length)
            {
                return _token;
            }

            try
            {
                var token = File.ReadAllText(Path).Trim();
                if (token.Length == 0)
                {
                    // Mid-rotation the file can be empty for a moment; keep the token we had.
                    return _token ?? throw new KubeConfigException($"token file {Path} is empty");
                }

                _token = token;
                _writeTime = info.LastWriteTimeUtc;
                _length = info.Length;
                return token;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return _token ?? throw new KubeConfigException($"cannot read token file {Path}: {e.Message}", e);
            }
        }
    }

    /// <summary>Describes the source, never the token.</summary>
    public override string ToString() => $"token file {Path}";
}
