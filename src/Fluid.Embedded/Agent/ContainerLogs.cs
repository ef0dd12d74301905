using System.Text;

namespace Fluid.Embedded.Agent;

/// <summary>
/// Where the agent keeps container logs (PODS/NS_NAME_UID/CONTAINER.log, rotated to .log.1) and how they read
/// back: the agent's own note lines ("… fluidd-agent: starting …", "… exited with code N") mark where each
/// run of the container begins and ends, and are not part of what the container wrote.
/// </summary>
public static class ContainerLogs
{
    internal const string NoteMarker = " fluidd-agent: ";
    internal const string StartNote = "starting ";
    internal const string ExitNote = "exited with code ";

    /// <summary>The directory of every pod's files under the agent's data directory.</summary>
    public static string PodsDirectory(string agentDirectory) => Path.Combine(agentDirectory, "pods");

    /// <summary>One pod's directory (logs, volumes, PID files).</summary>
    public static string PodDirectory(string podsDirectory, string @namespace, string name, string uid) =>
        Path.Combine(podsDirectory, $"{@namespace}_{name}_{uid}");

    /// <summary>A container's current log file.</summary>
    public static string FilePath(string podDirectory, string container) => Path.Combine(podDirectory, container + ".log");

    /// <summary>The runs of the container recorded in <paramref name="text"/> (the rotated file's bytes, then the current file's), oldest first.</summary>
    public static IReadOnlyList<ContainerRun> Runs(ReadOnlySpan<byte> text)
    {
        var runs = new List<ContainerRun>();
        ContainerRun? current = null;
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..(end + 1)];
            text = text[line.Length..];
            switch (Classify(line))
            {
                case LineKind.Start:
                    current = new ContainerRun();
                    runs.Add(current);
                    break;
                case LineKind.Exit:
                    if (current is not null)
                    {
                        current.Exited = true;
                    }

                    break;
                case LineKind.Note:
                    break;
                default:
                    if (current is null)
                    {
                        // Output from before the first start note (a file older than the notes): a run of its own.
                        current = new ContainerRun();
                        runs.Add(current);
                    }

                    current.Lines.Add(line.ToArray());
                    break;
            }
        }

        return runs;
    }

    /// <summary>What a complete line is: container output, or one of the agent's notes.</summary>
    public static LineKind Classify(ReadOnlySpan<byte> line)
    {
        // A note is "<ISO 8601 time> fluidd-agent: <text>\n", written whole: the time has no spaces.
        if (line.IsEmpty || line[^1] != (byte)'\n' || !char.IsAsciiDigit((char)line[0]))
        {
            return LineKind.Output;
        }

        var space = line.IndexOf((byte)' ');
        var marker = Encoding.ASCII.GetBytes(NoteMarker);
        if (space < 0 || space > 40 || !line[space..].StartsWith(marker))
        {
            return LineKind.Output;
        }

        var note = line[(space + marker.Length)..];
        return note.StartsWith(Encoding.ASCII.GetBytes(StartNote)) ? LineKind.Start
            : note.StartsWith(Encoding.ASCII.GetBytes(ExitNote)) ? LineKind.Exit
            : LineKind.Note;
    }
}

/// <summary>What a line of a container log file is.</summary>
public enum LineKind
{
    /// <summary>Something the container wrote.</summary>
    Output,

    /// <summary>The agent started the container (again).</summary>
    Start,

    /// <summary>The container's process ended.</summary>
    Exit,

    /// <summary>Another note of the agent's.</summary>
    Note,
}

/// <summary>One run of a container: from the agent starting its process to the process ending.</summary>
public sealed class ContainerRun
{
    /// <summary>The lines it wrote, each with its newline (the last may have none yet).</summary>
    public List<byte[]> Lines { get; } = [];

    /// <summary>The process has ended (the agent noted its exit code).</summary>
    public bool Exited { get; set; }
}
