namespace Fluid.Embedded.Agent;

/// <summary>A container's stdout and stderr in one file, moved to NAME.1 when it grows past the cap.</summary>
internal sealed class LogFile(string path, long maxBytes) : IDisposable
{
    private readonly Lock _lock = new();
    private FileStream _stream = Open(path);
    private bool _closed;
    private bool _atLineStart = true;

    public string Path { get; } = path;

    public async Task PumpAsync(Stream source)
    {
        var buffer = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                Write(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process ended or the pod was torn down while output was still in flight.
        }
    }

    /// <summary>A line of the agent's own (a start, an exit), which <see cref="ContainerLogs"/> leaves out of what the API serves.</summary>
    public void Note(string line) => Write(System.Text.Encoding.UTF8.GetBytes($"{DateTimeOffset.UtcNow:O}{ContainerLogs.NoteMarker}{line}\n"), note: true);

    private void Write(ReadOnlySpan<byte> bytes, bool note = false)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            if (_stream.Length + bytes.Length > maxBytes && _stream.Length > 0)
            {
                _stream.Dispose();
                File.Move(Path, Path + ".1", overwrite: true);
                _stream = Open(Path);
            }

            if (note && !_atLineStart)
            {
                // A note starts its own line even after output that did not end one, so readers can tell it apart.
                _stream.WriteByte((byte)'\n');
            }

            _stream.Write(bytes);
            _stream.Flush();
            _atLineStart = bytes[^1] == (byte)'\n';
        }
    }

    private static FileStream Open(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _stream.Dispose();
        }
    }
}
