namespace Fluid.Fuse.Tests;

public sealed class NodeTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fluid-nodes-").FullName;

    private string Journal => Path.Combine(_dir, "nodes");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_table_reopened_on_its_journal_gives_every_path_the_same_number()
    {
        Dictionary<string, ulong> numbers;
        using (var table = new NodeTable(Journal))
        {
            numbers = Enumerable.Range(0, 2000).Select(i => $"d{i % 7}/f{i}.bin").ToDictionary(p => p, table.InodeOf);
            Assert.Equal(numbers["d1/f1.bin"], table.InodeOf("d1/f1.bin"));
        }

        using var reopened = new NodeTable(Journal);
        Assert.Equal(2000, reopened.Replayed);
        foreach (var (path, ino) in numbers)
        {
            Assert.True(reopened.TryGetPath(ino, out var known));
            Assert.Equal(path, known);
            Assert.Equal(ino, reopened.InodeOf(path));
        }
    }

    [Fact]
    public void A_record_torn_by_a_crash_is_dropped_and_the_next_number_follows_the_last_whole_one()
    {
        ulong kept;
        using (var table = new NodeTable(Journal))
        {
            kept = table.InodeOf("kept.txt");
            table.InodeOf("torn.txt");
        }

        using (var file = File.OpenWrite(Journal))
        {
            file.SetLength(file.Length - 3);
        }

        using (var table = new NodeTable(Journal))
        {
            Assert.Equal(1, table.Replayed);
            Assert.True(table.TryGetPath(kept, out _));
            table.InodeOf("after.txt");
        }

        using var again = new NodeTable(Journal);
        Assert.Equal(2, again.Replayed);
    }

    [Fact]
    public void A_renamed_directory_keeps_the_numbers_of_everything_under_it_across_a_reopen()
    {
        ulong dir, child, other;
        using (var table = new NodeTable(Journal))
        {
            dir = table.InodeOf("a");
            child = table.InodeOf("a/x/y.bin");
            other = table.InodeOf("ab");
            table.Rename("a", "b/c");
            Assert.True(table.TryGetPath(child, out var moved));
            Assert.Equal("b/c/x/y.bin", moved);
        }

        using var reopened = new NodeTable(Journal);
        Assert.Equal(dir, reopened.InodeOf("b/c"));
        Assert.Equal(child, reopened.InodeOf("b/c/x/y.bin"));
        Assert.Equal(other, reopened.InodeOf("ab"));
        Assert.NotEqual(dir, reopened.InodeOf("a"));
    }
}
