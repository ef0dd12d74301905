using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Fluid.Cache.Protocol;
using Fluid.Cache.Worker;

namespace Fluid.Cache.Tests.Engine;

/// <summary>The engine end to end: a real master and workers over real sockets, reading a real directory.</summary>
public sealed class EngineTests
{
    private const int Block = TestCluster.BlockSize;

    [Fact]
    public async Task Reads_across_block_boundaries_and_at_odd_offsets_return_the_source_bytes()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 2);
        var expected = cluster.WriteSource("dir/file.bin", (3 * Block) + 12345);
        await using var client = await cluster.ClientAsync();
        var file = await client.OpenAsync("/dir/file.bin", CancellationToken.None);

        Assert.Equal(expected, TestCluster.ReadAll(client, file, 100_003));
        foreach (var (offset, length) in new[] { (0L, 1), (Block - 1L, 2), (Block - 7L, Block + 14), (2L * Block + 5, 40_000), ((3L * Block) + 12340, 100) })
        {
            var buffer = new byte[length];
            var read = client.Read(file, offset, buffer);
            var expectedLength = (int)Math.Min(length, expected.Length - offset);
            Assert.Equal(expectedLength, read);
            Assert.Equal(expected.AsSpan((int)offset, expectedLength).ToArray(), buffer.AsSpan(0, read).ToArray());
        }

        Assert.Equal(0, client.Read(file, expected.Length, new byte[10]));
        Assert.Equal(0, client.DirectReads);
    }

    [Fact]
    public async Task A_client_on_the_workers_host_reads_block_files_directly_and_remote_clients_over_tcp()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("a.bin", 5 * Block);
        await using var local = await cluster.ClientAsync();
        await using var remote = await cluster.ClientAsync(hostId: "another-host");

        Assert.Equal(expected, TestCluster.ReadAll(local, await local.OpenAsync("a.bin", default), 1 << 20));
        Assert.Equal(expected, TestCluster.ReadAll(remote, await remote.OpenAsync("a.bin", default), 1 << 20));
        Assert.True(local.ShortCircuitReads >= 5);
        Assert.Equal(0, remote.ShortCircuitReads);
    }

    [Fact]
    public async Task Block_files_a_worker_evicted_are_closed_by_the_client_and_read_again_from_the_worker()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("e.bin", 3 * Block);
        await using var client = await cluster.ClientAsync();
        var file = await client.OpenAsync("e.bin", default);
        Assert.Equal(expected, TestCluster.ReadAll(client, file, Block));
        Assert.Equal(3, client.OpenBlockFileCount);

        // What eviction does: the worker deletes the block files. Held open, they would keep their pages.
        foreach (var block in Directory.EnumerateFiles(Path.Combine(cluster.Root, "worker0"), "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f).Contains('-', StringComparison.Ordinal)))
        {
            File.Delete(block);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (client.OpenBlockFileCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, client.OpenBlockFileCount);
        Assert.Equal(expected, TestCluster.ReadAll(client, file, Block));
    }

    [Fact]
    public async Task A_worker_socket_this_client_cannot_reach_means_tcp_not_the_source()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("u.bin", 3 * Block);
        File.Delete(Path.Combine(cluster.Root, "worker0.sock"));
        await using var client = await cluster.ClientAsync();

        Assert.Equal(expected, TestCluster.ReadAll(client, await client.OpenAsync("u.bin", default), Block));
        Assert.Equal(0, client.ShortCircuitReads);
        Assert.Equal(0, client.DirectReads);
    }

    [Fact]
    public async Task Concurrent_misses_of_a_block_are_one_source_read()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("shared.bin", 4 * Block);
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => cluster.ClientAsync(hostId: "remote")));
        try
        {
            var results = await Task.WhenAll(clients.Select(async c => TestCluster.ReadAll(c, await c.OpenAsync("shared.bin", default), Block)));

            Assert.All(results, r => Assert.Equal(expected, r));
            Assert.Equal(4, cluster.Workers[0]!.Counters.SourceReads);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Eviction_under_quota_pressure_never_fails_a_read()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1, quotaBytes: 6 * Block);
        var files = Enumerable.Range(0, 6).Select(i => (Name: $"f{i}.bin", Bytes: cluster.WriteSource($"f{i}.bin", (3 * Block) + i))).ToList();
        await using var client = await cluster.ClientAsync(hostId: "remote");

        for (var round = 0; round < 3; round++)
        {
            foreach (var (name, bytes) in files)
            {
                Assert.Equal(bytes, TestCluster.ReadAll(client, await client.OpenAsync(name, default), 70_000));
            }
        }

        var store = cluster.Workers[0]!.Store;
        Assert.True(store.Evictions > 0);
        Assert.True(store.Usage.Sum(u => u.UsedBytes) <= 6 * Block);
    }

    [Fact]
    public async Task A_corrupted_block_file_is_detected_and_fetched_again()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("c.bin", 2 * Block);
        await using (var first = await cluster.ClientAsync(hostId: "remote"))
        {
            Assert.Equal(expected, TestCluster.ReadAll(first, await first.OpenAsync("c.bin", default), Block));
        }

        var blockFile = Directory.EnumerateFiles(Path.Combine(cluster.Root, "worker0"), "*-*", SearchOption.AllDirectories)
            .First(f => f.Contains("fluid-blocks", StringComparison.Ordinal));
        await using (var stream = new FileStream(blockFile, FileMode.Open, FileAccess.Write))
        {
            stream.Position = 1000;
            stream.Write("corrupted!"u8);
        }

        await using var client = await cluster.ClientAsync(hostId: "remote");
        Assert.Equal(expected, TestCluster.ReadAll(client, await client.OpenAsync("c.bin", default), Block));
        Assert.Equal(1, cluster.Workers[0]!.Store.CorruptBlocks);
        Assert.Equal(3, cluster.Workers[0]!.Counters.SourceReads);
    }

    [Fact]
    public async Task A_worker_stopped_mid_read_costs_the_reader_nothing()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 2);
        var expected = cluster.WriteSource("big.bin", 40 * Block);
        await using var client = await cluster.ClientAsync(hostId: "remote");
        var file = await client.OpenAsync("big.bin", default);
        var result = new byte[expected.Length];
        var stopped = false;
        for (long offset = 0; offset < file.Size;)
        {
            offset += client.Read(file, offset, result.AsSpan((int)offset, (int)Math.Min(Block / 2, file.Size - offset)));
            if (!stopped && offset >= file.Size / 3)
            {
                await cluster.StopWorkerAsync(0);
                stopped = true;
            }
        }

        Assert.Equal(expected, result);
    }

    [Fact]
    public async Task With_every_worker_gone_reads_come_from_the_source()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("d.bin", 3 * Block);
        await using var client = await cluster.ClientAsync(hostId: "remote");
        var file = await client.OpenAsync("d.bin", default);
        await cluster.StopWorkerAsync(0);

        Assert.Equal(expected, TestCluster.ReadAll(client, file, Block));
        Assert.True(client.DirectReads >= 3);
    }

    [Fact]
    public async Task A_source_file_changed_upstream_is_served_new_never_mixed()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var before = cluster.WriteSource("v.bin", 3 * Block, seed: 1);
        await using var client = await cluster.ClientAsync(hostId: "remote");
        var old = await client.OpenAsync("v.bin", default);
        var first = new byte[Block];
        client.Read(old, 0, first);
        Assert.Equal(before.AsSpan(0, Block).ToArray(), first);

        var after = cluster.WriteSource("v.bin", (3 * Block) + 10, seed: 2);

        // The old handle's uncached blocks would now come from the new content: refused, never mixed in.
        Assert.Throws<SourceChangedException>(() => client.Read(old, 2L * Block, new byte[100]));
        await client.RefreshAsync("v.bin", default);
        var fresh = await client.OpenAsync("v.bin", default);
        Assert.NotEqual(old.Version, fresh.Version);
        Assert.Equal(after, TestCluster.ReadAll(client, fresh, Block));
    }

    [Fact]
    public async Task The_master_keeps_the_dataset_and_figures_across_a_restart_and_workers_come_back()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var expected = cluster.WriteSource("m.bin", 3 * Block);
        cluster.WriteSource("sub/n.bin", 1000);
        cluster.Master.Service.StartSync();
        await cluster.Master.Service.WaitForSyncAsync();
        await using (var client = await cluster.ClientAsync(hostId: "remote"))
        {
            TestCluster.ReadAll(client, await client.OpenAsync("m.bin", default), Block);
        }

        var before = await cluster.WaitForFiguresAsync(s => s.Hits + s.Misses == 3);
        await cluster.RestartMasterAsync();

        var after = cluster.Master.Service.Stats();
        Assert.Equal("default/demo", after.Dataset);
        Assert.Equal((3 * Block) + 1000, after.UfsTotalBytes);
        Assert.Equal(2, after.FileCount);
        Assert.Equal(before.Misses, after.Misses);
        await cluster.WaitForWorkersAsync(1);
        await using var again = await cluster.ClientAsync(hostId: "remote");
        Assert.Equal(expected, TestCluster.ReadAll(again, await again.OpenAsync("m.bin", default), Block));
    }

    [Fact]
    public async Task Dataset_figures_reach_the_master()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        cluster.WriteSource("s.bin", 4 * Block);
        await using var client = await cluster.ClientAsync(hostId: "remote");
        var file = await client.OpenAsync("s.bin", default);
        TestCluster.ReadAll(client, file, Block);
        TestCluster.ReadAll(client, file, Block);
        await cluster.WaitForFiguresAsync(s => s.Hits + s.Misses == 8 && s.CachedBytes == 4L * Block);

        var stats = await client.Master.StatsAsync(default);

        // Blocks prefetched for the sequential reader count as hits when the reader gets to them.
        Assert.Equal(8, stats.Hits + stats.Misses);
        Assert.InRange(stats.Misses, 1, 4);
        Assert.True(stats.HitRatio >= 50);
        Assert.Equal(8L * Block, stats.BytesFromCache + stats.BytesFromSource);
        Assert.Equal(4L * Block, stats.CachedBytes);
        Assert.Equal(64L << 20, stats.CapacityBytes);
        Assert.Equal(4, cluster.Workers[0]!.Counters.SourceReads);
    }

    [Fact]
    public async Task Unauthenticated_oversized_and_malformed_frames_are_refused()
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        var endpoint = cluster.Workers[0]!.DataEndpoint;

        using (var wrongToken = TestCluster.RawConnection(endpoint))
        {
            Send(wrongToken, Opcode.Hello, Hello("not-the-token"));
            Assert.Equal(Status.Unauthorized, Receive(wrongToken).Status);
            Assert.Equal(0, wrongToken.Receive(new byte[1]));
        }

        using (var noHello = TestCluster.RawConnection(endpoint))
        {
            Send(noHello, Opcode.Stats, []);
            Assert.Equal(Status.BadRequest, Receive(noHello).Status);
        }

        using (var oversized = TestCluster.RawConnection(endpoint))
        {
            var header = new byte[Frame.HeaderSize];
            Frame.WriteHeader(header, 0, (ushort)Opcode.Hello, 1);
            BinaryPrimitives.WriteUInt32BigEndian(header, 100 << 20);
            oversized.Send(header);
            Assert.Equal(Status.BadRequest, Receive(oversized).Status);
        }

        using var malformed = TestCluster.RawConnection(endpoint);
        Send(malformed, Opcode.Hello, Hello(TestCluster.Token));
        Assert.Equal(Status.Ok, Receive(malformed).Status);
        Send(malformed, Opcode.Read, [1, 2, 3]);
        var (status, message) = Receive(malformed);
        Assert.Equal(Status.BadRequest, status);
        Assert.Contains("truncated", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a\0b")]
    public async Task Paths_that_escape_the_dataset_are_refused(string path)
    {
        await using var cluster = await TestCluster.StartAsync(workers: 1);
        using var socket = TestCluster.RawConnection(cluster.Workers[0]!.DataEndpoint);
        Send(socket, Opcode.Hello, Hello(TestCluster.Token));
        Receive(socket);

        var body = new byte[1024];
        var writer = new WireWriter(body);
        new BlockRequest("default/demo", path, "v", 10, 0).Write(ref writer);
        writer.I32(0);
        writer.I32(10);
        writer.U8(0);
        Send(socket, Opcode.Read, body.AsSpan(0, writer.Position).ToArray());

        Assert.Equal(Status.BadRequest, Receive(socket).Status);
    }

    private static byte[] Hello(string token)
    {
        var body = new byte[600];
        var writer = new WireWriter(body);
        writer.U8(Frame.Version);
        writer.Bytes(Encoding.UTF8.GetBytes(token));
        return body.AsSpan(0, writer.Position).ToArray();
    }

    private static void Send(Socket socket, Opcode opcode, byte[] body)
    {
        var frame = new byte[Frame.HeaderSize + body.Length];
        Frame.WriteHeader(frame, body.Length, (ushort)opcode, 7);
        body.CopyTo(frame, Frame.HeaderSize);
        socket.Send(frame);
    }

    private static (Status Status, string Message) Receive(Socket socket)
    {
        var header = new byte[Frame.HeaderSize];
        ReceiveExactly(socket, header);
        var (length, code, _) = Frame.ReadHeader(header);
        var body = new byte[length];
        ReceiveExactly(socket, body);
        return ((Status)code, Encoding.UTF8.GetString(body));
    }

    private static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var read = socket.Receive(buffer);
            if (read == 0)
            {
                throw new IOException("closed");
            }

            buffer = buffer[read..];
        }
    }
}
