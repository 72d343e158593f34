using System.Buffers;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Hub.EventStore.Writing;

/// <summary>A <c>jsonb</c> column of a binary COPY, written as UTF-8 straight from Marten's serializer.</summary>
internal static class JsonbCopy
{
    /// <summary>
    /// Writes <paramref name="value"/> through <paramref name="buffer"/>, not through a UTF-16 string per row. The
    /// importer copies the bytes into its own buffer before the write completes, so one buffer serves every row.
    /// </summary>
    public static Task WriteAsync(NpgsqlBinaryImporter rows, ISerializer serializer, ArrayBufferWriter<byte> buffer, object value, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        serializer.WriteTo(buffer, value);
        return rows.WriteAsync(buffer.WrittenMemory, NpgsqlDbType.Jsonb, cancellationToken);
    }
}
