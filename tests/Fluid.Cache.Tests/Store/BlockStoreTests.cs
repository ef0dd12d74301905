using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Fluid.Cache.Store;
using Xunit.Abstractions;

namespace Fluid.Cache.Tests.Store;

public sealed class BlockStoreTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 1000;

    private readonly TempDirectory _disk = TempDirectory.OnDisk();
    private readonly TempDirectory _memory = TempDirectory.InMemory();

    public void Dispose()
    {
        _disk.Dispose();
        _memory.Dispose();
    }

    [Fact]
    public void Put_then_TryOpen_round_trips_the_bytes_at_odd_offsets()
    {
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        var id = Block(1, 3);
        var data = Content(id, 77_777);

        var stored = store.Put(id, data);
        using var reader = store.TryOpen(id);

        Assert.NotNull(reader);
        Assert.Equal(data.Length, reader.Length);
        Assert.Equal(Crc32C.Compute(data), reader.Crc);
        Assert.Equal(stored.Crc, reader.Crc);
        Assert.Equal("SSD", reader.Medium);
        foreach (var (offset, count) in new[] { (0, 1), (1, 4095), (4097, 13), (33_333, 44_444), (77_776, 1) })
        {
            var buffer = new byte[count];
            Assert.Equal(count, reader.Read(offset, buffer));
            Assert.Equal(data.AsSpan(offset, count).ToArray(), buffer);
        }

        Assert.Equal(0, reader.Read(data.Length, new byte[10]));
    }

    [Fact]
    public void A_block_file_holds_exactly_the_bytes_under_a_name_of_file_index_and_crc()
    {
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        var id = Block(2, 41);
        var data = Content(id, 5000);

        var stored = store.Put(id, data);

        var key = id.File.ToString();
        var expected = Path.Combine(_disk.Path, "fluid-blocks", key[..2], $"{key}-41-{Crc32C.Compute(data):x8}");
        Assert.Equal(expected, stored.Path);
        Assert.Equal(data, File.ReadAllBytes(expected));
        Assert.Equal(new StoredBlock(id, expected, 5000, Crc32C.Compute(data), "SSD"), stored);
        Assert.Single(BlockFiles(_disk.Path));
    }

    [Fact]
    public void Putting_a_block_already_present_returns_the_existing_one()
    {
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        var id = Block(1, 0);
        var first = store.Put(id, Content(id, Size));

        var second = store.Put(id, new byte[Size]);

        Assert.Equal(first, second);
        Assert.Single(BlockFiles(_disk.Path));
        Assert.Equal(Size, store.Usage[0].UsedBytes);
    }

    [Fact]
    public void Reopening_the_store_finds_every_block_with_its_crc_medium_and_usage()
    {
        var options = TwoTiers(memoryQuota: 4 * Size, diskQuota: 20 * Size);
        var ids = Enumerable.Range(0, 9).Select(i => Block(i % 2, i)).ToArray();
        var before = new Dictionary<BlockId, StoredBlock>();
        IReadOnlyList<TierUsage> usage;
        using (var store = new BlockStore(options))
        {
            foreach (var id in ids)
            {
                store.Put(id, Content(id, Size + (int)id.Index));
            }

            Assert.True(store.Spills > 0);
            foreach (var id in ids)
            {
                using var reader = store.TryOpen(id)!;
                before[id] = new StoredBlock(id, reader.Path, reader.Length, reader.Crc, reader.Medium);
            }

            usage = store.Usage;
        }

        using var reopened = new BlockStore(options);

        Assert.Equal(usage, reopened.Usage);
        foreach (var id in ids)
        {
            using var reader = reopened.TryOpen(id);
            Assert.NotNull(reader);
            Assert.Equal(before[id], new StoredBlock(id, reader.Path, reader.Length, reader.Crc, reader.Medium));
            Assert.Equal(Content(id, Size + (int)id.Index), ReadAll(reader));
        }

        Assert.Equal(0, reopened.CorruptBlocks);
    }

    [Fact]
    public void Reopening_deletes_temp_files_foreign_files_and_misplaced_blocks()
    {
        var id = Block(1, 0);
        using (var store = new BlockStore(OneTier(_disk.Path, 1 << 20)))
        {
            store.Put(id, Content(id, Size));
        }

        var root = Path.Combine(_disk.Path, "fluid-blocks");
        var kept = BlockFiles(_disk.Path).Single();
        var folder = Path.GetDirectoryName(kept)!;
        var name = Path.GetFileName(kept);
        var wrongFolder = Path.Combine(root, folder.EndsWith("00", StringComparison.Ordinal) ? "01" : "00");
        Directory.CreateDirectory(wrongFolder);
        File.WriteAllBytes(Path.Combine(folder, ".tmp-0123456789abcdef"), new byte[Size]);
        File.WriteAllBytes(Path.Combine(folder, "notes.txt"), new byte[10]);
        File.WriteAllBytes(Path.Combine(folder, name.ToUpperInvariant()), new byte[10]);
        File.WriteAllBytes(Path.Combine(folder, name.Replace("-0-", "-00-", StringComparison.Ordinal)), new byte[10]);
        File.WriteAllBytes(Path.Combine(wrongFolder, name), new byte[10]);
        File.WriteAllBytes(Path.Combine(root, "stray"), new byte[10]);
        Directory.CreateDirectory(Path.Combine(root, "zz"));
        Directory.CreateDirectory(Path.Combine(folder, "nested"));

        using var reopened = new BlockStore(OneTier(_disk.Path, 1 << 20));

        Assert.Equal(new[] { kept }, BlockFiles(_disk.Path));
        Assert.Equal(
            new[] { ".lock", Path.GetFileName(folder), Path.GetFileName(wrongFolder) }.Order(StringComparer.Ordinal),
            Directory.EnumerateFileSystemEntries(root).Select(entry => Path.GetFileName(entry)).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(wrongFolder));
        Assert.Equal(new[] { kept }, Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(new TierUsage("SSD", _disk.Path, 1 << 20, Size, 1), reopened.Usage.Single());
    }

    [Fact]
    public void Eviction_starts_above_the_high_watermark_stops_at_the_low_one_and_spares_recently_opened_blocks()
    {
        // Quota 10 blocks: evict when a put would pass 9.5, down to 7 with the new block.
        using var store = new BlockStore(OneTier(_disk.Path, 10 * Size));
        var ids = Enumerable.Range(0, 10).Select(i => Block(1, i)).ToArray();
        for (var i = 0; i < 9; i++)
        {
            store.Put(ids[i], Content(ids[i], Size));
        }

        Assert.Equal(0, store.Evictions);
        store.TryOpen(ids[0])!.Dispose();

        store.Put(ids[9], Content(ids[9], Size));

        Assert.Equal(3, store.Evictions);
        Assert.Equal(0, store.Spills);
        Assert.Equal(
            new[] { true, false, false, false, true, true, true, true, true, true },
            ids.Select(store.Contains));
        Assert.Equal(new TierUsage("SSD", _disk.Path, 10 * Size, 7 * Size, 7), store.Usage.Single());
        Assert.Equal(7, BlockFiles(_disk.Path).Length);
    }

    [Fact]
    public void The_LRU_order_survives_a_restart()
    {
        var options = OneTier(_disk.Path, 5 * Size, high: 1.0, low: 0.5);
        var ids = Enumerable.Range(0, 6).Select(i => Block(1, i)).ToArray();
        using (var store = new BlockStore(options))
        {
            for (var i = 0; i < 5; i++)
            {
                store.Put(ids[i], Content(ids[i], Size));
            }

            store.TryOpen(ids[0])!.Dispose();
        }

        using var reopened = new BlockStore(options);
        reopened.Put(ids[5], Content(ids[5], Size));

        // Written first but opened last: the oldest by write time, the newest by use.
        Assert.Equal(new[] { true, false, false, false, false, true }, ids.Select(reopened.Contains));
    }

    [Fact]
    public void A_smaller_quota_after_a_restart_evicts_down_to_the_low_watermark()
    {
        var ids = Enumerable.Range(0, 5).Select(i => Block(1, i)).ToArray();
        using (var store = new BlockStore(OneTier(_disk.Path, 5 * Size, high: 1.0, low: 0.5)))
        {
            foreach (var id in ids)
            {
                store.Put(id, Content(id, Size));
            }

            store.TryOpen(ids[2])!.Dispose();
        }

        using var reopened = new BlockStore(OneTier(_disk.Path, 3 * Size, high: 0.9, low: 0.5));

        Assert.Equal(new[] { false, false, true, false, false }, ids.Select(reopened.Contains));
        Assert.Equal(Size, reopened.Usage.Single().UsedBytes);
        Assert.Single(BlockFiles(_disk.Path));
    }

    [Fact]
    public void A_restart_keeps_a_directory_above_its_high_watermark_but_within_its_quota_until_the_next_write()
    {
        // Concurrent writes leave a store this full when blocks being written hold the room eviction needs;
        // one thread gets there with High at 1.
        var ids = Enumerable.Range(0, 11).Select(i => Block(1, i)).ToArray();
        using (var store = new BlockStore(OneTier(_disk.Path, 10 * Size, high: 1.0)))
        {
            foreach (var id in ids[..10])
            {
                store.Put(id, Content(id, Size));
            }
        }

        using var reopened = new BlockStore(OneTier(_disk.Path, 10 * Size));

        Assert.Equal(0, reopened.Evictions);
        Assert.Equal(new TierUsage("SSD", _disk.Path, 10 * Size, 10 * Size, 10), reopened.Usage.Single());
        Assert.Equal(10, BlockFiles(_disk.Path).Length);

        // The watermarks still apply to the next write: evict above 9.5 blocks down to 7 with the new one.
        reopened.Put(ids[10], Content(ids[10], Size));

        Assert.Equal(4, reopened.Evictions);
        Assert.Equal(new TierUsage("SSD", _disk.Path, 10 * Size, 7 * Size, 7), reopened.Usage.Single());
        Assert.Equal(new[] { false, false, false, false, true, true, true, true, true, true, true }, ids.Select(reopened.Contains));
    }

    [Fact]
    public void Evicted_blocks_spill_to_the_next_tier_intact_and_the_last_tier_deletes_them()
    {
        // MEM: evict above 3.6 blocks down to 2; SSD: above 2.7 down to 1.5.
        var memory = _memory.Sub("mem");
        var ssd = _disk.Sub("ssd");
        var options = new BlockStoreOptions
        {
            Tiers =
            [
                new TierOptions { Medium = "MEM", Paths = [new TierPath(memory, 4 * Size)], High = 0.9, Low = 0.5 },
                new TierOptions { Medium = "SSD", Paths = [new TierPath(ssd, 3 * Size)], High = 0.9, Low = 0.5 },
            ],
        };
        using var store = new BlockStore(options);
        var ids = Enumerable.Range(0, 6).Select(i => Block(3, i)).ToArray();
        for (var i = 0; i < 4; i++)
        {
            store.Put(ids[i], Content(ids[i], Size));
        }

        Assert.Equal((2, 2), (store.Evictions, store.Spills));
        foreach (var (id, medium, directory) in new[] { (ids[0], "SSD", ssd), (ids[1], "SSD", ssd), (ids[2], "MEM", memory), (ids[3], "MEM", memory) })
        {
            using var reader = store.TryOpen(id)!;
            Assert.Equal(medium, reader.Medium);
            Assert.StartsWith(directory, reader.Path, StringComparison.Ordinal);
            Assert.Equal(Content(id, Size), ReadAll(reader));
        }

        // Two more puts push blocks 2 and 3 down to the SSD, which has to delete 0 and 1 for them.
        store.Put(ids[4], Content(ids[4], Size));
        store.Put(ids[5], Content(ids[5], Size));

        Assert.Equal((6, 4), (store.Evictions, store.Spills));
        Assert.Equal(new[] { false, false, true, true, true, true }, ids.Select(store.Contains));
        Assert.Equal(2, BlockFiles(memory).Length);
        Assert.Equal(2, BlockFiles(ssd).Length);
        Assert.Equal(
            [new TierUsage("MEM", memory, 4 * Size, 2 * Size, 2), new TierUsage("SSD", ssd, 3 * Size, 2 * Size, 2)],
            store.Usage);
        foreach (var id in ids[2..])
        {
            using var reader = store.TryOpen(id)!;
            Assert.Equal(Content(id, Size), ReadAll(reader));
        }

        Assert.Equal(0, store.CorruptBlocks);
    }

    [Fact]
    public void Within_a_tier_a_block_goes_to_the_directory_with_the_most_free_space()
    {
        var big = _disk.Sub("big");
        var small = _disk.Sub("small");
        using var store = new BlockStore(new BlockStoreOptions
        {
            Tiers = [new TierOptions { Medium = "HDD", Paths = [new TierPath(big, 3 * Size), new TierPath(small, (5 * Size) / 2)] }],
        });

        var paths = Enumerable.Range(0, 3).Select(i => store.Put(Block(1, i), Content(Block(1, i), Size)).Path).ToArray();

        Assert.StartsWith(big, paths[0], StringComparison.Ordinal);
        Assert.StartsWith(small, paths[1], StringComparison.Ordinal);
        Assert.StartsWith(big, paths[2], StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_larger_than_every_quota_or_the_block_size_is_refused_with_a_clear_message()
    {
        using var store = new BlockStore(new BlockStoreOptions
        {
            BlockSize = 4096,
            Tiers =
            [
                new TierOptions { Medium = "MEM", Paths = [new TierPath(_memory.Path, 1000)] },
                new TierOptions { Medium = "SSD", Paths = [new TierPath(_disk.Path, 1500)] },
            ],
        });

        var tooBig = Assert.Throws<ArgumentException>(() => store.Put(Block(1, 0), new byte[2000]));
        var overBlockSize = Assert.Throws<ArgumentException>(() => store.Put(Block(1, 1), new byte[5000]));

        Assert.Contains("2000 bytes, more than the quota of every tier directory (the largest is 1500 bytes)", tooBig.Message, StringComparison.Ordinal);
        Assert.Contains("5000 bytes, more than the block size of 4096 bytes", overBlockSize.Message, StringComparison.Ordinal);
        Assert.Empty(BlockFiles(_disk.Path));
        Assert.Empty(BlockFiles(_memory.Path));
    }

    [Fact]
    public void A_block_overwritten_in_place_is_detected_deleted_and_counted_and_a_put_restores_it()
    {
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        var id = Block(1, 7);
        var data = Content(id, 10_000);
        var path = store.Put(id, data).Path;
        Thread.Sleep(50);
        using (var reader = store.TryOpen(id))
        {
            Assert.NotNull(reader);
        }

        Flip(path, 4321, 16);

        Assert.Null(store.TryOpen(id));
        Assert.Equal(1, store.CorruptBlocks);
        Assert.False(store.Contains(id));
        Assert.False(File.Exists(path));
        Assert.Equal(0, store.Usage.Single().UsedBytes);

        store.Put(id, data);
        using var restored = store.TryOpen(id);
        Assert.NotNull(restored);
        Assert.Equal(data, ReadAll(restored));
    }

    [Fact]
    public void A_block_changed_right_after_its_first_open_is_still_caught()
    {
        // The change can fall in the same tick of the file-time clock as the first open: the store must
        // not trust a ctime that recent.
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        for (var i = 0; i < 20; i++)
        {
            var id = Block(5, i);
            var path = store.Put(id, Content(id, Size)).Path;
            store.TryOpen(id)!.Dispose();
            Flip(path, i, 1);

            Assert.Null(store.TryOpen(id));
        }

        Assert.Equal(20, store.CorruptBlocks);
    }

    [Fact]
    public void A_block_corrupted_in_memory_is_caught_when_it_spills_instead_of_being_carried_down()
    {
        var options = TwoTiers(memoryQuota: 2 * Size, diskQuota: 10 * Size, high: 0.9, low: 0.5);
        using var store = new BlockStore(options);
        var first = Block(1, 0);
        var path = store.Put(first, Content(first, Size)).Path;
        Flip(path, 500, 4);

        store.Put(Block(1, 1), Content(Block(1, 1), Size));

        if (_memory.Path.StartsWith("/dev/shm/", StringComparison.Ordinal))
        {
            // Across file systems the spill copies the bytes and checks them on the way.
            Assert.False(store.Contains(first));
        }

        Assert.Null(store.TryOpen(first));
        Assert.Equal(1, store.CorruptBlocks);
        Assert.Empty(BlockFiles(_disk.Sub("ssd")));
        Assert.Equal(0, store.Usage[1].UsedBytes);
    }

    [Fact]
    public void An_unchanged_block_is_hashed_on_its_first_open_only_and_again_once_its_file_changes()
    {
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        var id = Block(1, 1);
        var data = Content(id, 10_000);
        var path = store.Put(id, data).Path;
        Thread.Sleep(50);

        for (var i = 0; i < 3; i++)
        {
            store.TryOpen(id)!.Dispose();
        }

        Assert.Equal(1, store.Verifications);

        // The same bytes written again: the ctime moves, so the block is hashed again, and still good.
        Thread.Sleep(50);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(data, 0, 100);
        }

        using var reader = store.TryOpen(id);
        Assert.NotNull(reader);
        Assert.Equal(2, store.Verifications);
        Assert.Equal(0, store.CorruptBlocks);
    }

    [Fact]
    public void A_truncated_block_is_dropped_on_its_first_open_after_a_restart()
    {
        var options = OneTier(_disk.Path, 1 << 20);
        var good = Block(1, 0);
        var truncated = Block(1, 1);
        string path;
        using (var store = new BlockStore(options))
        {
            store.Put(good, Content(good, Size));
            path = store.Put(truncated, Content(truncated, Size)).Path;
        }

        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(Size / 2);
        }

        using var reopened = new BlockStore(options);

        Assert.Null(reopened.TryOpen(truncated));
        Assert.Equal(1, reopened.CorruptBlocks);
        Assert.False(File.Exists(path));
        using var reader = reopened.TryOpen(good);
        Assert.NotNull(reader);
        Assert.Equal(new TierUsage("SSD", _disk.Path, 1 << 20, Size, 1), reopened.Usage.Single());
    }

    [Fact]
    public void A_block_renamed_to_a_wrong_crc_is_dropped_on_its_first_open_after_a_restart()
    {
        var options = OneTier(_disk.Path, 1 << 20);
        var id = Block(1, 0);
        string path;
        using (var store = new BlockStore(options))
        {
            path = store.Put(id, Content(id, Size)).Path;
        }

        var crc = Crc32C.Compute(Content(id, Size));
        var renamed = path[..^8] + (crc ^ 1).ToString("x8", CultureInfo.InvariantCulture);
        File.Move(path, renamed);

        using var reopened = new BlockStore(options);

        Assert.True(reopened.Contains(id));
        Assert.Null(reopened.TryOpen(id));
        Assert.Equal(1, reopened.CorruptBlocks);
        Assert.False(File.Exists(renamed));
        Assert.Empty(BlockFiles(_disk.Path));
    }

    [Fact]
    public void Scrub_finds_a_block_corrupted_at_rest_that_nothing_opened()
    {
        var options = OneTier(_disk.Path, 1 << 20);
        var ids = Enumerable.Range(0, 3).Select(i => Block(1, i)).ToArray();
        var paths = new List<string>();
        using (var store = new BlockStore(options))
        {
            paths.AddRange(ids.Select(id => store.Put(id, Content(id, Size)).Path));
        }

        using var reopened = new BlockStore(options);
        Flip(paths[1], 10, 1);

        Assert.Equal(1, reopened.Scrub(CancellationToken.None));

        Assert.Equal(1, reopened.CorruptBlocks);
        Assert.Equal(new[] { true, false, true }, ids.Select(reopened.Contains));
        Assert.False(File.Exists(paths[1]));
        Assert.Equal(0, reopened.Scrub(CancellationToken.None));
        Assert.Throws<OperationCanceledException>(() => reopened.Scrub(new CancellationToken(canceled: true)));
    }

    [Fact]
    public void A_reader_keeps_reading_the_right_bytes_after_its_block_is_evicted_from_the_last_tier()
    {
        // Evict above 3.6 blocks down to 2.
        using var store = new BlockStore(OneTier(_disk.Path, 4 * Size, high: 0.9, low: 0.5));
        var ids = Enumerable.Range(0, 4).Select(i => Block(1, i)).ToArray();
        store.Put(ids[0], Content(ids[0], Size));
        using var reader = store.TryOpen(ids[0])!;

        for (var i = 1; i < 4; i++)
        {
            store.Put(ids[i], Content(ids[i], Size));
        }

        Assert.False(store.Contains(ids[0]));
        Assert.False(File.Exists(reader.Path));
        Assert.Equal(Content(ids[0], Size), ReadAll(reader));
    }

    [Fact]
    public void A_reader_keeps_reading_the_right_bytes_after_its_block_spills_to_another_file_system()
    {
        var options = TwoTiers(memoryQuota: 2 * Size, diskQuota: 10 * Size, high: 0.9, low: 0.5);
        using var store = new BlockStore(options);
        var first = Block(1, 0);
        store.Put(first, Content(first, Size));
        using var reader = store.TryOpen(first)!;
        Assert.Equal("MEM", reader.Medium);

        store.Put(Block(1, 1), Content(Block(1, 1), Size));

        Assert.Equal(1, store.Spills);
        Assert.False(File.Exists(reader.Path));
        Assert.Equal(Content(first, Size), ReadAll(reader));
        using var moved = store.TryOpen(first)!;
        Assert.Equal("SSD", moved.Medium);
        Assert.Equal(Content(first, Size), ReadAll(moved));
    }

    [Fact]
    public void Remove_and_RemoveFile_delete_blocks_and_free_their_space()
    {
        using var store = new BlockStore(OneTier(_disk.Path, 1 << 20));
        var one = FileKey.Of("data", "/one", "v1");
        var two = FileKey.Of("data", "/two", "v1");
        for (var i = 0; i < 4; i++)
        {
            store.Put(new BlockId(one, i), new byte[Size]);
            store.Put(new BlockId(two, i), new byte[Size]);
        }

        Assert.Equal(4, store.RemoveFile(one));
        store.Remove(new BlockId(two, 0));
        store.Remove(new BlockId(two, 99));

        Assert.Equal(0, store.RemoveFile(one));
        Assert.False(store.Contains(new BlockId(one, 2)));
        Assert.False(store.Contains(new BlockId(two, 0)));
        Assert.True(store.Contains(new BlockId(two, 1)));
        Assert.Equal(3, BlockFiles(_disk.Path).Length);
        Assert.Equal(new TierUsage("SSD", _disk.Path, 1 << 20, 3 * Size, 3), store.Usage.Single());
    }

    [Fact]
    public void A_second_store_on_the_same_directory_is_refused_until_the_first_is_disposed()
    {
        var options = OneTier(_disk.Path, 1 << 20);
        var store = new BlockStore(options);

        var error = Assert.Throws<IOException>(() => new BlockStore(options));

        Assert.Contains($"directory '{_disk.Path}' is in use by another block store", error.Message, StringComparison.Ordinal);
        store.Dispose();
        using var second = new BlockStore(options);
        Assert.Throws<ObjectDisposedException>(() => store.Contains(Block(1, 0)));
    }

    [Fact]
    public void A_directory_that_cannot_be_created_is_reported_with_its_tier()
    {
        var file = _disk.Sub("a-file");
        File.WriteAllText(file, "");
        var directory = Path.Combine(file, "blocks");

        var error = Assert.Throws<IOException>(() => new BlockStore(OneTier(directory, 1 << 20)));

        Assert.StartsWith($"tier SSD directory '{directory}' cannot hold blocks: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_puts_opens_and_removes_under_tiny_quotas_never_serve_wrong_bytes()
    {
        const int BlockBytes = 8192;
        var options = new BlockStoreOptions
        {
            BlockSize = BlockBytes,
            Tiers =
            [
                new TierOptions { Medium = "MEM", Paths = [new TierPath(_memory.Sub("mem"), 6 * BlockBytes)] },
                new TierOptions { Medium = "SSD", Paths = [new TierPath(_disk.Sub("ssd0"), 5 * BlockBytes), new TierPath(_disk.Sub("ssd1"), 4 * BlockBytes)] },
                new TierOptions { Medium = "HDD", Paths = [new TierPath(_disk.Sub("hdd"), 8 * BlockBytes)] },
            ],
        };
        var ids = (from file in Enumerable.Range(0, 3) from index in Enumerable.Range(0, 12) select Block(file, index)).ToArray();
        int LengthOf(BlockId id) => BlockBytes - (int)(id.Index * 331 % 4096);
        var errors = new ConcurrentQueue<Exception>();
        long opened = 0;
        long puts = 0;

        var store = new BlockStore(options);
        var until = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, 4).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            var buffer = new byte[BlockBytes];
            while (until.Elapsed < TimeSpan.FromSeconds(2))
            {
                try
                {
                    var id = ids[random.Next(ids.Length)];
                    var action = random.Next(100);
                    if (action < 45)
                    {
                        store.Put(id, Content(id, LengthOf(id)));
                        Interlocked.Increment(ref puts);
                    }
                    else if (action < 92)
                    {
                        using var reader = store.TryOpen(id);
                        if (reader is null)
                        {
                            continue;
                        }

                        var expected = Content(id, LengthOf(id));
                        var offset = random.Next(expected.Length);
                        var read = reader.Read(offset, buffer);
                        if (reader.Length != expected.Length || !buffer.AsSpan(0, read).SequenceEqual(expected.AsSpan(offset)))
                        {
                            throw new InvalidDataException($"block {id} read wrong bytes at {offset} from {reader.Path}");
                        }

                        Interlocked.Increment(ref opened);
                    }
                    else if (action < 96)
                    {
                        store.Remove(id);
                    }
                    else if (action < 98)
                    {
                        store.RemoveFile(id.File);
                    }
                    else
                    {
                        store.Scrub(CancellationToken.None);
                    }
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            }
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());

        output.WriteLine($"{puts} puts, {opened} verified reads, {store.Evictions} evictions, {store.Spills} spills, {store.Verifications} hashes");
        Assert.Empty(errors);
        Assert.True(puts > 100 && opened > 100, $"{puts} puts, {opened} opens");
        Assert.True(store.Evictions > 0 && store.Spills > 0, $"{store.Evictions} evictions, {store.Spills} spills");
        Assert.Equal(0, store.CorruptBlocks);
        var usage = store.Usage;
        foreach (var path in usage)
        {
            var files = BlockFiles(path.Directory);
            Assert.Equal(path.BlockCount, files.Length);
            Assert.Equal(path.UsedBytes, files.Sum(file => new FileInfo(file).Length));
            Assert.True(path.UsedBytes <= path.QuotaBytes, $"{path.Directory}: {path.UsedBytes} of {path.QuotaBytes}");
        }

        store.Dispose();
        using var reopened = new BlockStore(options);
        Assert.Equal(usage, reopened.Usage);
    }

    public static TheoryData<BlockStoreOptions, string> InvalidOptions() => new()
    {
        { new BlockStoreOptions { Tiers = [] }, "block store options: Tiers: at least one tier is required" },
        { new BlockStoreOptions { Tiers = [Tier("MEM", 100)], BlockSize = 0 }, "BlockSize must be greater than 0; got 0" },
        { new BlockStoreOptions { Tiers = [Tier("NVME", 100)] }, "Tiers[0].Medium 'NVME' is not a medium; use one of MEM, SSD, HDD" },
        { new BlockStoreOptions { Tiers = [Tier("MEM", 100) with { Low = 0.8, High = 0.7 }] }, "Tiers[0] (MEM): watermarks must satisfy 0 <= Low < High <= 1; got Low 0.8, High 0.7" },
        { new BlockStoreOptions { Tiers = [Tier("MEM", 100), Tier("SSD", 100) with { High = 1.5 }] }, "Tiers[1] (SSD): watermarks must satisfy 0 <= Low < High <= 1; got Low 0.7, High 1.5" },
        { new BlockStoreOptions { Tiers = [Tier("HDD", 100) with { Low = -0.1 }] }, "got Low -0.1, High 0.95" },
        { new BlockStoreOptions { Tiers = [Tier("SSD", 100) with { Paths = [] }] }, "Tiers[0] (SSD).Paths: at least one directory is required" },
        { new BlockStoreOptions { Tiers = [Tier("SSD", 0)] }, "Tiers[0] (SSD).Paths[0] '/var/fluid/ssd': QuotaBytes must be greater than 0; got 0" },
        { new BlockStoreOptions { Tiers = [Tier("SSD", 100) with { Paths = [new TierPath(" ", 100)] }] }, "Tiers[0] (SSD).Paths[0].Directory is empty" },
        {
            new BlockStoreOptions { Tiers = [Tier("SSD", 100), Tier("HDD", 100) with { Paths = [new TierPath("/var/fluid/ssd/", 100)] }] },
            "Tiers[1] (HDD).Paths[0] '/var/fluid/ssd/' is the same directory as Tiers[0] (SSD).Paths[0]"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_with_a_message_naming_the_field(BlockStoreOptions options, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new BlockStore(options));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static TierOptions Tier(string medium, long quota) =>
        new() { Medium = medium, Paths = [new TierPath("/var/fluid/ssd", quota)] };

    private static BlockStoreOptions OneTier(string directory, long quota, double high = 0.95, double low = 0.7) => new()
    {
        Tiers = [new TierOptions { Medium = "SSD", Paths = [new TierPath(directory, quota)], High = high, Low = low }],
    };

    private BlockStoreOptions TwoTiers(long memoryQuota, long diskQuota, double high = 0.95, double low = 0.7) => new()
    {
        Tiers =
        [
            new TierOptions { Medium = "MEM", Paths = [new TierPath(_memory.Sub("mem"), memoryQuota)], High = high, Low = low },
            new TierOptions { Medium = "SSD", Paths = [new TierPath(_disk.Sub("ssd"), diskQuota)], High = high, Low = low },
        ],
    };

    private static BlockId Block(int file, long index) => new(FileKey.Of("dataset", $"/file-{file}", "v1"), index);

    // Deterministic bytes for a block, so any reader can check what it got.
    private static byte[] Content(BlockId id, int length)
    {
        var data = new byte[length];
        new Random((int)(id.File.Value % 1_000_003) + (int)id.Index).NextBytes(data);
        return data;
    }

    private static byte[] ReadAll(BlockReader reader)
    {
        var data = new byte[reader.Length];
        Assert.Equal(data.Length, reader.Read(0, data));
        return data;
    }

    // Every block file under a tier directory.
    private static string[] BlockFiles(string directory)
    {
        var root = Path.Combine(directory, "fluid-blocks");
        return Directory.Exists(root)
            ? [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(file => Path.GetFileName(file) != ".lock").Order(StringComparer.Ordinal)]
            : [];
    }

    // Inverts bytes of a file in place, keeping its length.
    private static void Flip(string path, int offset, int count)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var buffer = new byte[count];
        file.Position = offset;
        file.ReadExactly(buffer);
        for (var i = 0; i < count; i++)
        {
            buffer[i] ^= 0xFF;
        }

        file.Position = offset;
        file.Write(buffer);
    }
}
