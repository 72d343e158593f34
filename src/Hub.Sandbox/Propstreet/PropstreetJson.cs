using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Hub.Sandbox.Propstreet;

public static class PropstreetJson
{
    /// <summary>Contacts and companies: null fields are written as null (as in the contacts reference).</summary>
    // Relaxed escaping: etags read W/"..." and names keep their å/ä/ö, as a real API's JSON would (not for HTML).
    public static JsonSerializerOptions WithNulls { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Projects, prospects, properties: "Null fields are omitted from responses, not sent as null".</summary>
    public static JsonSerializerOptions OmitNulls { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public const int MaxBodyBytes = 1024 * 1024;

    // A repeated property name is ambiguous (which value wins differs between parsers), so every write refuses it.
    private static readonly JsonDocumentOptions StrictDocument = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Reads a JSON object body and parses it into a write's input; a malformed body or invalid input is the
    /// problem to answer (400, or 413 for an oversized body). The body is returned for fields outside the input.
    /// </summary>
    public static async Task<(JsonObject? Body, T? Input, IResult? Problem)> ReadInputAsync<T>(
        HttpRequest request, Func<JsonObject, (T? Input, string? Error)> parse, CancellationToken ct)
        where T : class
    {
        var (_, body, problem) = await ReadObjectAsync(request, ct);
        if (problem is not null)
            return (null, null, problem);
        var (input, error) = parse(body!);
        return input is null ? (body, null, Problems.BadRequest(error!)) : (body, input, null);
    }

    /// <summary>
    /// Reads a JSON object body, keeping the raw bytes (idempotency compares their hash). PATCH semantics need to
    /// tell an absent field from an explicit null, hence a <see cref="JsonObject"/> rather than a bound DTO.
    /// </summary>
    public static async Task<(byte[] Raw, JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var raw = buffer.ToArray();
        if (raw.Length > MaxBodyBytes)
            return (raw, null, Problems.Create(413, "payload-too-large", "Payload too large", "The request body exceeds 1 MiB."));
        if (raw.Length == 0 && request.ContentType is null)
            return (raw, null, Problems.BadRequest("A JSON object body is required (Content-Type: application/json)."));
        if (!request.HasJsonContentType())
            return (raw, null, Problems.UnsupportedMediaType());
        try
        {
            return JsonNode.Parse(raw, documentOptions: StrictDocument) is JsonObject body
                ? (raw, body, null)
                : (raw, null, Problems.BadRequest("The request body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (raw, null, Problems.BadRequest($"The request body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>Deserialises a body node into a request DTO; a type mismatch becomes a 400.</summary>
    public static bool TryBind<T>(JsonNode node, out T? value, out IResult? problem)
    {
        problem = null;
        try
        {
            value = node.Deserialize<T>(WithNulls);
            return true;
        }
        catch (JsonException e)
        {
            value = default;
            var field = e.Path is { Length: > 2 } path ? path[2..] : "body";
            problem = Problems.BadRequest($"'{field}' has the wrong JSON type for this field. {e.Message}");
            return false;
        }
    }

    public static IResult Ok<T>(T value, JsonSerializerOptions options, string? etag = null, HttpContext? context = null)
    {
        if (etag is not null && context is not null)
            context.Response.Headers.ETag = etag;
        return Results.Json(value, options);
    }
}
