using System.Security.Cryptography;
using System.Text;

namespace Hub.EventStore.Writing;

/// <summary>
/// Name-based (RFC 9562 version 5 style) ids: the same source, record and source version always give the same id,
/// so a redelivered observation maps onto the event it already produced.
/// </summary>
public static class DeterministicEventId
{
    private static readonly Guid HubNamespace = new("7a3c6f0e-2b1d-4e55-9a61-3c0f5e8d2b47");

    public static Guid From(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var name = Encoding.UTF8.GetBytes(string.Join('\u001f', parts));
        Span<byte> input = stackalloc byte[16 + name.Length];
        HubNamespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input[16..]);

        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for name-based ids; this is not a security use.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
