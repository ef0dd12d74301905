using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Fluid.Cache.Store;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum every stored block carries.
/// Uses the CPU's CRC32 instruction (SSE 4.2 on x64, the CRC extension on Arm64) where there is one,
/// a slice-by-8 table otherwise.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;

    // Large inputs run as three independent streams, because one stream waits on the instruction's
    // latency (3 cycles) while the CPU could start one per cycle. Streams of LongStream bytes first,
    // then ShortStream bytes for the tail, then a single stream.
    private const int LongStream = 8192;
    private const int ShortStream = 256;

    private static readonly uint[] Table = BuildSliceTable();
    private static readonly uint[] LongShift = BuildShiftTable(LongStream);
    private static readonly uint[] ShortShift = BuildShiftTable(ShortStream);

    /// <summary>True when the CPU instruction is used rather than the table.</summary>
    public static bool IsHardwareAccelerated => Sse42.X64.IsSupported || Crc32.Arm64.IsSupported;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// The CRC-32C of the bytes <paramref name="crc"/> was computed over followed by <paramref name="data"/>,
    /// so a file can be hashed in chunks: <c>Append(Compute(a), b) == Compute(a + b)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        IsHardwareAccelerated ? ~UpdateHardware(~crc, data) : ~UpdateSoftware(~crc, data);

    /// <summary>The table-driven computation, whatever the CPU; the reference the hardware path is tested against.</summary>
    internal static uint AppendSoftware(uint crc, ReadOnlySpan<byte> data) => ~UpdateSoftware(~crc, data);

    // The "raw" functions below work on the register without the initial and final inversion.

    private static uint UpdateHardware(uint crc, ReadOnlySpan<byte> data)
    {
        ref var p = ref MemoryMarshal.GetReference(data);
        var left = (nuint)data.Length;

        while (left >= 3 * LongStream)
        {
            crc = ThreeStreams(crc, ref p, LongStream, LongShift);
            p = ref Unsafe.Add(ref p, 3 * LongStream);
            left -= 3 * LongStream;
        }

        while (left >= 3 * ShortStream)
        {
            crc = ThreeStreams(crc, ref p, ShortStream, ShortShift);
            p = ref Unsafe.Add(ref p, 3 * ShortStream);
            left -= 3 * ShortStream;
        }

        while (left >= 8)
        {
            crc = Step(crc, Unsafe.ReadUnaligned<ulong>(ref p));
            p = ref Unsafe.Add(ref p, 8);
            left -= 8;
        }

        while (left > 0)
        {
            crc = Step(crc, p);
            p = ref Unsafe.Add(ref p, 1);
            left--;
        }

        return crc;
    }

    // CRC(a ‖ b ‖ c) = shift(shift(CRC(a) over |b| zeros) ^ CRC₀(b) over |c| zeros) ^ CRC₀(c), where CRC₀
    // starts from a zero register: the register update is linear over GF(2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ThreeStreams(uint crc0, ref byte p, nuint length, uint[] shift)
    {
        uint crc1 = 0;
        uint crc2 = 0;
        ref var p1 = ref Unsafe.Add(ref p, length);
        ref var p2 = ref Unsafe.Add(ref p, 2 * length);
        for (nuint i = 0; i < length; i += 8)
        {
            crc0 = Step(crc0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            crc1 = Step(crc1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p1, i)));
            crc2 = Step(crc2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p2, i)));
        }

        crc0 = Shift(crc0, shift) ^ crc1;
        return Shift(crc0, shift) ^ crc2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint crc, uint[] shift) =>
        shift[(byte)crc] ^ shift[256 + (byte)(crc >> 8)] ^ shift[512 + (byte)(crc >> 16)] ^ shift[768 + (crc >> 24)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint crc, ulong word)
    {
        if (Sse42.X64.IsSupported)
        {
            return (uint)Sse42.X64.Crc32(crc, word);
        }

        if (Crc32.Arm64.IsSupported)
        {
            return Crc32.Arm64.ComputeCrc32C(crc, word);
        }

        throw new PlatformNotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint crc, byte value)
    {
        if (Sse42.IsSupported)
        {
            return Sse42.Crc32(crc, value);
        }

        if (Crc32.IsSupported)
        {
            return Crc32.ComputeCrc32C(crc, value);
        }

        throw new PlatformNotSupportedException();
    }

    private static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        while (data.Length >= 8)
        {
            var low = BitConverter.IsLittleEndian
                ? MemoryMarshal.Read<uint>(data) ^ crc
                : (uint)(data[0] | data[1] << 8 | data[2] << 16 | data[3] << 24) ^ crc;
            crc = table[(7 * 256) + (byte)low]
                ^ table[(6 * 256) + (byte)(low >> 8)]
                ^ table[(5 * 256) + (byte)(low >> 16)]
                ^ table[(4 * 256) + (low >> 24)]
                ^ table[(3 * 256) + data[4]]
                ^ table[(2 * 256) + data[5]]
                ^ table[256 + data[6]]
                ^ table[data[7]];
            data = data[8..];
        }

        foreach (var value in data)
        {
            crc = table[(byte)(crc ^ value)] ^ (crc >> 8);
        }

        return crc;
    }

    // Slice-by-8: table[k * 256 + b] is the register after byte b followed by k zero bytes.
    private static uint[] BuildSliceTable()
    {
        var table = new uint[8 * 256];
        for (uint b = 0; b < 256; b++)
        {
            var crc = b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            table[b] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            for (var b = 0; b < 256; b++)
            {
                var previous = table[((k - 1) * 256) + b];
                table[(k * 256) + b] = table[(byte)previous] ^ (previous >> 8);
            }
        }

        return table;
    }

    // shift[k * 256 + b] is the register (b << 8k) after `length` zero bytes; the operator is linear,
    // so it is built from its value on each of the 32 single bits.
    private static uint[] BuildShiftTable(int length)
    {
        var zeros = new byte[length];
        Span<uint> bits = stackalloc uint[32];
        for (var i = 0; i < 32; i++)
        {
            bits[i] = UpdateSoftware(1u << i, zeros);
        }

        var shift = new uint[4 * 256];
        for (var k = 0; k < 4; k++)
        {
            for (var b = 0; b < 256; b++)
            {
                uint value = 0;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((b & (1 << bit)) != 0)
                    {
                        value ^= bits[(k * 8) + bit];
                    }
                }

                shift[(k * 256) + b] = value;
            }
        }

        return shift;
    }
}
