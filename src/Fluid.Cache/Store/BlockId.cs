using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fluid.Cache.Store;

/// <summary>
/// Identity of one version of one file of a dataset: a 128-bit hash of (dataset, path, version).
/// A changed source file gets a new key, so blocks cached for the old content are never served for the new.
/// </summary>
public readonly record struct FileKey(UInt128 Value)
{
    /// <summary>The key of a file version.</summary>
    public static FileKey Of(string dataset, string path, string version)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{dataset}\0{path}\0{version}"), hash);
        return new FileKey(BinaryPrimitives.ReadUInt128BigEndian(hash));
    }

    /// <summary>Parses the 32 lowercase hex digits <see cref="ToString"/> writes.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out FileKey key)
    {
        key = default;
        if (text.Length != 32 || !UInt128.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        key = new FileKey(value);
        return true;
    }

    /// <summary>32 lowercase hex digits.</summary>
    public override string ToString() => Value.ToString("x32", CultureInfo.InvariantCulture);
}

/// <summary>One block of a file version: blocks are fixed-size slices, index 0 first.</summary>
public readonly record struct BlockId(FileKey File, long Index)
{
    /// <summary>"{file}-{index}".</summary>
    public override string ToString() => $"{File}-{Index.ToString(CultureInfo.InvariantCulture)}";
}
